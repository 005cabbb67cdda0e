using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using Akka.Actor;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Kubernetes.Api;
using Akka.Dns.Kubernetes.Cluster;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.Plugins.Autopath;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using k8s;

namespace Akka.Dns.Plugins.Kubernetes;

/// <summary>
/// The block's kubernetes plugin. Its views come from the node's <see cref="K8sWatchHub"/>: a watcher of this
/// node's own, shared by every stanza with the same API and selectors (and kept across a reload that keeps the
/// stanza), or, in a cluster, the cluster's one watch (a singleton on one node) replicated to this node. Every
/// snapshot is turned into a <see cref="K8sIndex"/> on the publishing task (off the query path) and swapped in
/// whole; every pipeline replica's <see cref="KubernetesActor"/> reads <see cref="Index"/> per query, no lock, no
/// Ask. Start-up waits for the first full list up to <c>startup_timeout</c>, as CoreDNS's OnStartup does, then
/// starts serving anyway (unsynced: name errors are SERVFAIL, ready reports false).
/// </summary>
public sealed class KubernetesPlugin(KubernetesOptions options, BlockOptions block) : Plugin("kubernetes"), IAutoPather
{
    private K8sIndex _index = K8sIndex.Empty(options.Answers);
    private IK8sWatchLease? _lease;
    private IDisposable? _subscription;
    private K8sAnswerOptions _answers = options.Answers;

    public KubernetesOptions Options { get; } = options;

    /// <summary>The index the actors answer from (the latest snapshot's).</summary>
    public K8sIndex Index => Volatile.Read(ref _index);

    /// <summary>
    /// Raised on the publishing task (off the query path) after each new <see cref="Index"/> is swapped in: plugins
    /// that derive their own tables from it (k8s_external) build them here. A handler must not block for long.
    /// </summary>
    public event Action<K8sIndex>? IndexChanged;

    /// <summary>The snapshot <see cref="Index"/> was built from (k8s_external reads services from it).</summary>
    public K8sView View => Volatile.Read(ref _view);
    private K8sView _view = K8sView.Empty;

    /// <summary>How many indexes were built (one per snapshot the watcher published).</summary>
    public long Builds => Interlocked.Read(ref _builds);
    private long _builds;

    /// <summary>CoreDNS's Ready: the API has been listed (every watched kind).</summary>
    public override bool? Ready => Index.Synced;

    public override Props HandlerProps(ChainLink? next) => KubernetesActor.Props(this, next);

    public override async Task StartAsync(PluginHost host, CancellationToken ct)
    {
        // CoreDNS's boundIPs: the block's bind addresses, else every interface's (NS and ns.dns.ZONE answers).
        _answers = Options.Answers with { LocalIPs = LocalIPs() };
        _hostSearch = HostSearch();
        Volatile.Write(ref _index, K8sIndex.Empty(_answers));
        KubernetesClientConfiguration config;
        try
        {
            config = ClientConfig();
            // Made once here so a bad kubeconfig or certificate stops start-up on this node, as CoreDNS's
            // InitKubeCache does, even when another node of the cluster is the one watching.
            K8sClientFactory.CreateClient(config).Dispose();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"plugin/kubernetes: {e.Message}", e);
        }
        var watch = Options.Watch with { SliceProgrammed = KubernetesMetrics.Programmed };
        var api = Options.Kubeconfig is { } kc ? "kubeconfig " + kc : Options.Endpoint ?? "the in-cluster API";
        _lease = K8sWatchHub.Get(host.System).Acquire(new K8sWatchSpec(WatchId(watch), api,
            log => new K8sWatcher(K8sClientFactory.CreateClient(config, new RestMetricsHandler()), watch, log)));
        _subscription = _lease.Source.Subscribe(OnView);
        if (_lease.Mode == "cluster")
            LineLog.Info("plugin/kubernetes: the cluster watches the Kubernetes API once (a cluster singleton) and publishes to this node");

