using System.Collections.Concurrent;
using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>
/// The grpc plugin's counts, exported by the prometheus plugin under CoreDNS's names. Counted, as CoreDNS counts
/// them, once an upstream's reply was received and unpacked. The exported children are cached per upstream (and
/// RCODE) in lock-free dictionaries, so an exchange never goes through prometheus-net's <c>WithLabels</c>.
/// </summary>
public static class GrpcMetrics
{
    /// <summary>coredns_grpc_requests_total{to}: queries answered per upstream.</summary>
    public static readonly ConcurrentDictionary<string, Counter> Requests = new(StringComparer.Ordinal);

    /// <summary>coredns_grpc_responses_total{to, rcode}: replies per upstream and RCODE name ("NOERROR", "NXDOMAIN", or the number).</summary>
    public static readonly ConcurrentDictionary<(string To, string Rcode), Counter> Responses = new();

    /// <summary>coredns_grpc_request_duration_seconds{to}: how long each upstream exchange took.</summary>
    public static readonly ConcurrentDictionary<string, DurationHistogram> Duration = new(StringComparer.Ordinal);

    public static readonly global::Prometheus.Histogram RequestDuration = PrometheusRegistry.Histogram("coredns_grpc_request_duration_seconds",
        "Histogram of the time each request took.", PrometheusRegistry.TimeBuckets, "to");

    public static readonly global::Prometheus.Counter RequestsTotal = PrometheusRegistry.Counter("coredns_grpc_requests_total",
        "Counter of requests made per upstream.", "to");

    public static readonly global::Prometheus.Counter ResponsesTotal = PrometheusRegistry.Counter("coredns_grpc_responses_total",
        "Counter of requests made per upstream.", "to", "rcode");

    private static readonly ConcurrentDictionary<string, (global::Prometheus.Counter.Child Requests, global::Prometheus.Histogram.Child Duration)> ByTo =
        new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<(string To, string Rcode), global::Prometheus.Counter.Child> ByRcode = new();

    internal static void Observe(string to, int rcode, TimeSpan took)
    {
        var name = Wire.Rcode.ToString(rcode);
        Requests.GetOrAdd(to, static _ => new Counter()).Increment();
        Responses.GetOrAdd((to, name), static _ => new Counter()).Increment();
        Duration.GetOrAdd(to, static _ => new DurationHistogram()).Observe(took.TotalSeconds);
        var t = ByTo.GetOrAdd(to, static k => (RequestsTotal.WithLabels(k), RequestDuration.WithLabels(k)));
        t.Requests.Inc();
        t.Duration.Observe(took.TotalSeconds);
        ByRcode.GetOrAdd((to, name), static k => ResponsesTotal.WithLabels(k.To, k.Rcode)).Inc();
    }
}

/// <summary>A lock-free histogram on CoreDNS's plugin.TimeBuckets (0.00025 s doubling, 16 buckets).</summary>
public sealed class DurationHistogram
{
    /// <summary>Upper bounds, seconds: prometheus.ExponentialBuckets(0.00025, 2, 16).</summary>
    public static readonly double[] Bounds = Enumerable.Range(0, 16).Select(i => 0.00025 * Math.Pow(2, i)).ToArray();

    private readonly long[] _buckets = new long[Bounds.Length + 1];
    private long _sumMicros;

    public void Observe(double seconds)
    {
        var i = 0;
        while (i < Bounds.Length && seconds > Bounds[i]) i++;
        Interlocked.Increment(ref _buckets[i]);
        Interlocked.Add(ref _sumMicros, (long)(seconds * 1e6));
    }

    /// <summary>Observations at or below each bound (non-cumulative; the last cell is +Inf).</summary>
    public long[] Buckets() => _buckets.Select(b => Interlocked.Read(ref b)).ToArray();

    public long Count => _buckets.Sum(b => Interlocked.Read(ref b));

    public double SumSeconds => Interlocked.Read(ref _sumMicros) / 1e6;
}
