using System.Collections.Immutable;
using Akka.Dns.Kubernetes.Model;
using Akka.Event;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Akka.Dns.Kubernetes.Api;

/// <summary>
/// Watches the Kubernetes API and keeps a trimmed <see cref="K8sView"/> of it, the way client-go's reflector does:
/// per resource kind, list, then watch from the list's resourceVersion with bookmarks, apply every event to an
/// immutable map, re-list after <c>410 Gone</c>, retry errors and disconnects with bounded exponential back-off and
/// jitter, and keep the last view while the API is unreachable.
/// <para>
/// Subscribing: <see cref="Subscribe"/> takes a callback that receives the published snapshots (first the current
/// one, if any) through a <see cref="ViewFanout"/>, one at a time; an actor subscribes with <c>v => Self.Tell(v)</c>.
/// <see cref="Current"/> is the latest snapshot (a volatile read). A burst of changes is coalesced into one snapshot
/// per <see cref="K8sWatchOptions.Coalesce"/>; <see cref="K8sView.Synced"/> turns true once every watched kind has
/// been listed and stays true (a re-list replaces a kind's map whole).
/// </para>
/// </summary>
public sealed class K8sWatcher : IK8sViewSource, IAsyncDisposable
{
    private readonly K8sWatchOptions _options;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _dirty = new(0);
    private readonly ViewFanout _fanout;
    private readonly IInformer[] _informers;
    private readonly Informer<V1Service, K8sService> _services;
    private readonly Informer<V1EndpointSlice, K8sEndpointSlice> _slices;
    private readonly Informer<V1Pod, K8sPod>? _pods;
    private readonly Informer<V1Namespace, K8sNamespace>? _namespaces;
    private readonly Informer<V1Alpha1ServiceImport, K8sServiceImport>? _imports;
    private readonly Informer<V1EndpointSlice, K8sEndpointSlice>? _mcSlices;
    private readonly List<Task> _tasks = new();
    private int _pending;
    private long _published;

    public K8sWatcher(IKubernetes client, K8sWatchOptions options, ILoggingAdapter? log = null)
    {
        _options = options;
        _log = log ?? NoLogger.Instance;
        _fanout = new ViewFanout(_log);
        var trim = new K8sTrim(options);
        var timeout = (int)options.WatchTimeout.TotalSeconds;
        var labels = options.LabelSelector;

        _services = new Informer<V1Service, K8sService>(this, "services",
            async (cont, ct) =>
            {
                var l = await client.CoreV1.ListServiceForAllNamespacesAsync(labelSelector: labels, limit: 500,
                    continueParameter: cont, cancellationToken: ct).ConfigureAwait(false);
                return (l.Items, l.Metadata?.ResourceVersion, l.Metadata?.ContinueProperty);
            },
            (rv, onError, ct) => client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true,
                labelSelector: labels, resourceVersion: rv, timeoutSeconds: Jitter(timeout), onError: onError, cancellationToken: ct),
            trim.Service, s => s.Key);

