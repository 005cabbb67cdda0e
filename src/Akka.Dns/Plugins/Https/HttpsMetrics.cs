using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Https;

/// <summary>
/// coredns_dns_https_responses_total: the DoH listeners count in their own striped counters
/// (<see cref="Server.Listeners.Https.DohMetrics"/>); the prometheus plugin copies them here when <c>/metrics</c> is read.
/// </summary>
public static class HttpsMetrics
{
    public static readonly global::Prometheus.Counter Responses = PrometheusRegistry.Counter("coredns_dns_https_responses_total",
        "Counter of DoH responses per server and http status code.", "server", "status");
}
