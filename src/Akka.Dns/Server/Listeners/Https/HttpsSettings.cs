using Akka.Actor;
using Akka.Configuration;

namespace Akka.Dns.Server.Listeners.Https;

/// <summary>The typed view of <c>akka.dns.https</c> (Kestrel limits of the DoH listeners), read once per listener.</summary>
public sealed class HttpsSettings
{
    private HttpsSettings(Config c)
    {
        IdleTimeout = Positive(c, "idle-timeout");
        ReadTimeout = Positive(c, "read-timeout");
        MaxRequestBodySize = Between(c, "max-request-body-size", 512, 65535);
        MaxRequestLineSize = Between(c, "max-request-line-size", 1024, int.MaxValue);
        MaxRequestHeadersTotalSize = Between(c, "max-request-headers-total-size", 1024, int.MaxValue);
        Http2MaxStreamsPerConnection = Between(c, "http2.max-streams-per-connection", 1, int.MaxValue);
        Http2MaxRequestHeaderFieldSize = Between(c, "http2.max-request-header-field-size", 1024, int.MaxValue);
        ShutdownTimeout = c.GetTimeSpan("shutdown-timeout");
    }

    public static HttpsSettings Create(ActorSystem system) => Create(system.Settings.Config);

    public static HttpsSettings Create(Config config) =>
        new(config.WithFallback(DnsSettings.DefaultConfig()).GetConfig("akka.dns.https"));

    public TimeSpan IdleTimeout { get; }
    public TimeSpan ReadTimeout { get; }
    public int MaxRequestBodySize { get; }
    public int MaxRequestLineSize { get; }
    public int MaxRequestHeadersTotalSize { get; }
    public int Http2MaxStreamsPerConnection { get; }
    public int Http2MaxRequestHeaderFieldSize { get; }
    public TimeSpan ShutdownTimeout { get; }

    private static TimeSpan Positive(Config c, string key)
    {
        var v = c.GetTimeSpan(key);
        return v > TimeSpan.Zero ? v : throw new ConfigurationException($"akka.dns.https.{key} must be a positive duration, got {v}");
    }

    private static int Between(Config c, string key, int min, int max)
    {
        var v = c.GetByteSize(key) ?? c.GetLong(key);
        return v >= min && v <= max ? (int)v
            : throw new ConfigurationException($"akka.dns.https.{key} must be {min}..{max}, got {v}");
    }
}
