using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Acl;

/// <summary>
/// coredns_acl_{blocked,filtered,allowed,dropped}_requests_total, counted per block with CoreDNS's labels (see
/// <see cref="AclCounters"/>); the striped process-wide totals stay for specs and the daemon's own use.
/// </summary>
public static class AclMetrics
{
    public static readonly Counter Blocked = new();
    public static readonly Counter Filtered = new();
    public static readonly Counter Allowed = new();
    public static readonly Counter Dropped = new();

    public static readonly global::Prometheus.Counter BlockedTotal = PrometheusRegistry.Counter("coredns_acl_blocked_requests_total",
        "Counter of DNS requests being blocked.", "server", "zone", "view");
    public static readonly global::Prometheus.Counter FilteredTotal = PrometheusRegistry.Counter("coredns_acl_filtered_requests_total",
        "Counter of DNS requests being filtered.", "server", "zone", "view");
    public static readonly global::Prometheus.Counter AllowedTotal = PrometheusRegistry.Counter("coredns_acl_allowed_requests_total",
        "Counter of DNS requests being allowed.", "server", "view");
    public static readonly global::Prometheus.Counter DroppedTotal = PrometheusRegistry.Counter("coredns_acl_dropped_requests_total",
        "Counter of DNS requests being dropped.", "server", "zone", "view");
}

/// <summary>One acl instance's labeled counters (lock-free per query, see <see cref="RequestCounter"/>).</summary>
public sealed class AclCounters(BlockOptions options)
{
    public RequestCounter Blocked { get; } = new(AclMetrics.BlockedTotal, options);
    public RequestCounter Filtered { get; } = new(AclMetrics.FilteredTotal, options);
    public RequestCounter Allowed { get; } = new(AclMetrics.AllowedTotal, options);
    public RequestCounter Dropped { get; } = new(AclMetrics.DroppedTotal, options);
}
