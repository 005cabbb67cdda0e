using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using Akka.Dns.Plugins;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.Tests.Kubernetes.K8sViewBuilder;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>
/// The kubernetes answer engine, one row per case: the Kubernetes DNS specification's record kinds and CoreDNS's
/// plugin/kubernetes handler_test.go cases (the fixture mirrors its APIConnServeTest objects). Pure function: no
/// actor system is needed.
/// </summary>
public sealed class AnswersSpec(ITestOutputHelper output)
{
    private const string Z = "cluster.local.";
    private const string T = ".testns.svc.cluster.local.";

    internal static K8sView Fixture(bool synced = true) => new K8sViewBuilder()
        .Namespace("testns", "env=prod").Namespace("other", "env=dev")
        .ClusterIP("testns", "svc1", "10.0.0.1", [Port("http", 80)])
        .Slice("testns", "svc1", "svc1-a", [Port("http", 80)], Ep("172.0.1.1"))
        .ClusterIP("testns", "svcempty", "10.0.0.2", [Port("http", 80)])
        .ClusterIP("testns", "svc6", "1234:abcd::1", [Port("http", 80)])
        .Slice("testns", "svc6", "svc6-a", [Port("http", 80)], Ep("1234:abcd::100"))
        .ClusterIP("testns", "svc-dual-stack", "10.0.0.3,10::3", [Port("http", 80)])
        .Slice("testns", "svc-dual-stack", "svc-dual-stack-a", [Port("http", 80)], Ep("172.0.1.3"))
        .ClusterIP("testns", "multiport", "10.0.0.4", [Port("http", 80), Port("dns", 53, "UDP"), Port("dns-tcp", 53)])
        .Headless("testns", "hdls1", [Port("http", 80)])
        .Slice("testns", "hdls1", "hdls1-v4", [Port("http", 80)],
            Ep("172.0.0.2"), Ep("172.0.0.3"), Ep("172.0.0.4", "dup-name"), Ep("172.0.0.5", "dup-name"), Ep("172.0.0.9", ready: false))
        .Slice("testns", "hdls1", "hdls1-v6", [Port("http", 80)], Ep("5678:abcd::1"), Ep("5678:abcd::2"))
        .Headless("testns", "hdlsprtls", [])
        .Slice("testns", "hdlsprtls", "hdlsprtls-a", [], Ep("172.0.0.20"))
        .Headless("testns", "hdlspods", [Port("http", 80)])
        .Slice("testns", "hdlspods", "hdlspods-a", [Port("http", 80)], Ep("172.0.0.30", pod: "web-0"))
        .ExternalName("testns", "external", "ext.interwebs.test")
        .ExternalName("testns", "external-to-service", "svc1.testns.svc.cluster.local")
        .Slice("testns", "gone", "gone-a", [Port("http", 80)], Ep("172.0.9.9"))
        .ClusterIP("other", "svc2", "10.0.0.10", [Port("http", 80)], labels: "team=b")
        .Pod("testns", "pod1", "10.240.0.1").Pod("testns", "pod2", "10.240.0.2", terminating: true)
        .Build(synced);

    private static readonly K8sAnswerOptions Default = new() { Zones = [Z, "in-addr.arpa.", "ip6.arpa."] };

    private static K8sAnswerOptions Variant(string name) => name switch
    {
        "default" => Default,
        "insecure" => Default with { Pods = PodMode.Insecure },
        "verified" => Default with { Pods = PodMode.Verified },
        "namespaces" => Default with { Namespaces = ImmutableHashSet.Create(StringComparer.OrdinalIgnoreCase, "testns", "nsnoexist") },
        "ignore-empty" => Default with { IgnoreEmptyService = true },
        "noendpoints" => Default with { NoEndpoints = true },
        "podnames" => Default with { EndpointPodNames = true },
        "fallthrough" => Default with { Fallthrough = Fallthrough.FromArgs([], null!) },
        "labels" => Default with { Labels = LabelSelector.Parse("team in (b, c)") },
        "nslabels" => Default with { NamespaceLabels = LabelSelector.Parse("env=prod") },
        "ttl" => Default with { Ttl = 30 },
        "localips" => Default with { LocalIPs = [IPAddress.Parse("10.96.0.10")] },
        "localep" => Default with { LocalIPs = [IPAddress.Parse("172.0.1.1")] },
        "unsynced" => Default,
        _ => throw new ArgumentException(name),
    };

