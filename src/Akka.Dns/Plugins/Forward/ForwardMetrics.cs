using System.Collections.Concurrent;
using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// The forward metrics (CoreDNS's plugin/forward and plugin/pkg/proxy names). Request durations, failed health checks
/// and broken health checking are counted where they happen, on labeled children each upstream keeps from its
/// creation (<see cref="UpstreamMetrics"/>); the pool and max_concurrent counts are plain interlocked counters on the
/// upstream and stanza, copied into these at scrape time.
/// </summary>
public static class ForwardMetrics
{
    public static readonly global::Prometheus.Counter HealthcheckBroken = PrometheusRegistry.Counter("coredns_forward_healthcheck_broken_total",
        "Counter of the number of complete failures of the healthchecks.");
    public static readonly global::Prometheus.Counter MaxConcurrentRejects = PrometheusRegistry.Counter("coredns_forward_max_concurrent_rejects_total",
        "Counter of the number of queries rejected because the concurrent queries were at maximum.");
    public static readonly global::Prometheus.Histogram RequestDuration = PrometheusRegistry.Histogram("coredns_proxy_request_duration_seconds",
        "Histogram of the time each request took.", PrometheusRegistry.TimeBuckets, "proxy_name", "to", "rcode");
    public static readonly global::Prometheus.Counter HealthcheckFailures = PrometheusRegistry.Counter("coredns_proxy_healthcheck_failures_total",
        "Counter of the number of failed healthchecks.", "proxy_name", "to");
    public static readonly global::Prometheus.Counter ConnCacheHits = PrometheusRegistry.Counter("coredns_proxy_conn_cache_hits_total",
        "Counter of connection cache hits per upstream and protocol.", "proxy_name", "to", "proto");
    public static readonly global::Prometheus.Counter ConnCacheMisses = PrometheusRegistry.Counter("coredns_proxy_conn_cache_misses_total",
        "Counter of connection cache misses per upstream and protocol.", "proxy_name", "to", "proto");

    /// <summary>The value of <c>proxy_name</c>.</summary>
    public const string ProxyName = "forward";

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
                var proto = u.Address.Tls ? "tcp-tls" : "tcp";
                deltas.Add(new(ConnCacheHits.WithLabels(ProxyName, u.Metrics.To, proto), () => upstream.PoolHits));
                deltas.Add(new(ConnCacheMisses.WithLabels(ProxyName, u.Metrics.To, proto), () => upstream.PoolMisses));
            }
        }
        PrometheusRegistry.AddScrapeSource(plugin, () =>
        {
            foreach (var d in deltas) d.Copy();
        });
    }

    internal static void Stop(ForwardPlugin plugin) => PrometheusRegistry.RemoveScrapeSource(plugin);
}

/// <summary>
/// One upstream's labeled children, made once with the upstream: the query path only calls <c>Observe</c>/<c>Inc</c>
/// on them. A series appears with its first observation.
/// </summary>
public sealed class UpstreamMetrics
{
    /// <summary>Rcodes with a name in CoreDNS (miekg/dns RcodeToString): 0-10 and 16-23.</summary>
    private static readonly string?[] RcodeNames =
    [
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
        "NOTZONE", null, null, null, null, null, "BADSIG", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG",
        "BADTRUNC", "BADCOOKIE",
    ];

    private readonly global::Prometheus.Histogram.Child?[] _durations = new global::Prometheus.Histogram.Child?[RcodeNames.Length];
    private readonly ConcurrentDictionary<int, global::Prometheus.Histogram.Child> _otherDurations = new();

    public UpstreamMetrics(string to)
    {
        To = to;
        for (var i = 0; i < RcodeNames.Length; i++)
            _durations[i] = ForwardMetrics.RequestDuration.WithLabels(ForwardMetrics.ProxyName, to, RcodeNames[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        HealthcheckFailures = ForwardMetrics.HealthcheckFailures.WithLabels(ForwardMetrics.ProxyName, to);
    }

    /// <summary>The <c>to</c> label: the upstream's HOST:PORT, without a tls:// scheme (CoreDNS's proxy address).</summary>
    public string To { get; }

    public global::Prometheus.Counter.Child HealthcheckFailures { get; }

    /// <summary>CoreDNS's rcode label: the name, or the number for rcodes without one.</summary>
    public static string RcodeLabel(int rcode) =>
        rcode >= 0 && rcode < RcodeNames.Length && RcodeNames[rcode] is { } n ? n : rcode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One exchange answered with <paramref name="rcode"/> after <paramref name="seconds"/>.</summary>
    public void ObserveDuration(int rcode, double seconds)
    {
        var child = (uint)rcode < (uint)_durations.Length
            ? _durations[rcode]!
            : _otherDurations.GetOrAdd(rcode, static (rc, to) => ForwardMetrics.RequestDuration.WithLabels(ForwardMetrics.ProxyName, to, RcodeLabel(rc)), To);
        child.Observe(seconds);
    }
}
