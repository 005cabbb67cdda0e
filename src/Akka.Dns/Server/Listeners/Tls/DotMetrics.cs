namespace Akka.Dns.Server.Listeners.Tls;

/// <summary>
/// Counts of the tls:// listeners, process-wide. CoreDNS has no DoT-specific metric: its requests are counted
/// under coredns_dns_requests_total{proto="tcp"} like any query (ours go through the same dispatcher), so
/// these are extras for /metrics, named after what they would export.
/// </summary>
internal static class DotMetrics
{
    /// <summary>akka_dns_dot_connections_total: connections accepted (handshake done, or clear text).</summary>
    public static readonly Counter Connections = new();

    /// <summary>akka_dns_dot_rejected_total: connections closed at once because the listener was at akka.dns.dot.max-connections.</summary>
    public static readonly Counter Rejected = new();

    /// <summary>akka_dns_dot_handshake_failures_total{reason="error"}: handshakes the peer or the certificate policy (client_auth) failed.</summary>
    public static readonly Counter HandshakeFailures = new();

    /// <summary>akka_dns_dot_handshake_failures_total{reason="timeout"}: handshakes not done within akka.dns.dot.handshake-timeout.</summary>
    public static readonly Counter HandshakeTimeouts = new();

    /// <summary>akka_dns_dot_write_timeouts_total: connections closed because a reply could not be written within the write timeout.</summary>
    public static readonly Counter WriteTimeouts = new();
}
