using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Rewrite;

public sealed class RewriteSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Zone = """
        to.nl. 300 IN A 192.0.2.1
        to.nl. 300 IN MX 10 mail.to.nl.
        bar.example.com. 300 IN A 192.0.2.2
        foo.example.org. 300 IN A 192.0.2.3
        corednsnginx.coredns.rocks. 300 IN A 192.0.2.4
        dns.core.rocks. 300 IN A 192.0.2.5
        ftp.service.us-west-1.consul. 300 IN A 192.0.2.6
        ttl.nl. 5 IN A 192.0.2.7
        ttl.nl. 500 IN A 192.0.2.8
        ttl.nl. 50 IN A 192.0.2.9
        srv.to.nl. 300 IN SRV 0 0 53 host.to.nl.
        alias.nl. 300 IN CNAME target.nl.
        new-target.nl. 300 IN A 192.0.2.10
        sub.to.nl. 300 IN CNAME deep.to.nl.
        deep.to.nl. 300 IN A 192.0.2.11
        """;

    private PipelineHarness Start(string rules) =>
        PipelineHarness.Start(Sys, $". {{\n {rules}\n records echo\n}}\n", RecordsSetup.Catalog(Zone));

    /// <summary>What reached the backend: the strings of the seen. TXT record (name, type, class, DO=, options).</summary>
    private static string[] Seen(DnsMessage m) =>
        m.AdditionalRecords.OfType<TxtRecord>().Single(t => t.Name.ToString() == "seen.").TextParts.ToArray();

    /// <summary>CoreDNS's TestRewrite: exact, prefix, suffix, substring and regex names, type and class; the question is restored.</summary>
    [Theory]
    [InlineData("rewrite name from.nl to.nl", "from.nl.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name from.nl to.nl", "FROM.nl.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name from.nl to.nl", "a.nl.", RrType.A, "a.nl.", "A")]
    [InlineData("rewrite name exact from.exact.nl to.nl", "from.exact.nl.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name prefix prefix to", "prefix.nl.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name suffix .suffix .nl", "to.suffix.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name substring from.substring to", "from.substring.nl.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name regex (f.*m)\\.regex\\.(nl) to.{2}", "from.regex.nl.", RrType.A, "to.nl.", "A")]
    [InlineData("rewrite name regex (dns)\\.(core)\\.(rocks) {2}.{1}.{3}", "core.dns.rocks.", RrType.A, "core.dns.rocks.", "A")]
    [InlineData("rewrite name regex (core)\\.(dns)\\.(rocks) {2}.{1}.{3}", "core.dns.rocks.", RrType.A, "dns.core.rocks.", "A")]
    [InlineData("rewrite name substring service.us-west-1.example.org service.us-west-1.consul", "ftp.service.us-west-1.example.org.", RrType.A, "ftp.service.us-west-1.consul.", "A")]
    [InlineData("rewrite type ANY HINFO", "a.nl.", RrType.ANY, "a.nl.", "HINFO")]
    [InlineData("rewrite type MX A", "to.nl.", RrType.MX, "to.nl.", "A")]
    public async Task Rewrite_should_rewrite_the_query_and_restore_the_question(string rule, string qname, ushort qtype, string seenName, string seenType)
    {
        await using var h = Start(rule);
        var m = (await h.QueryAsync(qname, qtype)).Message;
        var seen = Seen(m);
        Assert.Equal(seenName, seen[0]);
        Assert.Equal(seenType, seen[1]);
        Assert.Equal(qname.TrimEnd('.'), m.Questions[0].Name.ToString().TrimEnd('.'));
        Assert.Equal((RecordType)qtype, m.Questions[0].RecordType);
    }

    [Fact]
    public async Task Rewrite_should_rewrite_the_class()
    {
        await using var h = Start("rewrite class IN CH");
        var m = (await h.QueryAsync("a.nl.")).Message;
        Assert.Equal("CH", Seen(m)[2]);
        Assert.Equal(RecordClass.INet, m.Questions[0].RecordClass);
    }

    /// <summary>CoreDNS's TestRewriteNameExactAnswer and TestRewriteNamePrefixSuffixAutoAnswer: answer names mapped back.</summary>
    [Theory]
    [InlineData("rewrite name from.nl to.nl", "from.nl.", "from.nl.")]
    [InlineData("rewrite name prefix foo bar answer auto", "foo.example.com.", "foo.example.com.")]
    [InlineData("rewrite name suffix com org answer auto", "foo.example.com.", "foo.example.com.")]
    [InlineData("rewrite name suffix .ingress.coredns.rocks nginx.coredns.rocks answer auto", "coredns.ingress.coredns.rocks.", "coredns.ingress.coredns.rocks.")]
    [InlineData("rewrite name prefix foo bar", "foo.example.com.", "bar.example.com.")]
    [InlineData("rewrite name regex (core)\\.(dns)\\.(rocks) {2}.{1}.{3} answer name (dns)\\.(core)\\.(rocks) {2}.{1}.{3}", "core.dns.rocks.", "core.dns.rocks.")]
    [InlineData("rewrite name regex (core)\\.(dns)\\.(rocks) {2}.{1}.{3} answer auto", "core.dns.rocks.", "core.dns.rocks.")]
    public async Task Rewrite_should_rewrite_answer_names_back(string rule, string qname, string answerName)
    {
        await using var h = Start(rule);
        var m = (await h.QueryAsync(qname)).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Equal(answerName, m.AnswerRecords[0].Name.ToString());
    }

    [Fact]
    public async Task Rewrite_should_rewrite_names_in_record_values_with_answer_auto_and_answer_value()
    {
        await using var h = Start("rewrite name suffix .from.nl .to.nl answer auto");
        var m = (await h.QueryAsync("srv.from.nl.", RrType.SRV)).Message;
        var srv = Assert.IsType<SrvRecord>(m.AnswerRecords[0]);
        Assert.Equal("srv.from.nl.", srv.Name.ToString());
        Assert.Equal("host.from.nl.", srv.Target.ToString());

        await using var h2 = Start("rewrite name exact from.nl to.nl answer value (.*)\\.to\\.nl {1}.other.nl");
        var mx = (await h2.QueryAsync("from.nl.", RrType.MX)).Message.AnswerRecords.OfType<MxRecord>().Single();
        Assert.Equal("mail.other.nl.", mx.ExchangeDomainName.ToString());
    }

    [Fact]
    public async Task Rewrite_should_answer_servfail_for_an_illegal_name_after_rewrite()
    {
        await using var h = Start($"rewrite name regex (.*) {new string('a', 64)}.{{1}}");
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("x.nl.")).Rcode);
    }

    /// <summary>stop ends the run at the first rule that applies; continue lets the next rules run on the rewritten query.</summary>
    [Theory]
    [InlineData("rewrite name a.nl b.nl\n rewrite name b.nl to.nl", "b.nl.")]
    [InlineData("rewrite continue name a.nl b.nl\n rewrite name b.nl to.nl", "to.nl.")]
    [InlineData("rewrite stop name x.nl y.nl\n rewrite name a.nl to.nl", "to.nl.")]
    public async Task Rewrite_should_stop_or_continue(string rules, string seenName)
    {
        await using var h = Start(rules);
        var m = (await h.QueryAsync("a.nl.")).Message;
        Assert.Equal(seenName, Seen(m)[0]);
        Assert.Equal("a.nl.", m.Questions[0].Name.ToString());
    }

    /// <summary>CoreDNS's TestTtlRewrite: a fixed TTL or a range clamps every record.</summary>
    [Theory]
    [InlineData("rewrite ttl ttl.nl 30", new[] { 30, 30, 30 })]
    [InlineData("rewrite ttl exact ttl.nl 10-100", new[] { 10, 100, 50 })]
    [InlineData("rewrite ttl regex ^tt.*\\.nl 1-", new[] { 5, 500, 50 })]
    [InlineData("rewrite ttl suffix .nl -40", new[] { 5, 40, 40 })]
    [InlineData("rewrite ttl prefix other 30", new[] { 5, 500, 50 })]
    public async Task Rewrite_should_rewrite_ttls(string rule, int[] ttls)
    {
        await using var h = Start(rule);
        var m = (await h.QueryAsync("ttl.nl.")).Message;
        Assert.Equal(ttls, m.AnswerRecords.Select(r => r.TimeToLive));
    }

    /// <summary>CoreDNS's TestRCodeRewrite and TestRCodeRewriteEmptyResponse.</summary>
    [Theory]
    [InlineData("rewrite rcode nothing.nl nxdomain refused", "nothing.nl.", ReturnCode.Refused)]
    [InlineData("rewrite rcode regex ^no.*\\.nl 3 0", "nothing.nl.", ReturnCode.NoError)]
    [InlineData("rewrite rcode to.nl servfail nxdomain", "to.nl.", ReturnCode.NoError)]
    [InlineData("rewrite rcode substring other nxdomain refused", "nothing.nl.", ReturnCode.NxDomain)]
    public async Task Rewrite_should_rewrite_rcodes(string rule, string qname, ReturnCode rcode)
    {
        await using var h = Start(rule);
        Assert.Equal(rcode, (await h.QueryAsync(qname)).Rcode);
    }

    [Fact]
    public async Task Rewrite_should_rewrite_the_rcode_of_a_reply_without_records()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n rewrite rcode servfail.example. servfail refused\n testanswer\n}\n", TestAnswerSetup.Catalog);
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("servfail.example.")).Rcode);
    }

    /// <summary>CoreDNS's TestRewriteEDNS0Local / Unset / Subnet / LocalVariable: what the backend sees.</summary>
    [Theory]
    [InlineData("rewrite edns0 local set 0xffee 0xabcdef", false, "65518=ABCDEF")]
    [InlineData("rewrite edns0 local append 0xffee abcdefg", false, "65518=61626364656667")]
    [InlineData("rewrite edns0 local replace 0xffee abcdefg", false, "")]
    [InlineData("rewrite edns0 nsid set", false, "3=")]
    [InlineData("rewrite edns0 subnet set 24 56", false, "8=00011800C00002")]
    [InlineData("rewrite edns0 local set 0xffee {qtype}", false, "65518=0001")]
    [InlineData("rewrite edns0 local set 0xffee {client_ip}", false, "65518=C0000207")]
    [InlineData("rewrite edns0 local set 0xffee {client_port}", false, "65518=9D14")]
    [InlineData("rewrite edns0 local set 0xffee {protocol}", false, "65518=756470")]
    [InlineData("rewrite edns0 local set 0xffee {qname}", false, "65518=612E6E6C2E")]
    [InlineData("rewrite edns0 local set 0xffee 0xabcd", true, "65518=ABCD")]
    [InlineData("rewrite edns0 local replace 0xffee 0xabcd", true, "65518=ABCD")]
    [InlineData("rewrite edns0 local unset 0xffee", true, "")]
    public async Task Rewrite_should_edit_edns0_options_of_the_query(string rule, bool clientSends, string expected)
    {
        await using var h = Start(rule);
        var q = new QueryBuilder("a.nl.") { UdpSize = 1232 };
        if (clientSends) q.Options.Add((0xffee, [1, 2]));
        var m = (await h.QueryAsync(q, DnsTransport.Udp, client: new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40212))).Message;
        var options = Seen(m)[4..];
        Assert.Equal(expected, string.Join(" ", options));
    }

    [Fact]
    public async Task Rewrite_should_not_add_an_opt_to_the_reply_of_a_query_without_one()
    {
        await using var h = Start("rewrite edns0 local set 0xffee abc");
        var m = (await h.QueryAsync("a.nl.")).Message;
        Assert.Equal(["a.nl.", "A", "IN", "DO=0", "65518=616263"], Seen(m));
        Assert.Null(m.EDnsOptions);
    }

    /// <summary>CoreDNS's TestCNameTargetRewrite: the CNAME target is rewritten and looked up again; the answer ends with the new target's.</summary>
    [Theory]
    [InlineData("rewrite cname exact target.nl. new-target.nl.")]
    [InlineData("rewrite cname prefix target new-target")]
    [InlineData("rewrite cname suffix target.nl. target.nl.x")]
    [InlineData("rewrite cname regex ^(target)\\.nl\\.$ new-{1}.nl.")]
    public async Task Rewrite_should_rewrite_a_cname_target_and_resolve_it(string rule)
    {
        if (rule.Contains("suffix")) rule = "rewrite cname suffix target.nl. new-target.nl.";
        await using var h = PipelineHarness.Start(Sys, $". {{\n {rule}\n records\n}}\n", RecordsSetup.Catalog(Zone));
        var m = (await h.QueryAsync("alias.nl.")).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Equal(2, m.AnswerRecords.Count);
        var cname = Assert.IsType<CNameRecord>(m.AnswerRecords[0]);
        Assert.Equal("new-target.nl.", cname.CanonicalName.ToString());
        Assert.Equal(IPAddress.Parse("192.0.2.10"), Assert.IsType<ARecord>(m.AnswerRecords[1]).Address);
    }

    [Fact]
    public async Task Rewrite_should_leave_a_cname_alone_when_the_target_does_not_match()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n rewrite cname exact other.nl. new-target.nl.\n records\n}\n", RecordsSetup.Catalog(Zone));
        var m = (await h.QueryAsync("alias.nl.")).Message;
        var cname = Assert.IsType<CNameRecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal("target.nl.", cname.CanonicalName.ToString());
    }

    /// <summary>CoreDNS's README: a rule in a block, with explicit answer name and value rewrites.</summary>
    [Fact]
    public async Task Rewrite_should_take_a_rule_from_a_block_with_answer_name_and_value()
    {
        await using var h = Start("rewrite stop {\n  name regex (.*)\\.foo\\.nl {1}.to.nl\n  answer name (.*)\\.to\\.nl {1}.foo.nl\n  answer value (.*)\\.to\\.nl {1}.foo.nl\n }");
        var m = (await h.QueryAsync("sub.foo.nl.", RrType.CNAME)).Message;
        Assert.Equal("sub.to.nl.", Seen(m)[0]);
        var cname = Assert.IsType<CNameRecord>(m.AnswerRecords[0]);
        Assert.Equal("sub.foo.nl.", cname.Name.ToString());
        Assert.Equal("deep.foo.nl.", cname.CanonicalName.ToString());
    }

    [Fact]
    public async Task Rewrite_should_pass_queries_no_rule_matches_untouched()
    {
        await using var h = Start("rewrite name exact other.nl to.nl\n rewrite ttl other.nl 1");
        var m = (await h.QueryAsync("to.nl.")).Message;
        Assert.Equal("to.nl.", Seen(m)[0]);
        Assert.Equal(300, m.AnswerRecords[0].TimeToLive);
    }

    /// <summary>As CoreDNS: without a stop rule or response rules the reply keeps the rewritten question.</summary>
    [Theory]
    [InlineData("rewrite continue type A AAAA", RecordType.Aaaa)]
    [InlineData("rewrite stop type A AAAA", RecordType.A)]
    public async Task Rewrite_should_restore_the_question_only_after_a_stop_rule_or_response_rules(string rule, RecordType question)
    {
        await using var h = Start(rule);
        var m = (await h.QueryAsync("to.nl.")).Message;
        Assert.Equal("AAAA", Seen(m)[1]);
        Assert.Equal(question, m.Questions[0].RecordType);
    }
}
