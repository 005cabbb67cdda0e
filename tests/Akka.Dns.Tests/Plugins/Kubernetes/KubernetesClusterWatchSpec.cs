using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dns.Kubernetes.Cluster;
using DnsServer = Akka.Dns.Server.DnsServer;
using Akka.Dns.TestSupport;
using Akka.Dns.Tests.Plugins.Health;
using ARecord = ARSoft.Tools.Net.Dns.ARecord;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Tests.Plugins.Kubernetes;

/// <summary>
/// Three in-process Akka.Dns nodes in one real Akka.Cluster on loopback, each with a server whose Corefile has the
/// same kubernetes stanza: the fake API server sees one watch per kind for the whole cluster, every node answers
/// from the view the singleton publishes, a change reaches every node, and when the watching node leaves another
/// takes the watch over and the survivors keep answering (the kill -9 case is the interop ClusterKubernetesSpec).
/// Waits are bounded polls; nothing asserts a duration.
/// </summary>
public sealed class KubernetesClusterWatchSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly List<ActorSystem> _systems = [];
    private readonly List<DnsServer?> _servers = [];
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default"));
        _api.Put(ClusterIP("default", "web", ["10.96.0.10"], Port("http", 80)));
        _api.Put(Headless("default", "db", Port("pg", 5432)));
        _api.Put(Slice("default", "db-abc", "db", "IPv4", Endpoint("10.1.0.1", hostname: "db-0", pod: "db-0"), Endpoint("10.1.0.2", pod: "db-1")));
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
            if (s is not null) await s.DisposeAsync();
        await Task.WhenAll(_systems.Select(s => s.Terminate()));
        await _api.DisposeAsync();
    }

    private static Akka.Configuration.Config NodeConfig => ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.cluster.min-nr-of-members = 1
        akka.dns.kubernetes { heartbeat-interval = 200ms, silence-timeout = 1s, resubscribe-interval = 200ms }
        """).WithFallback(DnsSettings.DefaultConfig());

    private async Task StartClusterAsync(int count)
    {
        for (var i = 0; i < count; i++) _systems.Add(ActorSystem.Create("k8s-cluster", NodeConfig));
        var first = Akka.Cluster.Cluster.Get(_systems[0]).SelfAddress;
        foreach (var s in _systems) Akka.Cluster.Cluster.Get(s).Join(first);
        await Until(() => _systems.All(s => Akka.Cluster.Cluster.Get(s).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == count),
            $"{count} members up");
        // In order: the first (oldest) node is the one that will watch.
        foreach (var s in _systems)
            _servers.Add(await HealthSpec.StartServerAsync(s, $"cluster.local {{\n bind 127.0.0.1\n kubernetes {{\n  endpoint {_api.Url}\n }}\n}}\n"));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Bound)
        {
            if (condition()) return;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"not within {Bound.TotalSeconds} s: {what}");
    }

    private static async Task<string[]> AAsync(DnsServer server, string name)
    {
        try
        {
            var reply = await HealthSpec.QueryUdpAsync(server.UdpEndPoints[0], name);
            return reply.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()).Order().ToArray();
        }
        catch (OperationCanceledException)
        {
            return ["(no answer)"];
        }
    }

    private async Task EveryNodeAnswers(IEnumerable<int> nodes, string name, string[] expected)
    {
        foreach (var n in nodes)
        {
            var sw = Stopwatch.StartNew();
            string[] last = [];
            while (sw.Elapsed < Bound)
            {
                last = await AAsync(_servers[n]!, name);
                if (last.SequenceEqual(expected)) break;
                await Task.Delay(50);
            }
            Assert.True(last.SequenceEqual(expected), $"node {n}: {name} is [{string.Join(",", last)}], not [{string.Join(",", expected)}]");
            output.WriteLine($"node {n}: {name} -> {string.Join(",", last)} after {sw.ElapsedMilliseconds} ms");
        }
    }

    [Fact]
    public async Task Kubernetes_should_watch_once_for_the_whole_cluster_and_hand_the_watch_over_when_its_node_leaves()
    {
        await StartClusterAsync(3);
        Assert.All(_systems, s => Assert.True(K8sWatchHub.Get(s).IsCluster));
        await EveryNodeAnswers([0, 1, 2], "web.default.svc.cluster.local.", ["10.96.0.10"]);
        await EveryNodeAnswers([0, 1, 2], "db.default.svc.cluster.local.", ["10.1.0.1", "10.1.0.2"]);

        foreach (var kind in new[] { FakeResource.Services, FakeResource.EndpointSlices, FakeResource.Namespaces })
        {
            Assert.Equal(1, _api.Lists(kind));
            Assert.Equal(1, _api.Watches(kind));
        }
        Assert.Equal(0, _api.Lists(FakeResource.Pods));   // pods disabled: nobody watches them

        // A change reaches every node.
        _api.Put(ClusterIP("default", "web", ["10.96.0.11"], Port("http", 80)));
        _api.Put(ClusterIP("default", "api", ["10.96.0.12"], Port("http", 80)));
        await EveryNodeAnswers([0, 1, 2], "web.default.svc.cluster.local.", ["10.96.0.11"]);
        await EveryNodeAnswers([0, 1, 2], "api.default.svc.cluster.local.", ["10.96.0.12"]);
        Assert.Equal(1, _api.Watches(FakeResource.Services));

        // The watching node (the oldest) leaves: the next takes the watch over, lists again, and the survivors
        // keep answering, then see changes made after the hand-over.
        await _servers[0]!.DisposeAsync();
        _servers[0] = null;
        await Akka.Cluster.Cluster.Get(_systems[0]).LeaveAsync();
        await _systems[0].Terminate();
        await Until(() => _api.Lists(FakeResource.Services) == 2, "a second list by the node that took the watch over");
        await Until(() => _api.OpenWatches(FakeResource.Services) == 1, "one open services watch after the hand-over");
        await EveryNodeAnswers([1, 2], "web.default.svc.cluster.local.", ["10.96.0.11"]);
        _api.Put(ClusterIP("default", "web", ["10.96.0.13"], Port("http", 80)));
        _api.Delete(FakeResource.Services, "default", "api");
        await EveryNodeAnswers([1, 2], "web.default.svc.cluster.local.", ["10.96.0.13"]);
        await EveryNodeAnswers([1, 2], "api.default.svc.cluster.local.", []);
        Assert.Equal(2, _api.Watches(FakeResource.Services));
    }
}
