using System.Collections.Immutable;
using System.Net;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.Plugins;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.Tests.Kubernetes.K8sViewBuilder;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>
/// The answers in a <c>multicluster</c> zone (Multi-Cluster Services, KEP-1645), one row per case: CoreDNS's
/// TestMultiClusterServeDNS (its commonDnsTestCases and multiclusterDnsTestCases, the fixture mirroring its
/// svcImportIndex and mcEpsIndex) and TestServices' clusterset rows, asked in clusterset.local. beside the ordinary
/// cluster.local. zone of the same stanza, plus the options that touch them. Pure function: no actor system.
/// </summary>
public sealed class MultiClusterAnswersSpec(ITestOutputHelper output)
{
    private const string Mc = "clusterset.local.";
    private const string T = ".testns.svc.clusterset.local.";
    private const string L = ".testns.svc.cluster.local.";

    private static K8sServiceImport Import(string ns, string name, bool headless, string ips, params K8sPort[] ports) =>
        new(ns, name, headless, [.. ips.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse)], [.. ports]);

    private static K8sEndpointSlice McSlice(string ns, string service, string name, string cluster, K8sPort[] ports, params K8sEndpoint[] eps)
    {
        var family = eps.Length > 0 && eps[0].Addresses[0].AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
        return new K8sEndpointSlice(ns, name, service, family, [.. eps], [.. ports]) { ClusterId = cluster };
    }

    /// <summary>AnswersSpec's Services fixture (cluster.local.) plus CoreDNS's ServiceImports and MCS endpoints.</summary>
    internal static K8sView Fixture(bool synced = true)
    {
        var http = Port("http", 80, "tcp");
        var imports = new[]
        {
            Import("kube-system", "kubedns", false, "10.0.0.10", Port("dns", 53, "udp")),
            Import("testns", "svc1", false, "10.0.0.1", http),
            Import("testns", "svcempty", false, "10.0.0.1", http),
            Import("testns", "svc6", false, "1234:abcd::1", http),
            Import("testns", "hdls1", true, ""),
            Import("testns", "hdlsprtls", true, ""),
            Import("unexposedns", "svc1", false, "10.0.0.2", http),
            Import("testns", "svc-dual-stack", false, "10.0.0.3,10::3", http),
            // Not in CoreDNS's fixture: an import with a pod-named endpoint, and one with an address no Service has.
            Import("testns", "hdlspods", true, ""),
            Import("testns", "only-import", false, "10.0.7.7", http),
        };
        var slices = new[]
        {
            McSlice("kube-system", "kubedns", "kubedns-1", "cluster1", [Port("dns", 53, "udp")], Ep("172.0.0.100")),
            McSlice("testns", "svc1", "svc1-slice1", "cluster1", [http], Ep("172.0.0.1", "ep1a")),
            McSlice("testns", "svcempty", "svcempty-slice1", "cluster1", [http], Ep("172.0.0.99", ready: false)),
            McSlice("testns", "hdls1", "hdls1-slice1", "cluster1", [http],
                Ep("172.0.0.2"), Ep("172.0.0.3"), Ep("172.0.0.4", "dup-name"), Ep("172.0.0.5", "dup-name")),
            McSlice("testns", "hdls1", "hdls1-slice2", "cluster1", [http], Ep("5678:abcd::1"), Ep("5678:abcd::2")),
            McSlice("testns", "hdlsprtls", "hdlsprtls-slice1", "cluster1", [], Ep("172.0.0.20")),
            McSlice("testns", "hdlspods", "hdlspods-slice1", "cluster2", [http], Ep("172.0.0.30", pod: "web-0")),
        };
        var view = AnswersSpec.Fixture(synced);
        return view with
        {
            Namespaces = view.Namespaces.Add("kube-system", new K8sNamespace("kube-system", ImmutableDictionary<string, string>.Empty)),
            ServiceImports = imports.ToImmutableDictionary(i => i.Key),
            MultiClusterSlices = slices.ToImmutableDictionary(s => s.Key),
        };
    }

    private static readonly K8sAnswerOptions Default = new()
    {
        Zones = ["cluster.local.", Mc, "in-addr.arpa."],
        MultiClusterZones = [Mc],
    };

    private static K8sAnswerOptions Variant(string name) => name switch
    {
        "default" => Default,
        "ignore-empty" => Default with { IgnoreEmptyService = true },
        "noendpoints" => Default with { NoEndpoints = true },
        "podnames" => Default with { EndpointPodNames = true },
        "insecure" => Default with { Pods = PodMode.Insecure },
        "fallthrough" => Default with { Fallthrough = Fallthrough.FromArgs([], null!) },
        "namespaces" => Default with { Namespaces = ImmutableHashSet.Create(StringComparer.OrdinalIgnoreCase, "testns") },
        "no-multicluster" => Default with { MultiClusterZones = [] },
        "unsynced" => Default,
        _ => throw new ArgumentException(name),
    };

    private const string Nx = "NXDOMAIN", Ok = "NOERROR";

    /// <summary>variant, qname, qtype, rcode (or FALLTHROUGH), answer ("|"-separated "owner ttl TYPE rdata"), additional.</summary>
    public static TheoryData<string, string, string, string, string, string> Cases => new()
    {
        // CoreDNS commonDnsTestCases, in the multicluster zone: ClusterSetIP imports answer their IPs
        { "default", "svc1" + T, "A", Ok, "svc1.testns.svc.clusterset.local. 5 A 10.0.0.1", "" },
        { "default", "SVC1.TestNS.svc.ClusterSet.Local.", "A", Ok, "SVC1.TestNS.svc.ClusterSet.Local. 5 A 10.0.0.1", "" },
        { "default", "svcempty" + T, "A", Ok, "svcempty.testns.svc.clusterset.local. 5 A 10.0.0.1", "" },
        { "default", "svc1" + T, "SRV", Ok, "svc1.testns.svc.clusterset.local. 5 SRV 0 100 80 svc1.testns.svc.clusterset.local.", "svc1.testns.svc.clusterset.local. 5 A 10.0.0.1" },
        { "default", "svcempty" + T, "SRV", Ok, "svcempty.testns.svc.clusterset.local. 5 SRV 0 100 80 svcempty.testns.svc.clusterset.local.", "svcempty.testns.svc.clusterset.local. 5 A 10.0.0.1" },
        { "default", "svc6" + T, "SRV", Ok, "svc6.testns.svc.clusterset.local. 5 SRV 0 100 80 svc6.testns.svc.clusterset.local.", "svc6.testns.svc.clusterset.local. 5 AAAA 1234:abcd::1" },
        { "default", "_http._tcp.svc1" + T, "SRV", Ok, "_http._tcp.svc1.testns.svc.clusterset.local. 5 SRV 0 100 80 svc1.testns.svc.clusterset.local.", "svc1.testns.svc.clusterset.local. 5 A 10.0.0.1" },
        { "default", "_http._tcp.svcempty" + T, "SRV", Ok, "_http._tcp.svcempty.testns.svc.clusterset.local. 5 SRV 0 100 80 svcempty.testns.svc.clusterset.local.", "svcempty.testns.svc.clusterset.local. 5 A 10.0.0.1" },
        { "default", "hdls1" + T, "A", Ok, "hdls1.testns.svc.clusterset.local. 5 A 172.0.0.2|hdls1.testns.svc.clusterset.local. 5 A 172.0.0.3|hdls1.testns.svc.clusterset.local. 5 A 172.0.0.4|hdls1.testns.svc.clusterset.local. 5 A 172.0.0.5", "" },
        { "default", "hdlsprtls" + T, "A", Ok, "hdlsprtls.testns.svc.clusterset.local. 5 A 172.0.0.20", "" },
        { "default", "svc1" + T, "AAAA", Ok, "", "" },
        { "default", "svc0" + T, "AAAA", Nx, "", "" },
        { "default", "svc0" + T, "A", Nx, "", "" },
        { "default", "svc0.svc-nons.svc.clusterset.local.", "A", Nx, "", "" },
        { "default", "dns-version.clusterset.local.", "TXT", Ok, "dns-version.clusterset.local. 28800 TXT \"1.1.0\"", "" },
        { "default", "svc1" + T, "TXT", Ok, "", "" },
        { "default", "svc0.svc-nons.svc.clusterset.local.", "TXT", Nx, "", "" },
        { "default", "bogusendpoint.hdls1" + T, "A", Nx, "", "" },
        { "default", "bogusendpoint.svc0" + T, "A", Nx, "", "" },
        { "default", "svc6" + T, "AAAA", Ok, "svc6.testns.svc.clusterset.local. 5 AAAA 1234:abcd::1", "" },
        { "default", "_http._tcp.svc6" + T, "SRV", Ok, "_http._tcp.svc6.testns.svc.clusterset.local. 5 SRV 0 100 80 svc6.testns.svc.clusterset.local.", "svc6.testns.svc.clusterset.local. 5 AAAA 1234:abcd::1" },
        { "default", "hdls1" + T, "AAAA", Ok, "hdls1.testns.svc.clusterset.local. 5 AAAA 5678:abcd::1|hdls1.testns.svc.clusterset.local. 5 AAAA 5678:abcd::2", "" },
        { "default", "svc.clusterset.local.", "A", Ok, "", "" },
        { "default", "pod.clusterset.local.", "A", Ok, "", "" },
        { "default", "testns.svc.clusterset.local.", "A", Ok, "", "" },
        { "default", "svc.clusterset.local.", "NS", Ok, "", "" },
        { "default", "testns.svc.clusterset.local.", "NS", Ok, "", "" },
        { "default", "foo.clusterset.local.", "NS", Nx, "", "" },
        { "default", "foo.svc.clusterset.local.", "NS", Nx, "", "" },
        { "default", "svc-dual-stack" + T, "A", Ok, "svc-dual-stack.testns.svc.clusterset.local. 5 A 10.0.0.3", "" },
        { "default", "svc-dual-stack" + T, "AAAA", Ok, "svc-dual-stack.testns.svc.clusterset.local. 5 AAAA 10::3", "" },
        { "default", "svc-dual-stack" + T, "SRV", Ok, "svc-dual-stack.testns.svc.clusterset.local. 5 SRV 0 50 80 svc-dual-stack.testns.svc.clusterset.local.",
            "svc-dual-stack.testns.svc.clusterset.local. 5 A 10.0.0.3|svc-dual-stack.testns.svc.clusterset.local. 5 AAAA 10::3" },
        { "default", "svc1" + T, "SOA", Ok, "", "" },
        { "default", "endpoint.external" + T, "CNAME", Nx, "", "" },
        { "default", "subdomain.subdomain.external" + T, "CNAME", Nx, "", "" },
        // CoreDNS multiclusterDnsTestCases: headless imports and endpoint.cluster names
        { "default", "_http._tcp.hdls1" + T, "SRV", Ok,
            "_http._tcp.hdls1.testns.svc.clusterset.local. 5 SRV 0 16 80 172-0-0-2.cluster1.hdls1.testns.svc.clusterset.local.|_http._tcp.hdls1.testns.svc.clusterset.local. 5 SRV 0 16 80 172-0-0-3.cluster1.hdls1.testns.svc.clusterset.local.|_http._tcp.hdls1.testns.svc.clusterset.local. 5 SRV 0 16 80 5678-abcd--1.cluster1.hdls1.testns.svc.clusterset.local.|_http._tcp.hdls1.testns.svc.clusterset.local. 5 SRV 0 16 80 5678-abcd--2.cluster1.hdls1.testns.svc.clusterset.local.|_http._tcp.hdls1.testns.svc.clusterset.local. 5 SRV 0 16 80 dup-name.cluster1.hdls1.testns.svc.clusterset.local.",
            "172-0-0-2.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.2|172-0-0-3.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.3|5678-abcd--1.cluster1.hdls1.testns.svc.clusterset.local. 5 AAAA 5678:abcd::1|5678-abcd--2.cluster1.hdls1.testns.svc.clusterset.local. 5 AAAA 5678:abcd::2|dup-name.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.4|dup-name.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.5" },
        { "default", "5678-abcd--2.cluster1.hdls1" + T, "AAAA", Ok, "5678-abcd--2.cluster1.hdls1.testns.svc.clusterset.local. 5 AAAA 5678:abcd::2", "" },
        { "default", "5678-abcd--1.cluster1.hdls1" + T, "AAAA", Ok, "5678-abcd--1.cluster1.hdls1.testns.svc.clusterset.local. 5 AAAA 5678:abcd::1", "" },
        { "default", "172-0-0-20.cluster1.hdlsprtls" + T, "A", Ok, "172-0-0-20.cluster1.hdlsprtls.testns.svc.clusterset.local. 5 A 172.0.0.20", "" },
        { "default", "5678-abcd--1.hdls1" + T, "AAAA", Nx, "", "" },
        { "default", "172-0-0-2.cluster1.hdls1" + T, "A", Ok, "172-0-0-2.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.2", "" },
        { "default", "172-0-0-3.cluster1.hdls1" + T, "A", Ok, "172-0-0-3.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.3", "" },
        { "default", "dup-name.cluster1.hdls1" + T, "A", Ok, "dup-name.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.4|dup-name.cluster1.hdls1.testns.svc.clusterset.local. 5 A 172.0.0.5", "" },
        // CoreDNS TestServices' clusterset rows: an endpoint of a ClusterSetIP import by name and cluster
        { "default", "ep1a.cluster1.svc1" + T, "A", Ok, "ep1a.cluster1.svc1.testns.svc.clusterset.local. 5 A 172.0.0.1", "" },
        { "default", "EP1A.Cluster1.svc1" + T, "A", Ok, "EP1A.Cluster1.svc1.testns.svc.clusterset.local. 5 A 172.0.0.1", "" },
        { "default", "ep1a.cluster2.svc1" + T, "A", Nx, "", "" },
        { "default", "ep1a.svc1" + T, "A", Nx, "", "" },
        { "default", "ep1a.cluster1.svc1" + T, "SRV", Ok, "ep1a.cluster1.svc1.testns.svc.clusterset.local. 5 SRV 0 100 80 ep1a.cluster1.svc1.testns.svc.clusterset.local.", "ep1a.cluster1.svc1.testns.svc.clusterset.local. 5 A 172.0.0.1" },
        { "default", "kubedns.kube-system.svc.clusterset.local.", "SRV", Ok, "kubedns.kube-system.svc.clusterset.local. 5 SRV 0 100 53 kubedns.kube-system.svc.clusterset.local.", "kubedns.kube-system.svc.clusterset.local. 5 A 10.0.0.10" },
        { "default", "_dns._udp.kubedns.kube-system.svc.clusterset.local.", "SRV", Ok, "_dns._udp.kubedns.kube-system.svc.clusterset.local. 5 SRV 0 100 53 kubedns.kube-system.svc.clusterset.local.", "kubedns.kube-system.svc.clusterset.local. 5 A 10.0.0.10" },
        { "default", "_dns._tcp.kubedns.kube-system.svc.clusterset.local.", "SRV", Nx, "", "" },
        // Two labels, one with '_': port and protocol, not endpoint and cluster (parse.go)
        { "default", "_http.cluster1.hdls1" + T, "A", Nx, "", "" },
        { "default", "172-0-0-2._cluster1.hdls1" + T, "A", Nx, "", "" },
        // The ordinary zone of the same stanza is answered from Services, not ServiceImports, and the other way round
        { "default", "multiport" + L, "A", Ok, "multiport.testns.svc.cluster.local. 5 A 10.0.0.4", "" },
        { "default", "multiport" + T, "A", Nx, "", "" },
        { "default", "external" + T, "CNAME", Nx, "", "" },
        { "default", "only-import" + T, "A", Ok, "only-import.testns.svc.clusterset.local. 5 A 10.0.7.7", "" },
        { "default", "only-import" + L, "A", Nx, "", "" },
        { "default", "hdls1" + L, "A", Ok, "hdls1.testns.svc.cluster.local. 5 A 172.0.0.2|hdls1.testns.svc.cluster.local. 5 A 172.0.0.3|hdls1.testns.svc.cluster.local. 5 A 172.0.0.4|hdls1.testns.svc.cluster.local. 5 A 172.0.0.5", "" },
        { "default", "172-0-0-2.cluster1.hdls1" + L, "A", Nx, "", "" },
        { "default", "kubedns.kube-system.svc.cluster.local.", "A", Nx, "", "" },
        // Reverse names come from Services and their endpoints only (CoreDNS indexes no ServiceImport IP)
        { "default", "7.7.0.10.in-addr.arpa.", "PTR", Nx, "", "" },
        { "default", "1.0.0.10.in-addr.arpa.", "PTR", Ok, "1.0.0.10.in-addr.arpa. 5 PTR svc1.testns.svc.cluster.local.", "" },
        // Namespaces: an import in a namespace that does not exist, or is not exposed, is NXDOMAIN
        { "default", "svc1.unexposedns.svc.clusterset.local.", "A", Nx, "", "" },
        { "namespaces", "svc1" + T, "A", Ok, "svc1.testns.svc.clusterset.local. 5 A 10.0.0.1", "" },
        { "namespaces", "kubedns.kube-system.svc.clusterset.local.", "A", Nx, "", "" },
        // ignore empty_service: a ClusterSetIP import without a ready MCS endpoint is NXDOMAIN; headless ones are not checked
        { "ignore-empty", "svcempty" + T, "A", Nx, "", "" },
        { "ignore-empty", "svc1" + T, "A", Ok, "svc1.testns.svc.clusterset.local. 5 A 10.0.0.1", "" },
        { "ignore-empty", "svc6" + T, "A", Nx, "", "" },
        { "ignore-empty", "hdlsprtls" + T, "A", Ok, "hdlsprtls.testns.svc.clusterset.local. 5 A 172.0.0.20", "" },
        // noendpoints stops the ordinary endpoint cache only (CoreDNS's MCS informer does not depend on it)
        { "noendpoints", "hdls1" + L, "A", Nx, "", "" },
        { "noendpoints", "hdlsprtls" + T, "A", Ok, "hdlsprtls.testns.svc.clusterset.local. 5 A 172.0.0.20", "" },
        // endpoint_pod_names names MCS endpoints after their pods too
        { "default", "172-0-0-30.cluster2.hdlspods" + T, "A", Ok, "172-0-0-30.cluster2.hdlspods.testns.svc.clusterset.local. 5 A 172.0.0.30", "" },
        { "default", "web-0.cluster2.hdlspods" + T, "A", Nx, "", "" },
        { "podnames", "web-0.cluster2.hdlspods" + T, "A", Ok, "web-0.cluster2.hdlspods.testns.svc.clusterset.local. 5 A 172.0.0.30", "" },
        { "podnames", "hdlspods" + T, "SRV", Ok, "hdlspods.testns.svc.clusterset.local. 5 SRV 0 100 80 web-0.cluster2.hdlspods.testns.svc.clusterset.local.", "web-0.cluster2.hdlspods.testns.svc.clusterset.local. 5 A 172.0.0.30" },
        // Pod names are the same in a multicluster zone (findPods)
        { "insecure", "1-2-3-4.testns.pod.clusterset.local.", "A", Ok, "1-2-3-4.testns.pod.clusterset.local. 5 A 1.2.3.4", "" },
        { "default", "1-2-3-4.testns.pod.clusterset.local.", "A", Nx, "", "" },
        // Without the option, clusterset.local. is an ordinary zone: Services answer and endpoint.cluster is port.protocol
        { "no-multicluster", "multiport" + T, "A", Ok, "multiport.testns.svc.clusterset.local. 5 A 10.0.0.4", "" },
        { "no-multicluster", "only-import" + T, "A", Nx, "", "" },
        { "no-multicluster", "172-0-0-2.cluster1.hdls1" + T, "A", Nx, "", "" },
        { "fallthrough", "svc0" + T, "A", "FALLTHROUGH", "", "" },
        { "unsynced", "svc0" + T, "A", "SERVFAIL", "", "" },
        { "unsynced", "svc1" + T, "A", Ok, "svc1.testns.svc.clusterset.local. 5 A 10.0.0.1", "" },
    };

    private static readonly AnswerRows Rows = new(v => K8sIndex.Build(Fixture(synced: v != "unsynced"), Variant(v), serial: 1499347823));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answers_in_a_multicluster_zone_should_follow_the_mcs_api_as_coredns(string variant, string qname, string qtype, string rcode, string answer, string additional) =>
        // NXDOMAIN, NODATA and SERVFAIL carry the matched zone's SOA, as CoreDNS's BackendError.
        Rows.Check(variant, qname, qtype, rcode, answer, additional, q =>
            q.EndsWith("in-addr.arpa.", StringComparison.OrdinalIgnoreCase) ? "in-addr.arpa."
            : q.EndsWith(Mc, StringComparison.OrdinalIgnoreCase) ? Mc : "cluster.local.", output);

    [Fact]
    public void A_multicluster_endpoint_without_a_source_cluster_should_answer_by_its_name_alone()
    {
        // CoreDNS matches the (empty) cluster label of "name.service..." against the slice's (empty) cluster id. Its SRV
        // target would then hold an empty label; ours leaves the label out (README: Differences from CoreDNS).
        var view = Fixture() with
        {
            MultiClusterSlices = Fixture().MultiClusterSlices.Add("testns/hdls1-nocluster",
                McSlice("testns", "hdls1", "hdls1-nocluster", "", [Port("http", 80)], Ep("172.0.0.40", "lone"))),
        };
        var index = K8sIndex.Build(view, Default, serial: 1);
        var reply = new DnsResponse();
        K8sAnswers.Answer(index, "lone.hdls1" + T, RrType.A, reply);
        Assert.Equal("172.0.0.40", Assert.Single(reply.Answer).RDataText());
        reply = new DnsResponse();
        K8sAnswers.Answer(index, "_http._tcp.hdls1" + T, RrType.SRV, reply);
        Assert.Contains(reply.Answer, r => r.RDataText().EndsWith(" lone.hdls1.testns.svc.clusterset.local.", StringComparison.Ordinal));
    }

    [Fact]
    public void A_zone_under_a_multicluster_zone_should_be_multicluster_too()
    {
        // CoreDNS's isMultiClusterZone: plugin.Zones(multiclusterZones).Matches(zone), a zone at or under one of them.
        var options = Default with { Zones = ["cluster.local.", Mc, "east.clusterset.local."] };
        var index = K8sIndex.Build(Fixture(), options, serial: 1);
        var reply = new DnsResponse();
        K8sAnswers.Answer(index, "only-import.testns.svc.east.clusterset.local.", RrType.A, reply);
        Assert.Equal("10.0.7.7", Assert.Single(reply.Answer).RDataText());
        Assert.True(options.IsMultiCluster("East.ClusterSet.Local."));
        Assert.False(options.IsMultiCluster("notclusterset.local."));
        Assert.False(options.IsMultiCluster("cluster.local."));
    }
}
