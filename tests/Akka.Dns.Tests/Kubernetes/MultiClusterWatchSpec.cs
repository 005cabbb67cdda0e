using System.Net;
using Akka.Dns.Kubernetes.Api;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.TestSupport;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>
/// The watcher's Multi-Cluster Services part against <see cref="FakeApiServer"/>: ServiceImports
/// (multicluster.x-k8s.io/v1alpha1, a custom resource) and the EndpointSlices labelled
/// multicluster.kubernetes.io/service-name are listed and watched only when asked (a <c>multicluster</c> zone),
/// with CoreDNS's selectors, and trimmed into <see cref="K8sView.ServiceImports"/> and
/// <see cref="K8sView.MultiClusterSlices"/>. Waits are bounded (10 s) polls; nothing asserts a duration.
/// </summary>
public sealed class MultiClusterWatchSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default"));
        _api.Put(ClusterIP("default", "web", ["10.96.0.10"], Port("http", 80)));
        _api.Put(Slice("default", "web-abc", "web", "IPv4", Endpoint("10.1.0.5")));
        _api.Put(ServiceImport("default", "web", "ClusterSetIP", ["10.42.0.1", "fd42::1"], ImportPort("http", 80), ImportPort("dns", 53, "UDP")));
        _api.Put(ServiceImport("default", "db", "Headless", []));
        _api.Put(MultiClusterSlice("default", "db-east-1", "db", "east", "IPv4",
            Endpoint("10.2.0.1", hostname: "db-0"), Endpoint("10.2.0.2", ready: false)));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private K8sWatcher Watcher(K8sWatchOptions options)
    {
        var w = new K8sWatcher(K8sClientFactory.CreateClient(K8sClientFactory.FromEndpoint(_api.Url)), options);
        w.Start();
        return w;
    }

    private static Task<K8sView> Until(K8sWatcher w, Func<K8sView, bool> condition, string what) =>
        Poll.Until(() => w.Current, condition, what, Bound);

    private static Task Until(Func<bool> condition, string what) => Poll.Until(condition, what, Bound);

    [Fact]
    public async Task Without_multicluster_the_watcher_should_neither_list_nor_watch_service_imports_or_mcs_slices()
    {
        await using var w = Watcher(new K8sWatchOptions());
        var v = await Until(w, v => v.Synced, "synced");
        // Let the watches open, so that an extra one would have been asked for by now.
        await Until(() => _api.OpenWatches(FakeResource.EndpointSlices) > 0 && _api.OpenWatches(FakeResource.Namespaces) > 0, "watches open");

        Assert.Equal(0, _api.Lists(FakeResource.ServiceImports));
        Assert.Equal(0, _api.Watches(FakeResource.ServiceImports));
        Assert.DoesNotContain(_api.Queries(FakeResource.EndpointSlices), q => q.Contains("multicluster", StringComparison.Ordinal));
        Assert.Equal(1, _api.Lists(FakeResource.EndpointSlices));
        Assert.Empty(v.ServiceImports);
        Assert.Empty(v.MultiClusterSlices);
        Assert.Equal(["default/web-abc"], v.EndpointSlices.Keys);
    }

    [Fact]
    public async Task With_multicluster_the_watcher_should_list_service_imports_and_only_the_mcs_slices_trimmed()
    {
        await using var w = Watcher(new K8sWatchOptions { WatchMultiCluster = true });
        var v = await Until(w, v => v.Synced, "synced");
        output.WriteLine(string.Join("\n", _api.Queries(FakeResource.EndpointSlices)));

        Assert.Equal(["default/db", "default/web"], v.ServiceImports.Keys.Order());
        var web = v.ServiceImports["default/web"];
        Assert.False(web.Headless);
        Assert.Equal(["10.42.0.1", "fd42::1"], web.IPs.Select(ip => ip.ToString()));
        Assert.Equal(new[] { new K8sPort("http", "TCP", 80), new K8sPort("dns", "UDP", 53) }, web.Ports.ToArray());
        var db = v.ServiceImports["default/db"];
        Assert.True(db.Headless);
        Assert.Empty(db.IPs);

        // The MCS slice is in its own map, named after the multicluster service-name label, with its source cluster;
        // the ordinary slice is not in it, and the MCS slice is not among the ordinary ones.
        var slice = Assert.Single(v.MultiClusterSlices).Value;
        Assert.Equal(("default/db-east-1", "db", "east", "IPv4"), (slice.Key, slice.ServiceName, slice.ClusterId, slice.AddressType));
        Assert.Equal([true, false], slice.Endpoints.Select(e => e.Ready));
        Assert.Equal("db-0", slice.Endpoints[0].Hostname);
        Assert.Equal(["default/web-abc"], v.EndpointSlices.Keys);
        Assert.Null(v.EndpointSlices["default/web-abc"].ClusterId);

        Assert.Equal(1, _api.Lists(FakeResource.ServiceImports));
        await Until(() => _api.Watches(FakeResource.ServiceImports) >= 1, "a ServiceImport watch");
        // CoreDNS's selector for the MCS slices: `labels` (none here) plus the service-name label's existence.
        Assert.Contains(_api.Queries(FakeResource.EndpointSlices),
            q => Uri.UnescapeDataString(q).Contains("labelSelector=multicluster.kubernetes.io/service-name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_multicluster_the_watcher_should_follow_imports_and_mcs_slices_through_events_and_a_410()
    {
        await using var w = Watcher(new K8sWatchOptions { WatchMultiCluster = true });
        await Until(w, v => v.Synced, "synced");
        await Until(() => _api.OpenWatches(FakeResource.ServiceImports) == 1 && _api.OpenWatches(FakeResource.EndpointSlices) == 2, "watches open");

        _api.Put(ServiceImport("default", "late", "ClusterSetIP", ["10.42.0.9"], ImportPort("http", 80)));
        _api.Put(MultiClusterSlice("default", "db-west-1", "db", "west", "IPv6", Endpoint("fd00::2:1")));
        _api.Put(Slice("default", "web-def", "web", "IPv4", Endpoint("10.1.0.6")));
        var v = await Until(w, v => v.ServiceImports.ContainsKey("default/late") && v.MultiClusterSlices.Count == 2 && v.EndpointSlices.Count == 2,
            "added import and slices");
        Assert.Equal("west", v.MultiClusterSlices["default/db-west-1"].ClusterId);
        Assert.False(v.MultiClusterSlices.ContainsKey("default/web-def"));

        _api.Put(ServiceImport("default", "late", "Headless", []));
        await Until(w, v => v.ServiceImports["default/late"].Headless, "modified import");

        Assert.True(_api.Delete(FakeResource.ServiceImports, "default", "web"));
        Assert.True(_api.Delete(FakeResource.EndpointSlices, "default", "db-east-1"));
        await Until(w, v => !v.ServiceImports.ContainsKey("default/web") && !v.MultiClusterSlices.ContainsKey("default/db-east-1"), "deleted");

        // 410: every watch is told its resourceVersion is too old; the imports are listed again and stay right.
        var lists = _api.Lists(FakeResource.ServiceImports);
        _api.InjectGone();
        await Until(() => _api.Lists(FakeResource.ServiceImports) > lists, "ServiceImports re-listed");
        _api.Put(ServiceImport("default", "after", "ClusterSetIP", ["10.42.0.10"], ImportPort("http", 80)));
        v = await Until(w, v => v.ServiceImports.ContainsKey("default/after"), "an import after the re-list");
        Assert.Equal(["default/after", "default/db", "default/late"], v.ServiceImports.Keys.Order());
        Assert.Equal(["default/db-west-1"], v.MultiClusterSlices.Keys);
    }

    [Fact]
    public async Task With_multicluster_and_selectors_the_watcher_should_send_coredns_selectors()
    {
        // CoreDNS's controller.go: MCS slices with `labels` AND the service-name label; ServiceImports with the
        // namespace_labels selector (as CoreDNS does, though it selects namespaces elsewhere).
        await using var w = Watcher(new K8sWatchOptions
        {
            WatchMultiCluster = true, LabelSelector = "app=db", NamespaceLabelSelector = "team=a",
        });
        await Until(() => _api.Lists(FakeResource.ServiceImports) >= 1 && _api.Lists(FakeResource.EndpointSlices) >= 2, "listed");
        var imports = Uri.UnescapeDataString(Assert.Single(_api.Queries(FakeResource.ServiceImports).Take(1)));
        Assert.Contains("labelSelector=team=a", imports, StringComparison.Ordinal);
        Assert.Contains(_api.Queries(FakeResource.EndpointSlices),
            q => Uri.UnescapeDataString(q).Contains("labelSelector=app=db,multicluster.kubernetes.io/service-name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_multicluster_and_no_service_import_crd_the_view_should_stay_unsynced_until_it_is_installed()
    {
        // CoreDNS's HasSynced needs every informer, the ServiceImport one included: not ready, name errors SERVFAIL.
        _api.ServiceImportCrdMissing = true;
        await using var w = Watcher(new K8sWatchOptions { WatchMultiCluster = true, InitialBackoff = TimeSpan.FromMilliseconds(20) });
        await Until(() => _api.ServiceImportsNotFound >= 2 && _api.Lists(FakeResource.Services) == 1 && _api.Lists(FakeResource.Namespaces) == 1
            && _api.OpenWatches(FakeResource.EndpointSlices) == 2, "the other kinds listed, the imports refused twice");
        var v = await Until(w, v => v.Services.ContainsKey("default/web") && v.MultiClusterSlices.Count == 1, "the other kinds published");
        Assert.False(v.Synced);
        Assert.False(w.Current!.Synced);

        _api.ServiceImportCrdMissing = false;
        v = await Until(w, v => v.Synced, "synced once the CRD is there");
        Assert.Equal(["default/db", "default/web"], v.ServiceImports.Keys.Order());
    }
}
