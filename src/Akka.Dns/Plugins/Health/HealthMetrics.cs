using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Health;

/// <summary>coredns_health_*: fed by the self check of each health address (<see cref="HealthSelfCheck"/>).</summary>
public static class HealthMetrics
{
    public static readonly global::Prometheus.Histogram Duration = PrometheusRegistry.Histogram("coredns_health_request_duration_seconds",
        "Histogram of the time (in seconds) each request took.", PrometheusRegistry.SlimTimeBuckets);
    public static readonly global::Prometheus.Counter Failures = PrometheusRegistry.Counter("coredns_health_request_failures_total",
        "The number of times the health check failed.");
}
