using System.Net;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;

namespace Akka.Dns.Tests.Zones;

/// <summary>The authoritative lookup (CoreDNS's plugin/file/lookup.go, RFC 4592 wildcards, RFC 6672 DNAME).</summary>
public sealed class ZoneLookupSpec
{
    private const string O = "example.org.";

    private static readonly Zone Z = Zone.Build(O,
    [
        DnsRecord.Soa(O, 3600, "ns1.example.org.", "hostmaster.example.org.", 2026112501, 7200, 3600, 1209600, 300),
        DnsRecord.Ns(O, 3600, "ns1.example.org."),
        DnsRecord.Ns(O, 3600, "ns2.example.net."),
        DnsRecord.A("ns1.example.org.", 3600, IPAddress.Parse("192.0.2.53")),
        DnsRecord.A("www.example.org.", 300, IPAddress.Parse("192.0.2.1")),
        DnsRecord.Aaaa("www.example.org.", 300, IPAddress.Parse("2001:db8::1")),
        DnsRecord.Cname("web.example.org.", 300, "www.example.org."),
        DnsRecord.Cname("out.example.org.", 300, "www.example.net."),
        DnsRecord.Cname("dangling.example.org.", 300, "nothere.example.org."),
        DnsRecord.Cname("loop1.example.org.", 300, "loop2.example.org."),
        DnsRecord.Cname("loop2.example.org.", 300, "loop1.example.org."),
        new DnsRecord(O, RrType.MX, RrClass.IN, 300, [0, 10, .. DnsRecord.NameBytes("mail.example.org.")]),
        DnsRecord.A("mail.example.org.", 300, IPAddress.Parse("192.0.2.25")),
        DnsRecord.A("*.wild.example.org.", 60, IPAddress.Parse("192.0.2.99")),
        DnsRecord.Cname("*.cwild.example.org.", 60, "www.example.org."),
        DnsRecord.A("b.ent.example.org.", 300, IPAddress.Parse("192.0.2.7")),
        DnsRecord.A("*.example.org.", 60, IPAddress.Parse("192.0.2.250")),
        DnsRecord.Ns("sub.example.org.", 3600, "ns.sub.example.org."),
        DnsRecord.A("ns.sub.example.org.", 3600, IPAddress.Parse("192.0.2.200")),
        new DnsRecord("sub.example.org.", RrType.DS, RrClass.IN, 3600, [0x30, 0x39, 13, 2, 1, 2, 3, 4]),
        new DnsRecord("d.example.org.", RrType.DNAME, RrClass.IN, 300, DnsRecord.NameBytes("example.net.")),
    ]);

    private static string Names(IEnumerable<DnsRecord> rrs) => string.Join(",", rrs.Select(r => $"{r.Name.ToLowerInvariant()}/{RrType.ToString(r.Type)}"));

    public static TheoryData<string, ushort, LookupOutcome, string, string, string> Cases => new()
    {
        // qname, qtype, outcome, answer, authority, additional
        { "www.example.org.", RrType.A, LookupOutcome.Success, "www.example.org./A", "example.org./NS,example.org./NS", "" },
        { "WWW.Example.ORG.", RrType.AAAA, LookupOutcome.Success, "www.example.org./AAAA", "example.org./NS,example.org./NS", "" },
        { "www.example.org.", RrType.MX, LookupOutcome.NoData, "", "example.org./SOA", "" },
        { "nothere.example.org.", RrType.A, LookupOutcome.Success, "nothere.example.org./A", "example.org./NS,example.org./NS", "" },   // *.example.org
        { "a.b.c.nothere.example.org.", RrType.A, LookupOutcome.Success, "a.b.c.nothere.example.org./A", "example.org./NS,example.org./NS", "" },
        { "example.org.", RrType.SOA, LookupOutcome.Success, "example.org./SOA", "example.org./NS,example.org./NS", "" },
        { "example.org.", RrType.NS, LookupOutcome.Success, "example.org./NS,example.org./NS", "", "ns1.example.org./A" },
        { "example.org.", RrType.MX, LookupOutcome.Success, "example.org./MX", "example.org./NS,example.org./NS", "mail.example.org./A" },
        { "example.org.", RrType.TXT, LookupOutcome.NoData, "", "example.org./SOA", "" },
        { "web.example.org.", RrType.A, LookupOutcome.Success, "web.example.org./CNAME,www.example.org./A", "example.org./NS,example.org./NS", "" },
        { "web.example.org.", RrType.CNAME, LookupOutcome.Success, "web.example.org./CNAME", "example.org./NS,example.org./NS", "" },
        { "web.example.org.", RrType.TXT, LookupOutcome.NoData, "web.example.org./CNAME", "example.org./SOA", "" },
        // In-zone dangling target: the wildcard *.example.org answers it.
        { "dangling.example.org.", RrType.A, LookupOutcome.Success, "dangling.example.org./CNAME,nothere.example.org./A", "example.org./NS,example.org./NS", "" },
        { "loop1.example.org.", RrType.A, LookupOutcome.Success, "loop1.example.org./CNAME,loop2.example.org./CNAME", "example.org./NS,example.org./NS", "" },
        { "x.wild.example.org.", RrType.A, LookupOutcome.Success, "x.wild.example.org./A", "example.org./NS,example.org./NS", "" },
        { "x.wild.example.org.", RrType.TXT, LookupOutcome.NoData, "", "example.org./SOA", "" },
        { "x.cwild.example.org.", RrType.A, LookupOutcome.Success, "x.cwild.example.org./CNAME,www.example.org./A", "example.org./NS,example.org./NS", "" },
        // An empty non-terminal exists: NODATA, and it blocks the *.example.org wildcard below it.
        { "ent.example.org.", RrType.A, LookupOutcome.NoData, "", "example.org./SOA", "" },
        { "x.ent.example.org.", RrType.A, LookupOutcome.NameError, "", "example.org./SOA", "" },
        // Delegation: referral with glue, and DS answered by the parent.
        { "sub.example.org.", RrType.A, LookupOutcome.Delegation, "", "sub.example.org./NS", "ns.sub.example.org./A" },
        { "www.sub.example.org.", RrType.A, LookupOutcome.Delegation, "", "sub.example.org./NS", "ns.sub.example.org./A" },
        { "sub.example.org.", RrType.NS, LookupOutcome.Delegation, "", "sub.example.org./NS", "ns.sub.example.org./A" },
        { "sub.example.org.", RrType.DS, LookupOutcome.Success, "sub.example.org./DS", "example.org./NS,example.org./NS", "" },
        // DNAME: the DNAME and a synthesized CNAME; the target is outside the zone.
        { "a.d.example.org.", RrType.CNAME, LookupOutcome.Success, "d.example.org./DNAME,a.d.example.org./CNAME", "example.org./NS,example.org./NS", "" },
    };

