using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Dnssec;

/// <summary>
/// coredns_dnssec_*: the <see cref="SignatureCache"/> counts hits and misses on the query path (striped counters, no
/// labels); a running dnssec plugin copies what they grew into these, and the cache's size, when <c>/metrics</c> is
/// read, so they keep counting across reloads (a reload makes a new cache).
/// </summary>
public static class DnssecMetrics
{
    public static readonly global::Prometheus.Gauge Entries = PrometheusRegistry.Gauge("coredns_dnssec_cache_entries",
        "The number of elements in the dnssec cache.", "server", "type");
    public static readonly global::Prometheus.Counter Hits = PrometheusRegistry.Counter("coredns_dnssec_cache_hits_total",
        "The count of cache hits.", "server");
    public static readonly global::Prometheus.Counter Misses = PrometheusRegistry.Counter("coredns_dnssec_cache_misses_total",
        "The count of cache misses.", "server");

    /// <summary>Exports <paramref name="plugin"/>'s cache under its block's server label until <see cref="Stop"/>.</summary>
    internal static void Start(DnssecPlugin plugin)
    {
        var cache = plugin.Cache;
        var hits = new PrometheusRegistry.Delta(Hits.WithLabels(plugin.Server), () => cache.Hits);
        var misses = new PrometheusRegistry.Delta(Misses.WithLabels(plugin.Server), () => cache.Misses);
        var entries = Entries.WithLabels(plugin.Server, "signature");
        PrometheusRegistry.AddScrapeSource(plugin, () =>
        {
            hits.Copy();
            misses.Copy();
            entries.Set(cache.Count);
        });
    }

    internal static void Stop(DnssecPlugin plugin) => PrometheusRegistry.RemoveScrapeSource(plugin);
}
