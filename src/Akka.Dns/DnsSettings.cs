using System.Reflection;
using Akka.Actor;
using Akka.Configuration;

namespace Akka.Dns;

/// <summary>The typed view of <c>akka.dns</c>, read once. Defaults live only in reference.conf.</summary>
public sealed class DnsSettings
{
    private static readonly Lazy<Config> Reference = new(() =>
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("Akka.Dns.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is not embedded in Akka.Dns");
        using var r = new StreamReader(s);
        return ConfigurationFactory.ParseString(r.ReadToEnd());
    });

    /// <summary>reference.conf as a Config.</summary>
    public static Config DefaultConfig() => Reference.Value;

    /// <summary>Reads akka.dns of <paramref name="system"/>, first injecting reference.conf as its fallback (dispatchers included).</summary>
    public static DnsSettings Create(ActorSystem system)
    {
        system.Settings.InjectTopLevelFallback(DefaultConfig());
        return Create(system.Settings.Config);
    }

    public static DnsSettings Create(Config config)
    {
        var c = config.WithFallback(DefaultConfig()).GetConfig("akka.dns");
        return new DnsSettings(c);
    }

    private DnsSettings(Config c)
    {
        Dispatcher = "akka.dns.dispatcher";
        RequestTimeout = Positive(c, "server.request-timeout");
        DeadlineSweepInterval = Positive(c, "server.deadline-sweep-interval");
        MaxInFlight = AtLeast(c, "server.max-in-flight", 1);
        Pipelines = Auto(c, "server.pipelines");
        MaxUdpSize = c.GetInt("server.max-udp-size");
        if (MaxUdpSize is < 512 or > 65535) throw Bad("server.max-udp-size", "must be 512..65535", MaxUdpSize);
        ShutdownGrace = c.GetTimeSpan("server.shutdown-grace");
        UdpReceiveThreads = Auto(c, "udp.receive-threads");
        UdpReceiveBuffer = (int)(c.GetByteSize("udp.receive-buffer") ?? 0);
        UdpSendBuffer = (int)(c.GetByteSize("udp.send-buffer") ?? 0);
        UdpBatch = AtLeast(c, "udp.batch", 1);
        TcpBacklog = AtLeast(c, "tcp.backlog", 1);
        DynupdateWriteTimeout = c.GetTimeSpan("dynupdate.write-timeout");
        TcpMaxConnections = AtLeast(c, "tcp.max-connections", 1);
        TcpIdleTimeout = Positive(c, "tcp.idle-timeout");
        TcpReadTimeout = Positive(c, "tcp.read-timeout");
        TcpMaxQueries = c.GetInt("tcp.max-queries");
        TcpMaxPendingReplies = AtLeast(c, "tcp.max-pending-replies", 1);
        MaxNrOfRetries = c.GetInt("supervision.max-nr-of-retries");
        WithinTimeRange = c.GetTimeSpan("supervision.within-time-range");
        MinBackoff = Positive(c, "supervision.min-backoff");
        MaxBackoff = Positive(c, "supervision.max-backoff");
        RandomFactor = c.GetDouble("supervision.random-factor");
        if (RandomFactor is < 0 or > 1) throw Bad("supervision.random-factor", "must be 0..1", RandomFactor);
        HttpShutdownTimeout = c.GetTimeSpan("http.shutdown-timeout");
        TlsReloadInterval = c.GetTimeSpan("tls.reload-interval");
        TlsProtocols = Protocols(c, "tls.protocols");
    }

    public TimeSpan TlsReloadInterval { get; }
    public System.Security.Authentication.SslProtocols TlsProtocols { get; }

    private static System.Security.Authentication.SslProtocols Protocols(Config c, string key)
    {
        var p = System.Security.Authentication.SslProtocols.None;
        foreach (var s in c.GetStringList(key))
        {
            p |= s.ToLowerInvariant() switch
            {
                "tls12" or "tls1.2" => System.Security.Authentication.SslProtocols.Tls12,
                "tls13" or "tls1.3" => System.Security.Authentication.SslProtocols.Tls13,
                _ => throw Bad(key, "takes tls12 and tls13 only", s),
            };
        }
        return p != System.Security.Authentication.SslProtocols.None ? p : throw Bad(key, "needs at least one of tls12, tls13", "[]");
    }

    /// <summary>Config path of the query-path dispatcher.</summary>
    public string Dispatcher { get; }
    public TimeSpan RequestTimeout { get; }
    public TimeSpan DeadlineSweepInterval { get; }
    public int MaxInFlight { get; }
    public int Pipelines { get; }
    public int MaxUdpSize { get; }
    public TimeSpan ShutdownGrace { get; }
    public int UdpReceiveThreads { get; }
    public int UdpReceiveBuffer { get; }
    public int UdpSendBuffer { get; }

    /// <summary>Datagrams per recvmmsg/sendmmsg (Linux); 1 = one ReceiveFrom/SendTo per packet.</summary>
    public int UdpBatch { get; }

    /// <summary>How long an UPDATE waits for a majority of the cluster to acknowledge its write before SERVFAIL.</summary>
    public TimeSpan DynupdateWriteTimeout { get; }
    public int TcpBacklog { get; }
    public int TcpMaxConnections { get; }
    public TimeSpan TcpIdleTimeout { get; }
    public TimeSpan TcpReadTimeout { get; }
    public int TcpMaxQueries { get; }
    public int TcpMaxPendingReplies { get; }
    public int MaxNrOfRetries { get; }
    public TimeSpan WithinTimeRange { get; }
    public TimeSpan MinBackoff { get; }
    public TimeSpan MaxBackoff { get; }
    public double RandomFactor { get; }
    public TimeSpan HttpShutdownTimeout { get; }

    private static ConfigurationException Bad(string key, string rule, object got) =>
        new($"akka.dns.{key} {rule}, got {got}");

    private static TimeSpan Positive(Config c, string key)
    {
        var v = c.GetTimeSpan(key);
        return v > TimeSpan.Zero ? v : throw Bad(key, "must be a positive duration", v);
    }

    private static int AtLeast(Config c, string key, int min)
    {
        var v = c.GetInt(key);
        return v >= min ? v : throw Bad(key, $"must be ≥ {min}", v);
    }

    private static int Auto(Config c, string key)
    {
        var s = c.GetString(key);
        if (string.Equals(s, "auto", StringComparison.OrdinalIgnoreCase)) return Environment.ProcessorCount;
        return int.TryParse(s, out var n) && n >= 1 ? n : throw Bad(key, "must be 'auto' or ≥ 1", s);
    }
}
