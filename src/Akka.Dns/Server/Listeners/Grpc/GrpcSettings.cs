using Akka.Configuration;

namespace Akka.Dns.Server.Listeners.Grpc;

/// <summary>The typed view of <c>akka.dns.grpc</c> (reference.conf documents each key).</summary>
public sealed record GrpcSettings
{
    /// <summary>Streams per HTTP/2 connection when no grpc_server sets max_streams (CoreDNS: 256; 0 = unbounded).</summary>
    public int MaxStreams { get; init; } = 256;

    /// <summary>Concurrent connections per listener when no grpc_server sets max_connections (CoreDNS: 200; 0 = unbounded).</summary>
    public int MaxConnections { get; init; } = 200;

    /// <summary>Kestrel's keep-alive timeout: a connection with no request for this long is closed.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>How long the listener waits for calls in flight when it stops.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The grpc plugin's budget for one forwarded query over every upstream (CoreDNS's defaultTimeout).</summary>
    public TimeSpan ForwardTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The grpc plugin's HTTP/2 keep-alive ping on an idle upstream connection (0 = none).</summary>
    public TimeSpan ForwardKeepAlivePing { get; init; } = TimeSpan.FromSeconds(60);

    public static GrpcSettings Create(Config config)
    {
        var c = config.GetConfig("akka.dns.grpc");
        if (c is null || c.IsEmpty) return new GrpcSettings();
        return new GrpcSettings
        {
            MaxStreams = c.GetInt("max-streams", 256),
            MaxConnections = c.GetInt("max-connections", 200),
            KeepAliveTimeout = c.GetTimeSpan("keep-alive-timeout", TimeSpan.FromSeconds(130)),
            ShutdownTimeout = c.GetTimeSpan("shutdown-timeout", TimeSpan.FromSeconds(2)),
            ForwardTimeout = c.GetTimeSpan("forward.timeout", TimeSpan.FromSeconds(5)),
            ForwardKeepAlivePing = c.GetTimeSpan("forward.keep-alive-ping", TimeSpan.FromSeconds(60)),
        };
    }
}
