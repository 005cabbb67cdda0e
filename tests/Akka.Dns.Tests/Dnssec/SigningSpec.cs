using System.Buffers.Binary;
using System.Diagnostics;
using Akka.Dns.Dnssec;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Dnssec;

public sealed class SigningSpec(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = DnssecTools.TempDir();

    public void Dispose() => Directory.Delete(_dir, true);

    private const string Origin = "example.org.";

    /// <summary>A small zone with what a signer must get right: several RRs per set, mixed case, a wildcard, a delegation with DS and glue.</summary>
    internal const string ZoneText = """
        $TTL 3600
        @       IN SOA  ns1.Example.org. hostmaster.example.org. 2024010101 7200 3600 1209600 300
        @       IN NS   ns1.example.org.
        @       IN NS   NS2.example.org.
        @       IN MX   10 Mail.example.org.
        ns1     IN A    192.0.2.1
        NS2     IN A    192.0.2.2
        mail    IN A    192.0.2.25
        www     300 IN A 192.0.2.80
        www     300 IN A 192.0.2.81
        www     300 IN AAAA 2001:db8::80
        www     IN TXT  "v=spf1 -all" "second string"
        *.wild  IN A    192.0.2.99
        *.wild  IN TXT  "wildcard"
        _sip._tcp IN SRV 10 60 5060 SIP.example.org.
        alias   IN CNAME www.example.org.
        sub     IN NS   ns.sub.example.org.
        sub     IN DS   12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
        ns.sub  IN A    192.0.2.53
        a.b.c.deep IN A 192.0.2.7
        """;

    internal static IReadOnlyList<DnsRecord> Zone() => MasterFile.Parse(ZoneText, Origin, "example.org.zone");

    [Fact]
    public void Canonical_should_order_names_as_RFC_4034_section_6_1()
    {
        string[] expected = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example."];
        var shuffled = expected.Reverse().ToList();
        (shuffled[2], shuffled[5]) = (shuffled[5], shuffled[2]);
        shuffled.Sort(Canonical.NameOrder);
        Assert.Equal(expected, shuffled);
    }

    [Fact]
    public void Canonical_should_lower_case_names_in_RDATA_of_the_listed_types_only()
    {
        var mx = RData.Parse(RrType.MX, ["10", "Mail.Example.ORG."], Origin);
        Assert.Equal(RData.Parse(RrType.MX, ["10", "mail.example.org."], Origin), Canonical.RData(RrType.MX, mx));
        var soa = RData.Parse(RrType.SOA, ["NS1.Example.org.", "Host.Example.org.", "1", "2", "3", "4", "5"], Origin);
        Assert.Equal(RData.Parse(RrType.SOA, ["ns1.example.org.", "host.example.org.", "1", "2", "3", "4", "5"], Origin), Canonical.RData(RrType.SOA, soa));
        var srv = RData.Parse(RrType.SRV, ["1", "2", "3", "SIP.Example.org."], Origin);
        Assert.Equal(RData.Parse(RrType.SRV, ["1", "2", "3", "sip.example.org."], Origin), Canonical.RData(RrType.SRV, srv));
        // RFC 6840 §5.1: NSEC's next name is not lower-cased; TXT is not a name.
        var nsec = RData.Parse(RrType.NSEC, ["Host.Example.org.", "A"], Origin);
        Assert.Same(nsec, Canonical.RData(RrType.NSEC, nsec));
        var txt = RData.Parse(RrType.TXT, ["\"ABC\""], Origin);
        Assert.Same(txt, Canonical.RData(RrType.TXT, txt));
    }

    [Fact]
    public void Rrsig_should_sign_an_RRset_the_same_whatever_its_order_case_and_duplicates()
    {
        // Ed25519 and RSA PKCS#1 v1.5 are deterministic: equal signatures mean equal signed data.
        foreach (var alg in new[] { DnssecAlgorithm.Ed25519, DnssecAlgorithm.RsaSha256 })
        {
            using var key = DnssecKey.Generate(Origin, alg, true);
            DnsRecord Ns(string owner, string target) => DnsRecord.Ns(owner, 3600, target);
            var a = Rrsig.Sign([Ns("example.org.", "a.example.org."), Ns("example.org.", "b.example.org."), Ns("example.org.", "c.example.org.")], key, 1, 2);
            var b = Rrsig.Sign([Ns("Example.ORG.", "C.example.org."), Ns("Example.ORG.", "a.EXAMPLE.org."), Ns("Example.ORG.", "B.example.org."), Ns("Example.ORG.", "a.example.org.")], key, 1, 2);
            Assert.Equal(a.RData, b.RData);
            var c = Rrsig.Sign([Ns("example.org.", "a.example.org."), Ns("example.org.", "b.example.org.")], key, 1, 2);
            Assert.NotEqual(a.RData, c.RData);
        }
    }

    [Fact]
    public void Rrsig_should_fill_the_RRSIG_fields_from_the_RRset_key_and_times()
    {
        using var key = DnssecKey.Generate(Origin, DnssecAlgorithm.EcdsaP256Sha256, false);
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var (inc, exp) = Rrsig.OnlineLifetime(now);
        Assert.Equal(Rrsig.Seconds(now.AddHours(-3)), inc);
        Assert.Equal(Rrsig.Seconds(now.AddDays(8)), exp);
        var set = new[] { DnsRecord.A("WWW.example.org.", 300, System.Net.IPAddress.Parse("192.0.2.1")) };
        var sig = Rrsig.Sign(set, key, inc, exp, originalTtl: Rrsig.OnlineOriginalTtl);
        Assert.Equal("WWW.example.org.", sig.Name);
        Assert.Equal(300u, sig.Ttl);
        Assert.Equal($"A 13 3 3600 20261203120000 20261125090000 {key.KeyTag} example.org. ", RData.ToText(RrType.RRSIG, sig.RData)[..^88]);
        // The served TTL may count down: the Original TTL is what is verified.
        Assert.True(Rrsig.Verify([set[0].WithTtl(17)], sig, key));
        Assert.True(Rrsig.Verify(set, sig, key, now));
        Assert.False(Rrsig.Verify(set, sig, key, now.AddDays(9)));
        Assert.False(Rrsig.Verify(set, sig, key, now.AddHours(-4)));
        Assert.False(Rrsig.Verify([DnsRecord.A("www.example.org.", 300, System.Net.IPAddress.Parse("192.0.2.2"))], sig, key));
    }

    [Fact]
    public void Rrsig_should_count_labels_without_the_wildcard_and_verify_an_expanded_answer()
    {
        Assert.Equal(2, Rrsig.Labels("*.example.org."));
        Assert.Equal(3, Rrsig.Labels("*.wild.example.org."));
        Assert.Equal(3, Rrsig.Labels("www.example.org."));
        Assert.Equal(0, Rrsig.Labels("."));
        using var key = DnssecKey.Generate(Origin, DnssecAlgorithm.Ed25519, true);
        var wild = DnsRecord.Txt("*.wild.example.org.", 60, RrClass.IN, "w");
        var sig = Rrsig.Sign([wild], key, 1, 2);
        Assert.Equal(3, sig.RData[3]);
        // A resolver rebuilds "*.wild.example.org." from the expanded owner and the Labels field (RFC 4035 §5.3.2).
        Assert.True(Rrsig.Verify([wild.WithName("x.y.wild.example.org.")], sig.WithName("x.y.wild.example.org."), key));
        Assert.True(Rrsig.Verify([wild.WithName("Z.wild.example.org.")], sig, key));
        Assert.False(Rrsig.Verify([wild.WithName("x.other.example.org.")], sig, key));
        Assert.False(Rrsig.Verify([wild.WithName("example.org.")], sig, key));
    }

    public static TheoryData<byte> Algorithms => [DnssecAlgorithm.RsaSha256, DnssecAlgorithm.EcdsaP256Sha256, DnssecAlgorithm.Ed25519];

    private string SignZoneFile(IReadOnlyList<DnssecKey> keys, string name, Func<List<DnsRecord>, List<DnsRecord>>? tamper = null)
    {
        var (inc, exp) = ZoneSigner.OfflineLifetime(DateTimeOffset.UtcNow);
        var signed = ZoneSigner.Sign(Zone(), Origin, keys, inc, exp, cdsAndCdnskey: true);
        if (tamper is not null) signed = tamper(signed);
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, MasterFile.Write(signed));
        return path;
    }

    [ToolTheory("dnssec-verify"), MemberData(nameof(Algorithms))]
    public void ZoneSigner_output_should_pass_dnssec_verify_with_a_CSK(byte alg)
    {
        using var key = DnssecKey.Generate(Origin, alg, true);
        var path = SignZoneFile([key], $"db.{alg}.signed");
        // -z: every key signs every RRset (a CSK, as CoreDNS's sign plugin uses), so no separate ZSK is expected.
        var (exit, o, e) = DnssecTools.Run("dnssec-verify", $"-z -o {Origin} {path}");
        output.WriteLine(o + e);
        Assert.True(exit == 0, $"dnssec-verify failed:\n{e}{o}");
        Assert.Contains($"Algorithm: {DnssecAlgorithm.Name(alg)}: KSKs: 1 active", o + e);
    }

    [ToolFact("dnssec-verify")]
    public void ZoneSigner_output_should_pass_dnssec_verify_with_a_KSK_and_ZSK_of_every_algorithm()
    {
        var keys = new List<DnssecKey>();
        foreach (var alg in new[] { DnssecAlgorithm.RsaSha256, DnssecAlgorithm.EcdsaP256Sha256, DnssecAlgorithm.Ed25519 })
        {
            keys.Add(DnssecKey.Generate(Origin, alg, true));
            keys.Add(DnssecKey.Generate(Origin, alg, false));
        }
        try
        {
            var path = SignZoneFile(keys, "db.split.signed");
            var (exit, o, e) = DnssecTools.Run("dnssec-verify", $"-o {Origin} {path}");
            output.WriteLine(o + e);
            Assert.True(exit == 0, $"dnssec-verify failed:\n{e}{o}");
            Assert.Contains("ZSKs: 1 active", o + e);
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }

    [ToolTheory("dnssec-verify"), MemberData(nameof(Algorithms))]
    public void ZoneSigner_output_with_a_tampered_RRSIG_should_fail_dnssec_verify(byte alg)
    {
        using var key = DnssecKey.Generate(Origin, alg, true);
        var path = SignZoneFile([key], $"db.{alg}.tampered", rrs =>
        {
            var i = rrs.FindIndex(r => r.Type == RrType.RRSIG && BinaryPrimitives.ReadUInt16BigEndian(r.RData) == RrType.AAAA);
            var bad = (byte[])rrs[i].RData.Clone();
            bad[^5] ^= 0x01;
            rrs[i] = new DnsRecord(rrs[i].Name, rrs[i].Type, rrs[i].Class, rrs[i].Ttl, bad);
            return rrs;
        });
        var (exit, o, e) = DnssecTools.Run("dnssec-verify", $"-z -o {Origin} {path}");
        output.WriteLine(o + e);
        Assert.NotEqual(0, exit);
        Assert.Contains($"No correct {DnssecAlgorithm.Name(alg)} signature for www.example.org AAAA", o + e);
    }

    [Theory, MemberData(nameof(Algorithms))]
    public void ZoneSigner_output_should_pass_ARSofts_zone_validator_and_a_tampered_one_should_not(byte alg)
    {
        using var key = DnssecKey.Generate(Origin, alg, true);
        var (inc, exp) = ZoneSigner.OfflineLifetime(DateTimeOffset.UtcNow);
        var signed = ZoneSigner.Sign(Zone(), Origin, [key], inc, exp);
        Assert.True(ToArsoft(signed).ValidateZone(isDnsSecRequired: true));

        var i = signed.FindIndex(r => r.Type == RrType.RRSIG && BinaryPrimitives.ReadUInt16BigEndian(r.RData) == RrType.MX);
        var bad = (byte[])signed[i].RData.Clone();
        bad[^3] ^= 0x10;
        signed[i] = new DnsRecord(signed[i].Name, signed[i].Type, signed[i].Class, signed[i].Ttl, bad);
        Assert.False(ToArsoft(signed).ValidateZone(isDnsSecRequired: true));
    }

    /// <summary>Our records through ARSoft's own message parser (its zone-file parser loses data).</summary>
    private static ARSoft.Tools.Net.Dns.Zone ToArsoft(List<DnsRecord> rrs)
    {
        using var ms = new MemoryStream();
        Span<byte> h = stackalloc byte[12];
        h.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], 0x8400);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], (ushort)rrs.Count);
        ms.Write(h);
        Span<byte> f = stackalloc byte[10];
        foreach (var r in rrs)
        {
            ms.Write(DnsRecord.NameBytes(r.Name));
            BinaryPrimitives.WriteUInt16BigEndian(f, r.Type);
            BinaryPrimitives.WriteUInt16BigEndian(f[2..], r.Class);
            BinaryPrimitives.WriteUInt32BigEndian(f[4..], r.Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(f[8..], (ushort)r.RData.Length);
            ms.Write(f);
            ms.Write(r.RData);
        }
        var msg = ARSoft.Tools.Net.Dns.DnsMessage.Parse(ms.ToArray());
        return new ARSoft.Tools.Net.Dns.Zone(ARSoft.Tools.Net.DomainName.Parse(Origin), msg.AnswerRecords);
    }

    [ToolTheory("dnssec-keygen", "dnssec-signzone"), MemberData(nameof(Algorithms))]
    public void Rrsig_should_verify_every_signature_dnssec_signzone_makes(byte alg)
    {
        var name = DnssecAlgorithm.Name(alg);
        var size = alg == DnssecAlgorithm.RsaSha256 ? "-b 2048 " : "";
        var ksk = Path.Combine(_dir, DnssecTools.Ok("dnssec-keygen", $"-q -K {_dir} -a {name} {size}-f KSK {Origin}").Trim());
        var zsk = Path.Combine(_dir, DnssecTools.Ok("dnssec-keygen", $"-q -K {_dir} -a {name} {size}{Origin}").Trim());
        var unsigned = Zone().Where(r => r.Type != RrType.DS || r.Name != "sub.example.org.").ToList();
        var zoneFile = Path.Combine(_dir, "db.example.org");
        File.WriteAllText(zoneFile, MasterFile.Write(unsigned));
        DnssecTools.Ok("dnssec-signzone", $"-q -o {Origin} -K {_dir} -S -f {zoneFile}.signed {zoneFile}", _dir);

        using var k1 = KeyFile.Read(ksk);
        using var k2 = KeyFile.Read(zsk);
        var signed = MasterFile.ParseFile(zoneFile + ".signed", Origin);
        var sets = signed.Where(r => r.Type != RrType.RRSIG).GroupBy(r => (DnsName.Normalize(r.Name), r.Type)).ToDictionary(g => g.Key, g => g.ToList());
        var checkedSigs = 0;
        foreach (var sig in signed.Where(r => r.Type == RrType.RRSIG))
        {
            var covered = BinaryPrimitives.ReadUInt16BigEndian(sig.RData);
            var tag = BinaryPrimitives.ReadUInt16BigEndian(sig.RData.AsSpan(16));
            var key = tag == k1.KeyTag ? k1 : k2;
            Assert.True(Rrsig.Verify(sets[(DnsName.Normalize(sig.Name), covered)], sig, key, DateTimeOffset.UtcNow), $"{sig}");
            checkedSigs++;
        }
        output.WriteLine($"{name}: verified {checkedSigs} RRSIGs made by dnssec-signzone");
        Assert.True(checkedSigs >= 15, $"only {checkedSigs} RRSIGs");
        Assert.Contains(signed, r => r.Type == RrType.DNSKEY && r.RData.AsSpan().SequenceEqual(k1.DnskeyRData));
    }

    [Fact]
    public void Rrsig_cache_key_should_ignore_the_TTL_and_nothing_else()
    {
        var set = Zone().Where(r => r.Name == "www.example.org." && r.Type == RrType.A).ToList();
        var k = Rrsig.CacheKey(set);
        Assert.Equal(k, Rrsig.CacheKey(set.Select(r => r.WithTtl(1)).ToList()));
        Assert.NotEqual(k, Rrsig.CacheKey(set.Take(1).ToList()));
        Assert.NotEqual(k, Rrsig.CacheKey(set.Select(r => r.WithName("WWW.example.org.")).ToList()));
        Assert.NotEqual(k, Rrsig.CacheKey([set[0], DnsRecord.A("www.example.org.", 300, System.Net.IPAddress.Parse("192.0.2.82"))]));
        Assert.NotEqual(k, Rrsig.CacheKey(set.Select(r => new DnsRecord(r.Name, RrType.AAAA, r.Class, r.Ttl, r.RData)).ToList()));
    }

    [Fact]
    public void ZoneSigner_should_refuse_a_key_of_another_zone()
    {
        using var key = DnssecKey.Generate("example.net.", DnssecAlgorithm.Ed25519, true);
        var e = Assert.Throws<DnssecKeyException>(() => ZoneSigner.Sign(Zone(), Origin, [key], 1, 2));
        Assert.Equal($"key example.net. (keyid: {key.KeyTag}) is not a key of zone example.org.", e.Message);
    }

    [Theory, MemberData(nameof(Algorithms))]
    public void Rrsig_should_reject_a_signature_by_another_key_or_over_other_data(byte alg)
    {
        using var key = DnssecKey.Generate(Origin, alg, true);
        using var other = DnssecKey.Generate(Origin, alg, true);
        var set = Zone().Where(r => r.Name == "www.example.org." && r.Type == RrType.A).ToList();
        var sig = Rrsig.Sign(set, key, 1, 2);
        Assert.True(Rrsig.Verify(set, sig, key));
        Assert.False(Rrsig.Verify(set, sig, other));
        Assert.False(Rrsig.Verify(set.Take(1).ToList(), sig, key));
        var bad = (byte[])sig.RData.Clone();
        bad[^1] ^= 0x80;
        Assert.False(Rrsig.Verify(set, new DnsRecord(sig.Name, sig.Type, sig.Class, sig.Ttl, bad), key));
    }

    [Fact]
    public void Rrsig_signing_cost_per_algorithm_is_printed()
    {
        var set = Zone().Where(r => r.Name == "www.example.org." && r.Type == RrType.A).ToList();
        foreach (var alg in new[] { DnssecAlgorithm.RsaSha256, DnssecAlgorithm.EcdsaP256Sha256, DnssecAlgorithm.Ed25519 })
        {
            using var key = DnssecKey.Generate(Origin, alg, false);
            var n = alg == DnssecAlgorithm.RsaSha256 ? 300 : 3000;
            DnsRecord last = Rrsig.Sign(set, key, 1, 2);
            for (var i = 0; i < 100; i++) last = Rrsig.Sign(set, key, 1, 2);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) last = Rrsig.Sign(set, key, 1, 2);
            sw.Stop();
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
            var sb = new System.Text.StringBuilder();
            sb.Append($"sign {DnssecAlgorithm.Name(alg),-16} {sw.Elapsed.TotalNanoseconds / n,10:F0} ns/op {bytes,8:F0} B/op (RRSIG RDATA {last.RData.Length} B)");
            sw.Restart();
            before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < n; i++) Assert.True(Rrsig.Verify(set, last, key));
            sw.Stop();
            sb.Append($"; verify {sw.Elapsed.TotalNanoseconds / n:F0} ns/op {(GC.GetAllocatedBytesForCurrentThread() - before) / (double)n:F0} B/op");
            output.WriteLine(sb.ToString());
        }
    }
}
