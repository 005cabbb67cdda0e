using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Server;

namespace Akka.Dns.Plugins.Template;

/// <summary>coredns_template_*: CoreDNS's names and labels.</summary>
public static class TemplateMetrics
{
    public static readonly global::Prometheus.Counter Matches = PrometheusRegistry.Counter("coredns_template_matches_total",
        "Counter of template regex matches.", "server", "zone", "view", "class", "type");

    public static readonly global::Prometheus.Counter TemplateFailures = PrometheusRegistry.Counter("coredns_template_template_failures_total",
        "Counter of go template failures.", "server", "zone", "view", "class", "type", "section", "template");

    public static readonly global::Prometheus.Counter RrFailures = PrometheusRegistry.Counter("coredns_template_rr_failures_total",
        "Counter of mis-templated RRs.", "server", "zone", "view", "class", "type", "section", "template");
}

/// <summary>
/// One template instance's match counter: children by (listener, template zone, class, type), found by a scan
/// comparing references and numbers, then a lock-free add; a new combination goes through <c>WithLabels</c> once.
/// Failures are rare and counted through <c>WithLabels</c> directly.
/// </summary>
public sealed class TemplateCounters(BlockOptions options)
{
    private readonly object _gate = new();
    private volatile Entry[] _entries = [];

    public string View => BlockLabels.View(options);

    public void Match(DnsRequest request, TemplateData data)
    {
        var cls = request.Class;
        var type = request.Type;
        foreach (var e in _entries)
        {
            if (ReferenceEquals(e.Server, request.Server) && e.Class == cls && e.Type == type && (ReferenceEquals(e.Zone, data.Zone) || e.Zone == data.Zone))
            {
                e.Child.Inc();
                return;
            }
        }
        lock (_gate)
        {
            var child = TemplateMetrics.Matches.WithLabels(request.Server.Label, data.Zone, View, data.Class, data.Type);
            _entries = [.. _entries, new Entry(request.Server, data.Zone, cls, type, child)];
            child.Inc();
        }
    }

    public void Failure(global::Prometheus.Counter metric, DnsRequest request, TemplateData data, string section, string template) =>
        metric.WithLabels(request.Server.Label, data.Zone, View, data.Class, data.Type, section, template).Inc();

    private sealed record Entry(ServerInfo Server, string Zone, ushort Class, ushort Type, global::Prometheus.Counter.Child Child);
}
