using Akka.Dns.TestSupport;
using System.Collections.Immutable;
using System.Net;
using Akka.Dns.Kubernetes.Api;
using Akka.Dns.Kubernetes.Model;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>
/// The watcher against <see cref="FakeApiServer"/> through the real KubernetesClient path (only the endpoint URL
/// differs from production). Waits are bounded (10 s) polls of the published view; nothing asserts a duration.
/// </summary>
public sealed class K8sWatcherSpec : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;
    private FakeApiServer _api = null!;

    public K8sWatcherSpec(ITestOutputHelper output) => _output = output;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default", new() { ["team"] = "a" }));
        _api.Put(Namespace("other", new() { ["team"] = "b" }));
        _api.Put(ClusterIP("default", "web", new[] { "10.96.0.10", "fd00::10" }, Port("http", 80), Port("dns", 53, "UDP")));
        _api.Put(Headless("default", "db", Port("pg", 5432)));
        _api.Put(External("default", "ext", "example.org"));
        _api.Put(LoadBalancer("other", "lb", "10.96.0.20", new[] { "192.0.2.1" }, "198.51.100.7", "lb.example.net"));
        _api.Put(Slice("default", "db-abc", "db", "IPv4",
            Endpoint("10.1.0.1", ready: true, hostname: "db-0", pod: "db-0"),
            Endpoint("10.1.0.2", ready: false, pod: "db-1"),
            Endpoint("10.1.0.3", ready: null)));
        _api.Put(Slice("default", "web-xyz", "web", "IPv6", Endpoint("fd00::1:1")));
        _api.Put(Pod("default", "db-0", new[] { "10.1.0.1", "fd00::1:5" }));
        _api.Put(Pod("default", "old", new[] { "10.1.0.9" }, terminating: true));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private K8sWatcher Watcher(K8sWatchOptions? options = null)
    {
        var client = K8sClientFactory.CreateClient(K8sClientFactory.FromEndpoint(_api.Url));
        var w = new K8sWatcher(client, options ?? new K8sWatchOptions { WatchPods = true });
        w.Start();
        return w;
    }

    private static Task<K8sView> Until(K8sWatcher w, Func<K8sView, bool> condition, string what) =>
        Poll.Until(() => w.Current, condition, what, Bound);

    private static Task Until(Func<bool> condition, string what) => Poll.Until(condition, what, Bound);

    private static IPAddress Ip(string s) => IPAddress.Parse(s);

    [Fact]
    public async Task Watcher_should_publish_the_trimmed_view_after_the_initial_sync()
    {
        await using var w = Watcher();
        var v = await Until(w, v => v.Synced, "synced");

        Assert.Equal(new[] { "default/db", "default/ext", "default/web", "other/lb" }, v.Services.Keys.OrderBy(k => k));
        var web = v.Services["default/web"];
        Assert.Equal(ServiceKind.ClusterIP, web.Kind);
        Assert.Equal(new[] { Ip("10.96.0.10"), Ip("fd00::10") }, web.ClusterIPs);
        Assert.Equal(new[] { new K8sPort("http", "TCP", 80), new K8sPort("dns", "UDP", 53) }, web.Ports);
        Assert.Equal("web", web.Labels["app"]);
        Assert.Null(web.ExternalName);

        var db = v.Services["default/db"];
        Assert.Equal(ServiceKind.Headless, db.Kind);
        Assert.Empty(db.ClusterIPs);

        var ext = v.Services["default/ext"];
        Assert.Equal(ServiceKind.ExternalName, ext.Kind);
        Assert.Equal("example.org", ext.ExternalName);

        var lb = v.Services["other/lb"];
        Assert.Equal(new[] { Ip("192.0.2.1"), Ip("198.51.100.7") }, lb.ExternalIPs);
        Assert.Equal(new[] { "lb.example.net" }, lb.ExternalHostnames);

        var slice = v.EndpointSlices["default/db-abc"];
        Assert.Equal(("db", "IPv4", "default/db"), (slice.ServiceName, slice.AddressType, slice.ServiceKey));
        Assert.Equal(new[] { new K8sPort("http", "TCP", 8080) }, slice.Ports);
        Assert.Equal(3, slice.Endpoints.Length);
        var e0 = slice.Endpoints[0];
        Assert.Equal((true, "db-0", "node-1", "db-0"), (e0.Ready, e0.Hostname, e0.NodeName, e0.PodName));
        Assert.Equal(new[] { Ip("10.1.0.1") }, e0.Addresses);
        Assert.False(slice.Endpoints[1].Ready);
        Assert.True(slice.Endpoints[2].Ready); // conditions.ready absent = ready
        Assert.Null(slice.Endpoints[2].PodName);
        Assert.Equal("IPv6", v.EndpointSlices["default/web-xyz"].AddressType);

        Assert.Equal(new[] { Ip("10.1.0.1"), Ip("fd00::1:5") }, v.Pods["default/db-0"].PodIPs);
        Assert.False(v.Pods["default/db-0"].Terminating);
        Assert.True(v.Pods["default/old"].Terminating);
        Assert.Equal("a", v.Namespaces["default"].Labels["team"]);
        Assert.Equal(1, _api.Lists(FakeResource.Services));
    }

    [Fact]
    public async Task Watcher_should_apply_added_modified_and_deleted_events()
    {
        await using var w = Watcher();
        await Until(w, v => v.Synced, "synced");

        _api.Put(ClusterIP("default", "new", new[] { "10.96.0.99" }, Port("http", 80)));
        await Until(w, v => v.Services.ContainsKey("default/new"), "added service");

        _api.Put(Slice("default", "db-abc", "db", "IPv4", Endpoint("10.1.0.1", ready: false)));
        await Until(w, v => v.EndpointSlices["default/db-abc"].Endpoints is [{ Ready: false }], "modified slice");

        _api.Delete(FakeResource.Pods, "default", "db-0");
        var last = await Until(w, v => !v.Pods.ContainsKey("default/db-0"), "deleted pod");

        _api.Delete(FakeResource.Namespaces, null, "other");
        await Until(w, v => !v.Namespaces.ContainsKey("other"), "deleted namespace");
        Assert.True(last.Services.ContainsKey("default/new"));
        Assert.Equal(1, _api.Lists(FakeResource.Services)); // events only, no re-list
    }

    [Fact]
    public async Task Watcher_should_relist_after_410_Gone_and_see_what_the_watch_missed()
    {
        await using var w = Watcher();
        await Until(w, v => v.Synced, "synced");

        _api.InjectGone();
        // Made while no watch is open from a valid resourceVersion: only a re-list can bring it.
        _api.Delete(FakeResource.Services, "default", "ext");
        _api.Put(ClusterIP("default", "after-gone", new[] { "10.96.0.77" }));

        var v = await Until(w, v => v.Services.ContainsKey("default/after-gone") && !v.Services.ContainsKey("default/ext"), "re-listed view");
        Assert.True(v.Synced);
        Assert.True(_api.Lists(FakeResource.Services) >= 2, $"services listed {_api.Lists(FakeResource.Services)} times");
        Assert.Contains("default/web", v.Services.Keys);
    }

    [Fact]
    public async Task Watcher_should_rewatch_from_the_last_resourceVersion_after_a_dropped_connection_without_relisting()
    {
        await using var w = Watcher();
        await Until(w, v => v.Synced, "synced");
        await Until(() => _api.OpenWatches(FakeResource.Services) == 1, "services watch open");
        var rv = w.ResourceVersions["services"];

        _api.DropWatches();
        _api.Put(ClusterIP("default", "after-drop", new[] { "10.96.0.78" }));
        await Until(w, v => v.Services.ContainsKey("default/after-drop"), "event after the drop");

        foreach (var r in Enum.GetValues<FakeResource>())
            Assert.Equal(r == FakeResource.ServiceImports ? 0 : 1, _api.Lists(r));   // ServiceImports: only with multicluster
        var watches = _api.WatchResourceVersions(FakeResource.Services);
        Assert.True(watches.Count >= 2, $"{watches.Count} services watches");
        Assert.Equal(rv, watches[1]);
    }

    [Fact]
    public async Task Watcher_should_keep_the_last_view_during_an_outage_and_recover_after_it()
    {
        await using var w = Watcher();
        var before = await Until(w, v => v.Synced, "synced");

        _api.GoDown();
        _api.Put(ClusterIP("default", "during-outage", new[] { "10.96.0.79" }));
        await Until(() => _api.Rejected >= 8, "the watcher retried against the down server");
        var during = w.Current!;
        Assert.True(during.Synced);
        Assert.Equal(before.Services.Keys.OrderBy(k => k), during.Services.Keys.OrderBy(k => k));
        Assert.Equal(before.EndpointSlices.Count, during.EndpointSlices.Count);

        _api.ComeUp();
        await Until(w, v => v.Services.ContainsKey("default/during-outage"), "recovered view");
        Assert.Equal(1, _api.Lists(FakeResource.Services)); // the history covered the gap: watch, no re-list
    }

    [Fact]
    public async Task Watcher_should_advance_its_resourceVersion_on_bookmarks()
    {
        await using var w = Watcher();
        await Until(w, v => v.Synced, "synced");
        await Until(() => _api.OpenWatches(FakeResource.EndpointSlices) == 1, "slices watch open");
        var sliceRv = w.ResourceVersions["endpointslices"];
        _api.Put(ClusterIP("default", "bump1", new[] { "10.96.1.1" }));
        _api.Put(ClusterIP("default", "bump2", new[] { "10.96.1.2" }));
        var now = _api.ResourceVersion.ToString();
        Assert.NotEqual(now, sliceRv);

        _api.Bookmark();
        await Until(() => w.ResourceVersions["endpointslices"] == now, "bookmark applied");
        Assert.Contains("allowWatchBookmarks=true", _api.Queries(FakeResource.EndpointSlices).Last());

        _api.DropWatches();
        await Until(() => _api.WatchResourceVersions(FakeResource.EndpointSlices).Count >= 2, "slices re-watched");
        Assert.Equal(now, _api.WatchResourceVersions(FakeResource.EndpointSlices)[1]);
        Assert.Equal(1, _api.Lists(FakeResource.EndpointSlices));
    }

    [Fact]
    public async Task Watcher_should_apply_labels_namespace_labels_and_namespaces_as_CoreDNS_does()
    {
        _api.Put(ClusterIP("other", "web", new[] { "10.96.0.30" }));
        await using var w = Watcher(new K8sWatchOptions
        {
            WatchPods = true, LabelSelector = "app=web", NamespaceLabelSelector = "team=a",
            Namespaces = ImmutableHashSet.Create("default", "other"),
        });
        var v = await Until(w, v => v.Synced, "synced");

        Assert.Equal(new[] { "default/web", "other/web" }, v.Services.Keys.OrderBy(k => k));
        Assert.Equal(new[] { "default" }, v.Namespaces.Keys);
        Assert.Contains("labelSelector=app%3Dweb", _api.Queries(FakeResource.Services)[0]);
        Assert.Contains("labelSelector=app%3Dweb", _api.Queries(FakeResource.EndpointSlices)[0]);
        Assert.Contains("labelSelector=team%3Da", _api.Queries(FakeResource.Namespaces)[0]);
        Assert.Contains("fieldSelector=status.phase%21%3DSucceeded", _api.Queries(FakeResource.Pods)[0]);

        await using var only = Watcher(new K8sWatchOptions { Namespaces = ImmutableHashSet.Create("other") });
        var o = await Until(only, v => v.Synced, "synced (namespaces other)");
        Assert.Equal(new[] { "other/lb", "other/web" }, o.Services.Keys.OrderBy(k => k));
        Assert.Empty(o.EndpointSlices);
        Assert.Equal(new[] { "other" }, o.Namespaces.Keys);
    }

    [Fact]
    public async Task Watcher_should_not_watch_pods_or_namespaces_it_is_not_asked_for()
    {
        await using var w = Watcher(new K8sWatchOptions { WatchPods = false, WatchNamespaces = false });
        var v = await Until(w, v => v.Synced, "synced");
        Assert.Empty(v.Pods);
        Assert.Empty(v.Namespaces);
        Assert.Equal(0, _api.Lists(FakeResource.Pods) + _api.Watches(FakeResource.Pods));
        Assert.Equal(0, _api.Lists(FakeResource.Namespaces) + _api.Watches(FakeResource.Namespaces));
    }

    [Fact]
    public async Task Watcher_should_coalesce_a_burst_of_changes_into_few_snapshots()
    {
        await using var w = Watcher();
        await Until(w, v => v.Synced, "synced");
        var seen = new List<K8sView>();
        using var sub = w.Subscribe(v => { lock (seen) seen.Add(v); });
        await Until(() => { lock (seen) return seen.Count >= 1; }, "the current view delivered on subscribe");
        var published = w.Published;

        for (var i = 0; i < 300; i++)
            _api.Put(ClusterIP("burst", "s" + i, new[] { "10.97.0." + (i % 250 + 1) }));
        await Until(w, v => v.Services.ContainsKey("burst/s299"), "the whole burst");

        var snapshots = w.Published - published;
        _output.WriteLine($"300 changes → {snapshots} snapshots");
        Assert.True(snapshots < 150, $"{snapshots} snapshots for 300 changes");
        lock (seen) Assert.Contains(seen, v => v.Services.ContainsKey("burst/s299"));
    }

    [Fact]
    public void Trim_should_keep_only_what_answers_need()
    {
        var trim = new K8sTrim(new K8sWatchOptions());
        Assert.Null(trim.EndpointSlice(new k8s.Models.V1EndpointSlice
        {
            Metadata = new k8s.Models.V1ObjectMeta { NamespaceProperty = "default", Name = "orphan" }, AddressType = "IPv4",
        }));
        var s = trim.Service(ClusterIP("default", "web", new[] { "10.96.0.10" }, Port("http", 80)))!;
        // Everything the record holds, field by field: no annotations, managed fields, selector, affinity or families.
        Assert.Equal(("default", "web", ServiceKind.ClusterIP, null as string), (s.Namespace, s.Name, s.Kind, s.ExternalName));
        Assert.Equal(new[] { "app" }, s.Labels.Keys);
        Assert.Empty(s.ExternalIPs);
        Assert.Empty(s.ExternalHostnames);
        var restricted = new K8sTrim(new K8sWatchOptions { Namespaces = ImmutableHashSet.Create("kube-system") });
        Assert.Null(restricted.Service(ClusterIP("default", "web", new[] { "10.96.0.10" })));
        Assert.Null(restricted.Pod(Pod("default", "p", new[] { "10.1.0.1" })));
    }

    [Fact]
    public void Trimmed_objects_should_be_small_measured_per_10000()
    {
        const int n = 10_000;
        var trim = new K8sTrim(new K8sWatchOptions());
        var services = new k8s.Models.V1Service[n];
        var slices = new k8s.Models.V1EndpointSlice[n];
        for (var i = 0; i < n; i++)
        {
            services[i] = ClusterIP("ns" + i % 20, "svc-" + i, new[] { $"10.96.{i / 250}.{i % 250 + 1}" }, Port("http", 80), Port("https", 443));
            slices[i] = Slice("ns" + i % 20, "svc-" + i + "-abcde", "svc-" + i, "IPv4",
                Endpoint($"10.1.{i / 250}.{i % 250 + 1}", pod: "pod-" + i), Endpoint($"10.2.{i / 250}.{i % 250 + 1}", pod: "pod-b" + i),
                Endpoint($"10.3.{i / 250}.{i % 250 + 1}", pod: "pod-c" + i), Endpoint($"10.4.{i / 250}.{i % 250 + 1}", pod: "pod-d" + i),
                Endpoint($"10.5.{i / 250}.{i % 250 + 1}", pod: "pod-e" + i));
        }

        var before = GC.GetTotalMemory(true);
        var kept = new K8sService[n];
        for (var i = 0; i < n; i++) kept[i] = trim.Service(services[i])!;
        var afterServices = GC.GetTotalMemory(true);
        var keptSlices = new K8sEndpointSlice[n];
        for (var i = 0; i < n; i++) keptSlices[i] = trim.EndpointSlice(slices[i])!;
        var afterSlices = GC.GetTotalMemory(true);
        var map = ImmutableDictionary.CreateRange(StringComparer.Ordinal, kept.Select(s => KeyValuePair.Create(s.Key, s)));
        var afterMap = GC.GetTotalMemory(true);

        _output.WriteLine($"trimmed Service (2 ports, 1 cluster IP, 1 label): {(afterServices - before) / (double)n:F0} bytes each");
        _output.WriteLine($"trimmed EndpointSlice (5 endpoints, 1 port): {(afterSlices - afterServices) / (double)n:F0} bytes each");
        _output.WriteLine($"ImmutableDictionary entry + key per Service: {(afterMap - afterSlices) / (double)n:F0} bytes");
        GC.KeepAlive(services);
        GC.KeepAlive(slices);
        GC.KeepAlive(kept);
        GC.KeepAlive(keptSlices);
        GC.KeepAlive(map);
        Assert.Equal(n, map.Count);
    }
}
