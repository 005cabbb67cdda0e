using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Https;
using Akka.Dns.Server;
using Xunit;

namespace Akka.Dns.Tests.Plugins.Https;

public sealed class HttpsSetupSpec
{
    private static ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Akka.Configuration.ConfigurationFactory.Empty), 1053);

    private static int? MaxConnections(string directive)
    {
        var plan = Plan($"https://.:8443 {{\n {directive}\n whoami\n}}\n");
        return plan.Blocks[0].Plugins.OfType<HttpsPlugin>().SingleOrDefault()?.MaxConnections;
    }

    [Theory]
    [InlineData("https", 200)]
    [InlineData("https {\n }", 200)]
    [InlineData("https {\n  max_connections 200\n }", 200)]
    [InlineData("https {\n  max_connections 100\n }", 100)]
    [InlineData("https {\n  max_connections 0\n }", 0)]
    [InlineData("https {\n  max_connections +7\n }", 7)]
    public void Https_should_read_max_connections_with_coredns_default_of_200(string directive, int expected)
    {
        Assert.Equal(expected, MaxConnections(directive));
    }

    [Fact]
    public void Https_should_be_optional()
    {
        Assert.Null(MaxConnections("bind 127.0.0.1"));
    }

    [Theory]
    [InlineData("https {\n  max_connections\n }", "Corefile:3 - Error during parsing: plugin/https: Wrong argument count or unexpected line ending after 'max_connections'")]
    [InlineData("https {\n  max_connections 1 2\n }", "Corefile:3 - Error during parsing: plugin/https: Wrong argument count or unexpected line ending after '2'")]
    [InlineData("https {\n  max_connections abc\n }", "Corefile:3 - Error during parsing: plugin/https: invalid max_connections value 'abc': strconv.Atoi: parsing \"abc\": invalid syntax")]
    [InlineData("https {\n  max_connections 99999999999999999999\n }", "Corefile:3 - Error during parsing: plugin/https: invalid max_connections value '99999999999999999999': strconv.Atoi: parsing \"99999999999999999999\": value out of range")]
    [InlineData("https {\n  max_connections -1\n }", "Corefile:3 - Error during parsing: plugin/https: max_connections must be a non-negative integer: -1")]
    [InlineData("https {\n  max_connections 100\n  max_connections 200\n }", "Corefile:4 - Error during parsing: plugin/https: max_connections already defined for this server block")]
    [InlineData("https {\n  unknown_option 123\n }", "Corefile:3 - Error during parsing: plugin/https: unknown property 'unknown_option'")]
    [InlineData("https extra_arg", "Corefile:2 - Error during parsing: plugin/https: Wrong argument count or unexpected line ending after 'extra_arg'")]
    public void Https_should_refuse_bad_syntax_with_coredns_messages(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => MaxConnections(directive));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Https_should_be_allowed_once_per_block()
    {
        var e = Assert.Throws<CorefileException>(() => MaxConnections("https\n https"));
        Assert.Equal("Corefile:3 - Error during parsing: plugin/https: this plugin can only be used once per Server Block", e.Message);
    }
}
