using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Akka.Dns.Plugins.Forward;

/// <summary>How upstreams are ordered for each query (CoreDNS's Policy).</summary>
public enum ForwardPolicy { Random, RoundRobin, Sequential }

/// <summary>One TO address: plain DNS (UDP/TCP) or DNS over TLS, with an optional per-upstream TLS server name.</summary>
public sealed record UpstreamAddress(bool Tls, IPEndPoint EndPoint, string? ServerName)
{
    /// <summary>CoreDNS's "to" label: "127.0.0.1:53" or "tls://127.0.0.1:853".</summary>
    public string Text { get; } = (Tls ? "tls://" : "") + EndPoint;

    public override string ToString() => Text;
}

/// <summary>The TLS client settings of the <c>tls</c> property (CERT KEY CA), already loaded.</summary>
public sealed record ForwardTls(X509Certificate2? ClientCertificate, X509Certificate2Collection? Roots);

/// <summary>One <c>forward FROM TO...</c> stanza, as parsed; immutable.</summary>
public sealed record ForwardOptions
{
    public const int MaxUpstreams = 15;
    public static readonly TimeSpan DefaultExpire = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultHealthCheck = TimeSpan.FromMilliseconds(500);
    /// <summary>CoreDNS's overall budget of one forwarded query (defaultTimeout).</summary>
    public static readonly TimeSpan QueryBudget = TimeSpan.FromSeconds(5);

    public string From { get; init; } = ".";
    public IReadOnlyList<string> Ignored { get; init; } = [];
    public IReadOnlyList<UpstreamAddress> Upstreams { get; init; } = [];
    public uint MaxFails { get; init; } = 2;
    public uint MaxConnectAttempts { get; init; }
    public bool MaxConnectAttemptsSet { get; init; }
    public bool ForceTcp { get; init; }
    public bool PreferUdp { get; init; }
    public TimeSpan Expire { get; init; } = DefaultExpire;
    public TimeSpan MaxAge { get; init; }
    public int MaxIdleConns { get; init; }
    public TimeSpan ReadTimeout { get; init; } = DefaultReadTimeout;
    public TimeSpan HealthCheckInterval { get; init; } = DefaultHealthCheck;
    public bool HealthCheckRecursionDesired { get; init; } = true;
    public string HealthCheckDomain { get; init; } = ".";
    public ForwardTls? Tls { get; init; }
    public string? TlsServerName { get; init; }
    public ForwardPolicy Policy { get; init; } = ForwardPolicy.Random;
    public int MaxConcurrent { get; init; }
    public IReadOnlyList<int> NextRcodes { get; init; } = [];
    public bool NextOnNoData { get; init; }
    public bool FailfastAllUnhealthy { get; init; }
    public IReadOnlyList<int> FailoverRcodes { get; init; } = [];
    public IPAddress? SourceAddress { get; init; }
}
