using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Dns64;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Dns64;

/// <summary>Modelled on CoreDNS's plugin/dns64 tests, with the file plugin as the "downstream" and the A source.</summary>
public sealed class Dns64Spec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string Zone = """
        $ORIGIN example.org.
        @        70   IN SOA ns.example.org. hostmaster.example.org. 1 7200 900 1209600 70
        @        3600 IN NS  ns.example.org.
        ns       3600 IN A   192.0.2.53
        aonly    60   IN A   192.0.2.42
        aonly    60   IN A   192.0.2.43
        long     5000 IN A   192.0.2.44
        both     300  IN A   192.0.2.1
        both     300  IN AAAA 2001:db8::1
        txt      300  IN TXT "no address"
        alias    300  IN CNAME aonly.example.org.
        """;

    private static readonly IPEndPoint V6Client = new(IPAddress.IPv6Loopback, 40000);
    private static readonly IPEndPoint V4Client = new(IPAddress.Loopback, 40000);
    private readonly string _dir = Directory.CreateTempSubdirectory("dns64").FullName;

    public Dns64Spec(ITestOutputHelper output) : base(output: output) =>
        System.IO.File.WriteAllText(Path.Combine(_dir, "db.example.org"), Zone);

    private PipelineHarness Start(string dns64) =>
        PipelineHarness.Start(Sys, $"example.org {{\n {dns64}\n file {Path.Combine(_dir, "db.example.org")}\n}}\n");

    public static TheoryData<string, string, ushort, bool, ReturnCode, string[]> Cases => new()
    {
        // dns64 config, qname, qtype, IPv6 client, rcode, answer (ARSoft text, sorted)
        { "dns64", "aonly.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["aonly.example.org. 60 IN AAAA 64:ff9b::c000:22a", "aonly.example.org. 60 IN AAAA 64:ff9b::c000:22b"] },
        { "dns64", "aonly.example.org.", RrType.AAAA, false, ReturnCode.NoError, [] },
        { "dns64 {\n allow_ipv4\n }", "aonly.example.org.", RrType.AAAA, false, ReturnCode.NoError, ["aonly.example.org. 60 IN AAAA 64:ff9b::c000:22a", "aonly.example.org. 60 IN AAAA 64:ff9b::c000:22b"] },
        { "dns64 64:1337::/96", "aonly.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["aonly.example.org. 60 IN AAAA 64:1337::c000:22a", "aonly.example.org. 60 IN AAAA 64:1337::c000:22b"] },
        { "dns64 {\n prefix 64:ff9b::/64\n }", "aonly.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["aonly.example.org. 60 IN AAAA 64:ff9b::c0:2:2a00:0", "aonly.example.org. 60 IN AAAA 64:ff9b::c0:2:2b00:0"] },
        { "dns64", "aonly.example.org.", RrType.A, true, ReturnCode.NoError, ["aonly.example.org. 60 IN A 192.0.2.42", "aonly.example.org. 60 IN A 192.0.2.43"] },
        { "dns64", "both.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["both.example.org. 300 IN AAAA 2001:db8::1"] },
        { "dns64 {\n translate_all\n }", "both.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["both.example.org. 300 IN AAAA 64:ff9b::c000:201"] },
        // 5.1.7: the TTL is capped by the SOA's of the AAAA reply (70 here), 600 without one (the positive "both" reply)
        { "dns64", "long.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["long.example.org. 70 IN AAAA 64:ff9b::c000:22c"] },
        { "dns64", "txt.example.org.", RrType.AAAA, true, ReturnCode.NoError, [] },
        { "dns64", "missing.example.org.", RrType.AAAA, true, ReturnCode.NxDomain, [] },
        { "dns64 {\n translate_all\n }", "missing.example.org.", RrType.AAAA, true, ReturnCode.NxDomain, [] },
        { "dns64", "alias.example.org.", RrType.AAAA, true, ReturnCode.NoError, ["alias.example.org. 300 IN CNAME aonly.example.org.", "aonly.example.org. 60 IN AAAA 64:ff9b::c000:22a", "aonly.example.org. 60 IN AAAA 64:ff9b::c000:22b"] },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Dns64_should_answer_as_coredns(string dns64, string qname, ushort qtype, bool v6, ReturnCode rcode, string[] answer)
    {
        await using var h = Start(dns64);
        var m = (await h.QueryAsync(new QueryBuilder(qname, qtype), client: v6 ? V6Client : V4Client)).Message;
        Assert.Equal(rcode, m.ReturnCode);
        Assert.Equal(answer, m.AnswerRecords.Select(Text).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(0x1234, m.TransactionID);
    }

    [Fact]
    public async Task Dns64_should_keep_the_a_replys_authority_for_an_empty_translation()
    {
        await using var h = Start("dns64");
        var m = (await h.QueryAsync(new QueryBuilder("txt.example.org.", RrType.AAAA), client: V6Client)).Message;
        Assert.Empty(m.AnswerRecords);
        Assert.Equal(RecordType.Soa, Assert.Single(m.AuthorityRecords).RecordType);
        Assert.False(m.IsAuthoritiveAnswer);   // SetReply: a synthesized answer is not authoritative
    }

    [Fact]
    public async Task Dns64_should_leave_an_untranslated_reply_authoritative()
    {
        await using var h = Start("dns64");
        var m = (await h.QueryAsync(new QueryBuilder("both.example.org.", RrType.AAAA), client: V6Client)).Message;
        Assert.True(m.IsAuthoritiveAnswer);
    }

    [Fact]
    public async Task Dns64_should_count_translated_requests()
    {
        var before = Dns64Metrics.Translated.Value;
        await using var h = Start("dns64");
        await h.QueryAsync(new QueryBuilder("aonly.example.org.", RrType.AAAA), client: V6Client);
        Assert.True(Dns64Metrics.Translated.Value > before);
    }

    public static TheoryData<string, string, string> Embeddings => new()
    {
        // CoreDNS's TestTo6
        { "64:ff9b::/96", "64.64.64.64", "64:ff9b::4040:4040" },
        { "64:ff9b::/64", "64.64.64.64", "64:ff9b::40:4040:4000:0" },
        { "64:ff9b::/56", "64.64.64.64", "64:ff9b:0:40:40:4040::" },
        { "64::/32", "64.64.64.64", "64:0:4040:4040::" },
    };

    [Theory, MemberData(nameof(Embeddings))]
    public void Dns64_should_embed_ipv4_as_rfc_6052(string prefix, string v4, string v6)
    {
        var o = new Dns64Options(IPNetwork.Parse(prefix), false, false);
        Assert.Equal(IPAddress.Parse(v6), o.To6(IPAddress.Parse(v4).GetAddressBytes()));
    }

    public static TheoryData<string, string?, bool, bool> ValidSetups => new()
    {
        { "dns64", "64:ff9b::/96", false, false },
        { "dns64 64:dead::/96", "64:dead::/96", false, false },
        { "dns64 {\n translate_all\n }", "64:ff9b::/96", true, false },
        { "dns64 {\n prefix 64:ff9b::/96\n }", "64:ff9b::/96", false, false },
        { "dns64 {\n prefix 64:ff9b::/32\n }", "64:ff9b::/32", false, false },
        { "dns64 {\n prefix 2002:ac12:b083::/96\n }", "2002:ac12:b083::/96", false, false },
        { "dns64 {\n prefix 2002:c0a8:a88a::/48\n }", "2002:c0a8:a88a::/48", false, false },
        { "dns64 {\n allow_ipv4\n }", "64:ff9b::/96", false, true },
        { "dns64 {\n allow_ipv4\n translate_all\n prefix 64:1::/48\n }", "64:1::/48", true, true },
    };

    [Theory, MemberData(nameof(ValidSetups))]
    public void Dns64_should_accept_coredns_syntax(string directive, string? prefix, bool translateAll, bool allowIpv4)
    {
        var h = PipelineHarness.Start(Sys, $". {{\n {directive}\n whoami\n}}\n");
        var o = ((Dns64Plugin)h.Plan.Blocks[0].Plugins.First(p => p.Name == "dns64")).Options;
        Assert.Equal((prefix, translateAll, allowIpv4), (o.Prefix.ToString(), o.TranslateAll, o.AllowIpv4));
    }

    public static TheoryData<string, string> InvalidSetups => new()
    {
        { "dns64 {\n prefix 64:ff9b::/52\n }", "Corefile:3 - Error during parsing: plugin/dns64: invalid prefix length \"64:ff9b::/52\"" },
        { "dns64 {\n prefix 64:ff9b::/104\n }", "Corefile:3 - Error during parsing: plugin/dns64: invalid prefix length \"64:ff9b::/104\"" },
        { "dns64 {\n prefix 8.8.8.8/24\n }", "Corefile:3 - Error during parsing: plugin/dns64: invalid netmask 32 IPv6 address: \"8.8.8.0/24\"" },
        { "dns64 {\n prefix\n }", "Corefile:3 - Error during parsing: plugin/dns64: Wrong argument count or unexpected line ending after 'prefix'" },
        { "dns64 foobar {\n prefix 64:ff9b::/96\n }", "Corefile:2 - Error during parsing: plugin/dns64: invalid CIDR address: foobar" },
        { "dns64 foobar", "Corefile:2 - Error during parsing: plugin/dns64: invalid CIDR address: foobar" },
        { "dns64 64:ff9b::/96 64:ff9b::/96", "Corefile:2 - Error during parsing: plugin/dns64: Wrong argument count or unexpected line ending after '64:ff9b::/96'" },
        { "dns64 {\n foobar\n }", "Corefile:3 - Error during parsing: plugin/dns64: unknown property 'foobar'" },
    };

    [Theory, MemberData(nameof(InvalidSetups))]
    public void Dns64_should_reject_bad_configuration(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    private static string Text(DnsRecordBase r) => r switch
    {
        AaaaRecord a => $"{a.Name} {a.TimeToLive} IN AAAA {a.Address}",
        ARecord a => $"{a.Name} {a.TimeToLive} IN A {a.Address}",
        CNameRecord c => $"{c.Name} {c.TimeToLive} IN CNAME {c.CanonicalName}",
        _ => r.ToString(),
    };

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
