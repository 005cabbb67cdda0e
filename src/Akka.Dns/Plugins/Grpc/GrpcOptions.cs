using System.Net;
using Akka.Dns.Plugins.Forward;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>The <c>grpc FROM TO... { ... }</c> stanza, as parsed; immutable.</summary>
public sealed record GrpcOptions
{
    /// <summary>CoreDNS's max: at most 15 upstreams.</summary>
    public const int MaxUpstreams = 15;

    public string From { get; init; } = ".";
    public IReadOnlyList<string> Ignored { get; init; } = [];
    public IReadOnlyList<IPEndPoint> Upstreams { get; init; } = [];

    /// <summary>tls CERT KEY CA (0 to 3 arguments) or tls_servername alone: the upstreams speak TLS; null = h2c.</summary>
    public ForwardTls? Tls { get; init; }
    public string? TlsServerName { get; init; }
    public ForwardPolicy Policy { get; init; } = ForwardPolicy.Random;
    public Fallthrough Fall { get; init; } = Fallthrough.Never;

    /// <summary>Whether the upstreams are reached over TLS (a tls property, or tls_servername alone, as CoreDNS).</summary>
    public bool UsesTls => Tls is not null || TlsServerName is not null;
}
