using Akka.Dns.Dnssec;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;

namespace Akka.Dns.Tests.Dnssec;

/// <summary>CoreDNS's plugin/dnssec black_lies_test.go and black_lies_bitmap_test.go, as a table.</summary>
public sealed class BlackLiesSpec
{
    private static readonly ushort[] Zone14 = [RrType.A, RrType.HINFO, RrType.TXT, RrType.AAAA, 29, RrType.SRV, 37, RrType.SSHFP, RrType.RRSIG, RrType.NSEC, RrType.TLSA, 55, 61, 99];

    public sealed record Case(string Name, string Qname, ushort Qtype, string Zone, DenialKind Kind, string Next, ushort[] MustHave, ushort[] MustNotHave)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        // TestZoneSigningBlackLies: NXDOMAIN for ww.miek.nl. TXT.
        new Case("nxdomain", "ww.miek.nl.", RrType.TXT, "miek.nl.", DenialKind.NameError, "\\000.ww.miek.nl.",
            [RrType.A, RrType.AAAA, RrType.RRSIG, RrType.NSEC], [RrType.TXT, RrType.SOA, RrType.NS, RrType.DS]),
        // TestBlackLiesBitmapNoData / NameError: TLSA must not be in the bitmap.
        new Case("nodata tlsa", "25._tcp.example.org.", RrType.TLSA, "example.org.", DenialKind.NoData, "\\000.25._tcp.example.org.",
            [RrType.A, RrType.TXT, RrType.RRSIG, RrType.NSEC], [RrType.TLSA]),
        new Case("nxdomain tlsa", "25._tcp.example.org.", RrType.TLSA, "example.org.", DenialKind.NameError, "\\000.25._tcp.example.org.",
            [RrType.A, RrType.RRSIG, RrType.NSEC], [RrType.TLSA]),
        // TestBlackLiesApexNsec: the apex bitmap, with SOA, RRSIG and NSEC.
        new Case("apex nsec", "miek.nl.", RrType.NSEC, "miek.nl.", DenialKind.NameError, "\\000.miek.nl.",
            [RrType.SOA, RrType.NS, RrType.MX, RrType.DNSKEY, RrType.RRSIG, RrType.NSEC], []),
        // TestBlackLiesNsec: below the apex, a query for NSEC keeps the whole zone bitmap.
        new Case("nsec", "www.miek.nl.", RrType.NSEC, "miek.nl.", DenialKind.NameError, "\\000.www.miek.nl.", Zone14, [RrType.SOA]),
        // TestBlackLiesApexDS: DS at the apex gets the apex bitmap (SOA in it).
        new Case("apex ds", "miek.nl.", RrType.DS, "miek.nl.", DenialKind.NameError, "\\000.miek.nl.",
            [RrType.SOA, RrType.NS, RrType.RRSIG, RrType.NSEC], [RrType.DS]),
        // TestBlackLiesDS: DS below the apex: NS, RRSIG, NSEC, no SOA (else an unsigned delegation would be disproved).
        new Case("ds", "sub.miek.nl.", RrType.DS, "miek.nl.", DenialKind.NameError, "\\000.sub.miek.nl.",
            [RrType.NS, RrType.RRSIG, RrType.NSEC], [RrType.SOA, RrType.DS]),
        // Delegation (a referral without DS): next name "sub\000.miek.nl.".
        new Case("delegation", "www.sub.miek.nl.", RrType.A, "miek.nl.", DenialKind.Delegation, "www\\000.sub.miek.nl.",
            [RrType.NS, RrType.A, RrType.RRSIG, RrType.NSEC], [RrType.SOA, RrType.DS]),
        // NODATA at the apex: the apex bitmap without the asked type.
        new Case("apex nodata aaaa", "miek.nl.", RrType.AAAA, "miek.nl.", DenialKind.NoData, "\\000.miek.nl.",
            [RrType.SOA, RrType.A, RrType.DNSKEY], [RrType.AAAA]),
        // A type not in the bitmap: the bitmap stays whole.
        new Case("nodata caa", "www.miek.nl.", RrType.CAA, "miek.nl.", DenialKind.NoData, "\\000.www.miek.nl.", Zone14, [RrType.CAA]),
        // Case is kept as asked; the zone match ignores it.
        new Case("mixed case apex", "MiEk.Nl.", RrType.TXT, "miek.nl.", DenialKind.NoData, "\\000.MiEk.Nl.", [RrType.SOA], [RrType.TXT]),
        new Case("root", ".", RrType.A, ".", DenialKind.NameError, "\\000.", [RrType.SOA], [RrType.A]),
    };

    [Theory, MemberData(nameof(Cases))]
    public void BlackLies_should_answer_a_denial_with_CoreDNSs_NSEC(Case c)
    {
        var nsec = BlackLies.Nsec(c.Qname, c.Qtype, c.Zone, c.Kind, 1800);
        Assert.Equal(c.Qname, nsec.Name);
        Assert.Equal(RrType.NSEC, nsec.Type);
        Assert.Equal(1800u, nsec.Ttl);
        var o = 0;
        Assert.True(DnsName.TryRead(nsec.RData, ref o, out var next));
        Assert.Equal(c.Next, next);
        Assert.True(TypeBitmap.TryDecode(nsec.RData.AsSpan(o), out var types));
        foreach (var t in c.MustHave) Assert.Contains(t, types);
        foreach (var t in c.MustNotHave) Assert.DoesNotContain(t, types);
        Assert.Equal(types.OrderBy(t => t), types);
        // Our zone-file printer reads it back the same (an independent decoder of the bitmap).
        Assert.Equal($"{c.Next} {TypeBitmap.ToText(types)}", RData.ToText(RrType.NSEC, nsec.RData));
    }

    [Fact]
    public void BlackLies_nodata_with_known_types_should_list_them_with_RRSIG_and_NSEC()
    {
        var nsec = BlackLies.NoDataNsec("www.example.org.", [RrType.AAAA, RrType.A], 300);
        Assert.Equal("\\000.www.example.org. A AAAA RRSIG NSEC", RData.ToText(RrType.NSEC, nsec.RData));
    }

    [Fact]
    public void TypeBitmap_should_encode_RFC_4034s_example()
    {
        // RFC 4034 §4.3: alfa.example.com. NSEC host.example.com. ( A MX RRSIG NSEC TYPE1234 )
        var expected = new byte[37];
        byte[] head = [0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b];
        head.CopyTo(expected, 0);
        expected[36] = 0x20;
        var bitmap = TypeBitmap.Encode([RrType.NSEC, 1234, RrType.A, RrType.MX, RrType.RRSIG, RrType.A]);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(bitmap));
        Assert.True(TypeBitmap.TryDecode(bitmap, out var types));
        Assert.Equal([RrType.A, RrType.MX, RrType.RRSIG, RrType.NSEC, (ushort)1234], types);
        Assert.Equal(bitmap, RData.Parse(RrType.NSEC, ["host.example.com.", "A", "MX", "RRSIG", "NSEC", "TYPE1234"], ".")[18..]);
    }

    [Fact]
    public void TypeBitmap_should_refuse_malformed_bitmaps()
    {
        Assert.False(TypeBitmap.TryDecode([0x00], out _));
        Assert.False(TypeBitmap.TryDecode([0x00, 0x00], out _));
        Assert.False(TypeBitmap.TryDecode([0x00, 0x21], out _));
        Assert.False(TypeBitmap.TryDecode([0x01, 0x01, 0x40, 0x00, 0x01, 0x40], out _)); // windows out of order
        Assert.True(TypeBitmap.TryDecode([], out var none));
        Assert.Empty(none);
    }

    [Fact]
    public void BlackLies_NSEC_should_sign_and_verify()
    {
        using var key = DnssecKey.Generate("miek.nl.", DnssecAlgorithm.EcdsaP256Sha256, true);
        var nsec = BlackLies.Nsec("ww.miek.nl.", RrType.TXT, "miek.nl.", DenialKind.NameError, 1800);
        var (inc, exp) = Rrsig.OnlineLifetime(DateTimeOffset.UtcNow);
        var sig = Rrsig.Sign([nsec], key, inc, exp, "miek.nl.", Rrsig.OnlineOriginalTtl);
        Assert.True(Rrsig.Verify([nsec], sig, key, DateTimeOffset.UtcNow));
    }
}
