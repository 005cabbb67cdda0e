using Akka.Actor;
using Akka.Configuration;

namespace Akka.Dns.Server.Listeners.Tls;

/// <summary>The typed view of <c>akka.dns.dot</c> (reference.conf has the defaults and why).</summary>
internal sealed record DotSettings(int MaxConnections, TimeSpan HandshakeTimeout, TimeSpan WriteTimeout)
{
    public static DotSettings Create(ActorSystem system) => Create(system.Settings.Config.WithFallback(DnsSettings.DefaultConfig()));

    public static DotSettings Create(Config config)
    {
        var c = config.WithFallback(DnsSettings.DefaultConfig()).GetConfig("akka.dns.dot");
        return new DotSettings(
            AtLeast(c, "max-connections", 1),
            Positive(c, "handshake-timeout"),
            Positive(c, "write-timeout"));
    }

    private static ConfigurationException Bad(string key, string rule, object got) => new($"akka.dns.dot.{key} {rule}, got {got}");

    private static int AtLeast(Config c, string key, int min)
    {
        var v = c.GetInt(key);
        return v >= min ? v : throw Bad(key, $"must be ≥ {min}", v);
    }

    private static TimeSpan Positive(Config c, string key)
    {
        var v = c.GetTimeSpan(key);
        return v > TimeSpan.Zero ? v : throw Bad(key, "must be a positive duration", v);
    }
}
