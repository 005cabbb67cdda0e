using Akka.Configuration;
using Akka.Dns.Server.Listeners.Tls;
using Xunit;

namespace Akka.Dns.Tests.Server.Listeners;

public sealed class DotSettingsSpec
{
    [Fact]
    public void DotSettings_should_read_the_reference_defaults()
    {
        var s = DotSettings.Create(ConfigurationFactory.Empty);
        Assert.Equal(new DotSettings(1024, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)), s);
    }

    [Theory]
    [InlineData("max-connections = 0", "akka.dns.dot.max-connections must be ≥ 1, got 0")]
    [InlineData("handshake-timeout = 0s", "akka.dns.dot.handshake-timeout must be a positive duration, got 00:00:00")]
    [InlineData("write-timeout = 0s", "akka.dns.dot.write-timeout must be a positive duration, got 00:00:00")]
    public void DotSettings_should_refuse_bad_values_naming_the_key(string line, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => DotSettings.Create(ConfigurationFactory.ParseString("akka.dns.dot." + line)));
        Assert.Equal(message, e.Message);
    }
}
