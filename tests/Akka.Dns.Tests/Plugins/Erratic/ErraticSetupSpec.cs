using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Erratic;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Erratic;

public sealed class ErraticSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ErraticOptions Parse(string block) => PluginPlans.PluginOf<ErraticPlugin>(Sys, block).Options;

    /// <summary>CoreDNS's TestParseErratic (oks): block → drop, delay, truncate.</summary>
    public static TheoryData<string, ulong, ulong, ulong> Parsed => new()
    {
        { "erratic", 2, 0, 0 },
        { "erratic {\n drop 2\n delay 3 1ms\n }", 2, 3, 0 },
        { "erratic {\n truncate 2\n delay 3 1ms\n }", 0, 3, 2 },
        { "erratic {\n drop 3\n delay\n }", 3, 2, 0 },
        { "erratic {\n drop 3\n truncate\n }", 3, 0, 2 },
        { "erratic {\n drop\n truncate 4\n }", 0, 0, 4 },
        { "erratic {\n drop 0\n }", 0, 0, 0 },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Erratic_should_parse_amounts_like_coredns(string block, ulong drop, ulong delay, ulong truncate)
    {
        var o = Parse(block);
        Assert.Equal((drop, delay, truncate), (o.Drop, o.Delay, o.Truncate));
    }

    [Theory]
    [InlineData("erratic {\n delay\n }", 100)]
    [InlineData("erratic {\n delay 3\n }", 100)]
    [InlineData("erratic {\n delay 3 50ms\n }", 50)]
    [InlineData("erratic {\n delay 3 1.5s\n }", 1500)]
    public void Erratic_should_default_the_delay_to_100ms(string block, int ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Parse(block).Duration);

    /// <summary>CoreDNS's TestParseErratic (fails), with the messages CoreDNS gives.</summary>
    [Theory]
    [InlineData("erratic {\n  drop -1\n }", 3, "illegal amount value given \"-1\"")]
    [InlineData("erratic {\n  delay -1\n }", 3, "illegal amount value given \"-1\"")]
    [InlineData("erratic {\n  delay 1 2 4\n }", 3, "Wrong argument count or unexpected line ending after '4'")]
    [InlineData("erratic {\n  delay 15.a\n }", 3, "strconv.ParseInt: parsing \"15.a\": invalid syntax")]
    [InlineData("erratic {\n  drop 3\n  delay 3 bla\n }", 4, "time: invalid duration \"bla\"")]
    [InlineData("erratic {\n  truncate 15.a\n }", 3, "strconv.ParseInt: parsing \"15.a\": invalid syntax")]
    [InlineData("erratic {\n  truncate 9999999999\n }", 3, "strconv.ParseInt: parsing \"9999999999\": value out of range")]
    [InlineData("erratic {\n  drop 1 2\n }", 3, "Wrong argument count or unexpected line ending after '2'")]
    [InlineData("erratic {\n  something-else\n }", 3, "unknown property 'something-else'")]
    public void Erratic_should_reject_bad_properties_with_coredns_messages(string block, int line, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(block));
        Assert.Equal($"Corefile:{line} - Error during parsing: plugin/erratic: {message}", e.Message);
    }

    [Fact]
    public void Erratic_should_be_allowed_once_per_block()
    {
        var e = Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, ". {\n erratic\n erratic\n}\n"));
        Assert.Contains("erratic", e.Message);
    }

    [Fact]
    public void Erratic_should_report_ready() => Assert.True(PluginPlans.PluginOf<ErraticPlugin>(Sys, "erratic").Ready);
}
