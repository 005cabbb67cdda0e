using System.Collections.Concurrent;

namespace Akka.Dns.Server.Listeners.Https;

/// <summary>
/// DoH responses by listener and HTTP status: what CoreDNS exports as
/// <c>coredns_dns_https_responses_total{server,status}</c> (server = the listener's label, "https://:443").
/// A listener takes its <see cref="DohCounters"/> once; the prometheus plugin reads <see cref="Snapshot"/>.
/// </summary>
public static class DohMetrics
{
    /// <summary>The statuses a DoH listener answers with.</summary>
    public static readonly int[] Statuses = [200, 400, 404, 405, 413, 415, 500];

    private static readonly ConcurrentDictionary<string, DohCounters> Servers = new(StringComparer.Ordinal);

    /// <summary>The counters of the listener labelled <paramref name="server"/> (kept across reloads, as Prometheus counters are).</summary>
    public static DohCounters For(string server) => Servers.GetOrAdd(server, static s => new DohCounters(s));

    /// <summary>Every (server, status, count) with a count above zero.</summary>
    public static IEnumerable<(string Server, int Status, long Count)> Snapshot()
    {
        foreach (var (server, counters) in Servers)
            for (var i = 0; i < Statuses.Length; i++)
                if (counters.Counts[i].Value is var n and > 0) yield return (server, Statuses[i], n);
    }
}

/// <summary>One listener's response counters, one per status of <see cref="DohMetrics.Statuses"/>.</summary>
public sealed class DohCounters
{
    internal DohCounters(string server)
    {
        Server = server;
        Counts = new Counter[DohMetrics.Statuses.Length];
        for (var i = 0; i < Counts.Length; i++) Counts[i] = new Counter();
    }

    public string Server { get; }
    internal Counter[] Counts { get; }

    /// <summary>Counts one response with <paramref name="status"/> (anything unlisted counts as 500).</summary>
    public void Count(int status)
    {
        var i = Array.IndexOf(DohMetrics.Statuses, status);
        Counts[i < 0 ? Counts.Length - 1 : i].Increment();
    }

    /// <summary>Responses with <paramref name="status"/> so far.</summary>
    public long this[int status] => Array.IndexOf(DohMetrics.Statuses, status) is var i and >= 0 ? Counts[i].Value : 0;
}
