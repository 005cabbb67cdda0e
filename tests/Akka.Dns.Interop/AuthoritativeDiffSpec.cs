using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The file plugin answer by answer against real authoritative servers: Knot and NSD (from apt, started by
/// ../shared/bench/peer.sh) and Akka.Dns serve ../shared/bench/data/example.org.zone, and
/// ../shared/bench/diff.py compares every reply to queries-diff.txt. The only tolerated differences are the
/// ones the file plugin's README documents: CoreDNS's apex NS set in the authority section of positive
/// answers (and NSD's extra glue), and QTYPE ANY, where the peers disagree among themselves.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class AuthoritativeDiffSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    private static string Bench => SharedBench.Dir;

    [SharedBenchTheory]
    [InlineData("knot", new[] { "--allow-extra", "authority" })]
    [InlineData("nsd", new[] { "--allow-extra", "authority", "--allow-extra", "additional" })]
    public async Task File_plugin_should_answer_every_query_as_the_peer_does(string peer, string[] tolerated)
    {
        Assert.True(File.Exists(Path.Combine(Bench, "diff.py")),
            $"{Bench}/diff.py is missing: the differential test needs the shared bench next to the repository (../shared/bench)");
        var zone = Path.Combine(Bench, "data", "example.org.zone");
        var runDir = Directory.CreateTempSubdirectory("akka-dns-diff-").FullName;
        var peerPort = Ports.Free();
        var env = $"BENCH_RUNDIR={runDir}";
        await using var d = await Daemon.StartAsync($"example.org:{{PORT}} {{\n    bind 127.0.0.1\n    file {zone}\n    errors\n}}\n");
        var start = await Proc.RunAsync("env", [env, Path.Combine(Bench, "peer.sh"), peer, peerPort.ToString()], Bound);
        try
        {
            Assert.True(start.ExitCode == 0, $"{peer} did not start (apt-get install knot nsd):\n{start}");
            var queries = Path.Combine(runDir, "queries-no-any.txt");
            await File.WriteAllLinesAsync(queries, (await File.ReadAllLinesAsync(Path.Combine(Bench, "data", "queries-diff.txt")))
                .Where(l => !l.TrimEnd().EndsWith(" ANY", StringComparison.Ordinal)));
            var diff = await Proc.RunAsync(Path.Combine(Bench, "diff.py"),
                ["--a", $"127.0.0.1:{peerPort}", "--b", $"127.0.0.1:{d.Port}", "--a-name", peer, "--b-name", "akka",
                 "--queries", queries, "--show", "20", .. tolerated], Bound);
            output.WriteLine(diff.Stdout);
            Assert.True(diff.ExitCode == 0, $"answers differ from {peer}:\n{diff}");
            Assert.Contains("ALL MATCH", diff.Stdout);
        }
        finally
        {
            await Proc.RunAsync("env", [env, Path.Combine(Bench, "peer.sh"), "stop", peer, peerPort.ToString()], TimeSpan.FromSeconds(30));
            try { Directory.Delete(runDir, recursive: true); } catch (IOException) { }
        }
    }
}
