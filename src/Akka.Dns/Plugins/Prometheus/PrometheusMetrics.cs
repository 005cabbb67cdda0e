using System.Reflection;
using System.Runtime.InteropServices;
using Akka.Actor;

namespace Akka.Dns.Plugins.Prometheus;

using global::Prometheus;

/// <summary>
/// The metrics of the server itself (CoreDNS's plugin/metrics/vars) and Akka.Dns's own <c>akkadns_*</c>. They are
/// process-wide: registered once, counted across reloads, exported by every <c>/metrics</c> endpoint.
/// </summary>
public static class PrometheusMetrics
{
    private const string Dns = "coredns_dns_";

    /// <summary>CoreDNS's request and response size buckets.</summary>
    private static readonly double[] SizeBuckets = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

    public static readonly Gauge BuildInfo = PrometheusRegistry.Gauge("coredns_build_info",
        "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
        "version", "revision", "goversion");

    public static readonly Counter Panics = PrometheusRegistry.Counter("coredns_panics_total",
        "A metrics that counts the number of panics.");

    public static readonly Counter Requests = PrometheusRegistry.Counter(Dns + "requests_total",
        "Counter of DNS requests made per zone, protocol and family.", "server", "zone", "view", "proto", "family", "type");

    public static readonly Histogram RequestDuration = PrometheusRegistry.Histogram(Dns + "request_duration_seconds",
        "Histogram of the time (in seconds) each request took per zone.", PrometheusRegistry.TimeBuckets, "server", "zone", "view");

    public static readonly Histogram RequestSize = PrometheusRegistry.Histogram(Dns + "request_size_bytes",
        "Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.", SizeBuckets, "server", "zone", "view", "proto");

    public static readonly Counter DoRequests = PrometheusRegistry.Counter(Dns + "do_requests_total",
        "Counter of DNS requests with DO bit set per zone.", "server", "zone", "view");

    public static readonly Histogram ResponseSize = PrometheusRegistry.Histogram(Dns + "response_size_bytes",
        "Size of the returned response in bytes.", SizeBuckets, "server", "zone", "view", "proto");

    public static readonly Counter Responses = PrometheusRegistry.Counter(Dns + "responses_total",
        "Counter of response status codes.", "server", "zone", "view", "rcode", "plugin");

    public static readonly Gauge PluginEnabled = PrometheusRegistry.Gauge("coredns_plugin_enabled",
        "A metric that indicates whether a plugin is enabled on per server and zone basis.", "server", "zone", "view", "name");

    public static readonly Counter PluginRestarts = PrometheusRegistry.Counter("akkadns_plugin_restarts_total",
        "Plugin actors restarted by their block's supervisor after a failure.", "block", "plugin");

    public static readonly Gauge MailboxDepth = PrometheusRegistry.Gauge("akkadns_plugin_mailbox_depth",
        "Messages waiting in the mailboxes of a plugin's actors (all pipeline replicas), sampled at scrape time.", "block", "plugin");

    public static readonly Gauge ClusterMembers = PrometheusRegistry.Gauge("akkadns_cluster_members",
        "Cluster members by status (Akka's member status; Unreachable counts reachability apart), sampled at scrape time.", "status");

    public static readonly Counter MalformedPackets = PrometheusRegistry.Counter("akkadns_malformed_packets_total",
        "Packets that could not be parsed (answered FORMERR when the header was readable, else dropped).");

    public static readonly Counter DroppedPackets = PrometheusRegistry.Counter("akkadns_dropped_packets_total",
        "Packets dropped without an answer (shorter than a header, a response, ...).");

    public static readonly Counter DeadlineServfails = PrometheusRegistry.Counter("akkadns_deadline_servfail_total",
        "Requests answered SERVFAIL by the server because no plugin answered within akka.dns.server.request-timeout.");

    public static readonly Counter TcpRejected = PrometheusRegistry.Counter("akkadns_tcp_rejected_total",
        "TCP connections closed at once because the listener was at akka.dns.tcp.max-connections.");

