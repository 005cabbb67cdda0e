using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Dns64;

/// <summary>coredns_dns64_requests_translated_total: counted process-wide on the query path, exported at scrape time.</summary>
public static class Dns64Metrics
{
    public static readonly Counter Translated = new();

    public static readonly global::Prometheus.Counter TranslatedTotal = PrometheusRegistry.Counter("coredns_dns64_requests_translated_total",
        "Counter of DNS requests translated by dns64.", "server");

    /// <summary>The labeled counter (server only: one for the process).</summary>
    public static readonly RequestCounter TranslatedByServer = new(TranslatedTotal, new BlockOptions());
}
