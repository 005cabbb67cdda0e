using System.Diagnostics;
using Akka.Dns.Interop.Infra;
using Akka.Dns.TestSupport;
using k8s.Models;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Interop;

/// <summary>
/// ISC dig against the real daemon serving <c>kubernetes</c> + <c>k8s_external</c> from the fake API server: the
/// external names, the apex with its glue, and a load balancer's ingress IP showing up once the API reports it
/// (a bounded poll; the delay is printed, never asserted).
/// </summary>
public sealed class K8sExternalDigSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeApiServer _api = null!;
    private Daemon _daemon = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("default"));
        _api.Put(Namespace("kube-system"));
        _api.Put(External("default", "web", ["10.96.0.20"], "192.0.2.20"));
        _api.Put(Balancer("default", "lb", null));
        // The service the daemon runs behind: its endpoint holds the bound address.
        _api.Put(External("kube-system", "kube-dns", ["10.96.0.10"], "203.0.113.53"));
        _api.Put(Slice("kube-system", "kube-dns-abc", "kube-dns", "IPv4", Endpoint("127.0.0.1", hostname: "coredns-0")));
        _daemon = await Daemon.StartAsync(
            $".:{{PORT}} {{\n bind 127.0.0.1\n kubernetes cluster.local {{\n  endpoint {_api.Url}\n }}\n k8s_external example.com\n}}\n");
    }

    public async Task DisposeAsync()
    {
        _daemon.Dump(output);
        await _daemon.DisposeAsync();
        await _api.DisposeAsync();
    }

    private static V1Service External(string ns, string name, string[] clusterIPs, string externalIP)
    {
        var s = ClusterIP(ns, name, clusterIPs, Port("http", 80));
        s.Spec.ExternalIPs = [externalIP];
        return s;
    }

    private static V1Service Balancer(string ns, string name, string? ingressIP)
    {
        var s = ClusterIP(ns, name, ["10.96.0.30"], Port("http", 80));
        s.Spec.Type = "LoadBalancer";
        s.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus() };
        if (ingressIP is not null) s.Status.LoadBalancer.Ingress = [new V1LoadBalancerIngress { Ip = ingressIP }];
        return s;
    }

    private async Task<DigAnswer> DigAsync(params string[] args)
    {
        var a = await Dig.QueryAsync("127.0.0.1", _daemon.Port, args);
        output.WriteLine(a.Raw.ToString());
        return a;
    }

    [Fact]
    public async Task Dig_should_get_external_addresses_srv_and_the_apex_from_k8s_external()
    {
        var a = await DigAsync("web.default.example.com", "A");
        Assert.Equal("NOERROR", a.Status);
        Assert.Contains("aa", a.Flags);
        Assert.Equal([("web.default.example.com.", 5L, "A", "192.0.2.20")], a.Answer.Select(r => (r.Name, r.Ttl, r.Type, r.Data)));

        var srv = await DigAsync("_http._tcp.web.default.example.com", "SRV");
        Assert.Equal([("SRV", "0 100 80 web.default.example.com.")], srv.Answer.Select(r => (r.Type, r.Data)));
        Assert.Contains(srv.Additional, r => r is { Name: "web.default.example.com.", Type: "A", Data: "192.0.2.20" });

        var nx = await DigAsync("missing.default.example.com", "A");
        Assert.Equal("NXDOMAIN", nx.Status);
        var soa = Assert.Single(nx.Authority);
        Assert.Equal(("example.com.", "SOA"), (soa.Name, soa.Type));
        Assert.StartsWith("ns1.dns.example.com. hostmaster.dns.example.com. ", soa.Data);
        Assert.EndsWith(" 7200 1800 86400 5", soa.Data);

        var ns = await DigAsync("example.com", "NS");
        Assert.Equal([("example.com.", "NS", "ns1.dns.example.com.")], ns.Answer.Select(r => (r.Name, r.Type, r.Data)));
        Assert.Contains(ns.Additional, r => r is { Name: "ns1.dns.example.com.", Type: "A", Data: "203.0.113.53" });

        // The cluster zone is still the kubernetes plugin's.
        var inside = await DigAsync("web.default.svc.cluster.local", "A");
        Assert.Equal([("A", "10.96.0.20")], inside.Answer.Select(r => (r.Type, r.Data)));
    }

    [Fact]
    public async Task Dig_should_see_a_load_balancer_ingress_ip_once_the_api_reports_it()
    {
        Assert.Equal("NXDOMAIN", (await DigAsync("lb.default.example.com", "A")).Status);
        _api.Put(Balancer("default", "lb", "198.51.100.9"));
        var sw = Stopwatch.StartNew();
        DigAnswer a;
        do
        {
            a = await Dig.QueryAsync("127.0.0.1", _daemon.Port, "lb.default.example.com", "A");
            if (a.Answer.Count > 0) break;
            await Task.Delay(20);
        } while (sw.Elapsed < TimeSpan.FromSeconds(10));
        output.WriteLine($"dig saw the ingress IP after {sw.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal([("A", "198.51.100.9")], a.Answer.Select(r => (r.Type, r.Data)));
    }
}
