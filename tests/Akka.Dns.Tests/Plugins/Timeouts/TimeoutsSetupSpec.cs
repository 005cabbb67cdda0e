using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Timeouts;

public sealed class TimeoutsSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    private BlockOptions Options(string body) => Plan($". {{\n timeouts {{\n{body}\n }}\n}}\n").Blocks[0].Options;

    [Theory]
    [InlineData("read 30s", 30.0, null, null, null)]
    [InlineData("read 1m\n write 2m", 60.0, 120.0, null, null)]
    [InlineData("idle 1h", null, null, 3600.0, null)]
    [InlineData("read 10\n write 20\n idle 60", 10.0, 20.0, 60.0, null)]
    [InlineData("read 1s\n idle 24h", 1.0, null, 86400.0, null)]
    [InlineData("write 1.5s", null, 1.5, null, null)]
    [InlineData("maxtcpqueries 128", null, null, null, 128)]
    [InlineData("maxtcpqueries -1", null, null, null, -1)]
    [InlineData("read 10s\n maxtcpqueries 128", 10.0, null, null, 128)]
    public void Timeouts_should_set_the_block_options(string body, double? read, double? write, double? idle, int? maxTcpQueries)
    {
        var o = Options(body);
        Assert.Equal(read, o.ReadTimeout?.TotalSeconds);
        Assert.Equal(write, o.WriteTimeout?.TotalSeconds);
        Assert.Equal(idle, o.IdleTimeout?.TotalSeconds);
        Assert.Equal(maxTcpQueries, o.MaxTcpQueries);
    }

    [Fact]
    public void Timeouts_should_merge_several_timeouts_directives_of_a_block()
    {
        var o = Plan(". {\n timeouts {\n  read 5s\n }\n timeouts {\n  idle 7s\n }\n}\n").Blocks[0].Options;
        Assert.Equal(TimeSpan.FromSeconds(5), o.ReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), o.IdleTimeout);
    }

    [Theory]
    [InlineData(". {\n timeouts\n}\n", "Corefile:2 - Error during parsing: plugin/timeouts: timeouts block with no timeouts specified")]
    [InlineData(". {\n timeouts {\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: timeouts block with no timeouts specified")]
    [InlineData(". {\n timeouts 5s {\n  read 5s\n }\n}\n", "Corefile:2 - Error during parsing: plugin/timeouts: Wrong argument count or unexpected line ending after '5s'")]
    [InlineData(". {\n timeouts {\n  read 10s\n  giraffe 30s\n }\n}\n", "Corefile:4 - Error during parsing: plugin/timeouts: unknown option: 'giraffe'")]
    [InlineData(". {\n timeouts {\n  giraffe snake\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: failed to parse duration 'snake'")]
    [InlineData(". {\n timeouts {\n  read 10s 20s\n  write 30s\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: Wrong argument count or unexpected line ending after '20s'")]
    [InlineData(". {\n timeouts {\n  read\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: Wrong argument count or unexpected line ending after 'read'")]
    [InlineData(". {\n timeouts {\n  write snake\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: failed to parse duration 'snake'")]
    [InlineData(". {\n timeouts {\n  write 10x\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: failed to parse duration '10x'")]
    [InlineData(". {\n timeouts {\n  idle 0s\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: timeout provided '0s' needs to be between 1 second and 24 hours")]
    [InlineData(". {\n timeouts {\n  idle 999ms\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: timeout provided '999ms' needs to be between 1 second and 24 hours")]
    [InlineData(". {\n timeouts {\n  idle -5\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: timeout provided '-5s' needs to be between 1 second and 24 hours")]
    [InlineData(". {\n timeouts {\n  read 48h\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: timeout provided '48h0m0s' needs to be between 1 second and 24 hours")]
    [InlineData(". {\n timeouts {\n  read 24h0m1s\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: timeout provided '24h0m1s' needs to be between 1 second and 24 hours")]
    [InlineData(". {\n timeouts {\n  maxtcpqueries 0\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: maxtcpqueries provided '0' needs to be -1 (unlimited) or a positive integer")]
    [InlineData(". {\n timeouts {\n  maxtcpqueries -2\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: maxtcpqueries provided '-2' needs to be -1 (unlimited) or a positive integer")]
    [InlineData(". {\n timeouts {\n  maxtcpqueries snake\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: invalid value for maxtcpqueries 'snake': strconv.Atoi: parsing \"snake\": invalid syntax")]
    [InlineData(". {\n timeouts {\n  maxtcpqueries 99999999999999999999\n }\n}\n", "Corefile:3 - Error during parsing: plugin/timeouts: invalid value for maxtcpqueries '99999999999999999999': strconv.Atoi: parsing \"99999999999999999999\": value out of range")]
    public void Timeouts_should_reject_a_bad_block_with_coredns_error(string corefile, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan(corefile));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("0", 0L, "0s")]
    [InlineData("1s", 1_000_000_000L, "1s")]
    [InlineData("1.5s", 1_500_000_000L, "1.5s")]
    [InlineData("48h", 172_800_000_000_000L, "48h0m0s")]
    [InlineData("2h45m", 9_900_000_000_000L, "2h45m0s")]
    [InlineData("-1.5h", -5_400_000_000_000L, "-1h30m0s")]
    [InlineData("300ms", 300_000_000L, "300ms")]
    [InlineData("1µs", 1_000L, "1µs")]
    [InlineData("1us", 1_000L, "1µs")]
    [InlineData("7ns", 7L, "7ns")]
    [InlineData(".5m", 30_000_000_000L, "30s")]
    public void Go_durations_should_parse_and_print_like_go(string text, long nanoseconds, string printed)
    {
        Assert.True(GoDuration.TryParse(text, out var ns, out var error), error);
        Assert.Equal(nanoseconds, ns);
        Assert.Equal(printed, GoDuration.Format(ns));
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("1", "time: missing unit in duration \"1\"")]
    [InlineData("1q", "time: unknown unit \"q\" in duration \"1q\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("a", "time: invalid duration \"a\"")]
    [InlineData("9999999999999999999h", "time: invalid duration \"9999999999999999999h\"")]
    public void Go_durations_should_refuse_what_go_refuses(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var actual));
        Assert.Equal(error, actual);
    }
}