        _slices = new Informer<V1EndpointSlice, K8sEndpointSlice>(this, "endpointslices",
            async (cont, ct) =>
            {
                var l = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: labels, limit: 500,
                    continueParameter: cont, cancellationToken: ct).ConfigureAwait(false);
                return (l.Items, l.Metadata?.ResourceVersion, l.Metadata?.ContinueProperty);
            },
            (rv, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true,
                labelSelector: labels, resourceVersion: rv, timeoutSeconds: Jitter(timeout), onError: onError, cancellationToken: ct),
            trim.EndpointSlice, s => s.Key, options.SliceProgrammed is null ? null : SliceApplied);

        if (options.WatchPods)
            _pods = new Informer<V1Pod, K8sPod>(this, "pods",
                async (cont, ct) =>
                {
                    var l = await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: labels,
                        fieldSelector: K8sWatchOptions.PodFieldSelector, limit: 500, continueParameter: cont,
                        cancellationToken: ct).ConfigureAwait(false);
                    return (l.Items, l.Metadata?.ResourceVersion, l.Metadata?.ContinueProperty);
                },
                (rv, onError, ct) => client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true,
                    labelSelector: labels, fieldSelector: K8sWatchOptions.PodFieldSelector, resourceVersion: rv,
                    timeoutSeconds: Jitter(timeout), onError: onError, cancellationToken: ct),
                trim.Pod, p => p.Key);

        if (options.WatchNamespaces)
        {
            var nsLabels = options.NamespaceLabelSelector;
            _namespaces = new Informer<V1Namespace, K8sNamespace>(this, "namespaces",
                async (cont, ct) =>
                {
                    var l = await client.CoreV1.ListNamespaceAsync(labelSelector: nsLabels, limit: 500,
                        continueParameter: cont, cancellationToken: ct).ConfigureAwait(false);
                    return (l.Items, l.Metadata?.ResourceVersion, l.Metadata?.ContinueProperty);
                },
                (rv, onError, ct) => client.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true,
                    labelSelector: nsLabels, resourceVersion: rv, timeoutSeconds: Jitter(timeout), onError: onError,
                    cancellationToken: ct),
                trim.Namespace, n => n.Name);
        }

        if (options.WatchMultiCluster)
        {
            // CoreDNS lists ServiceImports with the namespace_labels selector (controller.go serviceImportListFunc).
            var importLabels = options.NamespaceLabelSelector;
            _imports = new Informer<V1Alpha1ServiceImport, K8sServiceImport>(this, "serviceimports",
                async (cont, ct) =>
                {
                    using var r = await client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<V1Alpha1ServiceImportList>(
                        V1Alpha1ServiceImport.Group, V1Alpha1ServiceImport.Version, V1Alpha1ServiceImport.Plural,
                        labelSelector: importLabels, limit: 500, continueParameter: cont, cancellationToken: ct).ConfigureAwait(false);
                    var l = r.Body;
                    return (l.Items, l.Metadata?.ResourceVersion, l.Metadata?.ContinueProperty);
                },
                (rv, onError, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<V1Alpha1ServiceImportList>(
                        V1Alpha1ServiceImport.Group, V1Alpha1ServiceImport.Version, V1Alpha1ServiceImport.Plural,
                        allowWatchBookmarks: true, labelSelector: importLabels, resourceVersion: rv,
                        timeoutSeconds: Jitter(timeout), watch: true, cancellationToken: ct)
                    .TypedWatch(onError, ct),
                trim.ServiceImport, i => i.Key);

            var mcLabels = options.MultiClusterSliceSelector;
            _mcSlices = new Informer<V1EndpointSlice, K8sEndpointSlice>(this, "multicluster-endpointslices",
                async (cont, ct) =>
                {
                    var l = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(labelSelector: mcLabels, limit: 500,
                        continueParameter: cont, cancellationToken: ct).ConfigureAwait(false);
                    return (l.Items, l.Metadata?.ResourceVersion, l.Metadata?.ContinueProperty);
                },
                (rv, onError, ct) => client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true,
                    labelSelector: mcLabels, resourceVersion: rv, timeoutSeconds: Jitter(timeout), onError: onError, cancellationToken: ct),
                trim.MultiClusterSlice, s => s.Key);
        }

        var all = new List<IInformer> { _services, _slices };
        if (_pods is not null) all.Add(_pods);
        if (_namespaces is not null) all.Add(_namespaces);
        if (_imports is not null) all.Add(_imports);
        if (_mcSlices is not null) all.Add(_mcSlices);
        _informers = all.ToArray();
    }

    /// <summary>The latest published snapshot; null before the first one.</summary>
    public K8sView? Current => _fanout.Current;

    /// <summary>How many snapshots were published (diagnostics and tests).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>The last resourceVersion seen per watched kind ("services", "endpointslices", "pods", "namespaces",
    /// "serviceimports", "multicluster-endpointslices").</summary>
    public IReadOnlyDictionary<string, string?> ResourceVersions =>
        _informers.ToDictionary(i => i.Kind, i => i.ResourceVersion);

    public IDisposable Subscribe(Action<K8sView> onView) => _fanout.Subscribe(onView);

    /// <summary>A watched EndpointSlice change was applied: the DNS programming latency, as CoreDNS records it.</summary>
    private void SliceApplied(WatchEventType type, V1EndpointSlice slice)
    {
        var ns = slice.Metadata?.NamespaceProperty;
        if (ns is null || slice.Metadata?.Labels is not { } labels || !labels.TryGetValue(K8sTrim.ServiceNameLabel, out var service)) return;
        if (!_services.Map.TryGetValue(ns + "/" + service, out var svc)) return;
        string? trigger = null;
        slice.Metadata.Annotations?.TryGetValue("endpoints.kubernetes.io/last-change-trigger-time", out trigger);
        _options.SliceProgrammed!(trigger, svc.Kind == ServiceKind.Headless, DateTimeOffset.UtcNow);
    }

    /// <summary>Starts listing and watching every configured kind.</summary>
    public void Start()
    {
        if (_tasks.Count > 0) return;
        _tasks.Add(Task.Run(() => PublishLoop(_stop.Token)));
        foreach (var i in _informers)
            _tasks.Add(Task.Run(() => i.Run(_stop.Token)));
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await Task.WhenAll(_tasks).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _fanout.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private bool AllListed
    {
        get
        {
            foreach (var i in _informers)
                if (!i.Listed) return false;
            return true;
        }
    }

    private void Changed()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0) _dirty.Release();
    }

    private async Task PublishLoop(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await _dirty.WaitAsync(ct).ConfigureAwait(false);
                await Task.Delay(_options.Coalesce, ct).ConfigureAwait(false);
                Interlocked.Exchange(ref _pending, 0);
                // Listed first: an informer stores its map before it says it has listed, so a view that says
                // "synced" then holds every listed map (read the other way round, a list finishing in between
                // gave a synced view without that kind's objects).
                var synced = AllListed;
                var view = new K8sView(_services.Map, _slices.Map,
                    _pods?.Map ?? ImmutableDictionary<string, K8sPod>.Empty,
                    _namespaces?.Map ?? ImmutableDictionary<string, K8sNamespace>.Empty,
                    synced)
                {
                    ServiceImports = _imports?.Map ?? ImmutableDictionary<string, K8sServiceImport>.Empty,
                    MultiClusterSlices = _mcSlices?.Map ?? ImmutableDictionary<string, K8sEndpointSlice>.Empty,
                };
                Interlocked.Increment(ref _published);
                _fanout.Publish(view);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    private int? Jitter(int seconds) => seconds <= 0 ? null : seconds + Random.Shared.Next(0, Math.Max(1, seconds));

    private interface IInformer
    {
        string Kind { get; }
        string? ResourceVersion { get; }
        bool Listed { get; }
        Task Run(CancellationToken ct);
    }

    /// <summary>List + watch of one kind into one immutable map (client-go's reflector, with the store inside).</summary>
    private sealed class Informer<TApi, TTrim>(
        K8sWatcher owner,
        string kind,
        Func<string?, CancellationToken, Task<(IList<TApi> Items, string? Rv, string? Continue)>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, TApi)>> watch,
        Func<TApi, TTrim?> trim,
        Func<TTrim, string> key,
        Action<WatchEventType, TApi>? applied = null) : IInformer
        where TApi : IKubernetesObject<V1ObjectMeta>
        where TTrim : class
    {
        private volatile ImmutableDictionary<string, TTrim> _map = ImmutableDictionary<string, TTrim>.Empty;
        private volatile string? _rv;
        private volatile bool _listed;
        private int _failures;

        public string Kind => kind;
        public string? ResourceVersion => _rv;
        public bool Listed => _listed;
        public ImmutableDictionary<string, TTrim> Map => _map;

        public async Task Run(CancellationToken ct)
        {
            var needList = true;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    if (needList)
                    {
                        await List(ct).ConfigureAwait(false);
                        needList = false;
                    }
                    var outcome = await Watch(ct).ConfigureAwait(false);
                    if (outcome == WatchOutcome.Gone)
                    {
                        owner._log.Info("kubernetes: {0} watch from resourceVersion {1} expired (410 Gone), re-listing", kind, _rv);
                        needList = true;
                    }
                    else if (outcome == WatchOutcome.Empty)
                        await Backoff(null, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpOperationException e) when ((int)e.Response.StatusCode == 410)
                {
                    owner._log.Info("kubernetes: {0} resourceVersion {1} expired (410 Gone), re-listing", kind, _rv);
                    needList = true;
                }
                catch (KubernetesException e) when (e.Status?.Code == 410)
                {
                    owner._log.Info("kubernetes: {0} resourceVersion {1} expired (410 Gone), re-listing", kind, _rv);
                    needList = true;
                }
                catch (Exception e)
                {
                    try { await Backoff(e, ct).ConfigureAwait(false); }
                    catch (OperationCanceledException) { return; }
                }
            }
        }

        private async Task List(CancellationToken ct)
        {
            var b = ImmutableDictionary.CreateBuilder<string, TTrim>(StringComparer.Ordinal);
            string? cont = null, rv;
            do
            {
                var page = await list(cont, ct).ConfigureAwait(false);
                foreach (var o in page.Items)
                    if (trim(o) is { } t) b[key(t)] = t;
                rv = page.Rv;
                cont = string.IsNullOrEmpty(page.Continue) ? null : page.Continue;
            } while (cont is not null);

            _map = b.ToImmutable();
            _rv = rv;
            _listed = true;
            Recovered();
            owner.Changed();
        }

        private enum WatchOutcome { Events, Empty, Gone }

        private async Task<WatchOutcome> Watch(CancellationToken ct)
        {
            Exception? error = null;
            var any = false;
            await foreach (var (type, obj) in watch(_rv ?? "", e => error ??= e, ct).ConfigureAwait(false))
            {
                any = true;
                Recovered();
                var changed = false;
                switch (type)
                {
                    case WatchEventType.Added:
                    case WatchEventType.Modified:
                        var t = trim(obj);
                        if (t is not null)
                        {
                            _map = _map.SetItem(key(t), t);
                            changed = true;
                        }
                        else if (KeyOf(obj) is { } gone && _map.ContainsKey(gone))
                        {
                            _map = _map.Remove(gone);
                            changed = true;
                        }
                        break;
                    case WatchEventType.Deleted:
                        if (KeyOf(obj) is { } k && _map.ContainsKey(k))
                        {
                            _map = _map.Remove(k);
                            changed = true;
                        }
                        break;
                    case WatchEventType.Bookmark:
                        break;
                }
                if (obj?.Metadata?.ResourceVersion is { Length: > 0 } rv) _rv = rv;
                if (changed)
                {
                    owner.Changed();
                    applied?.Invoke(type, obj!);
                }
            }
            if (error is not null) throw error;
            return any ? WatchOutcome.Events : WatchOutcome.Empty;
        }

        private static string? KeyOf(TApi obj)
        {
            var m = obj?.Metadata;
            if (m?.Name is null) return null;
            return m.NamespaceProperty is null ? m.Name : m.NamespaceProperty + "/" + m.Name;
        }

        private void Recovered()
        {
            if (_failures == 0) return;
            owner._log.Info("kubernetes: {0} back after {1} failed attempt(s)", kind, _failures);
            _failures = 0;
        }

        private async Task Backoff(Exception? e, CancellationToken ct)
        {
            _failures++;
            var o = owner._options;
            var exp = Math.Min(o.MaxBackoff.TotalMilliseconds, o.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 20)));
            var delay = TimeSpan.FromMilliseconds(exp * (0.5 + Random.Shared.NextDouble() * 0.5));
            var why = e is null ? "watch closed without events" : Describe(e);
            // The first failure of a streak is a warning; repeats are debug, so an outage logs one line, not one per retry.
            if (_failures == 1)
                owner._log.Warning("kubernetes: {0}: {1}; keeping the last view, retrying with back-off", kind, why);
            else
                owner._log.Debug("kubernetes: {0}: {1}; retry {2} in {3:F1}s", kind, why, _failures, delay.TotalSeconds);
            await Task.Delay(delay, ct).ConfigureAwait(false);
        }

        private static string Describe(Exception e) => e switch
        {
            HttpOperationException h => $"HTTP {(int)h.Response.StatusCode}",
            KubernetesException k => $"{k.Status?.Code} {k.Status?.Message}",
            _ => e.GetType().Name + ": " + e.Message,
        };
    }
}

internal static class ServiceImportWatch
{
    // The client's non-obsolete custom-object watch (WatchListClusterCustomObjectAsync) yields untyped objects; this
    // one reads the events straight into V1Alpha1ServiceImport, as the built-in kinds' watches do.
#pragma warning disable CS0618
    public static IAsyncEnumerable<(WatchEventType, V1Alpha1ServiceImport)> TypedWatch(
        this Task<HttpOperationResponse<V1Alpha1ServiceImportList>> response, Action<Exception> onError, CancellationToken ct) =>
        response.WatchAsync<V1Alpha1ServiceImport, V1Alpha1ServiceImportList>(onError, ct);
#pragma warning restore CS0618
}
