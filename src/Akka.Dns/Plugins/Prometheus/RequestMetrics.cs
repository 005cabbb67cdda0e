using System.Diagnostics;
using System.Net.Sockets;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Prometheus;

using global::Prometheus;

/// <summary>
/// Counts the requests of one server block that loads prometheus (CoreDNS's vars.Report), told by the server once
/// per request after its reply was written (<see cref="DnsRequest.Observer"/>, set by the block's prometheus actor).
/// <para>
/// What a query costs to count: a scan of this block's few (listener, zone) series comparing two references, then
/// for each metric an array slot read (the labeled child, created on first use) and a lock-free interlocked add:
/// requests_total, do_requests_total (DO only), request_duration_seconds, request_size_bytes, and for a written
/// reply response_size_bytes and responses_total (the plugin's index found by a scan of the block's handler
/// names). No lock, no dictionary, no allocation. Only a series' first use (and an rcode above 23 or a plugin
/// outside the block) goes through prometheus-net's <c>WithLabels</c>.
/// </para>
/// </summary>
public sealed class RequestMetrics : IReplyObserver
{
    /// <summary>Queries refused before any block (class, no zone, empty block): zone "dropped", as CoreDNS.</summary>
    internal static readonly RequestMetrics Dropped = new(null, "dropped");

    private const int Rcodes = 24;
    private readonly BlockOptions? _options;
    private readonly string? _zone;
    private readonly object _gate = new();
    private volatile Series[] _series = [];
    private string[]? _plugins;
    private string? _view;

    /// <summary>For one block: <paramref name="options"/> gives its plugins and view once all are set up.</summary>
    public RequestMetrics(BlockOptions? options, string? zone = null)
    {
        _options = options;
        _zone = zone;
        PrometheusMetrics.Touch();
    }

    /// <summary>"" and the block's handler names: the values the plugin label takes without a lookup.</summary>
    private string[] Plugins => _plugins ??= _options is null ? [""] : [.. new[] { "" }.Concat(_options.Plugins.Where(p => p.IsHandler).Select(p => p.Name))];

    private string View => _view ??= _options?.Plugins.OfType<IRequestFilter>().FirstOrDefault()?.ViewName ?? "";

    public void OnReplied(DnsRequest request, DnsResponse? response, int length)
    {
        var zone = _zone ?? request.Zone;
        var series = _series;
        Series? s = null;
        foreach (var e in series)
        {
            if (ReferenceEquals(e.Server, request.Server) && (ReferenceEquals(e.Zone, zone) || string.Equals(e.Zone, zone, StringComparison.Ordinal)))
            {
                s = e;
                break;
            }
        }
        s ??= Add(request.Server, zone);

        var q = request.Query;
        var proto = request.Transport == DnsTransport.Udp ? 0 : 1;
        var slot = ((proto << 1) | Family(request)) * TypeIndex.Count + TypeIndex.Of(q.Type);
        (s.Requests[slot] ??= s.NewRequests(slot)).Inc();
        if (q.Do) s.Do.Inc();
        s.Duration.Observe(Stopwatch.GetElapsedTime(request.Received).TotalSeconds);
        s.RequestSize[proto].Observe(q.Packet.Length);
        if (response is null) return;   // dropped on purpose (acl drop, erratic): no reply to count
        s.ResponseSize[proto].Observe(length);

        var plugin = response.Plugin ?? request.LastPlugin ?? "";
        var names = s.PluginNames;
        var p = -1;
        for (var i = 0; i < names.Length; i++)
        {
            if (ReferenceEquals(names[i], plugin) || string.Equals(names[i], plugin, StringComparison.Ordinal))
            {
                p = i;
                break;
            }
        }
        var rcode = response.Rcode;
        if (p < 0 || rcode >= Rcodes)
        {
            PrometheusMetrics.Responses.WithLabels(s.Label, zone, s.View, Rcode.ToString(rcode), plugin).Inc();
            return;
        }
        var r = p * Rcodes + rcode;
        (s.Responses[r] ??= s.NewResponses(r)).Inc();
    }

