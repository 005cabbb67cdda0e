using System.Collections.Concurrent;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>
/// The grpc plugin's counts, kept until the prometheus plugin exports them under CoreDNS's names. Counted, as
/// CoreDNS counts them, once an upstream's reply was received and unpacked.
/// </summary>
public static class GrpcMetrics
{
    /// <summary>coredns_grpc_requests_total{to}: queries answered per upstream.</summary>
    public static readonly ConcurrentDictionary<string, Counter> Requests = new(StringComparer.Ordinal);

    /// <summary>coredns_grpc_responses_total{to, rcode}: replies per upstream and RCODE name ("NOERROR", "NXDOMAIN", or the number).</summary>
    public static readonly ConcurrentDictionary<(string To, string Rcode), Counter> Responses = new();

    /// <summary>coredns_grpc_request_duration_seconds{to}: how long each upstream exchange took.</summary>
    public static readonly ConcurrentDictionary<string, DurationHistogram> Duration = new(StringComparer.Ordinal);

    internal static void Observe(string to, int rcode, TimeSpan took)
    {
        Requests.GetOrAdd(to, static _ => new Counter()).Increment();
        Responses.GetOrAdd((to, Wire.Rcode.ToString(rcode)), static _ => new Counter()).Increment();
        Duration.GetOrAdd(to, static _ => new DurationHistogram()).Observe(took.TotalSeconds);
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
