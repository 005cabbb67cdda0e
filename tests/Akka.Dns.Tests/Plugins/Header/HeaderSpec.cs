using Akka.Dns.Corefile;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Header;

public sealed class HeaderSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string, bool, bool, bool, bool> Cases => new()
    {
        // rules, query RD, then expected AA, RD, RA in whoami's reply (whoami sets AA, copies RD)
        { "", true, true, true, false },
        { "response set ra", true, true, true, true },
        { "response set ra aa\n response clear rd", true, true, false, true },
        { "response clear aa", true, false, true, false },
        { "response set ra\n response clear ra", true, true, true, false },
        { "response clear ra\n response set ra", true, true, true, true },
        { "RESPONSE SET RA", true, true, true, true },
        { "query set rd", false, true, true, false },
        { "query clear rd", true, true, false, false },
        { "query clear rd\n response set rd", true, true, true, false },
        { "query set aa ra", false, true, false, false },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Header_should_apply_its_rules_in_order(string rules, bool queryRd, bool aa, bool rd, bool ra)
    {
        var block = rules.Length == 0 ? "" : $" header {{\n  {rules}\n }}\n";
        await using var h = PipelineHarness.Start(Sys, $". {{\n{block} whoami\n}}\n");
        var m = (await h.QueryAsync(new QueryBuilder("example.org.") { Rd = queryRd })).Message;
        Assert.Equal((aa, rd, ra), (m.IsAuthoritiveAnswer, m.IsRecursionDesired, m.IsRecursionAllowed));
    }

    [Fact]
    public async Task Header_should_change_replies_the_server_writes_too()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n header {\n  response set ra aa\n }\n}\n");
        var m = (await h.QueryAsync(new QueryBuilder("example.org."))).Message;
        Assert.Equal(ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure, m.ReturnCode);
        Assert.True(m.IsRecursionAllowed);
        Assert.True(m.IsAuthoritiveAnswer);
    }

    [Theory]
    [InlineData("header", "Corefile:2 - Error during parsing: plugin/header: Wrong argument count or unexpected line ending after 'header'")]
    [InlineData("header {\n }", "Corefile:3 - Error during parsing: plugin/header: Wrong argument count or unexpected line ending after '}'")]
    [InlineData("header {\n foo set aa\n }", "Corefile:3 - Error during parsing: plugin/header: setting up rule: invalid selector=foo should be query or response")]
    [InlineData("header {\n query\n }", "Corefile:3 - Error during parsing: plugin/header: setting up rule: no flag action provided")]
    [InlineData("header {\n query set\n }", "Corefile:3 - Error during parsing: plugin/header: setting up rule: invalid length for flags, at least one should be provided")]
    [InlineData("header {\n response toggle aa\n }", "Corefile:3 - Error during parsing: plugin/header: setting up rule: unknown flag action=toggle, should be set or clear")]
    [InlineData("header {\n response set cd\n }", "Corefile:3 - Error during parsing: plugin/header: setting up rule: unknown/unsupported flag=cd")]
    [InlineData("header {\n response set aa\n }\n header {\n query set rd\n }", "Corefile:5 - Error during parsing: plugin/header: this plugin can only be used once per Server Block")]
    public void Header_should_reject_bad_rules_with_coredns_message(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