    public static readonly Counter DotConnections = PrometheusRegistry.Counter("akkadns_dot_connections_total",
        "tls:// connections accepted (handshake done, or clear text without a tls plugin).");

    public static readonly Counter DotRejected = PrometheusRegistry.Counter("akkadns_dot_rejected_total",
        "tls:// connections closed at once because the listener was at akka.dns.dot.max-connections.");

    public static readonly Counter DotHandshakeFailures = PrometheusRegistry.Counter("akkadns_dot_handshake_failures_total",
        "tls:// handshakes that failed (reason error: the peer or client_auth; timeout: past akka.dns.dot.handshake-timeout).", "reason");

    public static readonly Counter DotWriteTimeouts = PrometheusRegistry.Counter("akkadns_dot_write_timeouts_total",
        "tls:// connections closed because a reply could not be written within akka.dns.dot.write-timeout.");

    private static readonly HashSet<(string, string)> MailboxSeries = [];
    private static readonly HashSet<string> MemberSeries = [];
    private static readonly Dictionary<(string, string, string, string), int> Enabled = [];
    private static ActorSystem? _clusterSystem;

    static PrometheusMetrics()
    {
        var version = typeof(PrometheusMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+');
        BuildInfo.WithLabels(plus < 0 ? version : version[..plus], plus < 0 ? "" : version[(plus + 1)..], RuntimeInformation.FrameworkDescription).Set(1);
        PrometheusRegistry.Follow(Panics, DnsServerMetrics.Panics);
        PrometheusRegistry.Follow(MalformedPackets, DnsServerMetrics.Malformed);
        PrometheusRegistry.Follow(DroppedPackets, DnsServerMetrics.Dropped);
        PrometheusRegistry.Follow(DeadlineServfails, DnsServerMetrics.TimedOut);
        PrometheusRegistry.Follow(TcpRejected, DnsServerMetrics.TcpRejected);
        PrometheusRegistry.Follow(DotConnections, Server.Listeners.Tls.DotMetrics.Connections);
        PrometheusRegistry.Follow(DotRejected, Server.Listeners.Tls.DotMetrics.Rejected);
        PrometheusRegistry.Follow(DotHandshakeFailures.WithLabels("error"), Server.Listeners.Tls.DotMetrics.HandshakeFailures);
        PrometheusRegistry.Follow(DotHandshakeFailures.WithLabels("timeout"), Server.Listeners.Tls.DotMetrics.HandshakeTimeouts);
        PrometheusRegistry.Follow(DotWriteTimeouts, Server.Listeners.Tls.DotMetrics.WriteTimeouts);
        DnsServerMetrics.PluginRestarted = (block, plugin) => PluginRestarts.WithLabels(block, plugin).Inc();
        Server.Routing.RequestDispatcher.Unrouted = RequestMetrics.Dropped;
        PrometheusRegistry.AddScrapeSource(MailboxDepth, SampleMailboxes);
        PrometheusRegistry.AddScrapeSource(ClusterMembers, SampleCluster);
        PrometheusRegistry.AddScrapeSource(Https.HttpsMetrics.Responses, CopyHttpsResponses);
        // Every plugin's metrics exist from the start, as promauto's do in CoreDNS (a counter shows 0 before use).
        foreach (var t in PluginMetricClasses()) System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(t.TypeHandle);
    }

    /// <summary>The static <c>&lt;Folder&gt;Metrics</c> class of each plugin folder (<c>Akka.Dns.Plugins.&lt;Folder&gt;</c>).</summary>
    public static IEnumerable<Type> PluginMetricClasses() =>
        typeof(PrometheusMetrics).Assembly.GetTypes().Where(t =>
            t is { IsAbstract: true, IsSealed: true, Namespace: { } ns } && ns.StartsWith("Akka.Dns.Plugins.", StringComparison.Ordinal) &&
            t.Name == ns["Akka.Dns.Plugins.".Length..] + "Metrics");

    /// <summary>Makes sure the metrics above exist and are being fed (the type initializer does it once).</summary>
    internal static void Touch()
    {
    }

    /// <summary>
    /// Counts one DoH response (<c>coredns_dns_https_responses_total{server, status}</c>): 200 processed, 404
    /// rejected on validation, 400 not a DNS message, 500 no response. It counts in the DoH listener's own striped
    /// counters (<see cref="Server.Listeners.Https.DohMetrics"/>, which a DoH listener increments directly), copied
    /// into the metric when <c>/metrics</c> is read.
    /// </summary>
    public static void CountHttpsResponse(string server, int status) => Server.Listeners.Https.DohMetrics.For(server).Count(status);

    private static void CopyHttpsResponses()
    {
        foreach (var (server, status, count) in Server.Listeners.Https.DohMetrics.Snapshot())
            Https.HttpsMetrics.Responses.WithLabels(server, status.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(count);
    }

    /// <summary>Sets coredns_plugin_enabled for a running block's label sets (counted: several instances may share one across a reload).</summary>
    internal static void Enable(IEnumerable<(string Server, string Zone, string View, string Name)> series)
    {
        lock (Enabled)
            foreach (var s in series)
            {
                Enabled[s] = Enabled.GetValueOrDefault(s) + 1;
                PluginEnabled.WithLabels(s.Server, s.Zone, s.View, s.Name).Set(1);
            }
    }

    /// <summary>Drops the label sets no running block holds any more (CoreDNS resets the gauge on reload).</summary>
    internal static void Disable(IEnumerable<(string Server, string Zone, string View, string Name)> series)
    {
        lock (Enabled)
            foreach (var s in series)
            {
                if (!Enabled.TryGetValue(s, out var n)) continue;
                if (n > 1)
                {
                    Enabled[s] = n - 1;
                    continue;
                }
                Enabled.Remove(s);
                PluginEnabled.RemoveLabelled(s.Server, s.Zone, s.View, s.Name);
            }
    }

    /// <summary>Samples akkadns_cluster_members from this system's cluster, when it is clustered.</summary>
    internal static void WatchCluster(ActorSystem system)
    {
        if (system.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal)) _clusterSystem = system;
    }

    /// <summary>Mailbox depths of the plugin actors of every running block that loads prometheus.</summary>
    private static void SampleMailboxes()
    {
        var seen = new HashSet<(string, string)>();
        var depth = new Dictionary<(string, string), long>();
        foreach (var block in DnsServerMetrics.LiveBlocks.Keys)
        {
            var loads = false;
            foreach (var p in block.Plugins) loads |= p is PrometheusPlugin;
            if (!loads) continue;
            foreach (var replica in block.Links)
                foreach (var link in replica)
                {
                    var n = link.Actor is ActorRefWithCell a ? a.Underlying.NumberOfMessages : 0;
                    depth[(block.Name, link.Plugin)] = depth.GetValueOrDefault((block.Name, link.Plugin)) + n;
                }
        }
        lock (MailboxSeries)
        {
            foreach (var ((block, plugin), n) in depth)
            {
                MailboxDepth.WithLabels(block, plugin).Set(n);
                seen.Add((block, plugin));
            }
            foreach (var old in MailboxSeries)
                if (!seen.Contains(old)) MailboxDepth.RemoveLabelled(old.Item1, old.Item2);
            MailboxSeries.Clear();
            MailboxSeries.UnionWith(seen);
        }
    }

    private static void SampleCluster()
    {
        var system = _clusterSystem;
        if (system is null || system.WhenTerminated.IsCompleted) return;
        var state = Akka.Cluster.Cluster.Get(system).State;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in state.Members) counts[m.Status.ToString()] = counts.GetValueOrDefault(m.Status.ToString()) + 1;
        counts["Unreachable"] = state.Unreachable.Count;
        lock (MemberSeries)
        {
            foreach (var (status, n) in counts) ClusterMembers.WithLabels(status).Set(n);
            foreach (var old in MemberSeries)
                if (!counts.ContainsKey(old)) ClusterMembers.RemoveLabelled(old);
            MemberSeries.Clear();
            MemberSeries.UnionWith(counts.Keys);
        }
    }
}
