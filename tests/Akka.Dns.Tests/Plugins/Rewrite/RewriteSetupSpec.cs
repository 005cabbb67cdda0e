using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Rewrite;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Rewrite;

public sealed class RewriteSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private RewritePlugin Parse(string directives) => PluginPlans.PluginOf<RewritePlugin>(Sys, directives);

    /// <summary>CoreDNS's TestNewRule (oks): each rule line sets up.</summary>
    [Theory]
    [InlineData("name a.com b.com")]
    [InlineData("name exact a.com b.com")]
    [InlineData("name prefix a.com b.com")]
    [InlineData("name suffix a.com b.com")]
    [InlineData("name substring a.com b.com")]
    [InlineData("name regex ([a])\\.com new-{1}.com")]
    [InlineData("name regex (dns)\\.(core)\\.(rocks) {2}.{1}.{3} answer name (core)\\.(dns)\\.(rocks) {2}.{1}.{3}")]
    [InlineData("name substring fcore.dns.rocks dns.fcore.rocks answer name (fcore)\\.(dns)\\.(rocks) {2}.{1}.{3}")]
    [InlineData("name suffix .a.com .b.com answer auto")]
    [InlineData("name prefix a b answer auto answer value (.*)\\.b {1}.a")]
    [InlineData("stop name regex foo bar answer name bar foo")]
    [InlineData("continue name a.com b.com")]
    [InlineData("type any a")]
    [InlineData("class ch in")]
    [InlineData("edns0 local set 65518 abcdefg")]
    [InlineData("edns0 local set 0xffee abcdefg revert")]
    [InlineData("edns0 local append 0xffee abcdefg")]
    [InlineData("edns0 local replace 0xffee 0xabcd")]
    [InlineData("edns0 local unset 0xffee")]
    [InlineData("edns0 nsid set")]
    [InlineData("edns0 nsid append revert")]
    [InlineData("edns0 nsid unset")]
    [InlineData("edns0 local set 0xffee {qname}")]
    [InlineData("edns0 local set 0xffee {client_ip}")]
    [InlineData("edns0 local replace 0xffee {server_port} revert")]
    [InlineData("edns0 local set 0xffee {test/label}")]
    [InlineData("edns0 subnet set 24 56")]
    [InlineData("edns0 subnet append 24 56 revert")]
    [InlineData("edns0 subnet unset")]
    [InlineData("ttl a.com 30")]
    [InlineData("ttl regex (.*)\\.a\\.com 10-20")]
    [InlineData("ttl prefix a -20")]
    [InlineData("ttl suffix a.com 10-")]
    [InlineData("rcode a.com servfail nxdomain")]
    [InlineData("rcode regex (.*)\\.a\\.com 2 3")]
    [InlineData("cname exact a.com. b.com.")]
    [InlineData("cname regex (.*)\\.a\\.com {1}.b.com")]
    [InlineData("cname a.com b.com")]
    public void Rewrite_should_set_up_coredns_rules(string rule) => Assert.Single(Parse($"rewrite {rule}").Rules);

    [Fact]
    public void Rewrite_should_take_a_rule_from_its_block_and_keep_rules_in_line_order()
    {
        var p = Parse("rewrite stop {\n  name regex (.*)\\.foo {1}.bar\n  answer name (.*)\\.bar {1}.foo\n }\n rewrite continue type a aaaa\n rewrite name x.org y.org");
        Assert.Equal(3, p.Rules.Count);
        Assert.Equal([true, false, true], p.Rules.Select(r => r.Stop));
    }

    /// <summary>CoreDNS's TestNewRule, TestNewTTLRule, TestNewRCodeRule, setup_test (fails), with CoreDNS's messages.</summary>
    [Theory]
    [InlineData("rewrite", "no rule type specified for rewrite")]
    [InlineData("rewrite foo", "invalid rule type \"foo\"")]
    [InlineData("rewrite name", "too few arguments for a name rule")]
    [InlineData("rewrite name a.com", "too few arguments for a name rule")]
    [InlineData("rewrite name a.com b.com c.com", "name rule supports only exact, prefix, suffix, substring, and regex name matching, received: a.com")]
    [InlineData("rewrite name regex ([a]\\.com new-{1}.com", "invalid regex matching pattern: ([a]\\.com")]
    [InlineData("rewrite name regex (a)\\.com new-{1}{2}.com", "the rewrite regex pattern (new-{1}{2}.com) uses more subexpressions than its corresponding matching regex pattern ((a)\\.com)")]
    [InlineData("rewrite name regex (adns)\\.(core) {2}.{1} answer name (core)\\.(adns) {2}.{1} too.long way.too.long", "invalid type \"too.long\" for answer rule for regex rule")]
    [InlineData("rewrite name regex (bdns)\\.(core) {2}.{1} NoAnswer name (core)\\.(bdns) {2}.{1}", "exceeded the number of arguments for a non-answer rule argument for regex rule")]
    [InlineData("rewrite name regex (cdns)\\.(core) {2}.{1} answer ttl (core)\\.(cdns) {2}.{1}", "invalid type \"ttl\" for answer rule for regex rule")]
    [InlineData("rewrite name prefix a b answer", "invalid arguments for prefix rule")]
    [InlineData("rewrite name prefix a b answer name x", "name answer rule for prefix rule: 2 arguments required")]
    [InlineData("rewrite name prefix a b answer auto answer name x y", "auto name answer rule cannot be combined with explicit name anwer rules")]
    [InlineData("rewrite name substring a.com b.com c.com", "invalid arguments for substring rule")]
    [InlineData("rewrite stop", "stop rule must begin with a rule type")]
    [InlineData("rewrite continue", "continue rule must begin with a rule type")]
    [InlineData("rewrite answer name a b", "response rewrites must begin with a name rule")]
    [InlineData("rewrite type", "type rules must have exactly two arguments")]
    [InlineData("rewrite type any a a", "type rules must have exactly two arguments")]
    [InlineData("rewrite type XY WV", "invalid type \"XY\"")]
    [InlineData("rewrite type ANY WV", "invalid type \"WV\"")]
    [InlineData("rewrite class IN", "class rules must have exactly two arguments")]
    [InlineData("rewrite class XY WV", "invalid class \"XY\"")]
    [InlineData("rewrite class IN WV", "invalid class \"WV\"")]
    [InlineData("rewrite edns0", "too few arguments for an EDNS0 rule")]
    [InlineData("rewrite edns0 unknown-rule-type set", "invalid rule type \"unknown-rule-type\"")]
    [InlineData("rewrite edns0 local foo 0xffee abcdefg", "invalid action: \"foo\"")]
    [InlineData("rewrite edns0 local set 0xffee", "EDNS0 local rules require three or four args")]
    [InlineData("rewrite edns0 local set invalid-uint abcdefg", "strconv.ParseUint: parsing \"invalid-uint\": invalid syntax")]
    [InlineData("rewrite edns0 local set 0xffee 0xabcdefg", "encoding/hex: invalid byte: U+0067 'g'")]
    [InlineData("rewrite edns0 local unset 0xffee abcdefg", "local unset action requires exactly two arguments")]
    [InlineData("rewrite edns0 nsid set junk", "EDNS0 NSID rules can accept no more than one arg")]
    [InlineData("rewrite edns0 nsid unset revert", "nsid unset action requires exactly one argument")]
    [InlineData("rewrite edns0 local set 0xffee {dummy}", "unsupported variable name \"{dummy}\"")]
    [InlineData("rewrite edns0 subnet set -1 56", "strconv.ParseUint: parsing \"-1\": invalid syntax")]
    [InlineData("rewrite edns0 subnet set 33 56", "invalid IPv4 bit mask length 33")]
    [InlineData("rewrite edns0 subnet set 24 129", "invalid IPv6 bit mask length 129")]
    [InlineData("rewrite edns0 subnet append 24 56 72", "EDNS0 subnet rules require three or four args")]
    [InlineData("rewrite ttl a.com", "too few (1) arguments for a ttl rule")]
    [InlineData("rewrite ttl a.com x", "invalid TTL 'x' for a ttl rule")]
    [InlineData("rewrite ttl a.com 20-10", "invalid TTL '20-10' for a ttl rule")]
    [InlineData("rewrite ttl a.com -", "invalid TTL '-' for a ttl rule")]
    [InlineData("rewrite ttl foo a.com 10", "ttl rule supports only exact, prefix, suffix, substring, and regex name matching")]
    [InlineData("rewrite ttl regex (a 10", "invalid regex pattern in a ttl rule: (a")]
    [InlineData("rewrite ttl exact a.com 10 20", "invalid TTL '' for a ttl rule")]
    [InlineData("rewrite rcode a.com 3", "too few (2) arguments for a rcode rule")]
    [InlineData("rewrite rcode a.com 24 3", "invalid matching RCODE '24' for a rcode rule")]
    [InlineData("rewrite rcode a.com nxdomain bogus", "invalid replacement RCODE 'bogus' for a rcode rule")]
    [InlineData("rewrite rcode foo a.com 2 3", "rcode rule supports only exact, prefix, suffix, substring, and regex name matching")]
    [InlineData("rewrite cname a.com", "too few (1) arguments for a cname rule")]
    [InlineData("rewrite cname foo a.com b.com", "unknown cname rewrite type: foo")]
    public void Rewrite_should_reject_bad_rules_with_coredns_messages(string line, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(line));
        Assert.Equal($"Corefile:2 - Error during parsing: plugin/rewrite: {message}", e.Message);
    }

    [Fact]
    public void Rewrite_should_reject_a_regex_longer_than_10000_characters()
    {
        var e = Assert.Throws<CorefileException>(() => Parse($"rewrite name regex {new string('a', 10001)} b"));
        Assert.EndsWith("plugin/rewrite: regex pattern too long: 10001 > 10000", e.Message);
    }

    [Theory]
    [InlineData("10", 10u, 10u)]
    [InlineData("10-20", 10u, 20u)]
    [InlineData("-20", 0u, 20u)]
    [InlineData("10-", 10u, 2147483647u)]
    public void Rewrite_should_read_ttl_ranges_like_coredns(string text, uint min, uint max)
    {
        Assert.True(RuleParser.TryParseTtl(text, out var a, out var b));
        Assert.Equal((min, max), (a, b));
    }
}
