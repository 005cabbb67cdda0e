using System.Diagnostics;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// Three real daemons form a cluster on loopback (free ports, never the demo's 1053-1055/4053-4055) and serve
/// members.akka.dns from the live membership: dig at every node sees all three; a node killed with kill -9 leaves
/// the answers at the other two; restarted, it comes back. The failure detector and the split-brain resolver are
/// tuned down in the test HOCON to keep the wall time modest; every wait is bounded.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ClusterSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan FormBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LeaveBound = TimeSpan.FromSeconds(30);

    private readonly ClusterRig _rig = new(output, 3, "akka.dns {\n    cluster\n}\n", """
        akka.cluster {
          seed-node-timeout = 2s
          roles = ["dns"]
          split-brain-resolver.stable-after = 3s
          failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
        }
        """);

    /// <summary>The member names in members.akka.dns SRV at node <paramref name="i"/> (empty when it does not answer).</summary>
    private async Task<string[]> MembersAt(int i)
    {
        var r = Dig.Parse(await Dig.RunAsync("127.0.0.1", _rig.DnsPort(i), "members.akka.dns", "SRV"));
        if (r is null || r.Status != "NOERROR") return [];
        return r.Answer.Where(a => a.Type == "SRV").Select(a => a.Data.Split(' ')[3].Split('.')[0]).Order().ToArray();
    }

    /// <summary>Polls every node in <paramref name="at"/> until <paramref name="done"/> holds for its members, or the bound passes.</summary>
    private async Task<TimeSpan[]> Until(int[] at, Func<string[], bool> done, TimeSpan bound, string what)
    {
        var sw = Stopwatch.StartNew();
        var times = new TimeSpan[at.Length];
        for (var k = 0; k < at.Length; k++)
        {
            string[] seen = [];
            while (!done(seen = await MembersAt(at[k])))
            {
                if (sw.Elapsed > bound)
                    Assert.Fail($"node{at[k] + 1} still answers [{string.Join(", ", seen)}] {bound.TotalSeconds} s later; expected {what}\n{_rig.Logs()}");
                await Task.Delay(50);
            }
            times[k] = sw.Elapsed;
        }
        return times;
    }

    [Fact]
    public async Task Cluster_should_drop_a_killed_member_from_dns_at_the_others_and_take_it_back_when_it_rejoins()
    {
        string[] all = ["node1", "node2", "node3"];
        var start = Stopwatch.StartNew();
        await _rig.StartAsync();
        await Until([0, 1, 2], m => m.SequenceEqual(all), FormBound, "node1, node2, node3");
        output.WriteLine($"all three nodes list all three members {start.Elapsed.TotalSeconds:F1} s after launch");

        await _rig.KillAsync(2);   // kill -9: a crash, not a graceful leave
        var gone = await Until([0, 1], m => m.SequenceEqual(["node1", "node2"]), LeaveBound, "node1, node2");
        output.WriteLine($"node3 left members.akka.dns {gone[0].TotalSeconds:F2} s (node1) / {gone[1].TotalSeconds:F2} s (node2) after kill -9");

        var restart = Stopwatch.StartNew();
        await _rig.RestartAsync(2);
        await Until([0, 1, 2], m => m.SequenceEqual(all), FormBound, "node1, node2, node3");
        output.WriteLine($"restarted node3 is back in members.akka.dns at all three {restart.Elapsed.TotalSeconds:F2} s after its launch (daemon start and join included)");
        Assert.True(restart.Elapsed < FormBound + ClusterRig.UpTimeout);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 disposes a test class through IAsyncLifetime, not IAsyncDisposable: the daemons must not outlive the spec.
    public async Task DisposeAsync() => await _rig.DisposeAsync();
}