    /// <summary>1 (IPv4, IPv4-mapped included) or 2 (IPv6) as CoreDNS's request.Family, as an index 0/1.</summary>
    private static int Family(DnsRequest r)
    {
        if (r.ClientAddress is { } sa)
        {
            if (sa.Family == AddressFamily.InterNetwork) return 0;
            var b = sa.Buffer.Span;
            return b.Length >= 24 && b.Slice(8, 10).IndexOfAnyExcept((byte)0) < 0 && b[18] == 0xFF && b[19] == 0xFF ? 0 : 1;
        }
        var a = r.Client.Address;
        return a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv4MappedToIPv6 ? 1 : 0;
    }

    private Series Add(ServerInfo server, string zone)
    {
        lock (_gate)
        {
            foreach (var e in _series)
                if (ReferenceEquals(e.Server, server) && e.Zone == zone) return e;
            var s = new Series(server, zone, View, Plugins);
            _series = [.. _series, s];
            return s;
        }
    }

    /// <summary>The labeled children of one (listener, zone), created on first use.</summary>
    private sealed class Series
    {
        private static readonly string[] Protos = ["udp", "tcp"];
        private static readonly string[] Families = ["1", "2"];

        public Series(ServerInfo server, string zone, string view, string[] plugins)
        {
            Server = server;
            Zone = zone;
            View = view;
            Label = server.Label;
            PluginNames = plugins;
            Requests = new Counter.Child?[4 * TypeIndex.Count];
            Responses = new Counter.Child?[plugins.Length * Rcodes];
            Do = PrometheusMetrics.DoRequests.WithLabels(Label, zone, view);
            Duration = PrometheusMetrics.RequestDuration.WithLabels(Label, zone, view);
            RequestSize = [PrometheusMetrics.RequestSize.WithLabels(Label, zone, view, "udp"), PrometheusMetrics.RequestSize.WithLabels(Label, zone, view, "tcp")];
            ResponseSize = [PrometheusMetrics.ResponseSize.WithLabels(Label, zone, view, "udp"), PrometheusMetrics.ResponseSize.WithLabels(Label, zone, view, "tcp")];
        }

        public ServerInfo Server { get; }
        public string Zone { get; }
        public string View { get; }
        public string Label { get; }
        public string[] PluginNames { get; }
        public Counter.Child?[] Requests { get; }
        public Counter.Child?[] Responses { get; }
        public Counter.Child Do { get; }
        public Histogram.Child Duration { get; }
        public Histogram.Child[] RequestSize { get; }
        public Histogram.Child[] ResponseSize { get; }

        public Counter.Child NewRequests(int slot)
        {
            var type = slot % TypeIndex.Count;
            var pf = slot / TypeIndex.Count;
            return PrometheusMetrics.Requests.WithLabels(Label, Zone, View, Protos[pf >> 1], Families[pf & 1], TypeIndex.Names[type]);
        }

        public Counter.Child NewResponses(int slot) =>
            PrometheusMetrics.Responses.WithLabels(Label, Zone, View, Rcode.ToString(slot % Rcodes), PluginNames[slot / Rcodes]);
    }
}

/// <summary>CoreDNS's monitored query types (vars/monitor.go); every other type is "other".</summary>
internal static class TypeIndex
{
    public static readonly string[] Names =
        ["A", "AAAA", "CNAME", "DNSKEY", "DS", "MX", "NSEC3", "NSEC", "NS", "PTR", "RRSIG", "SOA", "SRV", "TXT", "HTTPS", "SVCB", "IXFR", "AXFR", "ANY", "other"];

    public static int Count => Names.Length;

    private static readonly byte[] Index = Build();

    private static byte[] Build()
    {
        var t = new byte[256];
        Array.Fill(t, (byte)(Names.Length - 1));
        for (var i = 0; i < Names.Length - 1; i++)
        {
            if (!RrType.TryParse(Names[i], out var type) || type > 255) throw new InvalidOperationException("unknown type " + Names[i]);
            t[type] = (byte)i;
        }
        return t;
    }

    public static int Of(ushort type) => type < 256 ? Index[type] : Names.Length - 1;
}
