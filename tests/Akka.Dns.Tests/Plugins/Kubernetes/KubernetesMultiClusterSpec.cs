using System.Diagnostics;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.Kubernetes;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.TestSupport;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Tests.Plugins.Kubernetes;

/// <summary>
/// The kubernetes plugin's <c>multicluster</c> zone end to end: the fake API server serving ServiceImports and
/// MCS EndpointSlices (the real KubernetesClient path), the watch the plugin starts, and the real pipeline queried
/// over UDP. A change in the API is waited for with a bounded poll (10 s); the delay is printed, never asserted.
/// </summary>
public sealed class KubernetesMultiClusterSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output = output;
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default"));
        _api.Put(ClusterIP("default", "web", ["10.96.0.10"], Port("http", 80)));
        _api.Put(Slice("default", "web-abc", "web", "IPv4", Endpoint("10.1.0.5")));
        _api.Put(ServiceImport("default", "web", "ClusterSetIP", ["10.42.0.1"], ImportPort("http", 80)));
        _api.Put(ServiceImport("default", "db", "Headless", [], ImportPort("pg", 5432)));
        _api.Put(MultiClusterSlice("default", "db-east-1", "db", "east", "IPv4",
            Endpoint("10.2.0.1", hostname: "db-0"), Endpoint("10.2.0.2", ready: false)));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<PipelineHarness> Start(string properties)
    {
        var h = PipelineHarness.Start(Sys,
            $"cluster.local clusterset.local {{\n kubernetes {{\n  endpoint {_api.Url}\n  {properties}\n }}\n}}\n");
        await h.StartPluginsAsync(Sys);
        return h;
    }

    private static string[] Addresses(Reply r) =>
        r.Message.AnswerRecords.OfType<ARecord>().Select(a => a.Address.ToString()).Order().ToArray();

    private async Task<TimeSpan> Until(PipelineHarness h, string name, Func<Reply, bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Bound)
        {
            if (condition(await h.QueryAsync(name))) return sw.Elapsed;
            await Task.Delay(10);
        }
        throw new Xunit.Sdk.XunitException($"not within {Bound.TotalSeconds} s: {what}");
    }

    [Fact]
    public async Task Multicluster_should_answer_imports_in_its_zone_and_services_in_the_other_over_udp()
    {
        await using var h = await Start("multicluster clusterset.local");
        Assert.True(h.Plan.Blocks[0].Plugins.OfType<KubernetesPlugin>().Single().Ready);

        var set = await h.QueryAsync("web.default.svc.clusterset.local.");
        Assert.Equal(ReturnCode.NoError, set.Rcode);
        Assert.True(set.Message.IsAuthoritiveAnswer);
        Assert.Equal(["10.42.0.1"], Addresses(set));
        Assert.Equal(["10.96.0.10"], Addresses(await h.QueryAsync("web.default.svc.cluster.local.")));

        Assert.Equal(["10.2.0.1"], Addresses(await h.QueryAsync("db.default.svc.clusterset.local.")));
        Assert.Equal(["10.2.0.1"], Addresses(await h.QueryAsync("db-0.east.db.default.svc.clusterset.local.")));
        var srv = await h.QueryAsync("_http._tcp.db.default.svc.clusterset.local.", RrType.SRV);
        var s = Assert.Single(srv.Message.AnswerRecords.OfType<SrvRecord>());
        Assert.Equal(("db-0.east.db.default.svc.clusterset.local.", 8080), (s.Target.ToString(), (int)s.Port));

        var nx = await h.QueryAsync("db-0.db.default.svc.clusterset.local.");
        Assert.Equal(ReturnCode.NxDomain, nx.Rcode);
        Assert.Equal("clusterset.local.", Assert.IsType<SoaRecord>(Assert.Single(nx.Message.AuthorityRecords)).Name.ToString());
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("db.default.svc.cluster.local.")).Rcode);

        Assert.Equal(1, _api.Lists(FakeResource.ServiceImports));
        Assert.Contains(_api.Queries(FakeResource.EndpointSlices), q => q.Contains("multicluster", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Multicluster_should_show_an_import_and_a_cluster_added_and_removed_in_the_api()
    {
        await using var h = await Start("multicluster clusterset.local");
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("late.default.svc.clusterset.local.")).Rcode);

        _api.Put(ServiceImport("default", "late", "ClusterSetIP", ["10.42.0.77"], ImportPort("http", 80)));
        var added = await Until(h, "late.default.svc.clusterset.local.", r => Addresses(r) is ["10.42.0.77"], "the added import answers");
        _output.WriteLine($"added import answered after {added.TotalMilliseconds:F0} ms");

        _api.Put(MultiClusterSlice("default", "db-west-1", "db", "west", "IPv4", Endpoint("10.3.0.1", hostname: "db-0")));
        var joined = await Until(h, "db.default.svc.clusterset.local.", r => Addresses(r) is ["10.2.0.1", "10.3.0.1"], "the west cluster's endpoint answers");
        _output.WriteLine($"a second cluster's endpoint answered after {joined.TotalMilliseconds:F0} ms");
        Assert.Equal(["10.3.0.1"], Addresses(await h.QueryAsync("db-0.west.db.default.svc.clusterset.local.")));

        Assert.True(_api.Delete(FakeResource.ServiceImports, "default", "late"));
        await Until(h, "late.default.svc.clusterset.local.", r => r.Rcode == ReturnCode.NxDomain, "the deleted import is NXDOMAIN");
    }

    [Fact]
    public async Task Without_multicluster_the_plugin_should_not_watch_service_imports_and_clusterset_is_not_a_zone()
    {
        await using var h = await Start("");
        Assert.Equal(["10.96.0.10"], Addresses(await h.QueryAsync("web.default.svc.clusterset.local.")));
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("db.default.svc.clusterset.local.")).Rcode);
        Assert.Equal(0, _api.Lists(FakeResource.ServiceImports));
        Assert.Equal(0, _api.Watches(FakeResource.ServiceImports));
        Assert.DoesNotContain(_api.Queries(FakeResource.EndpointSlices), q => q.Contains("multicluster", StringComparison.Ordinal));
    }
}
