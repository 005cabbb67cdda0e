using System.Net;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Secondary;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Secondary;

public sealed class SecondarySetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private SecondaryPlugin Parse(string directives, string keys = ".") =>
        PluginPlans.Plan(Sys, $"{keys} {{\n {directives}\n}}\n").Blocks[0].Plugins.OfType<SecondaryPlugin>().Single();

    [Fact]
    public void Secondary_should_take_the_block_zones_and_add_up_transfer_from_lines()
    {
        var s = Parse("secondary {\n transfer from 127.0.0.1\n transfer from 10.0.0.1:5300 [2001:db8::1]:53\n }", "example.org example.net");
        Assert.Equal(["example.org.", "example.net."], s.Zones.Select(z => z.Slot.Origin));
        Assert.Equal(["127.0.0.1:53", "10.0.0.1:5300", "[2001:db8::1]:53"], s.Zones[0].From.Select(f => f.Text));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 5300), s.Zones[1].From[1].EndPoint);
        Assert.Null(s.Zones[0].Slot.Current);
        Assert.False(s.Fallthrough.Through("www.example.org."));
    }

    [Fact]
    public void Secondary_should_read_zones_and_fallthrough_of_several_directives()
    {
        var s = Parse("secondary example.org {\n transfer from 127.0.0.1\n fallthrough example.org\n }\n secondary example.net {\n transfer from 127.0.0.2\n }");
        Assert.Equal(["example.org.", "example.net."], s.TransferZones);
        Assert.Equal(["127.0.0.2:53"], s.Zones[1].From.Select(f => f.Text));
        Assert.True(s.Fallthrough.Through("www.example.org."));
        Assert.False(s.Fallthrough.Through("www.example.net."));
    }

    [Theory]
    [InlineData("secondary", "Corefile:2 - Error during parsing: plugin/secondary: secondary zones require a transfer from property")]
    [InlineData("secondary example.org {\n fallthrough\n }", "Corefile:4 - Error during parsing: plugin/secondary: secondary zones require a transfer from property")]
    [InlineData("secondary example.org {\n transferr from 127.0.0.1\n }", "Corefile:3 - Error during parsing: plugin/secondary: unknown property 'transferr'")]
    [InlineData("secondary {\n catalog\n }", "Corefile:3 - Error during parsing: plugin/secondary: unknown property 'catalog'")]
    [InlineData("secondary {\n transfer to 127.0.0.1\n }", "Corefile:3 - Error during parsing: plugin/secondary: unknown property to")]
    [InlineData("secondary {\n transfer\n }", "Corefile:3 - Error during parsing: plugin/secondary: Wrong argument count or unexpected line ending after 'transfer'")]
    [InlineData("secondary {\n transfer from\n }", "Corefile:3 - Error during parsing: plugin/secondary: Wrong argument count or unexpected line ending after 'from'")]
    [InlineData("secondary {\n transfer from 127.0.0.1 *\n }", "Corefile:3 - Error during parsing: plugin/secondary: can't use '*' in transfer from")]
    [InlineData("secondary {\n transfer from example.com\n }", "Corefile:3 - Error during parsing: plugin/secondary: must specify an IP address: `example.com'")]
    [InlineData("secondary {\n transfer from 127.0.0.1:abc\n }", "Corefile:3 - Error during parsing: plugin/secondary: invalid port \"abc\" in \"127.0.0.1:abc\"")]
    public void Secondary_should_reject_a_bad_directive_with_coredns_error(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(directive));
        Assert.Equal(message, e.Message);
    }
}
