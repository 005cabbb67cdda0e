using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// The forward metrics Akka.Dns keeps (CoreDNS's plugin/forward and plugin/pkg/proxy names): counted per upstream and
/// stanza on the query path with plain interlocked counters, copied into these at scrape time.
/// </summary>
public static class ForwardMetrics
{
    public static readonly global::Prometheus.Counter MaxConcurrentRejects = PrometheusRegistry.Counter("coredns_forward_max_concurrent_rejects_total",
        "Counter of the number of queries rejected because the concurrent queries were at maximum.");
    public static readonly global::Prometheus.Counter ConnCacheHits = PrometheusRegistry.Counter("coredns_proxy_conn_cache_hits_total",
        "Counter of connection cache hits per upstream and protocol.", "proxy_name", "to", "proto");

    /// <summary>Exports <paramref name="plugin"/>'s counts until <see cref="Stop"/>.</summary>
    internal static void Start(ForwardPlugin plugin)
    {
        var deltas = new List<PrometheusRegistry.Delta>();
        foreach (var s in plugin.Stanzas)
        {
            var stanza = s;
            deltas.Add(new(MaxConcurrentRejects, () => stanza.Rejected));
            foreach (var u in s.Upstreams)
            {
                var upstream = u;
                deltas.Add(new(ConnCacheHits.WithLabels("forward", u.Address.Text, u.Address.Tls ? "tcp-tls" : "tcp"), () => upstream.PoolHits));
            }
        }
        PrometheusRegistry.AddScrapeSource(plugin, () =>
        {
            foreach (var d in deltas) d.Copy();
        });
    }

    internal static void Stop(ForwardPlugin plugin) => PrometheusRegistry.RemoveScrapeSource(plugin);
}