    [Theory, MemberData(nameof(Cases))]
    public void Lookup_should_answer_as_an_authoritative_server(string qname, ushort qtype, LookupOutcome outcome, string answer, string authority, string additional)
    {
        var r = ZoneLookup.Lookup(Z, qname, qtype, dnssecOk: false);
        Assert.Equal(outcome, r.Outcome);
        Assert.Equal(answer, Names(r.Answer));
        Assert.Equal(authority, Names(r.Authority));
        Assert.Equal(additional, Names(r.Additional));
        Assert.Null(r.ChaseTarget);
    }

    [Theory]
    [InlineData("out.example.org.", "www.example.net.")]
    [InlineData("a.d.example.org.", "a.example.net.")]
    public void Lookup_should_ask_the_caller_to_chase_a_cname_that_leaves_the_zone(string qname, string target)
    {
        var r = ZoneLookup.Lookup(Z, qname, RrType.A, dnssecOk: false);
        Assert.Equal(target, r.ChaseTarget);
        Assert.Equal(LookupOutcome.Success, r.Outcome);
        Assert.Contains(r.Answer, rr => rr.Type == RrType.CNAME);
    }

    [Fact]
    public void Wildcard_answers_should_carry_the_query_name_as_owner()
    {
        var r = ZoneLookup.Lookup(Z, "Foo.Wild.example.org.", RrType.A, dnssecOk: false);
        Assert.Equal("Foo.Wild.example.org.", Assert.Single(r.Answer).Name);
    }

    [Fact]
    public void Referrals_should_not_be_authoritative_and_the_rest_should()
    {
        Assert.False(ZoneLookup.Lookup(Z, "www.sub.example.org.", RrType.A, false).Authoritative);
        Assert.True(ZoneLookup.Lookup(Z, "nothing.ent.example.org.", RrType.A, false).Authoritative);
        Assert.Equal(Rcode.NxDomain, ZoneLookup.Lookup(Z, "nothing.ent.example.org.", RrType.A, false).Rcode);
    }

    [Theory]
    [InlineData("www.example.com.", "out of zone data: www.example.com. is not in example.org.")]
    public void Build_should_refuse_records_outside_the_zone(string owner, string message)
    {
        var e = Assert.Throws<FormatException>(() => Zone.Build(O,
        [
            DnsRecord.Soa(O, 3600, "ns1.example.org.", "h.example.org.", 1, 2, 3, 4, 5),
            DnsRecord.A(owner, 300, IPAddress.Loopback),
        ]));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Build_should_refuse_a_zone_without_soa_and_a_cname_beside_other_data()
    {
        Assert.Equal("no SOA record at the apex of example.org.",
            Assert.Throws<FormatException>(() => Zone.Build(O, [DnsRecord.A("a.example.org.", 1, IPAddress.Loopback)])).Message);
        Assert.Equal("CNAME and other data at a.example.org.",
            Assert.Throws<FormatException>(() => Zone.Build(O,
            [
                DnsRecord.Soa(O, 3600, "ns1.example.org.", "h.example.org.", 1, 2, 3, 4, 5),
                DnsRecord.A("a.example.org.", 1, IPAddress.Loopback),
                DnsRecord.Cname("a.example.org.", 1, "b.example.org."),
            ])).Message);
    }
}
