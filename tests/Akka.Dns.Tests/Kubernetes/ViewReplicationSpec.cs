using System.Collections.Immutable;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Dns.Kubernetes.Api;
using Akka.Dns.Kubernetes.Cluster;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.TestSupport;
using Akka.TestKit.Xunit2;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.Tests.Kubernetes.K8sViewBuilder;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>
/// How the cluster's one watch reaches every node: the view cut into parts and its changes (<see cref="ViewParts"/>),
/// their wire form (<see cref="K8sViewSerializer"/>), a node's <see cref="K8sViewReplica"/> putting them together
/// and asking again when it misses one, and the <see cref="K8sWatchSingleton"/> publishing a real watch of the fake
/// API server. Waits are bounded (TestKit's expect with 10 s); nothing asserts a duration.
/// </summary>
public sealed class ViewReplicationSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static K8sView Sample(bool synced = true) => new K8sViewBuilder()
        .Namespace("default", "team=a")
        .Namespace("other")
        .ClusterIP("default", "web", "10.96.0.10,fd00::10", [Port("http", 80), Port("dns", 53, "UDP")], "app=web")
        .Headless("default", "db", [Port("pg", 5432)])
        .ExternalName("other", "ext", "example.org.")
        .Add(new K8sService("other", "lb", ServiceKind.ClusterIP, [IPAddress.Parse("10.96.0.20")], null, [Port("https", 443)],
            [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")], ["lb.example.net"], ImmutableDictionary<string, string>.Empty))
        .Slice("default", "db", "db-abc", [Port("pg", 5432)], Ep("10.1.0.1", "db-0", pod: "db-0"), Ep("10.1.0.2", ready: false, pod: "db-1"), Ep("10.1.0.3"))
        .Slice("default", "web", "web-v6", [Port("http", 80)], Ep("fd00::1:1"))
        .Pod("default", "db-0", "10.1.0.1")
        .Pod("default", "old", "10.1.0.9", terminating: true)
        .Build(synced) with
        {
            // multicluster: ServiceImports and MCS EndpointSlices (with their source cluster) travel too.
            ServiceImports = ImmutableDictionary<string, K8sServiceImport>.Empty
                .Add("default/web", new K8sServiceImport("default", "web", false, [IPAddress.Parse("10.42.0.1"), IPAddress.Parse("fd42::1")], [Port("http", 80)]))
                .Add("other/db", new K8sServiceImport("other", "db", true, [], [])),
            MultiClusterSlices = ImmutableDictionary<string, K8sEndpointSlice>.Empty
                .Add("other/db-east", new K8sEndpointSlice("other", "db-east", "db", "IPv4", [Ep("10.2.0.1", "db-0"), Ep("10.2.0.2", ready: false)], [Port("pg", 5432)]) { ClusterId = "east" })
                .Add("other/db-west", new K8sEndpointSlice("other", "db-west", "db", "IPv6", [Ep("fd00::2:1")], []) { ClusterId = "west" }),
        };

    /// <summary>Every field of every object, in key order: two views that print the same hold the same.</summary>
    internal static string Print(K8sView v)
    {
        var sb = new StringBuilder($"synced={v.Synced}\n");
        static string Ips(ImmutableArray<IPAddress> ips) => string.Join(",", ips);
        static string Ports(ImmutableArray<K8sPort> ps) => string.Join(",", ps.Select(p => $"{p.Name}/{p.Protocol}/{p.Port}"));
        static string Labels(ImmutableDictionary<string, string> l) => string.Join(",", l.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        foreach (var n in v.Namespaces.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"ns {n.Key} {n.Value.Name} [{Labels(n.Value.Labels)}]\n");
        foreach (var (k, s) in v.Services.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"svc {k} {s.Namespace}/{s.Name} {s.Kind} [{Ips(s.ClusterIPs)}] {s.ExternalName ?? "-"} [{Ports(s.Ports)}] [{Ips(s.ExternalIPs)}] [{string.Join(",", s.ExternalHostnames)}] [{Labels(s.Labels)}]\n");
        foreach (var (k, e) in v.EndpointSlices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"eps {k} {e.Namespace}/{e.Name} {e.ServiceName} {e.AddressType} [{Ports(e.Ports)}] " +
                string.Join(";", e.Endpoints.Select(p => $"{Ips(p.Addresses)} {p.Ready} {p.Hostname ?? "-"} {p.NodeName ?? "-"} {p.PodName ?? "-"}")) + "\n");
        foreach (var (k, p) in v.Pods.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"pod {k} {p.Namespace}/{p.Name} [{Ips(p.PodIPs)}] {p.Terminating}\n");
        foreach (var (k, i) in v.ServiceImports.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"import {k} {i.Namespace}/{i.Name} {i.Headless} [{Ips(i.IPs)}] [{Ports(i.Ports)}]\n");
        foreach (var (k, e) in v.MultiClusterSlices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append($"mceps {k} {e.Namespace}/{e.Name} {e.ServiceName} {e.ClusterId ?? "-"} {e.AddressType} [{Ports(e.Ports)}] " +
                string.Join(";", e.Endpoints.Select(p => $"{Ips(p.Addresses)} {p.Ready} {p.Hostname ?? "-"} {p.NodeName ?? "-"} {p.PodName ?? "-"}")) + "\n");
        return sb.ToString();
    }

    private K8sViewSerializer Serializer => new((ExtendedActorSystem)Sys);

    private T RoundTrip<T>(T message) where T : IK8sViewMessage
    {
        var s = Serializer;
        return (T)s.FromBinary(s.ToBinary(message), s.Manifest(message));
    }

    [Fact]
    public void A_whole_view_should_survive_cutting_the_wire_and_putting_back_together()
    {
        var view = Sample();
        foreach (var budget in new[] { 64 * 1024, 200, 1 })
        {
            var parts = ViewParts.Whole(view, epoch: 7, seq: 3, budget);
            Assert.All(parts, p => Assert.Equal((7L, 3L, ViewPart.Whole, parts.Count), (p.Epoch, p.Seq, p.BaseSeq, p.Parts)));
            Assert.Equal(Enumerable.Range(0, parts.Count), parts.Select(p => p.Part));
            var back = ViewParts.Apply(K8sView.Empty, parts.Select(RoundTrip).ToList());
            Assert.Equal(Print(view), Print(back));
        }
        Assert.Single(ViewParts.Whole(view, 1, 1, 64 * 1024));
        // Budget 1: every object travels alone (10 objects + nothing removed).
        Assert.Equal(view.Services.Count + view.EndpointSlices.Count + view.Pods.Count + view.Namespaces.Count
            + view.ServiceImports.Count + view.MultiClusterSlices.Count,
            ViewParts.Whole(view, 1, 1, 1).Count);
    }

    [Fact]
    public void Changes_should_carry_exactly_what_was_added_modified_and_removed_in_every_kind()
    {
        var old = Sample(synced: false);
        var web = old.Services["default/web"];
        var now = new K8sView(
            old.Services.SetItem("default/web", web with { ClusterIPs = [IPAddress.Parse("10.96.0.11")] })
                .Remove("other/ext")
                .Add("other/new", web with { Namespace = "other", Name = "new" }),
            old.EndpointSlices.Remove("default/web-v6"),
            old.Pods.Add("default/p2", new K8sPod("default", "p2", [IPAddress.Parse("10.1.0.7")], false)),
            old.Namespaces.Remove("other").Add("third", new K8sNamespace("third", ImmutableDictionary<string, string>.Empty)),
            Synced: true)
        {
            ServiceImports = old.ServiceImports.Remove("other/db")
                .Add("other/new", old.ServiceImports["default/web"] with { Namespace = "other", Name = "new" }),
            MultiClusterSlices = old.MultiClusterSlices.SetItem("other/db-east", old.MultiClusterSlices["other/db-east"] with { ClusterId = "north" }),
        };

        var parts = ViewParts.Changes(old, now, epoch: 5, seq: 9, budget: 64 * 1024);
        var p = Assert.Single(parts);
        Assert.Equal((5L, 9L, 8L, true), (p.Epoch, p.Seq, p.BaseSeq, p.Synced));
        Assert.Equal(["default/web", "other/new"], p.Services.Select(s => s.Key).Order());
        Assert.Empty(p.Slices);
        Assert.Equal(["default/p2"], p.Pods.Select(x => x.Key));
        Assert.Equal(["third"], p.Namespaces.Select(n => n.Name));
        Assert.Equal(["other/new"], p.Imports.Select(i => i.Key));
        Assert.Equal(["other/db-east"], p.MultiClusterSlices.Select(e => e.Key));
        Assert.Equal(["edefault/web-v6", "iother/db", "nother", "sother/ext"], p.Removed.Order(StringComparer.Ordinal));

        Assert.Equal(Print(now), Print(ViewParts.Apply(old, parts.Select(RoundTrip).ToList())));
        Assert.Equal(Print(now), Print(ViewParts.Apply(old, ViewParts.Changes(old, now, 5, 9, budget: 1))));
        Assert.Empty(ViewParts.Changes(now, now, 5, 10, 64 * 1024));
        Assert.Empty(ViewParts.Changes(now, now with { }, 5, 10, 64 * 1024));
    }

    [Fact]
    public void The_wire_form_should_write_a_repeated_string_once_and_keep_the_largest_slice_under_the_remoting_frame()
    {
        // 1,000 endpoints (the API's maximum per slice) with 63-character names: the worst single object.
        var name = new string('h', 60);
        var eps = Enumerable.Range(0, 1000).Select(i => new K8sEndpoint([IPAddress.Parse($"10.2.{i / 250}.{i % 250}")], true,
            $"{name}{i:000}", "node-with-a-rather-long-name-0001.example.internal", $"{name}{i:000}")).ToImmutableArray();
        var slice = new K8sEndpointSlice("a-namespace-name", "big-abcde", "big", "IPv4", eps, [new K8sPort("http", "TCP", 80)]);
        var view = K8sView.Empty with { EndpointSlices = K8sView.Empty.EndpointSlices.Add(slice.Key, slice), Synced = true };
        var part = Assert.Single(ViewParts.Whole(view, 1, 1, 64 * 1024));
        var bytes = Serializer.ToBinary(part);
        Output.WriteLine($"1,000-endpoint slice: {bytes.Length} bytes");
        Assert.True(bytes.Length < 512_000, $"{bytes.Length} bytes is over akka.remote's maximum-frame-size in reference.conf");
        // The node name is written once, not 1,000 times.
        Assert.Single(AllIndexes(bytes, Encoding.UTF8.GetBytes("node-with-a-rather-long-name-0001")));
        Assert.Equal(Print(view), Print(ViewParts.Apply(K8sView.Empty, [RoundTrip(part)])));

        var alive = RoundTrip(new ViewAlive(long.MaxValue, 42));
        Assert.Equal((long.MaxValue, 42L), (alive.Epoch, alive.Seq));
        var sub = RoundTrip(new SubscribeView(TestActor));
        Assert.Equal(TestActor, sub.Replica);
    }

    private static List<int> AllIndexes(byte[] hay, byte[] needle)
    {
        var found = new List<int>();
        for (var i = hay.AsSpan().IndexOf(needle); i >= 0;)
        {
            found.Add(i);
            var next = hay.AsSpan(i + 1).IndexOf(needle);
            i = next < 0 ? -1 : i + 1 + next;
        }
        return found;
    }

    private static readonly K8sHubSettings Fast = new()
    {
        Heartbeat = TimeSpan.FromMilliseconds(100),
        Silence = TimeSpan.FromMilliseconds(300),
        Resubscribe = TimeSpan.FromMilliseconds(100),
    };

    private async Task<K8sView> Published(ViewFanout fanout, Func<K8sView, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (DateTime.UtcNow < deadline)
        {
            if (fanout.Current is { } v && condition(v)) return v;
            await Task.Delay(10);
        }
        throw new Xunit.Sdk.XunitException($"not within {Bound.TotalSeconds} s: {what}");
    }

    [Fact]
    public async Task A_replica_should_apply_a_whole_view_then_changes_in_order_and_ask_again_when_it_misses_one()
    {
        var singleton = CreateTestProbe();
        await using var fanout = new ViewFanout();
        var replica = Sys.ActorOf(K8sViewReplica.Props(singleton.Ref, fanout, Fast with { Silence = TimeSpan.FromSeconds(30) }));
        Assert.Equal(replica, singleton.ExpectMsg<SubscribeView>(Bound).Replica);

        var v1 = Sample();
        foreach (var p in ViewParts.Whole(v1, 11, 1, budget: 200)) replica.Tell(p, singleton.Ref);
        await Published(fanout, v => Print(v) == Print(v1), "the whole view");

        var v2 = v1 with { Services = v1.Services.Remove("other/ext") };
        foreach (var p in ViewParts.Changes(v1, v2, 11, 2, 64 * 1024)) replica.Tell(p, singleton.Ref);
        await Published(fanout, v => !v.Services.ContainsKey("other/ext"), "the change");

        // Publication 4 follows 3, which never came: the replica asks for the whole view again and keeps v2.
        var v3 = v2 with { Pods = v2.Pods.Clear() };
        var v4 = v3 with { Namespaces = v3.Namespaces.Remove("other") };
        foreach (var p in ViewParts.Changes(v3, v4, 11, 4, 64 * 1024)) replica.Tell(p, singleton.Ref);
        singleton.ExpectMsg<SubscribeView>(Bound);
        Assert.Equal(Print(v2), Print(fanout.Current!));

        // A part missing in the middle of a publication: asks again.
        var parts = ViewParts.Whole(v4, 11, 4, budget: 200);
        Assert.True(parts.Count > 2);
        replica.Tell(parts[0], singleton.Ref);
        replica.Tell(parts[2], singleton.Ref);
        singleton.ExpectMsg<SubscribeView>(Bound);
        foreach (var p in parts) replica.Tell(p, singleton.Ref);
        await Published(fanout, v => Print(v) == Print(v4), "the whole view sent again");
    }

    [Fact]
    public async Task A_replica_should_ask_a_silent_or_different_singleton_again_and_keep_its_view_meanwhile()
    {
        var singleton = CreateTestProbe();
        await using var fanout = new ViewFanout();
        var replica = Sys.ActorOf(K8sViewReplica.Props(singleton.Ref, fanout, Fast));
        singleton.ExpectMsg<SubscribeView>(Bound);
        var v1 = Sample();
        foreach (var p in ViewParts.Whole(v1, 21, 1, 64 * 1024)) replica.Tell(p, singleton.Ref);
        await Published(fanout, v => v.Synced, "the view");

        // Silence (the singleton's node died): asks again, over and over, and keeps answering from v1.
        singleton.ExpectMsg<SubscribeView>(Bound);
        singleton.ExpectMsg<SubscribeView>(Bound);
        Assert.Same(v1.Services["default/web"], fanout.Current!.Services["default/web"]);

        // A new singleton (another epoch) that has not listed yet (seq 0): nothing to ask it for; once it has, ask.
        replica.Tell(new ViewAlive(99, 0), singleton.Ref);
        var v2 = v1 with { Services = v1.Services.Remove("default/db") };
        replica.Tell(new ViewAlive(99, 1), singleton.Ref);
        singleton.FishForMessage(m => m is SubscribeView, Bound);
        foreach (var p in ViewParts.Whole(v2, 99, 1, 64 * 1024)) replica.Tell(p, singleton.Ref);
        await Published(fanout, v => !v.Services.ContainsKey("default/db"), "the new singleton's view");
    }

    [Fact]
    public async Task The_singleton_should_publish_the_listed_view_to_a_subscriber_then_each_change_and_heartbeats()
    {
        await using var api = await FakeApiServer.StartAsync();
        api.Put(FakeObjects.Namespace("default"));
        api.Put(FakeObjects.ClusterIP("default", "web", ["10.96.0.10"], FakeObjects.Port("http", 80)));
        var watch = new K8sWatchOptions { Coalesce = TimeSpan.FromMilliseconds(10) };
        var singleton = Sys.ActorOf(K8sWatchSingleton.Props(
            log => new K8sWatcher(K8sClientFactory.CreateClient(K8sClientFactory.FromEndpoint(api.Url)), watch, log), Fast, "spec"));
        var replica = CreateTestProbe();
        singleton.Tell(new SubscribeView(replica.Ref));

        var whole = replica.FishForMessage<ViewPart>(m => m is ViewPart, Bound);
        Assert.Equal((ViewPart.Whole, 1L, true), (whole.BaseSeq, whole.Seq, whole.Synced));
        Assert.Equal(["default/web"], whole.Services.Select(s => s.Key));

        api.Put(FakeObjects.ClusterIP("default", "api", ["10.96.0.11"], FakeObjects.Port("http", 80)));
        var change = replica.FishForMessage<ViewPart>(m => m is ViewPart, Bound);
        Assert.Equal((whole.Epoch, 2L, 1L), (change.Epoch, change.Seq, change.BaseSeq));
        Assert.Equal(["default/api"], change.Services.Select(s => s.Key));

        var alive = replica.FishForMessage<ViewAlive>(m => m is ViewAlive { Seq: 2 }, Bound);
        Assert.Equal(whole.Epoch, alive.Epoch);
        Assert.Equal(1, api.Watches(FakeResource.Services));

        // A second subscriber gets the whole current view at once.
        var late = CreateTestProbe();
        singleton.Tell(new SubscribeView(late.Ref));
        var lateWhole = late.FishForMessage<ViewPart>(m => m is ViewPart, Bound);
        Assert.Equal((ViewPart.Whole, 2L), (lateWhole.BaseSeq, lateWhole.Seq));
        Assert.Equal(["default/api", "default/web"], lateWhole.Services.Select(s => s.Key).Order());
        Sys.Stop(singleton);
    }

    [Fact]
    public async Task The_singleton_should_publish_service_imports_and_mcs_slices_of_a_multicluster_watch()
    {
        await using var api = await FakeApiServer.StartAsync();
        api.Put(FakeObjects.Namespace("default"));
        api.Put(FakeObjects.ServiceImport("default", "web", "ClusterSetIP", ["10.42.0.1"], FakeObjects.ImportPort("http", 80)));
        api.Put(FakeObjects.MultiClusterSlice("default", "web-east", "web", "east", "IPv4", FakeObjects.Endpoint("10.2.0.1")));
        var watch = new K8sWatchOptions { Coalesce = TimeSpan.FromMilliseconds(10), WatchMultiCluster = true };
        var singleton = Sys.ActorOf(K8sWatchSingleton.Props(
            log => new K8sWatcher(K8sClientFactory.CreateClient(K8sClientFactory.FromEndpoint(api.Url)), watch, log), Fast, "spec-mc"));
        var replica = CreateTestProbe();
        singleton.Tell(new SubscribeView(replica.Ref));

        var whole = RoundTrip(replica.FishForMessage<ViewPart>(m => m is ViewPart, Bound));
        Assert.Equal(["default/web"], whole.Imports.Select(i => i.Key));
        Assert.Equal([("default/web-east", "east")], whole.MultiClusterSlices.Select(e => (e.Key, e.ClusterId)));
        var view = ViewParts.Apply(K8sView.Empty, [whole]);

        Assert.True(api.Delete(FakeResource.ServiceImports, "default", "web"));
        var change = RoundTrip(replica.FishForMessage<ViewPart>(m => m is ViewPart, Bound));
        Assert.Equal(["idefault/web"], change.Removed.ToArray());
        Assert.Empty(ViewParts.Apply(view, [change]).ServiceImports);
        Assert.Single(ViewParts.Apply(view, [change]).MultiClusterSlices);
        Sys.Stop(singleton);
    }
}
