using System.Diagnostics;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The forward plugin in front of real upstreams (Knot and NSD authoritative, Unbound caching in front of Knot),
/// started by ../shared/bench/peer.sh on loopback, queried with dig and kdig; and an upstream killed and restarted
/// mid-test: the other one answers while it is gone, and queries go back to it once its health check passes.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ForwardSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    private static string PeerSh => Path.Combine(SharedBench.Dir, "peer.sh");

    private static async Task StartPeer(string env, string peer, int port, string? zone = null)
    {
        var args = new List<string> { env };
        if (zone is not null) args.Add($"ZONE={zone}");
        args.AddRange([PeerSh, peer, port.ToString()]);
        var r = await Proc.RunAsync("env", args, Bound);
        Assert.True(r.ExitCode == 0, $"{peer} did not start (apt-get install knot nsd unbound):\n{r}");
    }

    private static Task StopPeer(string env, string peer, int port) =>
        Proc.RunAsync("env", [env, PeerSh, "stop", peer, port.ToString()], TimeSpan.FromSeconds(30));

    private static string[] Rdata(DigAnswer a, string type) =>
        a.Answer.Where(r => r.Type == type).Select(r => r.Data).Order(StringComparer.Ordinal).ToArray();

    [SharedBenchTheory]
    [InlineData("knot")]
    [InlineData("nsd")]
    [InlineData("unbound")]
    public async Task Forward_should_relay_the_answers_of_a_real_upstream(string peer)
    {
        var runDir = Directory.CreateTempSubdirectory("akka-dns-fwd-").FullName;
        var env = $"BENCH_RUNDIR={runDir}";
        var peerPort = Ports.Free();
        if (peer == "unbound") Ports.Free(); // its Knot backend takes PORT+1
        await StartPeer(env, peer, peerPort);
        try
        {
            await using var d = await Daemon.StartAsync($".:{{PORT}} {{\n    bind 127.0.0.1\n    forward . 127.0.0.1:{peerPort}\n    errors\n}}\n");
            foreach (var (name, type) in new[] { ("example.org", "A"), ("example.org", "MX"), ("example.org", "TXT"), ("www.example.org", "A"), ("nonexistent.example.org", "A") })
            {
                foreach (var tcp in new[] { "+notcp", "+tcp" })
                {
                    var direct = await Dig.QueryAsync("127.0.0.1", peerPort, name, type, tcp);
                    var via = await Dig.QueryAsync("127.0.0.1", d.Port, name, type, tcp);
                    output.WriteLine($"{peer} {name} {type} {tcp}: {via.Status} {string.Join(", ", Rdata(via, type))}");
                    Assert.Equal(direct.Status, via.Status);
                    Assert.Equal(Rdata(direct, type), Rdata(via, type));
                }
            }
            var k = await Kdig.QueryAsync("127.0.0.1", d.Port, "example.org", "A");
            Assert.Equal(0, k.Rcode);
            Assert.Contains(k.Section("answerRRs"), r => r.Data.Contains("192.0.2.1", StringComparison.Ordinal));
        }
        finally
        {
            await StopPeer(env, peer, peerPort);
            try { Directory.Delete(runDir, recursive: true); } catch (IOException) { }
        }
    }

    [SharedBenchFact]
    public async Task Forward_should_fail_over_to_the_other_upstream_while_one_is_killed_and_return_after_its_restart()
    {
        var runDir = Directory.CreateTempSubdirectory("akka-dns-fwd-kill-").FullName;
        var env = $"BENCH_RUNDIR={runDir}";
        // The second upstream serves the zone with another apex address, so the spec sees who answered.
        var zoneB = Path.Combine(runDir, "example.org.zone");
        await File.WriteAllLinesAsync(zoneB, (await File.ReadAllLinesAsync(SharedBench.Zone))
            .Select(l => l.StartsWith("@\tIN\tA\t192.0.2.1", StringComparison.Ordinal) ? "@\tIN\tA\t192.0.2.201" : l));
        var a = Ports.Free();
        var b = Ports.Free();
        await StartPeer(env, "knot", a);
        await StartPeer(env, "knot", b, zoneB);
        try
        {
            await using var d = await Daemon.StartAsync(
                $".:{{PORT}} {{\n    bind 127.0.0.1\n    forward . 127.0.0.1:{a} 127.0.0.1:{b} {{\n        policy sequential\n        max_fails 1\n        health_check 200ms\n        read_timeout 500ms\n    }}\n    errors\n}}\n");
            async Task<string> Apex()
            {
                var r = await Dig.QueryAsync("127.0.0.1", d.Port, "example.org", "A");
                Assert.Equal("NOERROR", r.Status); // never SERVFAIL while one upstream is up
                return Assert.Single(Rdata(r, "A"));
            }

            Assert.Equal("192.0.2.1", await Apex());

            await StopPeer(env, "knot", a);
            for (var i = 0; i < 10; i++) Assert.Equal("192.0.2.201", await Apex());

            await StartPeer(env, "knot", a);
            var back = Stopwatch.StartNew();
            string last;
            do
            {
                last = await Apex();
                if (last == "192.0.2.1") break;
                await Task.Delay(100);
            }
            while (back.Elapsed < TimeSpan.FromSeconds(20));
            Assert.Equal("192.0.2.1", last);
        }
        finally
        {
            await StopPeer(env, "knot", a);
            await StopPeer(env, "knot", b);
            try { Directory.Delete(runDir, recursive: true); } catch (IOException) { }
        }
    }
}
