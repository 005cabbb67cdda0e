using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Cache;

/// <summary>
/// coredns_cache_*: each <see cref="CacheStore"/> counts on the query path (striped counters, no labels); a running
/// cache plugin copies what its counters grew into these when <c>/metrics</c> is read, so they keep counting across
/// reloads (a reload makes a new store).
/// </summary>
public static class CacheMetrics
{
    public static readonly global::Prometheus.Gauge Entries = PrometheusRegistry.Gauge("coredns_cache_entries",
        "The number of elements in the cache.", "server", "type", "zones", "view");
    public static readonly global::Prometheus.Counter Requests = PrometheusRegistry.Counter("coredns_cache_requests_total",
        "The count of cache requests.", "server", "zones", "view");
    public static readonly global::Prometheus.Counter Hits = PrometheusRegistry.Counter("coredns_cache_hits_total",
        "The count of cache hits.", "server", "type", "zones", "view");
    public static readonly global::Prometheus.Counter Misses = PrometheusRegistry.Counter("coredns_cache_misses_total",
        "The count of cache misses. Deprecated, derive misses from cache hits/requests counters.", "server", "zones", "view");
    public static readonly global::Prometheus.Counter Prefetch = PrometheusRegistry.Counter("coredns_cache_prefetch_total",
        "The number of times the cache has prefetched a cached item.", "server", "zones", "view");
    public static readonly global::Prometheus.Counter Drops = PrometheusRegistry.Counter("coredns_cache_drops_total",
        "The number responses that are not cached, because the reply is malformed.", "server", "zones", "view");
    public static readonly global::Prometheus.Counter ServedStale = PrometheusRegistry.Counter("coredns_cache_served_stale_total",
        "The number of requests served from stale cache entries.", "server", "zones", "view");
    public static readonly global::Prometheus.Counter Evictions = PrometheusRegistry.Counter("coredns_cache_evictions_total",
        "The count of cache evictions.", "server", "type", "zones", "view");

    /// <summary>Exports <paramref name="plugin"/>'s store under its block's labels until <see cref="Stop"/>.</summary>
    internal static void Start(CachePlugin plugin)
    {
        var store = plugin.Store;
        var zones = string.Join(",", plugin.Options.Zones);
        var view = BlockLabels.View(plugin.BlockOptions);
        string[] three = [plugin.Server, zones, view];
        PrometheusRegistry.Delta[] deltas =
        [
            new(Requests.WithLabels(three), () => store.Requests),
            new(Hits.WithLabels(plugin.Server, "success", zones, view), () => store.SuccessHits),
            new(Hits.WithLabels(plugin.Server, "denial", zones, view), () => store.DenialHits),
            new(Misses.WithLabels(three), () => store.Misses),
            new(Prefetch.WithLabels(three), () => store.Prefetches),
            new(Drops.WithLabels(three), () => store.Drops),
            new(ServedStale.WithLabels(three), () => store.ServedStale),
            new(Evictions.WithLabels(plugin.Server, "success", zones, view), () => store.Success.Evictions),
            new(Evictions.WithLabels(plugin.Server, "denial", zones, view), () => store.Denial.Evictions),
        ];
        var success = Entries.WithLabels(plugin.Server, "success", zones, view);
        var denial = Entries.WithLabels(plugin.Server, "denial", zones, view);
        PrometheusRegistry.AddScrapeSource(plugin, () =>
        {
            foreach (var d in deltas) d.Copy();
            success.Set(store.Success.Count);
            denial.Set(store.Denial.Count);
        });
    }

    internal static void Stop(CachePlugin plugin) => PrometheusRegistry.RemoveScrapeSource(plugin);
}
