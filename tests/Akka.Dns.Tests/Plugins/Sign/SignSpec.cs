using System.Buffers.Binary;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Dnssec;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Sign;
using Akka.Dns.Server;
using Akka.Dns.Tests.Dnssec;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Sign;

public sealed class SignSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Origin = "example.org.";
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ITestOutputHelper _output;
    private readonly string _dir = DnssecTools.TempDir();
    private readonly string _source;

    public SignSpec(ITestOutputHelper output) : base(output: output)
    {
        _output = output;
        _source = Path.Combine(_dir, "db.example.org");
        // The source carries stale DNSSEC records the signer must drop (file.go Parse).
        System.IO.File.WriteAllText(_source, SigningSpec.ZoneText + "\n@ IN CDS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_dir, true);
    }

    public static TheoryData<byte> Algorithms => [DnssecAlgorithm.RsaSha256, DnssecAlgorithm.EcdsaP256Sha256, DnssecAlgorithm.Ed25519];

    private string WriteKey(string zone, byte alg, bool ksk)
    {
        using var k = DnssecKey.Generate(zone, alg, ksk);
        return KeyFile.Write(k, _dir);
    }

    /// <summary>The block's sign plugin, set up from a Corefile (keys read from files, as a server would).</summary>
    private SignPlugin Setup(string keys, string zone = Origin, string? dbfile = null)
    {
        var corefile = $"{zone} {{\n sign {dbfile ?? _source} {{\n  key file {keys}\n  directory {_dir}\n }}\n}}\n";
        var plan = ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", _dir, PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);
        return (SignPlugin)plan.Blocks[0].Plugins.Single(p => p is SignPlugin);
    }

    /// <summary>The same signer without jitter, so that times are exact.</summary>
    private static Signer NoJitter(Signer s) => new(s.DbFile, s.Origin, s.Directory, s.Keys, TimeSpan.Zero, TimeSpan.Zero);

    private static List<DnsRecord> At(IEnumerable<DnsRecord> rrs, string name, ushort type) =>
        rrs.Where(r => DnsName.EqualsIgnoreCase(r.Name, name) && r.Type == type).ToList();

    private static string Sha(string path) => Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(path)));

    /// <summary>ldns-verify-zone (ldnsutils) as a second verifier, when installed.</summary>
    private void LdnsVerify(string path)
    {
        if (!DnssecTools.Has("ldns-verify-zone")) return;
        var (exit, o, e) = DnssecTools.Run("ldns-verify-zone", path);
        _output.WriteLine(o + e);
        Assert.True(exit == 0, $"ldns-verify-zone failed:\n{e}{o}");
    }

    [ToolTheory("dnssec-verify"), MemberData(nameof(Algorithms))]
    public void Signed_file_should_parse_and_pass_dnssec_verify_and_leave_the_source_untouched(byte alg)
    {
        var before = Sha(_source);
        var signer = Setup(WriteKey(Origin, alg, true)).Signers[0];
        var result = signer.SignAndWrite(DateTimeOffset.UtcNow);
        Assert.Equal(before, Sha(_source));
        Assert.Equal(Path.Combine(_dir, "db.example.org.signed"), signer.SignedFile);

        var rrs = MasterFile.ParseFile(signer.SignedFile, Origin);
        Assert.Equal(result.Records, rrs.Count);
        var zone = Akka.Dns.Zones.Zone.Build(Origin, rrs);
        Assert.Equal(result.Serial, zone.Serial);

        // -z: the one KSK signs everything (a CSK); without -z dnssec-verify wants a ZSK ("Missing ZSK for algorithm").
        var (exit, o, e) = DnssecTools.Run("dnssec-verify", $"-z -o {Origin} {signer.SignedFile}");
        _output.WriteLine(o + e);
        Assert.True(exit == 0, $"dnssec-verify failed:\n{e}{o}");
        Assert.Contains($"Algorithm: {DnssecAlgorithm.Name(alg)}: KSKs: 1 active", o + e);
        LdnsVerify(signer.SignedFile);
    }

    [ToolFact("dnssec-verify")]
    public void Signed_file_with_a_KSK_and_a_ZSK_should_pass_dnssec_verify_with_DNSKEY_signed_by_the_KSK_only()
    {
        var ksk = WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true);
        var zsk = WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, false);
        var signer = Setup($"{ksk} {zsk}").Signers[0];
        signer.SignAndWrite(DateTimeOffset.UtcNow);
        var (exit, o, e) = DnssecTools.Run("dnssec-verify", $"-o {Origin} {signer.SignedFile}");
        _output.WriteLine(o + e);
        Assert.True(exit == 0, $"dnssec-verify failed:\n{e}{o}");
        Assert.Contains("KSKs: 1 active", o + e);
        Assert.Contains("ZSKs: 1 active", o + e);
        var rrs = MasterFile.ParseFile(signer.SignedFile, Origin);
        var kskTag = signer.Keys.Single(k => k.IsKsk).KeyTag;
        var keySigs = At(rrs, Origin, RrType.RRSIG).Where(r => Signer.CoveredType(r) == RrType.DNSKEY).ToList();
        Assert.Equal([kskTag], keySigs.Select(r => BinaryPrimitives.ReadUInt16BigEndian(r.RData.AsSpan(16))));
        LdnsVerify(signer.SignedFile);
    }

    [Fact]
    public void Sign_should_set_the_serial_lifetimes_keys_CDS_and_CDNSKEY_as_CoreDNS_does()
    {
        var signer = NoJitter(Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true)).Signers[0]);
        var rrs = signer.Sign(T0, out var serial, out _);
        Assert.Equal((uint)T0.ToUnixTimeSeconds(), serial);
        var soa = Assert.Single(At(rrs, Origin, RrType.SOA));
        Assert.Equal(serial, BinaryPrimitives.ReadUInt32BigEndian(soa.RData.AsSpan(soa.RData.Length - 20)));
        Assert.Same(soa, rrs[0]);
        Assert.Equal(RrType.RRSIG, rrs[1].Type);
        Assert.Equal(RrType.SOA, Signer.CoveredType(rrs[1]));

        var key = Assert.Single(At(rrs, Origin, RrType.DNSKEY));
        Assert.Equal(3600u, key.Ttl);                                   // the SOA's TTL
        Assert.Equal(2, At(rrs, Origin, 59).Count);                     // CDS SHA-1 and SHA-256, the source's stale one gone
        Assert.Equal([1, 2], At(rrs, Origin, 59).Select(r => (int)r.RData[3]).Order());
        Assert.Single(At(rrs, Origin, 60));                             // CDNSKEY
        Assert.Empty(At(rrs, Origin, RrType.DS));

        foreach (var sig in rrs.Where(r => r.Type == RrType.RRSIG))
        {
            Assert.Equal((uint)(T0 - TimeSpan.FromHours(3)).ToUnixTimeSeconds(), BinaryPrimitives.ReadUInt32BigEndian(sig.RData.AsSpan(12)));
            Assert.Equal((uint)(T0 + TimeSpan.FromDays(32)).ToUnixTimeSeconds(), BinaryPrimitives.ReadUInt32BigEndian(sig.RData.AsSpan(8)));
        }
        // NSEC TTL = SOA MINIMUM (300); a delegation has NS DS RRSIG NSEC and only its DS and NSEC signed (TestSignDS).
        Assert.All(rrs.Where(r => r.Type == RrType.NSEC), r => Assert.Equal(300u, r.Ttl));
        var cut = rrs.Where(r => DnsName.EqualsIgnoreCase(r.Name, "sub.example.org.")).ToList();
        Assert.Equal([RrType.DS, RrType.NSEC], cut.Where(r => r.Type == RrType.RRSIG).Select(Signer.CoveredType).Order());
        Assert.Empty(At(rrs, "ns.sub.example.org.", RrType.RRSIG));   // glue (TestSignGlue)
    }

    [Fact]
    public void Sign_should_jitter_inception_back_and_expiration_forward()
    {
        var s = Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true)).Signers[0];
        var jittered = new Signer(s.DbFile, s.Origin, s.Directory, s.Keys, TimeSpan.FromHours(10), TimeSpan.FromDays(2));
        var (inc, exp) = jittered.Lifetime(T0);
        Assert.Equal((uint)(T0 - TimeSpan.FromHours(13)).ToUnixTimeSeconds(), inc);
        Assert.Equal((uint)(T0 + TimeSpan.FromDays(34)).ToUnixTimeSeconds(), exp);
    }

    [Fact]
    public void Sign_of_an_apex_only_zone_should_chain_the_apex_to_itself_with_CoreDNSs_bitmap()
    {
        // signer_test.go TestSignApexZone, with a miek.nl key re-owned to example.org.
        var db = Path.Combine(_dir, "db.apex");
        System.IO.File.WriteAllText(db, "$TTL    30M\n$ORIGIN example.org.\n@       IN      SOA     linode miek.miek.nl. ( 1282630060 4H 1H 7D 4H )\n        IN      NS      linode\n");
        var signer = Setup(WriteKey("miek.nl.", DnssecAlgorithm.EcdsaP256Sha256, true), dbfile: db).Signers[0];
        var rrs = signer.Sign(T0, out _, out _);
        var nsec = Assert.Single(At(rrs, Origin, RrType.NSEC));
        var text = RData.ToText(nsec.Type, nsec.RData);
        Assert.Equal("example.org. NS SOA RRSIG NSEC DNSKEY CDS CDNSKEY", text);
        var key = Assert.Single(At(rrs, Origin, RrType.DNSKEY));
        Assert.Equal(1800u, key.Ttl);
        var keySig = At(rrs, Origin, RrType.RRSIG).Single(r => Signer.CoveredType(r) == RrType.DNSKEY);
        Assert.Equal(1800u, BinaryPrimitives.ReadUInt32BigEndian(keySig.RData.AsSpan(4)));
        Assert.True(Rrsig.Verify([key], keySig, DnssecKey.FromDnskey(Origin, key.Ttl, key.RData)));
    }

    [Fact]
    public void Sign_should_fail_with_CoreDNSs_message_on_a_source_without_SOA()
    {
        var db = Path.Combine(_dir, "db.nosoa");
        System.IO.File.WriteAllText(db, "$TTL 1M\n$ORIGIN example.org.\nwww IN A 192.168.0.14\n");
        var signer = Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true), dbfile: db).Signers[0];
        var e = Assert.Throws<SignException>(() => signer.SignAndWrite(T0));
        Assert.Equal($"file \"{db}\" has no SOA record", e.Message);
        Assert.False(System.IO.File.Exists(signer.SignedFile));
    }

    // resign_test.go, verbatim records and times.
    [Theory]
    [InlineData("miek.nl.\t1800\tIN\tRRSIG\tSOA 13 2 1800 20190808191936 20190717161936 59725 miek.nl. eU6gI1OkSEby", null)]
    [InlineData("miek.nl.\t1800\tIN\tRRSIG\tSOA 13 2 1800 20190808191936 20190731161936 59725 miek.nl. eU6gI1OkSEby", "inception \"2019-07-31T16:19:36.000Z\" date is in the future: -305h29m36s")]
    [InlineData("miek.nl.\t1800\tIN\tRRSIG\tSOA 13 2 1800 20190717191936 20190717161936 59725 miek.nl. eU6gI1OkSEby", "expiration \"2019-07-17T19:19:36.000Z\" is less than: 168h0m0s away from 2019-07-18T22:50:00.000Z: -27h30m24s")]
    [InlineData("miek.nl.\t1800\tIN\tRRSIG\tSOA 13 2 1800 20190731191936 20190717161936 59725 miek.nl. eU6gI1OkSEby", null)]
    [InlineData("miek.nl.\t1800\tIN\tRRSIG\tSOA 13 2 1800 20190721191936 20190717161936 59725 miek.nl. eU6gI1OkSEby", "expiration \"2019-07-21T19:19:36.000Z\" is less than: 168h0m0s away from 2019-07-18T22:50:00.000Z: 68h29m36s")]
    [InlineData("miek.nl.\t1800\tIN\tRRSIG\tSOA 13 2 1800 20190808191936 20190710161936 59725 miek.nl. eU6gI1OkSEby", "inception \"2019-07-10T16:19:36.000Z\" was more than: 144h0m0s ago from 2019-07-18T22:50:00.000Z: 198h30m24s")]
    [InlineData("miek.nl.\t1800\tIN\tA\t192.0.2.1", "no SOA RRSIG found in first 100 records")]
    public void Resign_check_should_follow_CoreDNSs_inception_and_expiration_rules(string signed, string? reason)
    {
        var then = new DateTimeOffset(2019, 7, 18, 22, 50, 0, TimeSpan.Zero);
        Assert.Equal(reason, Signer.ResignReason(signed, then));
    }

    [Fact]
    public void Resign_should_happen_when_signatures_near_expiry_or_the_source_changes_and_not_otherwise()
    {
        var signer = NoJitter(Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true)).Signers[0]);
        Assert.Equal($"open {signer.SignedFile}: no such file or directory", signer.ResignReason(T0));
        signer.SignAndWrite(T0);
        Assert.Null(signer.ResignReason(T0));
        Assert.Null(signer.ResignReason(T0 + TimeSpan.FromDays(5)));
        // Inception T0 − 3 h: more than 6 days ago once T0 + 5 d 21 h has passed.
        Assert.Null(signer.ResignReason(T0 + TimeSpan.FromDays(6) - TimeSpan.FromHours(3)));
        Assert.StartsWith("inception \"2026-11-01T09:00:00.000Z\" was more than: 144h0m0s ago", signer.ResignReason(T0 + TimeSpan.FromDays(6)));
        // Touching the source without changing it is no change; changing it is.
        System.IO.File.SetLastWriteTimeUtc(_source, DateTime.UtcNow.AddMinutes(1));
        Assert.Null(signer.ResignReason(T0 + TimeSpan.FromHours(1)));
        System.IO.File.AppendAllText(_source, "new IN A 192.0.2.200\n");
        Assert.Equal($"source \"{_source}\" changed since it was signed", signer.ResignReason(T0 + TimeSpan.FromHours(1)));
        var again = signer.SignAndWrite(T0 + TimeSpan.FromHours(1));
        Assert.Null(signer.ResignReason(T0 + TimeSpan.FromHours(1)));
        Assert.Equal([RrType.A, RrType.NSEC], At(MasterFile.ParseFile(signer.SignedFile, Origin), "new.example.org.", RrType.RRSIG).Select(Signer.CoveredType).Order());
        Assert.Equal((uint)(T0 + TimeSpan.FromHours(1)).ToUnixTimeSeconds(), again.Serial);
    }

    [Fact]
    public void Signer_actor_should_re_sign_on_its_clock_and_raise_the_serial()
    {
        var signer = NoJitter(Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true)).Signers[0]);
        var now = T0;
        var actor = Sys.ActorOf(SignerActor.Props(signer, () => now, new BlockOptions(), TimeSpan.Zero));

        actor.Tell(SignerActor.Check.Instance, TestActor);
        var first = ExpectMsg<SignerActor.Checked>();
        Assert.StartsWith("open ", first.Reason);
        Assert.Equal((uint)T0.ToUnixTimeSeconds(), first.Result!.Serial);

        now = T0 + TimeSpan.FromDays(3);
        actor.Tell(SignerActor.Check.Instance, TestActor);
        Assert.Equal(new SignerActor.Checked(Origin, null, null), ExpectMsg<SignerActor.Checked>());
        Assert.Equal(first.Result.Serial, Akka.Dns.Zones.Zone.Build(Origin, MasterFile.ParseFile(signer.SignedFile, Origin)).Serial);

        now = T0 + TimeSpan.FromDays(6);
        actor.Tell(SignerActor.Check.Instance, TestActor);
        var resigned = ExpectMsg<SignerActor.Checked>();
        Assert.StartsWith("inception ", resigned.Reason);
        Assert.True(resigned.Result!.Serial > first.Result.Serial);
        Assert.Equal(resigned.Result.Serial, Akka.Dns.Zones.Zone.Build(Origin, MasterFile.ParseFile(signer.SignedFile, Origin)).Serial);

        System.IO.File.AppendAllText(_source, "changed IN TXT \"x\"\n");
        now += TimeSpan.FromMinutes(1);
        actor.Tell(SignerActor.Check.Instance, TestActor);
        var changed = ExpectMsg<SignerActor.Checked>();
        Assert.StartsWith("source ", changed.Reason);
        Assert.True(changed.Result!.Serial > resigned.Result.Serial);
    }

    [Fact]
    public async Task File_plugin_of_the_block_should_serve_the_signed_zone_with_RRSIGs_as_soon_as_it_is_written()
    {
        var key = WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true);
        var signed = Path.Combine(_dir, "db.example.org.signed");
        var corefile = $"example.org {{\n file {signed} {{\n  reload 1h\n }}\n sign {_source} {{\n  key file {key}\n  directory {_dir}\n }}\n}}\n";
        await using var h = PipelineHarness.Start(Sys, corefile);
        var block = h.Plan.Blocks[0];
        var sign = (SignPlugin)block.Plugins.Single(p => p is SignPlugin);
        Assert.NotNull(SignerActor.SignAndLog(sign.Signers[0], "test", DateTimeOffset.UtcNow, Sys, block.Options));

        var reply = await h.QueryAsync(new QueryBuilder("www.example.org.", RrType.A) { UdpSize = 1232, Do = true });
        var answer = reply.Message.AnswerRecords;
        Assert.Equal(2, answer.Count(r => r.RecordType == ARSoft.Tools.Net.Dns.RecordType.A));
        Assert.Contains(answer, r => r.RecordType == ARSoft.Tools.Net.Dns.RecordType.RrSig);

        // Negative answers to DO queries carry the SOA's RRSIG and the NSEC proofs (RFC 4035 §3.1.3); without DO, only the SOA.
        static string[] Authority(Reply r) => r.Message.AuthorityRecords.Select(x => $"{x.Name} {x.RecordType}").ToArray();
        var nx = await h.QueryAsync(new QueryBuilder("nope.example.org.", RrType.A) { UdpSize = 1232, Do = true });
        Assert.Equal(ARSoft.Tools.Net.Dns.ReturnCode.NxDomain, nx.Rcode);
        Assert.Equal(["example.org. Soa", "example.org. RrSig", "mail.example.org. NSec", "mail.example.org. RrSig", "example.org. NSec", "example.org. RrSig"], Authority(nx));
        var nodata = await h.QueryAsync(new QueryBuilder("mail.example.org.", RrType.MX) { UdpSize = 1232, Do = true });
        Assert.Equal(["example.org. Soa", "example.org. RrSig", "mail.example.org. NSec", "mail.example.org. RrSig"], Authority(nodata));
        var ent = await h.QueryAsync(new QueryBuilder("c.deep.example.org.", RrType.A) { UdpSize = 1232, Do = true });
        Assert.Equal(["example.org. Soa", "example.org. RrSig", "alias.example.org. NSec", "alias.example.org. RrSig"], Authority(ent));
        var wild = await h.QueryAsync(new QueryBuilder("x.y.wild.example.org.", RrType.A) { UdpSize = 1232, Do = true });
        // x.y.wild sorts between *.wild and www: the wildcard's NSEC covers it.
        Assert.Equal(["example.org. Ns", "example.org. Ns", "*.wild.example.org. NSec", "*.wild.example.org. RrSig"], Authority(wild));
        var plain = await h.QueryAsync(new QueryBuilder("nope.example.org.", RrType.A) { UdpSize = 1232 });
        Assert.Equal(["example.org. Soa"], Authority(plain));
    }

    [Fact]
    public void Signing_cost_of_a_10000_name_zone_per_algorithm_is_printed()
    {
        var sb = new System.Text.StringBuilder("$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
        for (var i = 0; i < 10_000; i++) sb.Append("host").Append(i).Append(" IN A 10.0.").Append(i >> 8 & 255).Append('.').Append(i & 255).Append('\n');
        System.IO.File.WriteAllText(_source, sb.ToString());
        foreach (var alg in new[] { DnssecAlgorithm.EcdsaP256Sha256, DnssecAlgorithm.Ed25519, DnssecAlgorithm.RsaSha256 })
        {
            var signer = Setup(WriteKey(Origin, alg, true)).Signers[0];
            var result = signer.SignAndWrite(DateTimeOffset.UtcNow);
            var bytes = new FileInfo(signer.SignedFile).Length;
            Assert.Equal(Path.Combine(_dir, "db.example.org.signed"), signer.SignedFile);
            Assert.True(result.Records > 30_000);
            _output.WriteLine($"{DnssecAlgorithm.Name(alg)}: 10,003 names, {result.Records} records written ({bytes / 1024} KiB) in {result.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    [Fact]
    public void Sign_and_log_should_log_as_CoreDNS_and_keep_the_old_file_when_signing_fails()
    {
        var signer = NoJitter(Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true)).Signers[0]);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (Akka.Dns.LineLog.Subscribe(seen.Enqueue))
        {
            Assert.NotNull(SignerActor.SignAndLog(signer, "test reason", T0, Sys, new BlockOptions()));
            var good = System.IO.File.ReadAllText(signer.SignedFile);
            System.IO.File.Delete(_source);
            Assert.Null(SignerActor.SignAndLog(signer, "again", T0 + TimeSpan.FromDays(7), Sys, new BlockOptions()));
            Assert.Equal(good, System.IO.File.ReadAllText(signer.SignedFile));
            Assert.True(Akka.Dns.LineLog.Flush());
        }
        var tags = signer.KeyTags;
        Assert.Equal(
        [
            $"[INFO] plugin/sign: Signing \"{Origin}\" because test reason",
            $"[INFO] plugin/sign: Successfully signed zone \"{Origin}\" in \"{signer.SignedFile}\" with key tags \"{tags}\" and {T0.ToUnixTimeSeconds()} SOA serial, elapsed X, next: 2026-11-01T17:00:00.000Z",
            $"[INFO] plugin/sign: Signing \"{Origin}\" because again",
            $"[WARNING] plugin/sign: Error signing \"{Origin}\" with key tags \"{tags}\": open {_source}: no such file or directory, next: 2026-11-08T17:00:00.000Z",
        ], seen.Where(l => l.Contains("plugin/sign")).Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"elapsed [0-9.]+", "elapsed X")));
    }

    [Fact]
    public void Signer_actor_should_check_on_its_own_timer()
    {
        var signer = NoJitter(Setup(WriteKey(Origin, DnssecAlgorithm.EcdsaP256Sha256, true)).Signers[0]);
        Sys.ActorOf(SignerActor.Props(signer, () => T0, new BlockOptions(), TimeSpan.FromMilliseconds(50)));
        AwaitCondition(() => System.IO.File.Exists(signer.SignedFile), TimeSpan.FromSeconds(30));
        AwaitAssert(() => Assert.Null(signer.ResignReason(T0)), TimeSpan.FromSeconds(30));
    }
}
