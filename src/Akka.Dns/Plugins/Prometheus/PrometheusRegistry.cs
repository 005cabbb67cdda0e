using System.Collections.Concurrent;

namespace Akka.Dns.Plugins.Prometheus;

using global::Prometheus;

/// <summary>
/// The process-wide metrics registry every <c>/metrics</c> endpoint serves (CoreDNS's prometheus.DefaultRegisterer):
/// it outlives Corefile reloads, so counters keep counting across them. Metrics are declared as static fields of
/// one static class per plugin folder (<c>Plugins/&lt;Folder&gt;/&lt;Folder&gt;Metrics.cs</c>, created through the
/// helpers here); the README spec compares those fields with the plugin README's <c>## Metrics</c> list.
/// <para>
/// Two ways to feed a metric. On the query path, keep the labeled child (<c>metric.WithLabels(...)</c>) in a field
/// or a small array of the plugin instance and call <c>Inc</c>/<c>Observe</c> on it: prometheus-net's children are
/// lock-free (an interlocked add), while <c>WithLabels</c> is a dictionary lookup that must stay off the query
/// path. For values a plugin already keeps (a striped <see cref="Counter"/>, a size), register a scrape source with
/// <see cref="AddScrapeSource"/> in <c>StartAsync</c> and remove it in <c>StopAsync</c>: it copies the values
/// into the metrics when <c>/metrics</c> is read, and costs nothing per query.
/// </para>
/// </summary>
public static class PrometheusRegistry
{
    private static readonly ConcurrentDictionary<object, Action> Sources = new();

    /// <summary>The registry (with prometheus-net's process_* and dotnet_* collectors, the .NET side of Go's).</summary>
    public static readonly CollectorRegistry Registry = CreateRegistry();

    private static readonly MetricFactory Factory = Metrics.WithCustomRegistry(Registry);

    /// <summary>No exemplars: an Inc reads no Activity, and the text format has none to show.</summary>
    private static readonly ExemplarBehavior NoExemplars = new() { DefaultExemplarProvider = null };

    /// <summary>CoreDNS's plugin.TimeBuckets: 0.25 ms to 8 s, doubling.</summary>
    public static readonly double[] TimeBuckets = global::Prometheus.Histogram.ExponentialBuckets(0.00025, 2, 16);

    /// <summary>CoreDNS's plugin.SlimTimeBuckets: 0.25 ms to 2.5 s, by ten.</summary>
    public static readonly double[] SlimTimeBuckets = global::Prometheus.Histogram.ExponentialBuckets(0.00025, 10, 5);

    private static CollectorRegistry CreateRegistry()
    {
        var r = Metrics.NewCustomRegistry();
        DotNetStats.Register(r);
        r.AddBeforeCollectCallback(() =>
        {
            foreach (var s in Sources.Values) s();
        });
        return r;
    }

    // A labeled series appears with its first Inc/Observe/Set (as in client_golang), not when its child is made:
    // children may be made ahead of use. An unlabeled metric shows 0 from the start, as promauto's do.

    public static Counter Counter(string name, string help, params string[] labels) =>
        Factory.CreateCounter(name, help, new CounterConfiguration { LabelNames = labels, ExemplarBehavior = NoExemplars, SuppressInitialValue = labels.Length > 0 });

    public static Gauge Gauge(string name, string help, params string[] labels) =>
        Factory.CreateGauge(name, help, new GaugeConfiguration { LabelNames = labels, SuppressInitialValue = labels.Length > 0 });

    public static Histogram Histogram(string name, string help, double[] buckets, params string[] labels) =>
        Factory.CreateHistogram(name, help, new HistogramConfiguration { LabelNames = labels, Buckets = buckets, ExemplarBehavior = NoExemplars, SuppressInitialValue = labels.Length > 0 });

    /// <summary>Runs <paramref name="copy"/> before every scrape until <see cref="RemoveScrapeSource"/> with the same key.</summary>
    public static void AddScrapeSource(object key, Action copy) => Sources[key] = copy;

    /// <summary>Stops the scrape source of <paramref name="key"/>, running it once more so its last counts are kept.</summary>
    public static void RemoveScrapeSource(object key)
    {
        if (Sources.TryRemove(key, out var copy)) copy();
    }

    /// <summary>The text exposition format (what <c>/metrics</c> serves).</summary>
    public static Task WriteAsync(Stream stream, CancellationToken ct) => Registry.CollectAndExportAsTextAsync(stream, ct);

    /// <summary>
    /// Follows a process-wide striped <see cref="Akka.Dns.Counter"/> (which never goes down) with a metric: at
    /// scrape time the metric is raised to the counter's value.
    /// </summary>
    public static void Follow(ICounter metric, Akka.Dns.Counter counter) => AddScrapeSource(metric, () => metric.IncTo(counter.Value));

    /// <summary>
    /// Follows a per-instance count that restarts at zero with each plugin instance (a reload makes a new one):
    /// the metric grows by what the count grew since the last scrape, so it keeps counting across reloads.
    /// </summary>
    public sealed class Delta(ICounter metric, Func<long> read)
    {
        private long _seen;

        public void Copy()
        {
            var v = read();
            var d = v - _seen;
            _seen = v;
            if (d > 0) metric.Inc(d);
        }
    }
}
