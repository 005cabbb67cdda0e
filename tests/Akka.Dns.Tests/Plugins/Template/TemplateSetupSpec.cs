using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Template;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Template;

public sealed class TemplateSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private TemplatePlugin Parse(string directives) =>
        PluginPlans.Plan(Sys, $"domain.com:8053 dynamic.domain.com:8053 {{\n {directives}\n}}\n").Blocks[0].Plugins.OfType<TemplatePlugin>().Single();

    /// <summary>CoreDNS's TestSetupParse (oks).</summary>
    [Theory]
    [InlineData("template ANY ANY {\n  answer \"{{ parseInt }}\"\n  additional \"{{ parseInt }}\"\n  authority \"{{ parseInt }}\"\n }")]
    [InlineData("template ANY ANY (?P<x>")]
    [InlineData("template ANY ANY {\n\n }")]
    [InlineData("template ANY A example.com {\n  match ip-(?P<a>[0-9]*)-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]com\n  answer \"{{ .Name }} A {{ .Group.a }}.{{ .Group.b }}.{{ .Group.c }}.{{ .Grup.d }}.\"\n  fallthrough\n }")]
    [InlineData("template IN ANY example.com {\n  match \"[.](example[.]com[.]dc1[.]example[.]com[.])$\"\n  rcode NXDOMAIN\n  authority \"{{ index .Match 1 }} 60 IN SOA ns.{{ index .Match 1 }} hostmaster.example.com (1 60 60 60 60)\"\n  fallthrough example.com\n }")]
    [InlineData("template ANY ANY invalid {\n  rcode NXDOMAIN\n  ederror 21 \"Blocked according to RFC2606\"\n }")]
    [InlineData("template ANY ANY {\n  upstream 8.8.8.8\n  answer \"{{ (index .Message.Question 0).Name }} 60 IN TXT {{ .Message.Id }}\" \"{{ .Meta \\\"a/b\\\" | printf \\\"%s\\\" }} 1 TXT x\"\n }")]
    public void Template_should_set_up_coredns_examples(string directives) => Assert.NotEmpty(Parse(directives).Templates);

    [Fact]
    public void Template_should_default_to_the_block_zones_and_match_everything()
    {
        var t = Parse("template IN A").Templates[0];
        Assert.Equal(["domain.com.", "dynamic.domain.com."], t.Zones);
        Assert.Equal(".*", t.Regexes.Single().ToString());
        Assert.Equal(0, t.Rcode);
        Assert.False(t.Fall.IsSet);
    }

    /// <summary>CoreDNS's TestSetupParse (fails), with CoreDNS's messages.</summary>
    [Theory]
    [InlineData("template", 2, "Wrong argument count or unexpected line ending after 'template'")]
    [InlineData("template X", 2, "invalid query class X")]
    [InlineData("template ANY", 2, "Wrong argument count or unexpected line ending after 'ANY'")]
    [InlineData("template ANY X", 2, "invalid RR class X")]
    [InlineData("template any ANY", 2, "invalid query class any")]
    [InlineData("template ANY ANY .* {\n  notavailable\n }", 3, "Wrong argument count or unexpected line ending after 'notavailable'")]
    [InlineData("template ANY ANY {\n  answer\n }", 3, "Wrong argument count or unexpected line ending after 'answer'")]
    [InlineData("template ANY ANY {\n  additional\n }", 3, "Wrong argument count or unexpected line ending after 'additional'")]
    [InlineData("template ANY ANY {\n  rcode\n }", 3, "Wrong argument count or unexpected line ending after 'rcode'")]
    [InlineData("template ANY ANY {\n  rcode UNDEFINED\n }", 3, "unknown rcode UNDEFINED")]
    [InlineData("template ANY ANY {\n  answer \"{{\"\n }", 3, "could not compile template: {{, template: answer:1: unclosed action")]
    [InlineData("template ANY ANY {\n  authority \"{{\"\n }", 3, "could not compile template: {{, template: authority:1: unclosed action")]
    [InlineData("template ANY ANY {\n  answer \"{{ notAFunction }}\"\n }", 3, "could not compile template: {{ notAFunction }}, template: answer:1: function \"notAFunction\" not defined")]
    [InlineData("template ANY ANY {\n  match [bad\n }", 3, "could not parse regex: [bad, error parsing regexp: [bad")]
    [InlineData("template ANY ANY {\n  ederror\n }", 3, "Wrong argument count or unexpected line ending after 'ederror'")]
    [InlineData("template ANY ANY {\n  ederror x\n }", 3, "error parsing extended DNS error code x, strconv.ParseUint: parsing \"x\": invalid syntax")]
    [InlineData("template ANY ANY {\n  ederror 1 2 3\n }", 3, "Wrong argument count or unexpected line ending after '3'")]
    public void Template_should_reject_bad_syntax_with_coredns_messages(string directives, int line, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(directives));
        Assert.Equal($"Corefile:{line} - Error during parsing: plugin/template: {message}", e.Message);
    }

    [Fact]
    public void Template_should_reject_a_regex_longer_than_10000_characters()
    {
        var e = Assert.Throws<CorefileException>(() => Parse($"template ANY ANY {{\n  match {new string('a', 10001)}\n }}"));
        Assert.EndsWith("plugin/template: regex pattern too long: 10001 > 10000", e.Message);
    }
}
