using Akka.Dns.TestSupport;
using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.Kubernetes;
using Akka.Dns.Tests.Kubernetes;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Tests.Plugins.Kubernetes;

/// <summary>
/// The kubernetes plugin end to end: the fake API server on loopback (the real KubernetesClient path, only the
/// endpoint URL differs from production), the watcher the plugin starts, and the real request pipeline. Waits
/// for a change are bounded polls (10 s); the observed delay is printed, never asserted.
/// </summary>
public sealed class KubernetesSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output = output;
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default"));
        _api.Put(ClusterIP("default", "web", ["10.96.0.10"], Port("http", 80)));
        _api.Put(Slice("default", "web-abc", "web", "IPv4", Endpoint("10.1.0.5", pod: "web-0")));
        _api.Put(Headless("default", "db", Port("http", 8080)));
        _api.Put(Slice("default", "db-abc", "db", "IPv4",
            Endpoint("10.1.0.1", ready: true, hostname: "db-0", pod: "db-0"),
            Endpoint("10.1.0.2", ready: false, pod: "db-1")));
        _api.Put(External("default", "ext", "target.example.org"));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<PipelineHarness> Start(string properties = "", string zones = "cluster.local in-addr.arpa", string after = "")
    {
        var h = PipelineHarness.Start(Sys,
            $"{zones} {{\n kubernetes {{\n  endpoint {_api.Url}\n  {properties}\n }}\n{after}}}\n" +
            "example.org {\n hosts {\n  192.0.2.7 target.example.org\n }\n}\n");
        await h.StartPluginsAsync(Sys);
        return h;
    }

    private static KubernetesPlugin Plugin(PipelineHarness h) => h.Plan.Blocks[0].Plugins.OfType<KubernetesPlugin>().Single();

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
    public async Task Kubernetes_should_answer_a_clusterip_service_with_its_cluster_ip()
    {
        await using var h = await Start();
        Assert.True(Plugin(h).Ready);
        var r = await h.QueryAsync("web.default.svc.cluster.local.");
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.True(r.Message.IsAuthoritiveAnswer);
        Assert.Equal(["10.96.0.10"], Addresses(r));
        Assert.Equal(5, r.Message.AnswerRecords[0].TimeToLive);
    }

    [Fact]
    public async Task Kubernetes_should_answer_a_headless_service_with_its_ready_endpoints_and_their_hostnames()
    {
        await using var h = await Start();
        Assert.Equal(["10.1.0.1"], Addresses(await h.QueryAsync("db.default.svc.cluster.local.")));
        Assert.Equal(["10.1.0.1"], Addresses(await h.QueryAsync("db-0.db.default.svc.cluster.local.")));
    }

    [Fact]
    public async Task Kubernetes_should_show_a_service_added_and_deleted_in_the_api()
    {
        await using var h = await Start();
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("late.default.svc.cluster.local.")).Rcode);

        _api.Put(ClusterIP("default", "late", ["10.96.0.77"], Port("http", 80)));
        var added = await Until(h, "late.default.svc.cluster.local.", r => Addresses(r) is ["10.96.0.77"], "the added service answers");
        _output.WriteLine($"added service answered after {added.TotalMilliseconds:F0} ms");

        Assert.True(_api.Delete(FakeResource.Services, "default", "late"));
        var deleted = await Until(h, "late.default.svc.cluster.local.", r => r.Rcode == ReturnCode.NxDomain, "the deleted service is NXDOMAIN");
        _output.WriteLine($"deleted service NXDOMAIN after {deleted.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Kubernetes_should_answer_srv_for_a_named_port()
    {
        await using var h = await Start();
        var r = await h.QueryAsync("_http._tcp.web.default.svc.cluster.local.", RrType.SRV);
        var srv = Assert.Single(r.Message.AnswerRecords.OfType<SrvRecord>());
        Assert.Equal(80, srv.Port);
        Assert.Equal("web.default.svc.cluster.local.", srv.Target.ToString());
        Assert.Contains(r.Message.AdditionalRecords.OfType<ARecord>(), a => a.Address.Equals(IPAddress.Parse("10.96.0.10")));

        var headless = await h.QueryAsync("_http._tcp.db.default.svc.cluster.local.", RrType.SRV);
        var hs = Assert.Single(headless.Message.AnswerRecords.OfType<SrvRecord>());
        Assert.Equal(("db-0.db.default.svc.cluster.local.", 8080), (hs.Target.ToString(), (int)hs.Port));
    }

    [Fact]
    public async Task Kubernetes_should_answer_ptr_for_service_and_endpoint_addresses()
    {
        await using var h = await Start();
        var svc = await h.QueryAsync("10.0.96.10.in-addr.arpa.", RrType.PTR);
        Assert.Equal("web.default.svc.cluster.local.", Assert.Single(svc.Message.AnswerRecords.OfType<PtrRecord>()).PointerDomainName.ToString());
        var ep = await h.QueryAsync("1.0.1.10.in-addr.arpa.", RrType.PTR);
        Assert.Equal("db-0.db.default.svc.cluster.local.", Assert.Single(ep.Message.AnswerRecords.OfType<PtrRecord>()).PointerDomainName.ToString());
    }

    [Fact]
    public async Task Kubernetes_should_tell_nxdomain_from_nodata()
    {
        await using var h = await Start();
        var nx = await h.QueryAsync("missing.default.svc.cluster.local.");
        Assert.Equal(ReturnCode.NxDomain, nx.Rcode);
        Assert.IsType<SoaRecord>(Assert.Single(nx.Message.AuthorityRecords));

        var nodata = await h.QueryAsync("web.default.svc.cluster.local.", RrType.AAAA);
        Assert.Equal(ReturnCode.NoError, nodata.Rcode);
        Assert.Empty(nodata.Message.AnswerRecords);
        Assert.IsType<SoaRecord>(Assert.Single(nodata.Message.AuthorityRecords));

        var ns = await h.QueryAsync("default.svc.cluster.local.");
        Assert.Equal(ReturnCode.NoError, ns.Rcode);
        Assert.Empty(ns.Message.AnswerRecords);
    }

    [Fact]
    public async Task Kubernetes_should_pass_a_name_error_to_the_next_plugin_under_fallthrough()
    {
        // whoami comes after kubernetes in plugin.cfg: its reply (the client's address in the additional section) shows it answered.
        await using var h = await Start("fallthrough", "cluster.local", " whoami\n");
        var passed = await h.QueryAsync("missing.default.svc.cluster.local.");
        Assert.Equal(ReturnCode.NoError, passed.Rcode);
        Assert.Contains(passed.Message.AdditionalRecords.OfType<ARecord>(), a => a.Address.Equals(IPAddress.Loopback));
        Assert.Equal(["10.96.0.10"], Addresses(await h.QueryAsync("web.default.svc.cluster.local.")));

        await using var without = await Start("", "cluster.local", " whoami\n");
        Assert.Equal(ReturnCode.NxDomain, (await without.QueryAsync("missing.default.svc.cluster.local.")).Rcode);
    }

    [Fact]
    public async Task Kubernetes_should_answer_an_external_name_with_the_cname_and_the_targets_records()
    {
        await using var h = await Start();
        var r = await h.QueryAsync("ext.default.svc.cluster.local.");
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        var cname = Assert.Single(r.Message.AnswerRecords.OfType<CNameRecord>());
        Assert.Equal("target.example.org.", cname.CanonicalName.ToString());
        Assert.Equal(["192.0.2.7"], Addresses(r));
    }

    [Fact]
    public async Task Kubernetes_should_be_not_ready_and_answer_servfail_until_the_api_has_been_listed()
    {
        _api.GoDown();
        await using var h = await Start("startup_timeout 200ms");
        var plugin = Plugin(h);
        Assert.False(plugin.Ready);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("web.default.svc.cluster.local.")).Rcode);

        _api.ComeUp();
        var sw = Stopwatch.StartNew();
        while (plugin.Ready != true && sw.Elapsed < Bound) await Task.Delay(10);
        _output.WriteLine($"synced {sw.Elapsed.TotalMilliseconds:F0} ms after the API came up");
        Assert.True(plugin.Ready);
        Assert.Equal(["10.96.0.10"], Addresses(await h.QueryAsync("web.default.svc.cluster.local.")));
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("missing.default.svc.cluster.local.")).Rcode);
    }

    [Fact]
    public async Task Kubernetes_should_watch_each_kind_once_per_plugin_whatever_the_pipeline_replicas_and_stop_with_it()
    {
        var h = await Start();
        try
        {
            // The watches open right after the lists that made the plugin ready: wait for them (bounded), then count.
            var open = Stopwatch.StartNew();
            while ((_api.Watches(FakeResource.Services) == 0 || _api.Watches(FakeResource.EndpointSlices) == 0 ||
                    _api.Watches(FakeResource.Namespaces) == 0) && open.Elapsed < Bound)
                await Task.Delay(10);
            Assert.Equal(1, _api.Watches(FakeResource.Services));
            Assert.Equal(1, _api.Watches(FakeResource.EndpointSlices));
            Assert.Equal(1, _api.Watches(FakeResource.Namespaces));
            Assert.Equal(0, _api.Watches(FakeResource.Pods));
        }
        finally
        {
            await h.DisposeAsync();
        }
        var sw = Stopwatch.StartNew();
        while (_api.OpenWatches(FakeResource.Services) + _api.OpenWatches(FakeResource.EndpointSlices) > 0 && sw.Elapsed < Bound)
            await Task.Delay(10);
        Assert.Equal(0, _api.OpenWatches(FakeResource.Services) + _api.OpenWatches(FakeResource.EndpointSlices));
    }

    [Fact]
    public async Task Kubernetes_should_fail_to_start_when_its_kubeconfig_cannot_be_read()
    {
        await using var h = PipelineHarness.Start(Sys, "cluster.local {\n kubernetes {\n  kubeconfig /nonexistent/kubeconfig\n }\n}\n");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => h.StartPluginsAsync(Sys));
        Assert.StartsWith("plugin/kubernetes: ", e.Message);
        _output.WriteLine(e.Message);
    }

    [Fact]
    public async Task Kubernetes_should_report_not_ready_on_the_ready_endpoint_and_servfail_over_udp_until_synced()
    {
        _api.GoDown();
        var port = Akka.Dns.Tests.Plugins.Health.HealthSpec.FreePort();
        await using var server = await Akka.Dns.Tests.Plugins.Health.HealthSpec.StartServerAsync(Sys,
            $"cluster.local {{\n bind 127.0.0.1\n ready 127.0.0.1:{port}\n kubernetes {{\n  endpoint {_api.Url}\n  startup_timeout 100ms\n }}\n}}\n");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using (var r = await http.GetAsync($"http://127.0.0.1:{port}/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.Equal("kubernetes", await r.Content.ReadAsStringAsync());
        }
        var udp = server.UdpEndPoints[0];
        Assert.Equal(ReturnCode.ServerFailure,
            (await Akka.Dns.Tests.Plugins.Health.HealthSpec.QueryUdpAsync(udp, "web.default.svc.cluster.local.")).ReturnCode);

        _api.ComeUp();
        var sw = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            await Task.Delay(20);
            using var r = await http.GetAsync($"http://127.0.0.1:{port}/ready");
            status = r.StatusCode;
        } while (status != HttpStatusCode.OK && sw.Elapsed < Bound);
        _output.WriteLine($"ready {sw.Elapsed.TotalMilliseconds:F0} ms after the API came up");
        Assert.Equal(HttpStatusCode.OK, status);
        var answer = await Akka.Dns.Tests.Plugins.Health.HealthSpec.QueryUdpAsync(udp, "web.default.svc.cluster.local.");
        Assert.Equal("10.96.0.10", Assert.IsType<ARecord>(Assert.Single(answer.AnswerRecords)).Address.ToString());
    }

    [Fact]
    public async Task Kubernetes_should_give_autopath_the_client_pods_search_path_with_pods_verified()
    {
        _api.Put(Namespace("other"));
        _api.Put(ClusterIP("other", "web", ["10.96.1.1"], Port("http", 80)));
        _api.Put(Pod("default", "client-0", ["10.1.0.50"]));
        await using var h = await Start("pods verified", after: " autopath @kubernetes\n");
        await Until(h, "10-1-0-50.default.pod.cluster.local.", r => Addresses(r) is ["10.1.0.50"], "the client pod is listed");

        // A pod in "default" asks for "web.other" with its first search domain appended: autopath walks the
        // pod's search path and answers web.other.svc.cluster.local with a CNAME from the name asked.
        var client = new IPEndPoint(IPAddress.Parse("10.1.0.50"), 40000);
        var r = await h.QueryAsync(new QueryBuilder("web.other.default.svc.cluster.local."), client: client);
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        var cname = Assert.Single(r.Message.AnswerRecords.OfType<CNameRecord>());
        Assert.Equal(("web.other.default.svc.cluster.local.", "web.other.svc.cluster.local."), (cname.Name.ToString(), cname.CanonicalName.ToString()));
        Assert.Equal(["10.96.1.1"], Addresses(r));

        // A client that is no pod gets no search path: the name as asked, NXDOMAIN.
        var stranger = await h.QueryAsync(new QueryBuilder("web.other.default.svc.cluster.local."), client: new IPEndPoint(IPAddress.Parse("10.9.9.9"), 40000));
        Assert.Equal(ReturnCode.NxDomain, stranger.Rcode);
    }
}
