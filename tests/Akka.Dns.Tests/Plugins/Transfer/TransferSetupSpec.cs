using System.Net;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Transfer;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Transfer;

public sealed class TransferSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private TransferPlugin Parse(string directives, string keys = ".") =>
        PluginPlans.Plan(Sys, $"{keys} {{\n {directives}\n}}\n").Blocks[0].Plugins.OfType<TransferPlugin>().Single();

    [Fact]
    public void Transfer_should_parse_zones_to_and_source_of_several_directives()
    {
        var t = Parse("transfer example.net example.org {\n to 1.2.3.4 5.6.7.8:1053 [1::2]:34 [fe80::1%eth0]:53\n source 2001:db8::53\n }\n"
                      + " transfer example.com example.edu {\n to * 1.2.3.4\n }");
        Assert.Equal(2, t.Options.Rules.Length);
        var first = t.Options.Rules[0];
        Assert.Equal(["example.net.", "example.org."], first.Zones);
        Assert.Equal(["1.2.3.4:53", "5.6.7.8:1053", "[1::2]:34", "[fe80::1%eth0]:53"], first.To.Select(x => x.Text));
        Assert.Equal(IPAddress.Parse("2001:db8::53"), first.Source);
        var second = t.Options.Rules[1];
        Assert.Equal(["example.com.", "example.edu."], second.Zones);
        Assert.Equal(["*", "1.2.3.4:53"], second.To.Select(x => x.Text));
        Assert.Null(second.Source);
    }

    [Fact]
    public void Transfer_should_inherit_the_block_zones_and_add_up_to_lines()
    {
        var t = Parse("transfer {\n to 1.2.3.4\n to 5.6.7.8:1053 [1::2]:34\n }", "example.org example.net");
        var rule = Assert.Single(t.Options.Rules);
        Assert.Equal(["example.org.", "example.net."], rule.Zones);
        Assert.Equal(["1.2.3.4:53", "5.6.7.8:1053", "[1::2]:34"], rule.To.Select(x => x.Text));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("5.6.7.8"), 1053), rule.To[1].EndPoint);
    }

    [Theory]
    [InlineData("transfer", "Corefile:2 - Error during parsing: plugin/transfer: 'to' is required")]
    [InlineData("transfer example.net example.org {\n }", "Corefile:3 - Error during parsing: plugin/transfer: 'to' is required")]
    [InlineData("transfer {\n to\n }", "Corefile:3 - Error during parsing: plugin/transfer: Wrong argument count or unexpected line ending after 'to'")]
    [InlineData("transfer {\n invalid option\n }", "Corefile:3 - Error during parsing: plugin/transfer: unknown property \"invalid\"")]
    [InlineData("transfer {\n to example.com 1.2.3.4\n }", "Corefile:3 - Error during parsing: plugin/transfer: must specify an IP address: `example.com'")]
    [InlineData("transfer {\n to example.com:53\n }", "Corefile:3 - Error during parsing: plugin/transfer: must specify an IP address: `example.com'")]
    [InlineData("transfer {\n to 1.2.3.4:abc\n }", "Corefile:3 - Error during parsing: plugin/transfer: invalid port \"abc\" in \"1.2.3.4:abc\"")]
    [InlineData("transfer {\n to 1.2.3.4\n source example.org\n }", "Corefile:4 - Error during parsing: plugin/transfer: invalid source address \"example.org\"")]
    [InlineData("transfer {\n to 1.2.3.4\n source\n }", "Corefile:4 - Error during parsing: plugin/transfer: Wrong argument count or unexpected line ending after 'source'")]
    [InlineData("transfer {\n to 1.2.3.4\n source 192.0.2.53 2001:db8::53\n }", "Corefile:4 - Error during parsing: plugin/transfer: Wrong argument count or unexpected line ending after '2001:db8::53'")]
    [InlineData("transfer {\n to 1.2.3.4\n source 192.0.2.53\n source 2001:db8::53\n }", "Corefile:5 - Error during parsing: plugin/transfer: source already specified")]
    [InlineData("transfer {\n to *\n }\n transfer example.org {\n }", "Corefile:6 - Error during parsing: plugin/transfer: 'to' is required")]
    public void Transfer_should_reject_a_bad_directive_with_coredns_error(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(directive));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("1.2.3.4", true)]
    [InlineData("5.6.7.8", false)]
    [InlineData("1::2", true)]
    [InlineData("::ffff:1.2.3.4", true)]
    [InlineData("fe80::1", false)]
    public void Transfer_should_allow_only_the_to_addresses(string client, bool allowed)
    {
        var rule = Parse("transfer {\n to 1.2.3.4:5300 [1::2]:34 [fe80::1%eth0]:53\n }").Options.Rules[0];
        Assert.Equal(allowed, rule.Allows(IPAddress.Parse(client)));
    }

    [Fact]
    public void Transfer_should_pick_the_rule_with_the_longest_zone()
    {
        var t = Parse("transfer example.org {\n to 192.0.2.1\n }\n transfer a.example.org {\n to *\n }");
        Assert.Same(t.Options.Rules[1], t.Options.LongestMatch("host.a.example.org."));
        Assert.Same(t.Options.Rules[0], t.Options.LongestMatch("b.example.org."));
        Assert.Null(t.Options.LongestMatch("other.net."));
    }
}
