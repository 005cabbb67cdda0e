using Akka.Configuration;
using Xunit;

namespace Akka.Dns.Tests.Config;

public sealed class ReferenceConfSpec
{
    /// <summary>forward fails over within its 5 s budget; a shorter server deadline would SERVFAIL before it could.</summary>
    [Fact]
    public void Reference_conf_request_deadline_should_leave_forward_its_whole_budget() =>
        Assert.True(DnsSettings.Create(ConfigurationFactory.Empty).RequestTimeout >= Akka.Dns.Plugins.Forward.ForwardOptions.QueryBudget);

    [Fact]
    public void Reference_conf_should_hold_every_documented_default()
    {
        var s = DnsSettings.Create(ConfigurationFactory.Empty);
        Assert.Equal("akka.dns.dispatcher", s.Dispatcher);
        Assert.Equal(TimeSpan.FromSeconds(5), s.RequestTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), s.DeadlineSweepInterval);
        Assert.Equal(65536, s.MaxInFlight);
        Assert.Equal(Environment.ProcessorCount, s.Pipelines);
        Assert.Equal(1232, s.MaxUdpSize);
        Assert.Equal(TimeSpan.FromSeconds(1), s.ShutdownGrace);
        Assert.Equal(Environment.ProcessorCount, s.UdpReceiveThreads);
        Assert.Equal(4 * 1024 * 1024, s.UdpReceiveBuffer);
        Assert.Equal(4 * 1024 * 1024, s.UdpSendBuffer);
        Assert.Equal(512, s.TcpBacklog);
        Assert.Equal(1024, s.TcpMaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), s.TcpIdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), s.TcpReadTimeout);
        Assert.Equal(-1, s.TcpMaxQueries);
        Assert.Equal(256, s.TcpMaxPendingReplies);
        Assert.Equal(10, s.MaxNrOfRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), s.WithinTimeRange);
        Assert.Equal(TimeSpan.FromSeconds(1), s.MinBackoff);
        Assert.Equal(TimeSpan.FromSeconds(30), s.MaxBackoff);
        Assert.Equal(0.2, s.RandomFactor);
        Assert.Equal(TimeSpan.FromSeconds(2), s.HttpShutdownTimeout);
    }

    [Fact]
    public void Reference_conf_should_run_query_path_actors_on_the_inline_executor()
    {
        var c = DnsSettings.DefaultConfig().GetConfig("akka.dns.dispatcher");
        Assert.Equal("Dispatcher", c.GetString("type"));
        Assert.Equal("Akka.Dns.Server.Pipeline.InlineExecutorConfigurator, Akka.Dns", c.GetString("executor"));
        Assert.Equal(100, c.GetInt("throughput"));
    }

    [Fact]
    public void Every_key_in_reference_conf_should_have_a_comment_above_it()
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "src/Akka.Dns/reference.conf"));
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i].Trim();
            if (l.Length == 0 || l.StartsWith('#') || l.StartsWith('}') || l.EndsWith('{') || !l.Contains('=')) continue;
            var j = i - 1;
            while (j >= 0 && lines[j].Trim().Length > 0 && !lines[j].Trim().StartsWith('#') && lines[j].Contains('=')) j--;
            Assert.True(j >= 0 && (lines[j].Trim().StartsWith('#') || lines[j].Trim().EndsWith('{')), $"reference.conf:{i + 1}: '{l}' has no comment");
        }
    }

    [Theory]
    [InlineData("akka.dns.server.pipelines = 0", "akka.dns.server.pipelines must be 'auto' or ≥ 1, got 0")]
    [InlineData("akka.dns.server.max-udp-size = 100", "akka.dns.server.max-udp-size must be 512..65535, got 100")]
    [InlineData("akka.dns.tcp.max-connections = 0", "akka.dns.tcp.max-connections must be ≥ 1, got 0")]
    [InlineData("akka.dns.supervision.random-factor = 2", "akka.dns.supervision.random-factor must be 0..1, got 2")]
    public void Settings_should_name_the_key_and_the_rule_for_a_bad_value(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => DnsSettings.Create(ConfigurationFactory.ParseString(hocon)));
        Assert.Equal(message, e.Message);
    }
}

internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(System.IO.Path.Combine(d.FullName, "Akka.Dns.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("Akka.Dns.sln not found above " + AppContext.BaseDirectory);
    }
}
