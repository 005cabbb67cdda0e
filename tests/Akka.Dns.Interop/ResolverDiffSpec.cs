using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// cache + forward answer by answer against Unbound: both in front of the same Knot (../shared/bench/peer.sh)
/// serving ../shared/bench/data/example.org.zone, ../shared/bench/diff.py --rd on queries-diff.txt (ANY left out,
/// as in the authoritative test). Tolerated, as forward's README documents ("Compared with a recursive resolver"):
/// the AA bit (CoreDNS's cache sets it on every hit, forward passes the upstream's), TTLs (two caches fetch at
/// different instants), extra records in additional (forward passes the upstream's reply; Unbound trims it), and
/// three kinds of names left out of the query file: an out-of-zone CNAME target (ext.example.org: a resolver
/// chases it, a forwarder returns what the upstream gave), a CNAME loop (loop1: Unbound SERVFAIL, forward passes
/// the upstream's answer), and names outside example.org (Knot's REFUSED passed on; Unbound SERVFAIL).
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ResolverDiffSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private static string Bench => SharedBench.Dir;

    [SharedBenchFact]
    public async Task Cache_and_forward_should_answer_every_query_as_unbound_does()
    {
        var runDir = Directory.CreateTempSubdirectory("akka-dns-rdiff-").FullName;
        var knot = Ports.Free();
        var unbound = Ports.Free();
        var env = $"BENCH_RUNDIR={runDir}";
        var peer = Path.Combine(Bench, "peer.sh");
        try
        {
            var k = await Proc.RunAsync("env", [env, peer, "knot", knot.ToString()], Bound);
            Assert.True(k.ExitCode == 0, $"knot did not start (apt-get install knot):\n{k}");
            var u = await Proc.RunAsync("env", [env, $"UPSTREAM=127.0.0.1:{knot}", peer, "unbound", unbound.ToString()], Bound);
            Assert.True(u.ExitCode == 0, $"unbound did not start (apt-get install unbound):\n{u}");
            await using var d = await Daemon.StartAsync($".:{{PORT}} {{\n    bind 127.0.0.1\n    cache\n    forward . 127.0.0.1:{knot}\n    errors\n}}\n");
            var queries = Path.Combine(runDir, "queries-no-any.txt");
            await File.WriteAllLinesAsync(queries, (await File.ReadAllLinesAsync(Path.Combine(Bench, "data", "queries-diff.txt")))
                .Where(l => !l.TrimEnd().EndsWith(" ANY", StringComparison.Ordinal) && Compared(l.Split(' ')[0])));
            var diff = await Proc.RunAsync(Path.Combine(Bench, "diff.py"),
                ["--a", $"127.0.0.1:{unbound}", "--b", $"127.0.0.1:{d.Port}", "--a-name", "unbound", "--b-name", "akka",
                 "--queries", queries, "--rd", "--show", "20", .. Tolerated], Bound);
            output.WriteLine(diff.Stdout);
            Assert.True(diff.ExitCode == 0, $"answers differ from unbound:\n{diff}");
            Assert.Contains("ALL MATCH", diff.Stdout);
        }
        finally
        {
            await Proc.RunAsync("env", [env, peer, "stop", "all"], TimeSpan.FromSeconds(30));
            try { Directory.Delete(runDir, recursive: true); } catch (IOException) { }
        }
    }

    private static readonly string[] Tolerated = ["--ignore", "aa", "--ignore-ttl", "--allow-extra", "additional"];

    private static bool Compared(string name)
    {
        name = name.TrimEnd('.');
        return (name.Equals("example.org", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".example.org", StringComparison.OrdinalIgnoreCase))
            && !name.StartsWith("ext.", StringComparison.OrdinalIgnoreCase) && !name.StartsWith("loop1.", StringComparison.OrdinalIgnoreCase);
    }
}
