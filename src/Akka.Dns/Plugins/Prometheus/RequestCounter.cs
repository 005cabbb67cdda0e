using Akka.Dns.Server;

namespace Akka.Dns.Plugins.Prometheus;

using global::Prometheus;

/// <summary>
/// A plugin's per-request counter with CoreDNS's request labels (any of <c>server</c>, <c>zone</c>, <c>view</c>, in
/// the metric's order), one per plugin instance (block). Counting a request scans the instance's few (listener,
/// zone) children comparing references, then adds to the child without a lock; only the first request of a
/// (listener, zone) goes through <c>WithLabels</c>. This is the pattern for a plugin's labeled query-path metric.
/// </summary>
public sealed class RequestCounter(Counter metric, BlockOptions options)
{
    private readonly object _gate = new();
    private volatile Entry[] _entries = [];

    public void Inc(DnsRequest request)
    {
        foreach (var e in _entries)
        {
            if (ReferenceEquals(e.Server, request.Server) && (ReferenceEquals(e.Zone, request.Zone) || e.Zone == request.Zone))
            {
                e.Child.Inc();
                return;
            }
        }
        Add(request).Inc();
    }

    private Counter.Child Add(DnsRequest request)
    {
        lock (_gate)
        {
            var labels = metric.LabelNames;
            var values = new string[labels.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                values[i] = labels[i] switch
                {
                    "server" => request.Server.Label,
                    "zone" => request.Zone,
                    "view" => BlockLabels.View(options),
                    _ => "",
                };
            }
            var child = metric.WithLabels(values);
            _entries = [.. _entries, new Entry(request.Server, request.Zone, child)];
            return child;
        }
    }

    private sealed record Entry(ServerInfo Server, string Zone, Counter.Child Child);
}
