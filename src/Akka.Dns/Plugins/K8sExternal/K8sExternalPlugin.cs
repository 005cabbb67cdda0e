using Akka.Actor;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Plugins.Kubernetes;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.K8sExternal;

/// <summary>
/// The block's k8s_external plugin. At start it finds the block's <see cref="KubernetesPlugin"/> (CoreDNS's
/// OnStartup lookup of the "kubernetes" handler) and from then on answers from that plugin's current
/// <see cref="KubernetesPlugin.Index"/>: an <see cref="ExternalTable"/> is built once per new index and swapped in
/// whole. It is built when the kubernetes plugin raises <see cref="KubernetesPlugin.IndexChanged"/> (on its
/// publishing task), so queries normally only compare one reference; a query that sees a newer index before that
/// builds it itself (once, then everyone shares it).
/// </summary>
public sealed class K8sExternalPlugin(K8sExternalOptions options, BlockOptions block) : Plugin("k8s_external"), ITransferer
{
    private KubernetesPlugin? _kubernetes;
    private ExternalTable? _table;

    public K8sExternalOptions Options { get; } = options;

    /// <summary>How many tables were built (one per kubernetes index seen).</summary>
    public long Builds => Interlocked.Read(ref _builds);
    private long _builds;

    public override Props HandlerProps(ChainLink? next) => K8sExternalActor.Props(this, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        foreach (var p in block.Plugins)
            if (p is KubernetesPlugin k) _kubernetes = k;
        if (_kubernetes is null) throw new InvalidOperationException("plugin/k8s_external: kubernetes plugin not loaded");
        _kubernetes.IndexChanged += OnIndex;
        Table();
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        if (_kubernetes is { } k) k.IndexChanged -= OnIndex;
        return Task.CompletedTask;
    }

    /// <summary>Its zones can be transferred (the transfer plugin finds them here).</summary>
    public IEnumerable<string> TransferZones => Options.Zones;

    /// <summary>The zone a transfer sends, built from the current table; null before start.</summary>
    public Zones.Zone? GetZone(string origin) => Table() is { } t ? ExternalTransfer.Build(t, Options, origin) : null;

    /// <summary>The table of the kubernetes plugin's current index (built now if it is new); null before start.</summary>
    internal ExternalTable? Table()
    {
        if (Volatile.Read(ref _kubernetes) is not { } k) return null;
        var index = k.Index;
        var current = Volatile.Read(ref _table);
        if (current is not null && ReferenceEquals(current.Index, index)) return current;
        var built = ExternalTable.Build(index, Options);
        Interlocked.Increment(ref _builds);
        Interlocked.CompareExchange(ref _table, built, current);
        return built;
    }

    private void OnIndex(K8sIndex _)
    {
        try
        {
            Table();
        }
        catch (Exception e)
        {
            LineLog.Error($"plugin/k8s_external: building the answer table failed: {e.Message}");
        }
    }
}
