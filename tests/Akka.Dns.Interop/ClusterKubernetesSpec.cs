using System.Diagnostics;
using Akka.Dns.Interop.Infra;
using Akka.Dns.TestSupport;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Interop;

/// <summary>
/// Issue 8's multi-process check: three daemons in one cluster, each with the same kubernetes stanza, against the
/// fake API server: the API server sees exactly one list and one watch per kind for all three; dig at every node
/// answers from that one watch; kill -9 of the watching node (the singleton's) makes another node take the watch
/// over (it lists again), and meanwhile and after, every answer at the survivors is a correct one (the old view
/// until the new watch has listed, then the new). Every wait is bounded; nothing asserts a duration.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ClusterKubernetesSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private FakeApiServer _api = null!;
    private ClusterRig _rig = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default"));
        _api.Put(ClusterIP("default", "web", ["10.96.0.10"], Port("http", 80)));
        _api.Put(Headless("default", "db", Port("pg", 5432)));
        _api.Put(Slice("default", "db-abc", "db", "IPv4", Endpoint("10.1.0.1", hostname: "db-0", pod: "db-0"), Endpoint("10.1.0.2", pod: "db-1")));
        _rig = new ClusterRig(output, 3, $"cluster.local {{\n    kubernetes {{\n        endpoint {_api.Url}\n    }}\n}}\nakka.dns {{\n    cluster\n}}\n", """
            akka.cluster {
              seed-node-timeout = 2s
              split-brain-resolver.stable-after = 3s
              failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
            }
            akka.dns.kubernetes { heartbeat-interval = 500ms, silence-timeout = 2s, resubscribe-interval = 500ms }
            """);
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _api.DisposeAsync();
    }

    /// <summary>The A records dig gets at node <paramref name="n"/> (the status instead when it is not NOERROR).</summary>
    private async Task<string> AAt(int n, string name)
    {
        var r = Dig.Parse(await Dig.RunAsync("127.0.0.1", _rig.DnsPort(n), name, "A"));
        if (r is null) return "(no answer)";
        if (r.Status != "NOERROR") return r.Status;
        return string.Join(",", r.Answer.Where(a => a.Type == "A").Select(a => a.Data).Order());
    }

    private async Task Until(int[] nodes, string name, string expected)
    {
        foreach (var n in nodes)
        {
            var sw = Stopwatch.StartNew();
            var seen = "";
            while ((seen = await AAt(n, name)) != expected)
            {
                if (sw.Elapsed > Bound) Assert.Fail($"node{n + 1} answers {name} with {seen}, not {expected}, {Bound.TotalSeconds} s on\n{_rig.Logs()}");
                await Task.Delay(100);
            }
        }
    }

    private async Task Until(Func<bool> done, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!done())
        {
            if (sw.Elapsed > Bound) Assert.Fail($"not within {Bound.TotalSeconds} s: {what}\n{_rig.Logs()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Every node sees every node Up (members.akka.dns): before a kill, so the split-brain resolver counts the survivors as the majority.</summary>
    private async Task AllSeeAllUp()
    {
        foreach (var n in new[] { 0, 1, 2 })
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                var r = Dig.Parse(await Dig.RunAsync("127.0.0.1", _rig.DnsPort(n), "members.akka.dns", "SRV"));
                if (r is { Status: "NOERROR" } && r.Answer.Count(a => a.Type == "SRV") == 3) break;
                if (sw.Elapsed > Bound) Assert.Fail($"node{n + 1} does not list 3 members {Bound.TotalSeconds} s on\n{_rig.Logs()}");
                await Task.Delay(100);
            }
        }
    }

    private int Watching()
    {
        var found = -1;
        for (var n = 0; n < _rig.Count; n++)
        {
            try
            {
                if (_rig.Node(n).Stdout.Text.Contains("this node now watches the Kubernetes API")) found = n;
            }
            catch (InvalidOperationException)
            {
                // not running
            }
        }
        return found;
    }

    [Fact]
    public async Task Kubernetes_should_cost_the_API_one_watch_for_three_nodes_and_survive_kill_9_of_the_watching_node()
    {
        await _rig.StartAsync();
        await Until([0, 1, 2], "web.default.svc.cluster.local", "10.96.0.10");
        await Until([0, 1, 2], "db.default.svc.cluster.local", "10.1.0.1,10.1.0.2");
        foreach (var kind in new[] { FakeResource.Services, FakeResource.EndpointSlices, FakeResource.Namespaces })
            Assert.True((1, 1, 1) == (_api.Lists(kind), _api.Watches(kind), _api.OpenWatches(kind)),
                $"{kind}: {_api.Lists(kind)} list(s), {_api.Watches(kind)} watch(es), {_api.OpenWatches(kind)} open; expected one of each\n{_rig.Logs()}");
        var watching = Watching();
        Assert.True(watching >= 0, "no node logged that it watches the API");
        output.WriteLine($"node{watching + 1} watches the API for the cluster");

        // A change reaches every node through the one watch.
        _api.Put(ClusterIP("default", "web", ["10.96.0.11"], Port("http", 80)));
        await Until([0, 1, 2], "web.default.svc.cluster.local", "10.96.0.11");

        await AllSeeAllUp();
        int[] survivors = [.. Enumerable.Range(0, 3).Where(n => n != watching)];
        var killed = Stopwatch.StartNew();
        await _rig.KillAsync(watching);
        // Changed while nobody watches: the next watch lists it.
        _api.Put(ClusterIP("default", "web", ["10.96.0.12"], Port("http", 80)));

        // Every answer at the survivors from the kill until the take-over is the old address or the new one.
        var answers = new List<string>();
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var now = await Task.WhenAll(survivors.Select(n => AAt(n, "web.default.svc.cluster.local")));
            answers.AddRange(now);
            if (now.All(a => a == "10.96.0.12")) break;
            if (sw.Elapsed > Bound) Assert.Fail($"survivors answer [{string.Join(", ", now)}] {Bound.TotalSeconds} s after the kill\n{_rig.Logs()}");
            await Task.Delay(100);
        }
        output.WriteLine($"survivors answer from the new watch {killed.Elapsed.TotalSeconds:F1} s after kill -9 ({answers.Count} answers polled: " +
            string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Key} x{g.Count()}")) + ")");
        Assert.All(answers, a => Assert.True(a is "10.96.0.11" or "10.96.0.12", $"a survivor answered {a} during the take-over"));

        await Until(() => _api.OpenWatches(FakeResource.Services) == 1 && _api.Lists(FakeResource.Services) == 2,
            "one open services watch and a second list after the take-over");
        Assert.Equal(2, _api.Watches(FakeResource.Services));
        var next = Watching();
        Assert.Contains(next, survivors);
        output.WriteLine($"node{next + 1} took the watch over");
        await Until(survivors, "db.default.svc.cluster.local", "10.1.0.1,10.1.0.2");
    }
}
