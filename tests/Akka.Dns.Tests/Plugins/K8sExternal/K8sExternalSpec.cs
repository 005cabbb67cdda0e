using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.K8sExternal;
using Akka.Dns.Plugins.Kubernetes;
using Akka.Dns.Server;
using Akka.Dns.TestSupport;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Plugins.K8sExternal;

/// <summary>
/// k8s_external end to end: a real server (<c>kubernetes</c> + <c>k8s_external</c>) against the fake API server,
/// queried over real UDP. The cases follow CoreDNS's external_test.go and apex_test.go (same services, names and
/// expected records; our fake slices carry port 8080). Waits for a change are bounded polls; the observed delay is
/// printed, never asserted.
/// </summary>
public sealed class K8sExternalSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output = output;
    private FakeApiServer _api = null!;
    private readonly List<DnsServer> _servers = [];

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Namespace("testns"));
        _api.Put(Namespace("kube-system"));
        _api.Put(WithExternal(ClusterIP("testns", "svc1", ["10.0.0.1"], Port("http", 80)), "1.2.3.4"));
        _api.Put(WithExternal(ClusterIP("testns", "svc6", ["10.0.0.3"], Port("http", 80)), "1:2::5"));
        _api.Put(Balancer("testns", "svc11", ip: "2.3.4.5"));
        _api.Put(Balancer("testns", "svc12", hostname: "lb.hostname.test"));
        _api.Put(Balancer("testns", "pending"));
        _api.Put(WithExternal(ClusterIP("testns", "two", ["10.0.0.5"], Port("http", 80), Port("dns", 53, "UDP")), "5.6.7.8", "5.6.7.9"));
        _api.Put(WithExternal(ClusterIP("testns", "noports", ["10.0.0.6"]), "5.6.7.10"));
        _api.Put(ClusterIP("testns", "internal", ["10.0.0.7"], Port("http", 80)));
        _api.Put(Headless("testns", "svc-headless", Port("http", 80)));
        _api.Put(Slice("testns", "svc-headless-abc", "svc-headless", "IPv4",
            Endpoint("1.2.3.4", hostname: "endpoint-svc-0"), Endpoint("1.2.3.5", hostname: "endpoint-svc-1"),
            Endpoint("1.2.3.6", ready: false, hostname: "endpoint-svc-2")));
        // The service this server runs behind: its endpoint holds the server's bound address.
        _api.Put(WithExternal(ClusterIP("kube-system", "kube-dns", ["10.96.0.10"], Port("dns", 53, "UDP")), "203.0.113.53"));
        _api.Put(Slice("kube-system", "kube-dns-abc", "kube-dns", "IPv4", Endpoint("127.0.0.1", hostname: "coredns-0")));
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.StopAsync(lameduck: false);
        await _api.DisposeAsync();
    }

    private static V1Service WithExternal(V1Service s, params string[] ips)
    {
        s.Spec.ExternalIPs = ips;
        return s;
    }

    private static V1Service Balancer(string ns, string name, string? ip = null, string? hostname = null)
    {
        var s = ClusterIP(ns, name, ["10.0.1." + (name.Length + 10)], Port("http", 80));
        s.Spec.Type = "LoadBalancer";
        s.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus() };
        if (ip is not null || hostname is not null)
            s.Status.LoadBalancer.Ingress = [new V1LoadBalancerIngress { Ip = ip, Hostname = hostname }];
        return s;
    }

    /// <summary>A server on a free loopback port: <c>kubernetes</c> + <c>k8s_external</c> (properties as given), and a
    /// block answering the load balancer's hostname, which the CNAME chase reaches through the server.</summary>
    private async Task<(DnsServer Server, IPEndPoint At)> Start(string properties = "headless", string zones = "example.com in-addr.arpa", string after = "")
    {
        var port = TestPorts.Free();
        var corefile =
            $".:{port} {{\n bind 127.0.0.1\n kubernetes cluster.local {{\n  endpoint {_api.Url}\n }}\n" +
            $" k8s_external {zones} {{\n  {properties}\n }}\n{after}}}\n" +
            $"hostname.test:{port} {{\n bind 127.0.0.1\n hosts {{\n  192.0.2.9 lb.hostname.test\n  2001:db8::9 lb.hostname.test\n }}\n}}\n";
        var settings = DnsSettings.Create(Sys);
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
        var server = await DnsServer.StartAsync(Sys, ServerPlan.Build(doc, PluginCatalog.Default, settings, 0), settings);
        _servers.Add(server);
        return (server, new IPEndPoint(IPAddress.Loopback, port));
    }

    private static KubernetesPlugin Kubernetes(DnsServer s) => s.Plan.Blocks[0].Plugins.OfType<KubernetesPlugin>().Single();

    private static async Task<DnsMessage> Query(IPEndPoint at, string name, ushort type = RrType.A)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var id = (ushort)Random.Shared.Next(1, 65535);
        var q = new QueryBuilder(name, type) { Id = id, UdpSize = 4096 }.Build();
        var buf = new byte[65535];
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await s.SendToAsync(q, SocketFlags.None, at);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                while (true)
                {
                    var got = await s.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                    var m = DnsMessage.Parse(new ArraySegment<byte>(buf, 0, got.ReceivedBytes));
                    if (m.TransactionID == id) return m;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
        throw new Xunit.Sdk.XunitException($"no reply for {name} from {at}");
    }

    /// <summary>"owner ttl TYPE rdata" in our own words, so a case reads like CoreDNS's test.A("...") strings.</summary>
    private static string Text(DnsRecordBase r) => r switch
    {
        ARecord a => $"{r.Name} {r.TimeToLive} A {a.Address}",
        AaaaRecord a => $"{r.Name} {r.TimeToLive} AAAA {a.Address}",
        CNameRecord c => $"{r.Name} {r.TimeToLive} CNAME {c.CanonicalName}",
        SrvRecord s => $"{r.Name} {r.TimeToLive} SRV {s.Priority} {s.Weight} {s.Port} {s.Target}",
        PtrRecord p => $"{r.Name} {r.TimeToLive} PTR {p.PointerDomainName}",
        NsRecord n => $"{r.Name} {r.TimeToLive} NS {n.NameServer}",
        SoaRecord s => $"{r.Name} {r.TimeToLive} SOA {s.MasterName} {s.ResponsibleName} {s.SerialNumber} {s.RefreshInterval} {s.RetryInterval} {s.ExpireInterval} {s.NegativeCachingTTL}",
        _ => $"{r.Name} {r.TimeToLive} {r.RecordType}",
    };

    private static string[] Texts(IEnumerable<DnsRecordBase> records) =>
        records.Where(r => r is not OptRecord).Select(Text).Order(StringComparer.Ordinal).ToArray();

    private const string Soa = "example.com. 5 SOA ns1.dns.example.com. hostmaster.dns.example.com. SERIAL 7200 1800 86400 5";

    /// <summary>One case: the query, the rcode, and each section's records ("SERIAL" stands for the kubernetes plugin's serial).</summary>
    public sealed record Case(string Name, ushort Type, ReturnCode Rcode, string[] Answer, string[] Authority, string[]? Additional = null)
    {
        public override string ToString() => $"{Name} {RrType.ToString(Type)}";
    }

    public static TheoryData<Case> Cases() => new()
    {
        // PTR for an external IP (only external IPs count: 1.2.3.4 is also a headless endpoint).
        new("4.3.2.1.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, ["4.3.2.1.in-addr.arpa. 5 PTR svc1.testns.example.com."], []),
        new("9.9.9.9.in-addr.arpa.", RrType.PTR, ReturnCode.NxDomain, [], ["in-addr.arpa. 5 SOA ns1.dns.in-addr.arpa. hostmaster.dns.in-addr.arpa. SERIAL 7200 1800 86400 5"]),
        // PTR for a forward name: NODATA when it exists, NXDOMAIN when not.
        new("svc1.testns.example.com.", RrType.PTR, ReturnCode.NoError, [], [Soa]),
        new("not-existing.testns.example.com.", RrType.PTR, ReturnCode.NxDomain, [], [Soa]),
        // A service with an external IP: A, bare SRV, named SRV; AAAA is NODATA.
        new("svc1.testns.example.com.", RrType.A, ReturnCode.NoError, ["svc1.testns.example.com. 5 A 1.2.3.4"], []),
        new("SVC1.TestNS.example.com.", RrType.A, ReturnCode.NoError, ["SVC1.TestNS.example.com. 5 A 1.2.3.4"], []),
        new("svc1.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["svc1.testns.example.com. 5 SRV 0 100 80 svc1.testns.example.com."], [],
            ["svc1.testns.example.com. 5 A 1.2.3.4"]),
        new("_http._tcp.svc1.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["_http._tcp.svc1.testns.example.com. 5 SRV 0 100 80 svc1.testns.example.com."], [],
            ["svc1.testns.example.com. 5 A 1.2.3.4"]),
        new("*._not-udp-or-tcp.svc1.testns.example.com.", RrType.SRV, ReturnCode.NxDomain, [], [Soa]),
        new("_dns._udp.svc1.testns.example.com.", RrType.SRV, ReturnCode.NxDomain, [], [Soa]),
        new("svc1.testns.example.com.", RrType.AAAA, ReturnCode.NoError, [], [Soa]),
        new("svc1.testns.example.com.", RrType.TXT, ReturnCode.NoError, [], [Soa]),
        // Names that do not exist: service, namespace, too many labels; a service without external IPs.
        new("svc0.testns.example.com.", RrType.AAAA, ReturnCode.NxDomain, [], [Soa]),
        new("svc0.testns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        new("svc0.svc-nons.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        new("a.b.c.svc1.testns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        new("internal.testns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        // External IPs but no ports: CoreDNS has nothing to answer with.
        new("noports.testns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        // An IPv6 external IP.
        new("svc6.testns.example.com.", RrType.AAAA, ReturnCode.NoError, ["svc6.testns.example.com. 5 AAAA 1:2::5"], []),
        new("_http._tcp.svc6.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["_http._tcp.svc6.testns.example.com. 5 SRV 0 100 80 svc6.testns.example.com."], [],
            ["svc6.testns.example.com. 5 AAAA 1:2::5"]),
        new("svc6.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["svc6.testns.example.com. 5 SRV 0 100 80 svc6.testns.example.com."], [],
            ["svc6.testns.example.com. 5 AAAA 1:2::5"]),
        // The namespace itself: NODATA.
        new("testns.example.com.", RrType.A, ReturnCode.NoError, [], [Soa]),
        new("testns.example.com.", RrType.SOA, ReturnCode.NoError, [], [Soa]),
        // A load balancer's ingress IP.
        new("svc11.testns.example.com.", RrType.A, ReturnCode.NoError, ["svc11.testns.example.com. 5 A 2.3.4.5"], []),
        new("_http._tcp.svc11.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["_http._tcp.svc11.testns.example.com. 5 SRV 0 100 80 svc11.testns.example.com."], [],
            ["svc11.testns.example.com. 5 A 2.3.4.5"]),
        new("svc11.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["svc11.testns.example.com. 5 SRV 0 100 80 svc11.testns.example.com."], [],
            ["svc11.testns.example.com. 5 A 2.3.4.5"]),
        // A load balancer's ingress hostname: CNAME, then the hostname's records found through the server.
        new("svc12.testns.example.com.", RrType.A, ReturnCode.NoError,
            ["svc12.testns.example.com. 5 CNAME lb.hostname.test.", "lb.hostname.test. 3600 A 192.0.2.9"], []),
        new("svc12.testns.example.com.", RrType.AAAA, ReturnCode.NoError,
            ["svc12.testns.example.com. 5 CNAME lb.hostname.test.", "lb.hostname.test. 3600 AAAA 2001:db8::9"], []),
        new("_http._tcp.svc12.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["_http._tcp.svc12.testns.example.com. 5 SRV 0 100 80 lb.hostname.test."], [],
            ["lb.hostname.test. 3600 A 192.0.2.9", "lb.hostname.test. 3600 AAAA 2001:db8::9"]),
        new("svc12.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["svc12.testns.example.com. 5 SRV 0 100 80 lb.hostname.test."], [],
            ["lb.hostname.test. 3600 A 192.0.2.9", "lb.hostname.test. 3600 AAAA 2001:db8::9"]),
        // A load balancer without ingress yet.
        new("pending.testns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        // Two external IPs and two ports: each address once; SRV weights shared over the four (address, port) pairs.
        new("two.testns.example.com.", RrType.A, ReturnCode.NoError, ["two.testns.example.com. 5 A 5.6.7.8", "two.testns.example.com. 5 A 5.6.7.9"], []),
        new("two.testns.example.com.", RrType.SRV, ReturnCode.NoError,
            ["two.testns.example.com. 5 SRV 0 25 53 two.testns.example.com.", "two.testns.example.com. 5 SRV 0 25 80 two.testns.example.com."], [],
            ["two.testns.example.com. 5 A 5.6.7.8", "two.testns.example.com. 5 A 5.6.7.9"]),
        new("_dns._udp.two.testns.example.com.", RrType.SRV, ReturnCode.NoError, ["_dns._udp.two.testns.example.com. 5 SRV 0 50 53 two.testns.example.com."], [],
            ["two.testns.example.com. 5 A 5.6.7.8", "two.testns.example.com. 5 A 5.6.7.9"]),
        // headless: the ready endpoints.
        new("svc-headless.testns.example.com.", RrType.A, ReturnCode.NoError,
            ["svc-headless.testns.example.com. 5 A 1.2.3.4", "svc-headless.testns.example.com. 5 A 1.2.3.5"], []),
        new("svc-headless.testns.example.com.", RrType.SRV, ReturnCode.NoError,
            ["svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-0.svc-headless.testns.example.com.",
             "svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-1.svc-headless.testns.example.com."], [],
            ["endpoint-svc-0.svc-headless.testns.example.com. 5 A 1.2.3.4", "endpoint-svc-1.svc-headless.testns.example.com. 5 A 1.2.3.5"]),
        new("_http._tcp.svc-headless.testns.example.com.", RrType.SRV, ReturnCode.NoError,
            ["_http._tcp.svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-0.svc-headless.testns.example.com.",
             "_http._tcp.svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-1.svc-headless.testns.example.com."], [],
            ["endpoint-svc-0.svc-headless.testns.example.com. 5 A 1.2.3.4", "endpoint-svc-1.svc-headless.testns.example.com. 5 A 1.2.3.5"]),
        new("endpoint-svc-0.svc-headless.testns.example.com.", RrType.SRV, ReturnCode.NoError,
            ["endpoint-svc-0.svc-headless.testns.example.com. 5 SRV 0 100 8080 endpoint-svc-0.svc-headless.testns.example.com."], [],
            ["endpoint-svc-0.svc-headless.testns.example.com. 5 A 1.2.3.4"]),
        new("endpoint-svc-1.svc-headless.testns.example.com.", RrType.SRV, ReturnCode.NoError,
            ["endpoint-svc-1.svc-headless.testns.example.com. 5 SRV 0 100 8080 endpoint-svc-1.svc-headless.testns.example.com."], [],
            ["endpoint-svc-1.svc-headless.testns.example.com. 5 A 1.2.3.5"]),
        new("endpoint-svc-0.svc-headless.testns.example.com.", RrType.A, ReturnCode.NoError, ["endpoint-svc-0.svc-headless.testns.example.com. 5 A 1.2.3.4"], []),
        new("endpoint-svc-1.svc-headless.testns.example.com.", RrType.A, ReturnCode.NoError, ["endpoint-svc-1.svc-headless.testns.example.com. 5 A 1.2.3.5"], []),
        // Not ready, or no such endpoint: NXDOMAIN.
        new("endpoint-svc-2.svc-headless.testns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        new("endpoint-svc-0.svc-headless.testns.example.com.", RrType.AAAA, ReturnCode.NoError, [], [Soa]),
        // The apex (apex_test.go), with the server's own service behind its bound address for ns1.
        new("example.com.", RrType.SOA, ReturnCode.NoError, [Soa], []),
        new("example.com.", RrType.NS, ReturnCode.NoError, ["example.com. 5 NS ns1.dns.example.com."], [], ["ns1.dns.example.com. 5 A 203.0.113.53"]),
        new("example.com.", RrType.SRV, ReturnCode.NoError, [], [Soa]),
        new("dns.example.com.", RrType.SRV, ReturnCode.NoError, [], [Soa]),
        new("dns.example.com.", RrType.NS, ReturnCode.NoError, [], [Soa]),
        new("ns1.dns.example.com.", RrType.SRV, ReturnCode.NoError, [], [Soa]),
        new("ns1.dns.example.com.", RrType.NS, ReturnCode.NoError, [], [Soa]),
        new("ns1.dns.example.com.", RrType.AAAA, ReturnCode.NoError, [], [Soa]),
        new("ns1.dns.example.com.", RrType.A, ReturnCode.NoError, ["ns1.dns.example.com. 5 A 203.0.113.53"], []),
        new("ns2.dns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
        new("a.ns1.dns.example.com.", RrType.A, ReturnCode.NxDomain, [], [Soa]),
    };

    private (DnsServer Server, IPEndPoint At)? _shared;

    [Theory, MemberData(nameof(Cases))]
    public async Task K8s_external_should_answer_as_coredns_does(Case c)
    {
        var (server, at) = _shared ??= await Start();
        // The serial is the kubernetes plugin's, which moves with every snapshot the watcher publishes: the reply's
        // is the one of the index current when it was answered, read before or after it.
        var before = Kubernetes(server).Index.Serial;
        var m = await Query(at, c.Name, c.Type);
        var after = Kubernetes(server).Index.Serial;
        var soaSerial = m.AnswerRecords.Concat(m.AuthorityRecords).OfType<SoaRecord>().Select(s => s.SerialNumber).FirstOrDefault(before);
        Assert.True(soaSerial == before || soaSerial == after, $"SOA serial {soaSerial}, the kubernetes plugin's {before} then {after}");
        var serial = soaSerial.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] Expect(string[] records) => records.Select(r => r.Replace("SERIAL", serial)).Order(StringComparer.Ordinal).ToArray();
        _output.WriteLine(m.ToString());
        Assert.Equal(c.Rcode, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.Equal(Expect(c.Answer), Texts(m.AnswerRecords));
        Assert.Equal(Expect(c.Authority), Texts(m.AuthorityRecords));
        Assert.Equal(Expect(c.Additional ?? []), Texts(m.AdditionalRecords));
    }

    [Fact]
    public async Task K8s_external_should_give_every_record_the_configured_ttl()
    {
        var (_, at) = await Start("headless\n  ttl 42");
        var all = new List<DnsRecordBase>();
        foreach (var (name, type) in new[]
                 {
                     ("svc1.testns.example.com.", RrType.SRV), ("svc12.testns.example.com.", RrType.A), ("svc-headless.testns.example.com.", RrType.SRV),
                     ("example.com.", RrType.NS), ("example.com.", RrType.SOA), ("ns1.dns.example.com.", RrType.A), ("missing.testns.example.com.", RrType.A),
                     ("4.3.2.1.in-addr.arpa.", RrType.PTR),
                 })
        {
            var m = await Query(at, name, type);
            all.AddRange(m.AnswerRecords.Concat(m.AuthorityRecords).Concat(m.AdditionalRecords).Where(r => r is not OptRecord));
        }
        // The hostname's own record comes from the hosts plugin with its own TTL.
        var ours = all.Where(r => !r.Name.ToString().EndsWith("hostname.test.", StringComparison.Ordinal)).ToList();
        Assert.True(ours.Count >= 10, $"only {ours.Count} records");
        Assert.All(ours, r => Assert.Equal(42, r.TimeToLive));
        Assert.All(all.OfType<SoaRecord>(), s => Assert.Equal(42, s.NegativeCachingTTL));
    }

    [Fact]
    public async Task K8s_external_should_use_another_apex_label()
    {
        var (_, at) = await Start("apex ns");
        var soa = Assert.IsType<SoaRecord>(Assert.Single((await Query(at, "example.com.", RrType.SOA)).AnswerRecords));
        Assert.Equal(("ns1.ns.example.com.", "hostmaster.ns.example.com."), (soa.MasterName.ToString(), soa.ResponsibleName.ToString()));
        Assert.Equal(["ns1.ns.example.com. 5 A 203.0.113.53"], Texts((await Query(at, "ns1.ns.example.com.")).AnswerRecords));
        Assert.Equal(ReturnCode.NxDomain, (await Query(at, "ns1.dns.example.com.")).ReturnCode);
    }

    [Fact]
    public async Task K8s_external_should_not_answer_headless_services_without_the_headless_option()
    {
        var (_, at) = await Start("");
        Assert.Equal(ReturnCode.NxDomain, (await Query(at, "svc-headless.testns.example.com.")).ReturnCode);
        Assert.Equal(ReturnCode.NxDomain, (await Query(at, "endpoint-svc-0.svc-headless.testns.example.com.")).ReturnCode);
        // An endpoint label in front of a service with external IPs is answered with the service's (CoreDNS does so).
        Assert.Equal(["x.svc1.testns.example.com. 5 A 1.2.3.4"], Texts((await Query(at, "x.svc1.testns.example.com.")).AnswerRecords));
    }

    [Fact]
    public async Task K8s_external_should_pass_a_name_error_on_under_fallthrough_and_only_then()
    {
        // whoami comes after k8s_external in plugin.cfg: its reply (the client's address in the additional section) shows it answered.
        var (_, through) = await Start("fallthrough", after: " whoami\n");
        var passed = await Query(through, "missing.testns.example.com.");
        Assert.Equal(ReturnCode.NoError, passed.ReturnCode);
        Assert.Contains(passed.AdditionalRecords.OfType<ARecord>(), a => a.Address.Equals(IPAddress.Loopback));
        // NODATA is answered, not passed on.
        var nodata = await Query(through, "svc1.testns.example.com.", RrType.AAAA);
        Assert.Empty(nodata.AdditionalRecords.OfType<ARecord>());
        Assert.IsType<SoaRecord>(Assert.Single(nodata.AuthorityRecords));
        Assert.Equal(["svc1.testns.example.com. 5 A 1.2.3.4"], Texts((await Query(through, "svc1.testns.example.com.")).AnswerRecords));

        var (_, without) = await Start("", after: " whoami\n");
        Assert.Equal(ReturnCode.NxDomain, (await Query(without, "missing.testns.example.com.")).ReturnCode);
    }

    [Fact]
    public async Task K8s_external_should_leave_names_outside_its_zones_to_the_other_plugins()
    {
        var (_, at) = await Start();
        var k8s = await Query(at, "svc1.testns.svc.cluster.local.");
        Assert.Equal(["svc1.testns.svc.cluster.local. 5 A 10.0.0.1"], Texts(k8s.AnswerRecords));
    }

    [Fact]
    public async Task K8s_external_should_show_a_load_balancer_ingress_ip_once_the_api_reports_it()
    {
        var (server, at) = await Start();
        Assert.Equal(ReturnCode.NxDomain, (await Query(at, "pending.testns.example.com.")).ReturnCode);
        var builds = server.Plan.Blocks[0].Plugins.OfType<K8sExternalPlugin>().Single().Builds;

        _api.Put(Balancer("testns", "pending", ip: "198.51.100.7"));
        var sw = Stopwatch.StartNew();
        string[] answer = [];
        while (sw.Elapsed < Bound)
        {
            answer = Texts((await Query(at, "pending.testns.example.com.")).AnswerRecords);
            if (answer.Length > 0) break;
            await Task.Delay(10);
        }
        _output.WriteLine($"ingress IP answered after {sw.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(["pending.testns.example.com. 5 A 198.51.100.7"], answer);
        Assert.True(server.Plan.Blocks[0].Plugins.OfType<K8sExternalPlugin>().Single().Builds > builds);

        // And back: the ingress goes away, the name is NXDOMAIN again.
        _api.Put(Balancer("testns", "pending"));
        sw.Restart();
        var rcode = ReturnCode.NoError;
        while (sw.Elapsed < Bound && (rcode = (await Query(at, "pending.testns.example.com.")).ReturnCode) != ReturnCode.NxDomain) await Task.Delay(10);
        Assert.Equal(ReturnCode.NxDomain, rcode);
    }

    [Fact]
    public async Task K8s_external_should_build_its_table_once_per_kubernetes_snapshot_not_per_query()
    {
        var (server, at) = await Start();
        var k = Kubernetes(server);
        var e = server.Plan.Blocks[0].Plugins.OfType<K8sExternalPlugin>().Single();
        var (k0, e0) = (k.Builds, e.Builds);
        for (var i = 0; i < 100; i++)
            Assert.Equal(ReturnCode.NoError, (await Query(at, i % 2 == 0 ? "svc1.testns.example.com." : "svc-headless.testns.example.com.", RrType.SRV)).ReturnCode);
        var (k1, e1) = (k.Builds, e.Builds);
        _output.WriteLine($"kubernetes indexes built during 100 queries: {k1 - k0}, k8s_external tables: {e1 - e0}");
        // One table per new index at most (one more when an index built just before the first count is picked up after it).
        Assert.InRange(e1 - e0, 0, k1 - k0 + 1);
    }

    [Fact]
    public async Task K8s_external_should_expose_only_what_the_kubernetes_plugin_exposes()
    {
        var port = TestPorts.Free();
        var corefile = $".:{port} {{\n bind 127.0.0.1\n kubernetes cluster.local {{\n  endpoint {_api.Url}\n  namespaces kube-system\n }}\n k8s_external example.com\n}}\n";
        var settings = DnsSettings.Create(Sys);
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
        var server = await DnsServer.StartAsync(Sys, ServerPlan.Build(doc, PluginCatalog.Default, settings, 0), settings);
        _servers.Add(server);
        var at = new IPEndPoint(IPAddress.Loopback, port);
        Assert.Equal(ReturnCode.NxDomain, (await Query(at, "svc1.testns.example.com.")).ReturnCode);
        Assert.Equal(ReturnCode.NxDomain, (await Query(at, "testns.example.com.")).ReturnCode);
        Assert.Equal(["kube-dns.kube-system.example.com. 5 A 203.0.113.53"], Texts((await Query(at, "kube-dns.kube-system.example.com.")).AnswerRecords));
    }

    /// <summary>AXFR over real TCP: every message's answer records, until the closing SOA.</summary>
    private static async Task<List<DnsMessage>> Axfr(IPEndPoint at, string zone)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await s.ConnectAsync(at, cts.Token);
        var q = new QueryBuilder(zone, RrType.AXFR) { Rd = false }.Build();
        var framed = new byte[q.Length + 2];
        framed[0] = (byte)(q.Length >> 8);
        framed[1] = (byte)q.Length;
        q.CopyTo(framed, 2);
        await s.SendAsync(framed, SocketFlags.None, cts.Token);
        var messages = new List<DnsMessage>();
        var soas = 0;
        while (soas < 2)
        {
            var len = new byte[2];
            await ReadExactly(s, len, cts.Token);
            var body = new byte[(len[0] << 8) | len[1]];
            await ReadExactly(s, body, cts.Token);
            var m = DnsMessage.Parse(new ArraySegment<byte>(body));
            messages.Add(m);
            if (m.ReturnCode != ReturnCode.NoError) break;
            soas += m.AnswerRecords.Count(r => r is SoaRecord);
        }
        return messages;
    }

    private static async Task ReadExactly(Socket s, byte[] buffer, CancellationToken ct)
    {
        for (var got = 0; got < buffer.Length;)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, ct);
            if (n == 0) throw new Xunit.Sdk.XunitException("connection closed during the transfer");
            got += n;
        }
    }

    [Fact]
    public async Task K8s_external_should_transfer_its_zone_with_what_its_queries_answer()
    {
        var (server, at) = await Start(after: " transfer {\n  to *\n }\n");
        var messages = await Axfr(at, "example.com.");
        var records = messages.SelectMany(m => m.AnswerRecords).ToList();
        var serial = Assert.IsType<SoaRecord>(records[0]).SerialNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsType<SoaRecord>(records[^1]);
        var texts = records.Skip(1).SkipLast(1).Select(Text).ToArray();
        foreach (var t in texts) _output.WriteLine(t);
        Assert.Equal(texts.Distinct().Count(), texts.Length);
        string[] expected =
        [
            "example.com. 5 NS ns1.dns.example.com.",
            "ns1.dns.example.com. 5 A 203.0.113.53",
            "kube-dns.kube-system.example.com. 5 A 203.0.113.53",
            "kube-dns.kube-system.example.com. 5 SRV 0 100 53 kube-dns.kube-system.example.com.",
            "_dns._udp.kube-dns.kube-system.example.com. 5 SRV 0 100 53 kube-dns.kube-system.example.com.",
            "svc-headless.testns.example.com. 5 A 1.2.3.4",
            "svc-headless.testns.example.com. 5 A 1.2.3.5",
            "svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-0.svc-headless.testns.example.com.",
            "svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-1.svc-headless.testns.example.com.",
            "_http._tcp.svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-0.svc-headless.testns.example.com.",
            "_http._tcp.svc-headless.testns.example.com. 5 SRV 0 50 8080 endpoint-svc-1.svc-headless.testns.example.com.",
            "endpoint-svc-0.svc-headless.testns.example.com. 5 A 1.2.3.4",
            "endpoint-svc-0.svc-headless.testns.example.com. 5 SRV 0 100 8080 endpoint-svc-0.svc-headless.testns.example.com.",
            "endpoint-svc-1.svc-headless.testns.example.com. 5 A 1.2.3.5",
            "endpoint-svc-1.svc-headless.testns.example.com. 5 SRV 0 100 8080 endpoint-svc-1.svc-headless.testns.example.com.",
            "svc1.testns.example.com. 5 A 1.2.3.4",
            "svc1.testns.example.com. 5 SRV 0 100 80 svc1.testns.example.com.",
            "_http._tcp.svc1.testns.example.com. 5 SRV 0 100 80 svc1.testns.example.com.",
            "svc11.testns.example.com. 5 A 2.3.4.5",
            "svc11.testns.example.com. 5 SRV 0 100 80 svc11.testns.example.com.",
            "_http._tcp.svc11.testns.example.com. 5 SRV 0 100 80 svc11.testns.example.com.",
            "svc12.testns.example.com. 5 CNAME lb.hostname.test.",
            "_http._tcp.svc12.testns.example.com. 5 SRV 0 100 80 lb.hostname.test.",
            "svc6.testns.example.com. 5 AAAA 1:2::5",
            "svc6.testns.example.com. 5 SRV 0 100 80 svc6.testns.example.com.",
            "_http._tcp.svc6.testns.example.com. 5 SRV 0 100 80 svc6.testns.example.com.",
            "two.testns.example.com. 5 A 5.6.7.8",
            "two.testns.example.com. 5 A 5.6.7.9",
            "two.testns.example.com. 5 SRV 0 25 53 two.testns.example.com.",
            "two.testns.example.com. 5 SRV 0 25 80 two.testns.example.com.",
            "_http._tcp.two.testns.example.com. 5 SRV 0 50 80 two.testns.example.com.",
            "_dns._udp.two.testns.example.com. 5 SRV 0 50 53 two.testns.example.com.",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), texts.Order(StringComparer.Ordinal));
        Assert.Equal(Kubernetes(server).Index.Serial.ToString(System.Globalization.CultureInfo.InvariantCulture), serial);

        var reverse = (await Axfr(at, "in-addr.arpa.")).SelectMany(m => m.AnswerRecords).Select(Text).Where(t => t.Contains(" PTR ")).ToArray();
        Assert.Equal(
            // A service without ports still names its external IP (CoreDNS's serviceRecordForExternalIP looks at no port).
            ["10.7.6.5.in-addr.arpa. 5 PTR noports.testns.example.com.", "4.3.2.1.in-addr.arpa. 5 PTR svc1.testns.example.com.", "5.4.3.2.in-addr.arpa. 5 PTR svc11.testns.example.com.",
             "53.113.0.203.in-addr.arpa. 5 PTR kube-dns.kube-system.example.com.", "8.7.6.5.in-addr.arpa. 5 PTR two.testns.example.com.",
             "9.7.6.5.in-addr.arpa. 5 PTR two.testns.example.com."],
            reverse.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task K8s_external_should_name_the_servers_own_address_when_no_service_endpoint_holds_it()
    {
        Assert.True(_api.Delete(FakeResource.EndpointSlices, "kube-system", "kube-dns-abc"));
        var (_, at) = await Start();
        Assert.Equal(["ns1.dns.example.com. 5 A 127.0.0.1"], Texts((await Query(at, "ns1.dns.example.com.")).AnswerRecords));
        Assert.Equal(["ns1.dns.example.com. 5 A 127.0.0.1"], Texts((await Query(at, "example.com.", RrType.NS)).AdditionalRecords));
    }

    [Fact]
    public async Task K8s_external_should_name_a_headless_servers_endpoints_under_headless()
    {
        _api.Put(Headless("kube-system", "kube-dns", Port("dns", 53, "UDP")));
        var (_, at) = await Start();
        Assert.Equal(["ns1.dns.example.com. 5 A 127.0.0.1"], Texts((await Query(at, "ns1.dns.example.com.")).AnswerRecords));
    }
}