        var started = Stopwatch.GetTimestamp();
        var lastLog = started;
        while (!Index.Synced)
        {
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(started, now) >= Options.StartupTimeout)
            {
                LineLog.Warning("plugin/kubernetes: starting server with unsynced Kubernetes API");
                break;
            }
            if (Stopwatch.GetElapsedTime(lastLog, now) >= TimeSpan.FromMilliseconds(500))
            {
                LineLog.Info("plugin/kubernetes: waiting for Kubernetes API before starting server");
                lastLog = now;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    public override Task StopAsync()
    {
        _subscription?.Dispose();
        _subscription = null;
        _lease?.Dispose();
        _lease = null;
        return Task.CompletedTask;
    }

    /// <summary>What makes two kubernetes stanzas share one watch: the same API, credentials and selectors.</summary>
    private string WatchId(K8sWatchOptions watch) => string.Join("|",
        Options.Kubeconfig ?? "", Options.KubeContext ?? "", Options.Endpoint ?? "", Options.TlsCert ?? "",
        Options.TlsKey ?? "", Options.TlsCa ?? "", watch.WatchPods, watch.WatchNamespaces, watch.LabelSelector ?? "",
        watch.NamespaceLabelSelector ?? "", string.Join(",", watch.Namespaces.Order(StringComparer.Ordinal)), watch.WatchMultiCluster);

    /// <summary>
    /// CoreDNS's AutoPath (<c>autopath @kubernetes</c>): for a query in one of the plugin's zones from a pod's address
    /// (<c>pods verified</c> only), the client's search path: NAMESPACE.svc.ZONE, svc.ZONE, ZONE, the host's
    /// resolv.conf search domains, then the name as asked. Null (no autopath) otherwise.
    /// </summary>
    public IReadOnlyList<string>? AutoPath(DnsRequest request)
    {
        var index = Index;
        if (index.Options.Pods != PodMode.Verified) return null;
        var zone = ZoneMatch.Longest(index.Options.Zones, request.Name);
        if (zone is null) return null;
        var ns = index.PodNamespace(request.Client.Address);
        if (ns is null) return null;
        var search = new string[4 + _hostSearch.Length];
        if (zone == ".")
        {
            search[0] = ns + ".svc.";
            search[1] = "svc.";
            search[2] = ".";
        }
        else
        {
            search[0] = ns + ".svc." + zone;
            search[1] = "svc." + zone;
            search[2] = zone;
        }
        _hostSearch.CopyTo(search, 3);
        search[^1] = "";
        return search;
    }

    /// <summary>The host's search domains (CoreDNS's searchFromResolvConf: /etc/resolv.conf, read at start).</summary>
    private string[] _hostSearch = [];

    private static string[] HostSearch()
    {
        try
        {
            return [.. ResolvConf.Search(System.IO.File.ReadAllLines("/etc/resolv.conf"))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private void OnView(K8sView view)
    {
        var index = K8sIndex.Build(view, _answers);
        Volatile.Write(ref _view, view);
        Volatile.Write(ref _index, index);
        Interlocked.Increment(ref _builds);
        IndexChanged?.Invoke(index);
    }

    /// <summary>CoreDNS's getClientConfig: kubeconfig first, else endpoint (+ tls), else the pod's service account.</summary>
    private KubernetesClientConfiguration ClientConfig()
    {
        if (Options.Kubeconfig is { } path) return K8sClientFactory.FromKubeconfig(path, Options.KubeContext);
        if (Options.Endpoint is { } url) return K8sClientFactory.FromEndpoint(url, null, Options.TlsCert, Options.TlsKey, Options.TlsCa);
        return K8sClientFactory.InCluster();
    }

    private ImmutableArray<IPAddress> LocalIPs()
    {
        if (block.Bind is { Count: > 0 } bound)
        {
            var b = ImmutableArray.CreateBuilder<IPAddress>();
            foreach (var ip in bound)
                if (!ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)) b.Add(ip);
            if (b.Count > 0) return b.ToImmutable();
        }
        var all = ImmutableArray.CreateBuilder<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var u in nic.GetIPProperties().UnicastAddresses)
                    if (!IPAddress.IsLoopback(u.Address) && !u.Address.IsIPv6LinkLocal) all.Add(u.Address);
        }
        catch (NetworkInformationException)
        {
        }
        return all.ToImmutable();
    }
}
