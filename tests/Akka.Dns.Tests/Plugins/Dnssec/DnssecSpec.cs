using System.Buffers.Binary;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Dnssec;
using Akka.Dns.Plugins.Dnssec;
using Akka.Dns.Server;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.Plugins.Prometheus;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using Xunit.Abstractions;
using ArsoftRecord = ARSoft.Tools.Net.Dns.DnsRecordBase;
using DnsRecord = Akka.Dns.Wire.DnsRecord;

namespace Akka.Dns.Tests.Plugins.Dnssec;

/// <summary>
/// The whole server over real UDP, <c>dnssec</c> in front of <c>file</c> (and <c>hosts</c>): what is signed with and
/// without DO, DNSKEY at the apex, black lies per query type, every RRSIG checked with <see cref="Rrsig.Verify"/>
/// against the zone's DNSKEY as served, the signature cache through <c>/metrics</c>, and its capacity.
/// </summary>
public sealed class DnssecSpec : Akka.TestKit.Xunit2.TestKit
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 1800
        @        IN SOA  ns1 hostmaster 2024010101 7200 1800 86400 300
        @        IN NS   ns1
        @        IN MX   10 mail
        ns1      IN A    192.0.2.1
        mail     IN A    192.0.2.25
        www      IN A    192.0.2.80
        www      IN A    192.0.2.81
        alias    IN CNAME www
        txtonly  IN TXT  "only text here"
        out      IN CNAME www.example.net.
        deleg    IN NS   ns.deleg
        deleg    IN DS   12345 13 2 D4E806322598BC97A003EF1ACDFF352EEFF7B42DBB0D41B8224714C36AEF08D9
        ns.deleg IN A    192.0.2.53
        unsigned IN NS   ns.unsigned
        ns.unsigned IN A 192.0.2.54

        """;

    private readonly ITestOutputHelper _log;
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-dnssec-").FullName;
    private readonly DnssecKey _zsk;
    private readonly DnssecKey _ksk;
    private readonly string _zskFile;
    private readonly string _kskFile;

    public DnssecSpec(ITestOutputHelper log) : base(output: log)
    {
        _log = log;
        _zsk = DnssecKey.Generate("example.org.", 13, ksk: false);
        _ksk = DnssecKey.Generate("example.org.", 13, ksk: true);
        _zskFile = KeyFile.Write(_zsk, _dir);
        _kskFile = KeyFile.Write(_ksk, _dir);
        System.IO.File.WriteAllText(Path.Combine(_dir, "db.example.org"), Zone);
        System.IO.File.WriteAllText(Path.Combine(_dir, "hosts"), "192.0.2.9 host.example.org\n");
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _zsk.Dispose();
        _ksk.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class Server(Akka.Dns.Server.DnsServer server, int dns, int http) : IAsyncDisposable
    {
        public int Dns { get; } = dns;
        public int Http { get; } = http;
        public string Label => $"dns://127.0.0.1:{Dns}";
        public DnssecPlugin Plugin { get; } = server.Plan.Blocks.SelectMany(b => b.Plugins).OfType<DnssecPlugin>().Single();
        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    private async Task<Server> StartAsync(string dnssecBody, string backend = "file")
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        var back = backend == "file" ? $"file {_dir}/db.example.org" : $"hosts {_dir}/hosts";
        var corefile = $"example.org:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n dnssec {{\n{dnssecBody}\n }}\n {back}\n}}\n";
        return new Server(await HealthSpec.StartServerAsync(Sys, corefile), dns, http);
    }

    private Task<Server> StartCskAsync(string extra = "") => StartAsync($"  key file {_zskFile}\n{extra}");

    private async Task<DnsMessage> QueryAsync(Server s, string name, ushort type, bool dnssecOk, bool cd = false)
    {
        var reply = await PrometheusSpec.UdpAsync(s.Dns, new QueryBuilder(name, type) { UdpSize = 1232, Do = dnssecOk, Cd = cd });
        var m = DnsMessage.Parse(reply);
        _log.WriteLine($"{name} {RrType.ToString(type)}{(dnssecOk ? " +dnssec" : "")}:\n{m}");
        return m;
    }

    /// <summary>A section's records as ours (through their master-file text).</summary>
    internal static List<DnsRecord> Ours(IEnumerable<ArsoftRecord> records)
    {
        var list = new List<DnsRecord>();
        foreach (var r in records)
            // Our RrType has no mnemonic for HIP (55), which black-lies bitmaps carry.
            list.AddRange(MasterFile.Parse(r.ToString().Replace(" HIP", " TYPE55") + "\n", ".", "reply"));
        return list;
    }

    /// <summary>
    /// Every RRset of <paramref name="section"/> (but RRSIGs) has exactly one RRSIG per key in <paramref name="signers"/>
    /// and each verifies now; returns the RRsets' types by owner.
    /// </summary>
    internal static List<(string Owner, ushort Type)> AssertSigned(IEnumerable<ArsoftRecord> section, params DnssecKey[] signers)
    {
        var rrs = Ours(section);
        var sets = new List<(string Owner, ushort Type)>();
        foreach (var r in rrs)
            if (r.Type != RrType.RRSIG && !sets.Contains((r.Name.ToLowerInvariant(), r.Type))) sets.Add((r.Name.ToLowerInvariant(), r.Type));
        foreach (var (owner, type) in sets)
        {
            var rrset = rrs.Where(r => r.Type == type && DnsName.EqualsIgnoreCase(r.Name, owner)).ToList();
            var sigs = rrs.Where(r => r.Type == RrType.RRSIG && DnsName.EqualsIgnoreCase(r.Name, owner)
                && BinaryPrimitives.ReadUInt16BigEndian(r.RData) == type).ToList();
            Assert.True(sigs.Count == signers.Length, $"{owner} {RrType.ToString(type)}: {sigs.Count} RRSIGs, expected {signers.Length}");
            foreach (var k in signers)
            {
                var sig = Assert.Single(sigs, s => BinaryPrimitives.ReadUInt16BigEndian(s.RData.AsSpan(16)) == k.KeyTag);
                Assert.True(Rrsig.Verify(rrset, sig, k, DateTimeOffset.UtcNow), $"RRSIG over {owner} {RrType.ToString(type)} does not verify");
                Assert.Equal(rrset[0].Ttl, sig.Ttl);
                Assert.Equal(Rrsig.OnlineOriginalTtl, BinaryPrimitives.ReadUInt32BigEndian(sig.RData.AsSpan(4)));
            }
        }
        return sets;
    }

    [Fact]
    public async Task Dnssec_should_leave_answers_without_DO_unsigned()
    {
        await using var s = await StartCskAsync();
        foreach (var (name, type) in new[] { ("www.example.org.", RrType.A), ("example.org.", RrType.NS), ("nope.example.org.", RrType.A), ("txtonly.example.org.", RrType.A) })
        {
            var m = await QueryAsync(s, name, type, dnssecOk: false);
            Assert.DoesNotContain(m.AnswerRecords.Concat(m.AuthorityRecords).Concat(m.AdditionalRecords), r => r.RecordType is RecordType.RrSig or RecordType.NSec);
        }
        Assert.Equal(ReturnCode.NxDomain, (await QueryAsync(s, "nope.example.org.", RrType.A, dnssecOk: false)).ReturnCode);
    }

    [Fact]
    public async Task Dnssec_should_sign_an_answer_that_verifies_with_the_zones_DNSKEY()
    {
        await using var s = await StartCskAsync();
        // The DNSKEY as served is the key the verifier uses.
        var keys = await QueryAsync(s, "example.org.", RrType.DNSKEY, dnssecOk: true);
        var dnskey = Ours(keys.AnswerRecords).Single(r => r.Type == RrType.DNSKEY);
        using var served = DnssecKey.FromDnskey(dnskey.Name, dnskey.Ttl, dnskey.RData);
        Assert.Equal(_zsk.KeyTag, served.KeyTag);

        var m = await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.False(m.IsAuthenticData);
        Assert.True(m.IsEDnsEnabled && m.EDnsOptions!.IsDnsSecOk);
        Assert.Equal(2, m.AnswerRecords.Count(r => r.RecordType == RecordType.A));
        Assert.Equal([("www.example.org.", RrType.A)], AssertSigned(m.AnswerRecords, served));
        Assert.Equal([("example.org.", RrType.NS)], AssertSigned(m.AuthorityRecords, served));
        var sig = m.AnswerRecords.OfType<RrSigRecord>().Single();
        Assert.Equal((3, "example.org."), (sig.Labels, sig.SignersName.ToString()));
        var now = DateTime.UtcNow;
        Assert.InRange(sig.SignatureInception, now.AddHours(-3).AddMinutes(-5), now.AddHours(-3).AddMinutes(1));
        Assert.InRange(sig.SignatureExpiration, now.AddDays(8).AddMinutes(-5), now.AddDays(8).AddMinutes(1));
    }

    [Fact]
    public async Task Dnssec_should_sign_each_rrset_of_a_cname_chain_inside_its_zones_only()
    {
        await using var s = await StartCskAsync();
        var m = await QueryAsync(s, "alias.example.org.", RrType.A, dnssecOk: true);
        Assert.Equal([("alias.example.org.", RrType.CNAME), ("www.example.org.", RrType.A)], AssertSigned(m.AnswerRecords, _zsk));
        var o = await QueryAsync(s, "out.example.org.", RrType.A, dnssecOk: true);
        // The CNAME is ours and signed; whatever its target resolves to outside example.org is not.
        Assert.Contains(("out.example.org.", RrType.CNAME), AssertSigned(o.AnswerRecords.Where(r => r.Name.ToString().EndsWith("example.org.")), _zsk));
        Assert.DoesNotContain(o.AnswerRecords.OfType<RrSigRecord>(), r => r.Name.ToString().EndsWith("example.net."));
    }

    [Fact]
    public async Task Dnssec_should_answer_DNSKEY_at_the_apex_itself_signed_only_with_DO()
    {
        await using var s = await StartCskAsync();
        var plain = await QueryAsync(s, "example.org.", RrType.DNSKEY, dnssecOk: false);
        Assert.True(plain.IsAuthoritiveAnswer);
        var k = Assert.IsType<DnsKeyRecord>(Assert.Single(plain.AnswerRecords));
        Assert.Equal((256, 13, 3600), ((int)k.Flags, (int)k.Algorithm, k.TimeToLive));
        var signed = await QueryAsync(s, "EXAMPLE.org.", RrType.DNSKEY, dnssecOk: true);
        Assert.True(signed.IsAuthoritiveAnswer);
        Assert.Equal([("example.org.", RrType.DNSKEY)], AssertSigned(signed.AnswerRecords, _zsk));
        // Below the apex a DNSKEY query is the backend's (NODATA, then a black lie).
        var below = await QueryAsync(s, "www.example.org.", RrType.DNSKEY, dnssecOk: true);
        Assert.Empty(below.AnswerRecords);
        Assert.Single(below.AuthorityRecords.OfType<NSecRecord>());
    }

    [Fact]
    public async Task Dnssec_should_sign_DNSKEY_with_the_KSK_and_the_rest_with_the_ZSK_in_split_mode()
    {
        await using var s = await StartAsync($"  key file {_zskFile} {_kskFile}");
        Assert.True(s.Plugin.Keys.SplitKeys);
        var keys = await QueryAsync(s, "example.org.", RrType.DNSKEY, dnssecOk: true);
        Assert.Equal(2, keys.AnswerRecords.Count(r => r.RecordType == RecordType.DnsKey));
        AssertSigned(keys.AnswerRecords, _ksk);
        var a = await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true);
        AssertSigned(a.AnswerRecords, _zsk);
        var nx = await QueryAsync(s, "nope.example.org.", RrType.A, dnssecOk: true);
        AssertSigned(nx.AuthorityRecords, _zsk);
    }

    [Fact]
    public async Task Dnssec_should_sign_every_rrset_with_every_key_when_they_are_all_zsks_or_all_ksks()
    {
        using var other = DnssecKey.Generate("example.org.", 15, ksk: false);
        var otherFile = KeyFile.Write(other, _dir);
        await using var s = await StartAsync($"  key file {_zskFile} {otherFile}");
        Assert.False(s.Plugin.Keys.SplitKeys);
        AssertSigned((await QueryAsync(s, "example.org.", RrType.DNSKEY, dnssecOk: true)).AnswerRecords, _zsk, other);
        AssertSigned((await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true)).AnswerRecords, _zsk, other);
    }

    /// <summary>Query name, type; the NSEC's bitmap (black_lies.go): the query type taken out for a denial.</summary>
    public static TheoryData<string, ushort, string> Denials => new()
    {
        { "nope.example.org.", RrType.A, "HINFO TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF" },
        { "nope.example.org.", RrType.AAAA, "A HINFO TXT LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF" },
        { "nope.example.org.", RrType.MX, "A HINFO TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF" },
        { "deep.nope.example.org.", RrType.TXT, "A HINFO AAAA LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF" },
        { "txtonly.example.org.", RrType.A, "HINFO TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF" },
        { "www.example.org.", RrType.TXT, "A HINFO AAAA LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF" },
        { "example.org.", RrType.HINFO, "A NS SOA MX TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC DNSKEY TLSA HIP OPENPGPKEY SPF" },
        { "example.org.", RrType.AAAA, "A NS SOA HINFO MX TXT LOC SRV CERT SSHFP RRSIG NSEC DNSKEY TLSA HIP OPENPGPKEY SPF" },
        { "example.org.", RrType.DS, "A NS SOA HINFO MX TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC DNSKEY TLSA HIP OPENPGPKEY SPF" },
    };

    [Theory, MemberData(nameof(Denials))]
    public async Task Dnssec_should_turn_NXDOMAIN_and_NODATA_into_NOERROR_with_a_signed_black_lies_NSEC(string name, ushort type, string bitmap)
    {
        await using var s = await StartCskAsync();
        var m = await QueryAsync(s, name, type, dnssecOk: true);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Empty(m.AnswerRecords);
        var sets = AssertSigned(m.AuthorityRecords, _zsk);
        Assert.Equal([("example.org.", RrType.SOA), (name, RrType.NSEC)], sets);
        var nsec = m.AuthorityRecords.OfType<NSecRecord>().Single();
        Assert.Equal(@"\000." + name, nsec.NextDomainName.ToString());
        Assert.Equal(300, nsec.TimeToLive); // the SOA's TTL as served (its MINIMUM: file's negative answer)
        Assert.Equal(bitmap.Split(' ').Select(RrTypeOf).Order(), nsec.Types.Select(t => (ushort)t).Order());
        Assert.DoesNotContain((ushort)type, nsec.Types.Select(t => (ushort)t));
    }

    private static ushort RrTypeOf(string text) => text == "HIP" ? (ushort)55 : RrType.TryParse(text, out var t) ? t : throw new ArgumentException(text);

    [Fact]
    public async Task Dnssec_should_answer_an_NSEC_query_for_a_missing_name_with_the_NSEC_itself()
    {
        await using var s = await StartCskAsync();
        var m = await QueryAsync(s, "nope.example.org.", RrType.NSEC, dnssecOk: true);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Empty(m.AuthorityRecords);
        Assert.Equal([("nope.example.org.", RrType.NSEC)], AssertSigned(m.AnswerRecords, _zsk));
    }

    [Fact]
    public async Task Dnssec_should_sign_the_DS_of_a_referral_and_deny_it_for_an_unsigned_one()
    {
        await using var s = await StartCskAsync();
        var d = await QueryAsync(s, "www.deleg.example.org.", RrType.A, dnssecOk: true);
        Assert.Equal(ReturnCode.NoError, d.ReturnCode);
        Assert.Contains(("deleg.example.org.", RrType.DS), AssertSigned(d.AuthorityRecords.Where(r => r.RecordType is RecordType.Ds or RecordType.RrSig), _zsk));
        Assert.DoesNotContain(d.AuthorityRecords.OfType<RrSigRecord>(), r => r.TypeCovered == RecordType.Ns);
        var u = await QueryAsync(s, "www.unsigned.example.org.", RrType.A, dnssecOk: true);
        var nsec = Assert.Single(u.AuthorityRecords.OfType<NSecRecord>());
        Assert.Contains(RecordType.Ns, nsec.Types);
        Assert.DoesNotContain(RecordType.Ds, nsec.Types);
        AssertSigned(u.AuthorityRecords.Where(r => r.RecordType is RecordType.NSec || r is RrSigRecord { TypeCovered: RecordType.NSec }), _zsk);
    }

    [Fact]
    public async Task Dnssec_should_echo_CD_and_never_set_AD()
    {
        await using var s = await StartCskAsync();
        var m = await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true, cd: true);
        Assert.True(m.IsCheckingDisabled);
        Assert.False(m.IsAuthenticData);
        var k = await QueryAsync(s, "example.org.", RrType.DNSKEY, dnssecOk: true, cd: true);
        Assert.True(k.IsCheckingDisabled);
        Assert.False(k.IsAuthenticData);
    }

    [Fact]
    public async Task Dnssec_should_sign_what_hosts_answers()
    {
        await using var s = await StartAsync($"  key file {_zskFile}", backend: "hosts");
        var m = await QueryAsync(s, "host.example.org.", RrType.A, dnssecOk: true);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Equal([("host.example.org.", RrType.A)], AssertSigned(m.AnswerRecords, _zsk));
        var plain = await QueryAsync(s, "host.example.org.", RrType.A, dnssecOk: false);
        Assert.DoesNotContain(plain.AnswerRecords, r => r.RecordType == RecordType.RrSig);
        // hosts has no SOA: its NODATA is an empty NOERROR, which CoreDNS's dnssec leaves alone (no black lie).
        var nodata = await QueryAsync(s, "host.example.org.", RrType.AAAA, dnssecOk: true);
        Assert.Equal(ReturnCode.NoError, nodata.ReturnCode);
        Assert.Empty(nodata.AnswerRecords.Concat(nodata.AuthorityRecords));
    }

    [Fact]
    public async Task Dnssec_should_reuse_cached_signatures_and_count_hits_and_misses()
    {
        await using var s = await StartCskAsync();
        var first = await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true);
        var m1 = await PrometheusSpec.ScrapeAsync(s.Http);
        var second = await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true);
        var m2 = await PrometheusSpec.ScrapeAsync(s.Http);
        _log.WriteLine(string.Join('\n', m2.Text.Split('\n').Where(l => l.Contains("dnssec"))));

        // www A and the apex NS: two misses, then two hits with the very same signatures.
        Assert.Equal(2, m1.Value("coredns_dnssec_cache_misses_total", ("server", s.Label)));
        Assert.Null(m1.Value("coredns_dnssec_cache_hits_total", ("server", s.Label)));
        Assert.Equal(2, m1.Value("coredns_dnssec_cache_entries", ("server", s.Label), ("type", "signature")));
        Assert.Equal(2, m2.Value("coredns_dnssec_cache_misses_total", ("server", s.Label)));
        Assert.Equal(2, m2.Value("coredns_dnssec_cache_hits_total", ("server", s.Label)));
        Assert.Equal(2, m2.Value("coredns_dnssec_cache_entries", ("server", s.Label), ("type", "signature")));
        Assert.Equal(first.AnswerRecords.OfType<RrSigRecord>().Single().Signature, second.AnswerRecords.OfType<RrSigRecord>().Single().Signature);
    }

    [Fact]
    public async Task Dnssec_should_make_a_cached_signature_again_once_less_than_two_days_are_left()
    {
        await using var s = await StartCskAsync();
        var clock = new UtcClock();
        s.Plugin.Signer.Clock = clock;
        var sig0 = (await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true)).AnswerRecords.OfType<RrSigRecord>().Single();
        clock.Advance(TimeSpan.FromDays(6) - TimeSpan.FromMinutes(1));
        var sig1 = (await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true)).AnswerRecords.OfType<RrSigRecord>().Single();
        Assert.Equal(sig0.Signature, sig1.Signature);
        clock.Advance(TimeSpan.FromMinutes(2));
        var sig2 = (await QueryAsync(s, "www.example.org.", RrType.A, dnssecOk: true)).AnswerRecords.OfType<RrSigRecord>().Single();
        Assert.NotEqual(sig0.Signature, sig2.Signature);
        Assert.Equal(sig0.SignatureExpiration.AddDays(6).AddMinutes(1), sig2.SignatureExpiration, TimeSpan.FromSeconds(5));
        // www A and the apex NS each time: missed, hit, missed again.
        Assert.Equal((2, 4), (s.Plugin.Cache.Hits, s.Plugin.Cache.Misses));
        // The cleaner drops what is due for refresh.
        clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(2, s.Plugin.Cache.Clean(clock.GetUtcNow().ToUnixTimeSeconds()));
        Assert.Equal(0, s.Plugin.Cache.Count);
    }

    [Fact]
    public async Task Dnssec_should_keep_no_more_signatures_than_cache_capacity()
    {
        await using var s = await StartCskAsync("  cache_capacity 3");
        Assert.Equal(3, s.Plugin.Cache.Capacity);
        foreach (var name in new[] { "www", "ns1", "mail", "alias", "txtonly", "nope1", "nope2", "nope3" })
            await QueryAsync(s, name + ".example.org.", RrType.A, dnssecOk: true);
        var m = await PrometheusSpec.ScrapeAsync(s.Http);
        Assert.Equal(3, m.Value("coredns_dnssec_cache_entries", ("server", s.Label), ("type", "signature")));
        Assert.Equal(3, s.Plugin.Cache.Count);
        // Still signed, and still valid, when the cache is full.
        AssertSigned((await QueryAsync(s, "nope9.example.org.", RrType.A, dnssecOk: true)).AuthorityRecords, _zsk);
    }

    private sealed class UtcClock : TimeProvider
    {
        private long _offset;
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offset));
        public void Advance(TimeSpan d) => Interlocked.Add(ref _offset, d.Ticks);
    }
}