    private const string Nx = "NXDOMAIN", Ok = "NOERROR";

    /// <summary>variant, qname, qtype, rcode (or FALLTHROUGH/NEXT), answer ("|"-separated "owner ttl TYPE rdata"), additional.</summary>
    public static TheoryData<string, string, string, string, string, string> Cases => new()
    {
        // ClusterIP services (spec 2.3.1), dual-stack, case kept from the question
        { "default", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
        { "default", "SVC1.TestNS.svc.Cluster.Local.", "A", Ok, "SVC1.TestNS.svc.Cluster.Local. 5 A 10.0.0.1", "" },
        { "default", "svcempty" + T, "A", Ok, "svcempty.testns.svc.cluster.local. 5 A 10.0.0.2", "" },
        { "default", "svc1" + T, "AAAA", Ok, "", "" },
        { "default", "svc6" + T, "AAAA", Ok, "svc6.testns.svc.cluster.local. 5 AAAA 1234:abcd::1", "" },
        { "default", "svc-dual-stack" + T, "A", Ok, "svc-dual-stack.testns.svc.cluster.local. 5 A 10.0.0.3", "" },
        { "default", "svc-dual-stack" + T, "AAAA", Ok, "svc-dual-stack.testns.svc.cluster.local. 5 AAAA 10::3", "" },
        { "default", "svc2.other.svc.cluster.local.", "A", Ok, "svc2.other.svc.cluster.local. 5 A 10.0.0.10", "" },
        // SRV (spec 2.3.1/2.4.1): named ports, all ports, weights and additional addresses as CoreDNS
        { "default", "svc1" + T, "SRV", Ok, "svc1.testns.svc.cluster.local. 5 SRV 0 100 80 svc1.testns.svc.cluster.local.", "svc1.testns.svc.cluster.local. 5 A 10.0.0.1" },
        { "default", "_http._tcp.svc1" + T, "SRV", Ok, "_http._tcp.svc1.testns.svc.cluster.local. 5 SRV 0 100 80 svc1.testns.svc.cluster.local.", "svc1.testns.svc.cluster.local. 5 A 10.0.0.1" },
        { "default", "_http._udp.svc1" + T, "SRV", Nx, "", "" },
        { "default", "_https._tcp.svc1" + T, "SRV", Nx, "", "" },
        { "default", "svcempty" + T, "SRV", Ok, "svcempty.testns.svc.cluster.local. 5 SRV 0 100 80 svcempty.testns.svc.cluster.local.", "svcempty.testns.svc.cluster.local. 5 A 10.0.0.2" },
        { "default", "svc6" + T, "SRV", Ok, "svc6.testns.svc.cluster.local. 5 SRV 0 100 80 svc6.testns.svc.cluster.local.", "svc6.testns.svc.cluster.local. 5 AAAA 1234:abcd::1" },
        { "default", "_http._tcp.svc6" + T, "SRV", Ok, "_http._tcp.svc6.testns.svc.cluster.local. 5 SRV 0 100 80 svc6.testns.svc.cluster.local.", "svc6.testns.svc.cluster.local. 5 AAAA 1234:abcd::1" },
        { "default", "svc-dual-stack" + T, "SRV", Ok, "svc-dual-stack.testns.svc.cluster.local. 5 SRV 0 50 80 svc-dual-stack.testns.svc.cluster.local.",
            "svc-dual-stack.testns.svc.cluster.local. 5 A 10.0.0.3|svc-dual-stack.testns.svc.cluster.local. 5 AAAA 10::3" },
        { "default", "_dns._udp.multiport" + T, "SRV", Ok, "_dns._udp.multiport.testns.svc.cluster.local. 5 SRV 0 100 53 multiport.testns.svc.cluster.local.", "multiport.testns.svc.cluster.local. 5 A 10.0.0.4" },
        { "default", "multiport" + T, "SRV", Ok, "multiport.testns.svc.cluster.local. 5 SRV 0 33 53 multiport.testns.svc.cluster.local.|multiport.testns.svc.cluster.local. 5 SRV 0 33 80 multiport.testns.svc.cluster.local.", "multiport.testns.svc.cluster.local. 5 A 10.0.0.4" },
        // headless services (spec 2.4): every ready endpoint, hostnames, dashed IPs, no ports
        { "default", "hdls1" + T, "A", Ok, "hdls1.testns.svc.cluster.local. 5 A 172.0.0.2|hdls1.testns.svc.cluster.local. 5 A 172.0.0.3|hdls1.testns.svc.cluster.local. 5 A 172.0.0.4|hdls1.testns.svc.cluster.local. 5 A 172.0.0.5", "" },
        { "default", "hdls1" + T, "AAAA", Ok, "hdls1.testns.svc.cluster.local. 5 AAAA 5678:abcd::1|hdls1.testns.svc.cluster.local. 5 AAAA 5678:abcd::2", "" },
        { "default", "hdlsprtls" + T, "A", Ok, "hdlsprtls.testns.svc.cluster.local. 5 A 172.0.0.20", "" },
        { "default", "hdlsprtls" + T, "SRV", Ok, "", "" },
        { "default", "172-0-0-20.hdlsprtls" + T, "A", Ok, "172-0-0-20.hdlsprtls.testns.svc.cluster.local. 5 A 172.0.0.20", "" },
        { "default", "172-0-0-2.hdls1" + T, "A", Ok, "172-0-0-2.hdls1.testns.svc.cluster.local. 5 A 172.0.0.2", "" },
        { "default", "dup-name.hdls1" + T, "A", Ok, "dup-name.hdls1.testns.svc.cluster.local. 5 A 172.0.0.4|dup-name.hdls1.testns.svc.cluster.local. 5 A 172.0.0.5", "" },
        { "default", "5678-abcd--1.hdls1" + T, "AAAA", Ok, "5678-abcd--1.hdls1.testns.svc.cluster.local. 5 AAAA 5678:abcd::1", "" },
        { "default", "5678-abcd--2.hdls1" + T, "A", Ok, "", "" },
        { "default", "172-0-0-9.hdls1" + T, "A", Nx, "", "" },
        { "default", "bogusendpoint.hdls1" + T, "A", Nx, "", "" },
        { "default", "bogusendpoint.svc0" + T, "A", Nx, "", "" },
        { "default", "172-0-1-1.svc1" + T, "A", Ok, "172-0-1-1.svc1.testns.svc.cluster.local. 5 A 172.0.1.1", "" },
        { "default", "_http._tcp.hdls1" + T, "SRV", Ok,
            "_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 16 80 172-0-0-2.hdls1.testns.svc.cluster.local.|_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 16 80 172-0-0-3.hdls1.testns.svc.cluster.local.|_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 16 80 5678-abcd--1.hdls1.testns.svc.cluster.local.|_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 16 80 5678-abcd--2.hdls1.testns.svc.cluster.local.|_http._tcp.hdls1.testns.svc.cluster.local. 5 SRV 0 16 80 dup-name.hdls1.testns.svc.cluster.local.",
            "172-0-0-2.hdls1.testns.svc.cluster.local. 5 A 172.0.0.2|172-0-0-3.hdls1.testns.svc.cluster.local. 5 A 172.0.0.3|5678-abcd--1.hdls1.testns.svc.cluster.local. 5 AAAA 5678:abcd::1|5678-abcd--2.hdls1.testns.svc.cluster.local. 5 AAAA 5678:abcd::2|dup-name.hdls1.testns.svc.cluster.local. 5 A 172.0.0.4|dup-name.hdls1.testns.svc.cluster.local. 5 A 172.0.0.5" },
        { "default", "172-0-0-30.hdlspods" + T, "A", Ok, "172-0-0-30.hdlspods.testns.svc.cluster.local. 5 A 172.0.0.30", "" },
        { "default", "web-0.hdlspods" + T, "A", Nx, "", "" },
        { "podnames", "web-0.hdlspods" + T, "A", Ok, "web-0.hdlspods.testns.svc.cluster.local. 5 A 172.0.0.30", "" },
        { "podnames", "_http._tcp.hdlspods" + T, "SRV", Ok, "_http._tcp.hdlspods.testns.svc.cluster.local. 5 SRV 0 100 80 web-0.hdlspods.testns.svc.cluster.local.", "web-0.hdlspods.testns.svc.cluster.local. 5 A 172.0.0.30" },
        // ExternalName (spec 2.5)
        { "default", "external" + T, "CNAME", Ok, "external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test.", "" },
        { "default", "external" + T, "A", Ok, "external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test.", "" },
        { "default", "external" + T, "SRV", Ok, "", "" },
        { "default", "external-to-service" + T, "A", Ok, "external-to-service.testns.svc.cluster.local. 5 CNAME svc1.testns.svc.cluster.local.|svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
        { "default", "endpoint.external" + T, "CNAME", Nx, "", "" },
        { "default", "subdomain.subdomain.external" + T, "CNAME", Nx, "", "" },
        // NXDOMAIN vs NODATA
        { "default", "svc0" + T, "A", Nx, "", "" },
        { "default", "svc0" + T, "AAAA", Nx, "", "" },
        { "default", "svc0.svc-nons.svc.cluster.local.", "A", Nx, "", "" },
        { "default", "svc.cluster.local.", "A", Ok, "", "" },
        { "default", "pod.cluster.local.", "A", Ok, "", "" },
        { "default", "testns.svc.cluster.local.", "A", Ok, "", "" },
        { "default", "nons.svc.cluster.local.", "A", Nx, "", "" },
        { "default", "svc.cluster.local.", "NS", Ok, "", "" },
        { "default", "testns.svc.cluster.local.", "NS", Ok, "", "" },
        { "default", "foo.cluster.local.", "NS", Nx, "", "" },
        { "default", "foo.svc.cluster.local.", "NS", Nx, "", "" },
        { "default", "svc1" + T, "SOA", Ok, "", "" },
        { "default", "svc1" + T, "MX", Ok, "", "" },
        { "default", "svc0" + T, "MX", Nx, "", "" },
        { "default", "a.b.c.svc1" + T, "A", Nx, "", "" },
        // CoreDNS dropped wildcard queries (1.9.0): '*' and 'any' are plain labels that name nothing
        { "default", "*" + T, "A", Nx, "", "" },
        { "default", "any" + T, "A", Nx, "", "" },
        { "default", "svc1.*.svc.cluster.local.", "A", Nx, "", "" },
        { "default", "_*._tcp.svc1" + T, "SRV", Nx, "", "" },
        { "default", "cluster.local.", "A", Ok, "", "" },
        { "default", "example.org.", "A", "NEXT", "", "" },
        { "default", "svc1" + T, "AXFR", "REFUSED", "", "" },
        // dns-version (spec 2.1), SOA and NS at the apex
        { "default", "dns-version.cluster.local.", "TXT", Ok, "dns-version.cluster.local. 28800 TXT \"1.1.0\"", "" },
        { "default", "dns-version.cluster.local.", "A", Nx, "", "" },
        { "default", "svc1" + T, "TXT", Ok, "", "" },
        { "default", "svc0.svc-nons.svc.cluster.local.", "TXT", Nx, "", "" },
        { "default", "testns.svc.cluster.local.", "TXT", Nx, "", "" },
        { "default", "cluster.local.", "SOA", Ok, "cluster.local. 5 SOA", "" },
        { "default", "cluster.local.", "NS", Ok, "", "" },
        { "localips", "cluster.local.", "NS", Ok, "cluster.local. 5 NS ns.dns.cluster.local.", "ns.dns.cluster.local. 5 A 10.96.0.10" },
        { "localips", "ns.dns.cluster.local.", "A", Ok, "ns.dns.cluster.local. 5 A 10.96.0.10", "" },
        { "localips", "ns.dns.cluster.local.", "AAAA", Ok, "", "" },
        { "localep", "cluster.local.", "NS", Ok, "cluster.local. 5 NS svc1.testns.svc.cluster.local.", "svc1.testns.svc.cluster.local. 5 A 10.0.0.1" },
        // PTR (spec 2.3.2/2.4.2) for service and endpoint IPs
        { "default", "1.0.0.10.in-addr.arpa.", "PTR", Ok, "1.0.0.10.in-addr.arpa. 5 PTR svc1.testns.svc.cluster.local.", "" },
        { "default", "2.0.0.172.in-addr.arpa.", "PTR", Ok, "2.0.0.172.in-addr.arpa. 5 PTR 172-0-0-2.hdls1.testns.svc.cluster.local.", "" },
        { "default", "4.0.0.172.in-addr.arpa.", "PTR", Ok, "4.0.0.172.in-addr.arpa. 5 PTR dup-name.hdls1.testns.svc.cluster.local.", "" },
        { "default", "9.0.0.172.in-addr.arpa.", "PTR", Nx, "", "" },
        { "default", "9.9.0.172.in-addr.arpa.", "PTR", Ok, "9.9.0.172.in-addr.arpa. 5 PTR 172-0-9-9.gone.testns.svc.cluster.local.", "" },
        { "default", "99.0.0.10.in-addr.arpa.", "PTR", Nx, "", "" },
        { "default", "10.in-addr.arpa.", "PTR", Nx, "", "" },
        { "default", Rev6("10::3"), "PTR", Ok, Rev6("10::3") + " 5 PTR svc-dual-stack.testns.svc.cluster.local.", "" },
        { "default", Rev6("5678:abcd::1"), "PTR", Ok, Rev6("5678:abcd::1") + " 5 PTR 5678-abcd--1.hdls1.testns.svc.cluster.local.", "" },
        { "default", "svc1" + T, "PTR", Ok, "", "" },
        { "default", "svc0" + T, "PTR", Nx, "", "" },
        // pods (spec 2.6 is informative; CoreDNS's pods modes)
        { "default", "10-240-0-1.testns.pod.cluster.local.", "A", Nx, "", "" },
        { "default", "testns.pod.cluster.local.", "A", Nx, "", "" },
        { "insecure", "10-240-0-99.testns.pod.cluster.local.", "A", Ok, "10-240-0-99.testns.pod.cluster.local. 5 A 10.240.0.99", "" },
        { "insecure", "1234-abcd--1.testns.pod.cluster.local.", "AAAA", Ok, "1234-abcd--1.testns.pod.cluster.local. 5 AAAA 1234:abcd::1", "" },
        { "insecure", "10-240-0-99.testns.pod.cluster.local.", "AAAA", Ok, "", "" },
        { "insecure", "foo.testns.pod.cluster.local.", "A", Nx, "", "" },
        { "insecure", "1.testns.pod.cluster.local.", "A", Nx, "", "" },
        { "insecure", "10-240-0-99.nsnoexist.pod.cluster.local.", "A", Nx, "", "" },
        { "insecure", "testns.pod.cluster.local.", "A", Ok, "", "" },
        { "verified", "10-240-0-1.testns.pod.cluster.local.", "A", Ok, "10-240-0-1.testns.pod.cluster.local. 5 A 10.240.0.1", "" },
        { "verified", "10-240-0-99.testns.pod.cluster.local.", "A", Nx, "", "" },
        { "verified", "10-240-0-1.other.pod.cluster.local.", "A", Nx, "", "" },
        { "verified", "10-240-0-2.testns.pod.cluster.local.", "A", Nx, "", "" },
        // options that filter
        { "namespaces", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
        { "namespaces", "svc2.other.svc.cluster.local.", "A", Nx, "", "" },
        { "namespaces", "svc1.nsnoexist.svc.cluster.local.", "A", Nx, "", "" },
        { "namespaces", "10.0.0.10.in-addr.arpa.", "PTR", Nx, "", "" },
        { "namespaces", "1.0.0.10.in-addr.arpa.", "PTR", Ok, "1.0.0.10.in-addr.arpa. 5 PTR svc1.testns.svc.cluster.local.", "" },
        { "ignore-empty", "svcempty" + T, "A", Nx, "", "" },
        { "ignore-empty", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
        { "ignore-empty", "external" + T, "CNAME", Ok, "external.testns.svc.cluster.local. 5 CNAME ext.interwebs.test.", "" },
        { "noendpoints", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
        { "noendpoints", "hdls1" + T, "A", Nx, "", "" },
        { "noendpoints", "172-0-0-2.hdls1" + T, "A", Nx, "", "" },
        { "noendpoints", "2.0.0.172.in-addr.arpa.", "PTR", Nx, "", "" },
        { "labels", "svc2.other.svc.cluster.local.", "A", Ok, "svc2.other.svc.cluster.local. 5 A 10.0.0.10", "" },
        { "labels", "svc1" + T, "A", Nx, "", "" },
        { "labels", "hdls1" + T, "A", Nx, "", "" },
        { "nslabels", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
        { "nslabels", "svc2.other.svc.cluster.local.", "A", Nx, "", "" },
        { "ttl", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 30 A 10.0.0.1", "" },
        { "fallthrough", "svc0" + T, "A", "FALLTHROUGH", "", "" },
        { "fallthrough", "svc1" + T, "AAAA", Ok, "", "" },
        { "unsynced", "svc0" + T, "A", "SERVFAIL", "", "" },
        { "unsynced", "svc1" + T, "A", Ok, "svc1.testns.svc.cluster.local. 5 A 10.0.0.1", "" },
    };

    private static string Rev6(string ip)
    {
        var hex = Convert.ToHexString(IPAddress.Parse(ip).GetAddressBytes()).ToLowerInvariant();
        return string.Join(".", hex.Reverse()) + ".ip6.arpa.";
    }

    private static readonly AnswerRows Rows = new(v => K8sIndex.Build(Fixture(synced: v != "unsynced"), Variant(v), serial: 1499347823));

    private static K8sIndex IndexFor(string variant) => Rows.Index(variant);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Answers_should_follow_the_Kubernetes_DNS_specification_and_CoreDNS(string variant, string qname, string qtype, string rcode, string answer, string additional) =>
        // NXDOMAIN, NODATA and SERVFAIL before the first sync carry the zone's SOA, as CoreDNS's BackendError.
        Rows.Check(variant, qname, qtype, rcode, answer, additional, q =>
            q.EndsWith("in-addr.arpa.", StringComparison.OrdinalIgnoreCase) ? "in-addr.arpa."
            : q.EndsWith("ip6.arpa.", StringComparison.OrdinalIgnoreCase) ? "ip6.arpa." : "cluster.local.", output);

    [Fact]
    public void Soa_should_name_ns_dns_and_hostmaster_with_the_ttl_as_minimum()
    {
        var reply = new DnsResponse();
        K8sAnswers.Answer(IndexFor("ttl"), "svc0" + T, RrType.A, reply);
        var soa = Assert.Single(reply.Authority);
        var expected = DnsRecord.Soa("cluster.local.", 30, "ns.dns.cluster.local.", "hostmaster.cluster.local.", 1499347823, 7200, 1800, 86400, 30);
        Assert.Equal(Convert.ToHexString(expected.RData), Convert.ToHexString(soa.RData));
        Assert.Equal(30u, soa.Ttl);
    }

    [Fact]
    public void An_ExternalName_outside_the_zones_should_ask_the_caller_to_resolve_its_target()
    {
        var reply = new DnsResponse();
        var result = K8sAnswers.Answer(IndexFor("default"), "external" + T, RrType.A, reply);
        Assert.Equal("ext.interwebs.test.", result.ChaseTarget);
        reply = new DnsResponse();
        result = K8sAnswers.Answer(IndexFor("default"), "external-to-service" + T, RrType.A, reply);
        Assert.Null(result.ChaseTarget);
    }

    [Theory]
    [InlineData("team=b", "team=b", true)]
    [InlineData("team==b", "team=c", false)]
    [InlineData("team!=b", "team=c", true)]
    [InlineData("team!=b", "", true)]
    [InlineData("team in (a, b)", "team=b", true)]
    [InlineData("team notin (a,b)", "team=b", false)]
    [InlineData("team", "team=x", true)]
    [InlineData("!team", "team=x", false)]
    [InlineData("team=b,env in (prod)", "team=b,env=dev", false)]
    [InlineData("team=b, env in (prod,qa)", "team=b,env=qa", true)]
    public void A_label_selector_should_match_as_kubectl_does(string selector, string labels, bool matches)
    {
        var dict = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(dict));
    }

    [Fact]
    public void An_index_over_10000_services_and_50000_endpoints_should_build_and_answer()
    {
        var b = new K8sViewBuilder();
        for (var n = 0; n < 10; n++) b.Namespace("ns" + n);
        for (var i = 0; i < 10_000; i++)
        {
            var ns = "ns" + (i % 10);
            var name = "svc" + i;
            if (i % 2 == 0)
                b.ClusterIP(ns, name, $"10.{100 + i / 65536}.{i / 256 % 256}.{i % 256}", [Port("http", 80)]);
            else
                b.Headless(ns, name, [Port("http", 80)]);
            var eps = new K8sEndpoint[5];
            for (var e = 0; e < 5; e++)
            {
                var k = i * 5 + e;
                eps[e] = Ep($"172.{16 + k / 65536}.{k / 256 % 256}.{k % 256}");
            }
            b.Slice(ns, name, name + "-x", [Port("http", 80)], eps);
        }
        var view = b.Build();
        var options = Default;

        K8sIndex.Build(view, options);   // warm up (JIT)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        var index = K8sIndex.Build(view, options);
        sw.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = GC.GetTotalMemory(true) - before;
        output.WriteLine($"build: {sw.Elapsed.TotalMilliseconds:F1} ms for 10,000 services / 50,000 endpoints; allocated {allocated / 1024} KiB, retained {retained / 1024} KiB ({retained / 60_000} bytes per object)");
        Assert.Equal(10_000, index.ServiceCount);

        var names = new string[10_000];
        for (var i = 0; i < names.Length; i++) names[i] = $"svc{i}.ns{i % 10}.svc.cluster.local.";
        var replies = new DnsResponse[names.Length];
        for (var i = 0; i < replies.Length; i++) replies[i] = new DnsResponse();
        var allocBefore = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < names.Length; i += 2) K8sAnswers.Answer(index, names[i], RrType.A, replies[i]);
        output.WriteLine($"allocated per ClusterIP A answer (records and the answer list): {(GC.GetAllocatedBytesForCurrentThread() - allocBefore) / (names.Length / 2)} bytes");

        var queries = 0;
        sw.Restart();
        for (var i = 0; i < 10_000; i++)
        {
            var qname = $"svc{i}.ns{i % 10}.svc.cluster.local.";
            var reply = new DnsResponse();
            K8sAnswers.Answer(index, qname, RrType.A, reply);
            Assert.Equal(Rcode.NoError, reply.Rcode);
            Assert.Equal(i % 2 == 0 ? 1 : 5, reply.AnswerCount);
            queries++;
        }
        sw.Stop();
        output.WriteLine($"answered {queries} A questions in {sw.Elapsed.TotalMilliseconds:F1} ms");

        var ptr = new DnsResponse();
        K8sAnswers.Answer(index, "7.1.16.172.in-addr.arpa.", RrType.PTR, ptr);   // 172.16.1.7 = endpoint k=263 of svc52
        Assert.Equal("172-16-1-7.svc52.ns2.svc.cluster.local.", Assert.Single(ptr.Answer).RDataText());
    }
}
