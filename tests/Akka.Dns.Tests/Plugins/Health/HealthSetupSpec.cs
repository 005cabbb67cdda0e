using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Health;
using Akka.Dns.Server;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Health;

public sealed class HealthSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    [Theory]
    [InlineData("health", ":8080", 0.0)]
    [InlineData("health localhost:1234", "localhost:1234", 0.0)]
    [InlineData("health localhost:1234 {\n lameduck 4s\n }", "localhost:1234", 4.0)]
    [InlineData("health {\n lameduck 1.5s\n }", ":8080", 1.5)]
    [InlineData("health {\n lameduck -1s\n }", ":8080", 0.0)]
    [InlineData("health bla:a", "bla:a", 0.0)]
    [InlineData("health [::1]:8080", "[::1]:8080", 0.0)]
    [InlineData("health :8081\n health {\n lameduck 2s\n }", ":8081", 2.0)]
    public void Health_should_parse_the_address_and_lameduck(string directive, string address, double lameduck)
    {
        var health = Assert.IsType<HealthPlugin>(Assert.Single(Plan($". {{\n {directive}\n}}\n").Blocks[0].Plugins));
        Assert.Equal(address, health.Address);
        Assert.Equal(TimeSpan.FromSeconds(lameduck), health.Lameduck);
        Assert.False(health.IsHandler);
    }

    [Theory]
    [InlineData("health bla", "Corefile:2 - Error during parsing: plugin/health: address bla: missing port in address")]
    [InlineData("health ::1:8080", "Corefile:2 - Error during parsing: plugin/health: address ::1:8080: too many colons in address")]
    [InlineData("health [::1:8080", "Corefile:2 - Error during parsing: plugin/health: address [::1:8080: missing ']' in address")]
    [InlineData("health bla bla", "Corefile:2 - Error during parsing: plugin/health: Wrong argument count or unexpected line ending after 'bla'")]
    [InlineData("health localhost:1234 {\n lameduck a\n }", "Corefile:3 - Error during parsing: plugin/health: unable to parse lameduck duration value: 'a' : time: invalid duration \"a\"")]
    [InlineData("health localhost:1234 {\n lameduck 4\n }", "Corefile:3 - Error during parsing: plugin/health: unable to parse lameduck duration value: '4' : time: missing unit in duration \"4\"")]
    [InlineData("health localhost:1234 {\n lameduck\n }", "Corefile:3 - Error during parsing: plugin/health: Wrong argument count or unexpected line ending after 'lameduck'")]
    [InlineData("health localhost:1234 {\n lamedudk 4\n }", "Corefile:3 - Error during parsing: plugin/health: unknown property 'lamedudk'")]
    public void Health_should_reject_a_bad_directive_with_coredns_error(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan($". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("a:1", true, "a", "1", "")]
    [InlineData(":8080", true, "", "8080", "")]
    [InlineData("[::1]:53", true, "::1", "53", "")]
    [InlineData("", false, "", "", "missing port in address")]
    [InlineData("[::1]", false, "", "", "address [::1]: missing port in address")]
    [InlineData("[::1]x:53", false, "", "", "address [::1]x:53: missing port in address")]
    [InlineData("[::1]:5:3", false, "", "", "address [::1]:5:3: too many colons in address")]
    [InlineData("a[:53", false, "", "", "address a[:53: unexpected '[' in address")]
    [InlineData("a]:53", false, "", "", "address a]:53: unexpected ']' in address")]
    public void Go_split_host_port_should_behave_like_go(string hostport, bool ok, string host, string port, string error)
    {
        Assert.Equal(ok, GoNet.TrySplitHostPort(hostport, out var h, out var p, out var e));
        Assert.Equal((host, port, error), (ok ? h : "", ok ? p : "", e));
    }
}
