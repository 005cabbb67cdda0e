using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Acl;

/// <summary>
/// coredns_acl_{blocked,filtered,allowed,dropped}_requests_total: counted process-wide (striped, no labels) on the
/// query path, copied into the exported counters when <c>/metrics</c> is read.
/// </summary>
public static class AclMetrics
{
    public static readonly Counter Blocked = new();
    public static readonly Counter Filtered = new();
    public static readonly Counter Allowed = new();
    public static readonly Counter Dropped = new();

    public static readonly global::Prometheus.Counter BlockedTotal = PrometheusRegistry.Counter("coredns_acl_blocked_requests_total",
        "Counter of DNS requests being blocked.");
    public static readonly global::Prometheus.Counter FilteredTotal = PrometheusRegistry.Counter("coredns_acl_filtered_requests_total",
        "Counter of DNS requests being filtered.");
    public static readonly global::Prometheus.Counter AllowedTotal = PrometheusRegistry.Counter("coredns_acl_allowed_requests_total",
        "Counter of DNS requests being allowed.");
    public static readonly global::Prometheus.Counter DroppedTotal = PrometheusRegistry.Counter("coredns_acl_dropped_requests_total",
        "Counter of DNS requests being dropped.");

    static AclMetrics()
    {
        PrometheusRegistry.Follow(BlockedTotal, Blocked);
        PrometheusRegistry.Follow(FilteredTotal, Filtered);
        PrometheusRegistry.Follow(AllowedTotal, Allowed);
        PrometheusRegistry.Follow(DroppedTotal, Dropped);
    }
}
