using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Akka.Dns.Kubernetes.Api;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Akka.Dns.TestSupport;

/// <summary>The resource kinds <see cref="FakeApiServer"/> serves.</summary>
public enum FakeResource { Services, EndpointSlices, Pods, Namespaces, ServiceImports /* multicluster: see the region "Multi-Cluster Services" */ }

/// <summary>
/// A Kubernetes API server on loopback for tests (in-process Kestrel, port 0): list and watch of Services,
/// EndpointSlices, Pods and Namespaces across all namespaces, in the real JSON shapes (objects are k8s.Models types
/// serialized with KubernetesJson). One resourceVersion counter for everything, as etcd has; every change is logged
/// so a watch from resourceVersion N replays what came after N, and a watch from before the compaction point gets
/// the API server's <c>410 Gone</c> ERROR event. Faults: <see cref="InjectGone"/>, <see cref="DropWatches"/>,
/// <see cref="GoDown"/>/<see cref="ComeUp"/>; <see cref="Bookmark"/> sends BOOKMARK events. Counts list and watch
/// requests per kind. Label selectors of the equality forms (<c>k=v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>) filter.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<FakeResource, SortedDictionary<string, IKubernetesObject<V1ObjectMeta>>> _objects = new();
    private readonly List<(long Rv, FakeResource Res, string Type, IKubernetesObject<V1ObjectMeta> Obj)> _log = new();
    private readonly List<OpenWatch> _watches = new();
    private readonly Dictionary<FakeResource, int> _lists = new(), _watchCount = new();
    private readonly Dictionary<FakeResource, List<string>> _watchRvs = new(), _queries = new();
    private long _rv = 100;
    private long _compactedBelow;
    private volatile bool _down;
    private int _rejected;
    private WebApplication _app = null!;

    private FakeApiServer()
    {
        foreach (var r in Enum.GetValues<FakeResource>())
        {
            _objects[r] = new SortedDictionary<string, IKubernetesObject<V1ObjectMeta>>(StringComparer.Ordinal);
            _lists[r] = 0;
            _watchCount[r] = 0;
            _watchRvs[r] = new List<string>();
            _queries[r] = new List<string>();
        }
    }

    public string Url { get; private set; } = "";

    public static async Task<FakeApiServer> StartAsync()
    {
        var s = new FakeApiServer();
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = b.Build();
        app.Use(async (ctx, next) =>
        {
            if (s._down)
            {
                Interlocked.Increment(ref s._rejected);
                await s.WriteStatus(ctx, 503, "ServiceUnavailable", "the fake API server is down");
                return;
            }
            await next(ctx);
        });
        s.MapMultiClusterRoutes(app);  // multicluster: see the region "Multi-Cluster Services" below
        app.MapGet("/api/v1/services", ctx => s.Serve(ctx, FakeResource.Services));
        app.MapGet("/apis/discovery.k8s.io/v1/endpointslices", ctx => s.Serve(ctx, FakeResource.EndpointSlices));
        app.MapGet("/api/v1/pods", ctx => s.Serve(ctx, FakeResource.Pods));
        app.MapGet("/api/v1/namespaces", ctx => s.Serve(ctx, FakeResource.Namespaces));
        s.MapBootstrapRoutes(app);   // k8s-bootstrap: see the region "Cluster Bootstrap discovery" below
        await app.StartAsync();
        s._app = app;
        s.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return s;
    }

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ---- state -------------------------------------------------------------------------------------------------

    /// <summary>The current resourceVersion (of the last change).</summary>
    public long ResourceVersion { get { lock (_gate) return _rv; } }

    /// <summary>Requests answered 503 while down.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    public int Lists(FakeResource r) { lock (_gate) return _lists[r]; }
    public int Watches(FakeResource r) { lock (_gate) return _watchCount[r]; }
    public int OpenWatches(FakeResource r) { lock (_gate) return _watches.Count(w => w.Res == r); }

    /// <summary>The resourceVersion parameter of every watch request of a kind, in order.</summary>
    public IReadOnlyList<string> WatchResourceVersions(FakeResource r) { lock (_gate) return _watchRvs[r].ToList(); }

    /// <summary>The query string of every list and watch request of a kind, in order.</summary>
    public IReadOnlyList<string> Queries(FakeResource r) { lock (_gate) return _queries[r].ToList(); }

    /// <summary>Adds or replaces an object (ADDED or MODIFIED to open watches); returns its new resourceVersion.</summary>
    public long Put(IKubernetesObject<V1ObjectMeta> obj)
    {
        var res = ResourceOf(obj);
        lock (_gate)
        {
            var rv = ++_rv;
            Stamp(obj, res);
            obj.Metadata.ResourceVersion = rv.ToString();
            var key = Key(obj);
            var type = _objects[res].ContainsKey(key) ? "MODIFIED" : "ADDED";
            _objects[res][key] = Emit(rv, res, type, obj);
            return rv;
        }
    }

    /// <summary>Deletes an object (DELETED with its last state, at a new resourceVersion).</summary>
    public bool Delete(FakeResource res, string? ns, string name)
    {
        lock (_gate)
        {
            var key = ns is null ? name : ns + "/" + name;
            if (!_objects[res].Remove(key, out var obj)) return false;
            var rv = ++_rv;
            obj.Metadata.ResourceVersion = rv.ToString();
            Emit(rv, res, "DELETED", obj);
            return true;
        }
    }

    /// <summary>
    /// Compacts the history (a watch from any resourceVersion up to now is too old) and sends every open watch the
    /// API server's ERROR event: Status 410 "too old resource version", then closes it.
    /// </summary>
    public void InjectGone()
    {
        lock (_gate)
        {
            // The cluster moves on and etcd compacts: a watch from any earlier resourceVersion is too old, a fresh
            // list (at the new resourceVersion) can be watched from.
            _compactedBelow = ++_rv;
            _log.Clear();
            foreach (var w in _watches.ToList())
            {
                w.Lines.Writer.TryWrite(GoneLine(w.Rv));
                w.Lines.Writer.TryComplete();
            }
        }
    }

    /// <summary>Aborts every open watch connection (as a load balancer or an API server restart would).</summary>
    public void DropWatches()
    {
        List<OpenWatch> open;
        lock (_gate) open = _watches.ToList();
        foreach (var w in open) w.Abort();
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion to every open watch that asked for bookmarks.</summary>
    public void Bookmark()
    {
        lock (_gate)
        {
            foreach (var w in _watches)
                if (w.Bookmarks)
                {
                    var (kind, api) = KindOf(w.Res);
                    var json = $"{{\"kind\":\"{kind}\",\"apiVersion\":\"{api}\",\"metadata\":{{\"resourceVersion\":\"{_rv}\"}}}}";
                    w.Lines.Writer.TryWrite($"{{\"type\":\"BOOKMARK\",\"object\":{json}}}");
                }
        }
    }

    /// <summary>Every request gets 503 until <see cref="ComeUp"/>; open watches are dropped.</summary>
    public void GoDown()
    {
        _down = true;
        DropWatches();
    }

    public void ComeUp() => _down = false;

    // ---- HTTP --------------------------------------------------------------------------------------------------

    private async Task Serve(HttpContext ctx, FakeResource res)
    {
        var q = ctx.Request.Query;
        var isWatch = q["watch"] is var wv && (wv == "1" || wv == "true");
        var selector = Selector.Parse(q["labelSelector"].ToString());
        lock (_gate)
        {
            _queries[res].Add(ctx.Request.QueryString.Value ?? "");
            if (isWatch) { _watchCount[res]++; _watchRvs[res].Add(q["resourceVersion"].ToString()); }
            else if (string.IsNullOrEmpty(q["continue"])) _lists[res]++;   // a paged list counts once, at its first page
        }
        if (!isWatch)
        {
            string body;
            int.TryParse(q["limit"].ToString(), out var limit);
            lock (_gate) body = ListJson(res, selector, limit, q["continue"].ToString());
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body);
            return;
        }

        var bookmarks = q["allowWatchBookmarks"] is var bv && (bv == "1" || bv == "true");
        long.TryParse(q["resourceVersion"].ToString(), out var from);
        var w = new OpenWatch(res, from, bookmarks, selector, ctx);
        lock (_gate)
        {
            if (from != 0 && from < _compactedBelow)
            {
                w.Lines.Writer.TryWrite(GoneLine(from));
                w.Lines.Writer.TryComplete();
            }
            else
            {
                foreach (var e in _log)
                    if (e.Res == res && e.Rv > from && selector.Matches(e.Obj.Metadata.Labels))
                        w.Lines.Writer.TryWrite(EventLine(e.Type, e.Obj));
                _watches.Add(w);
            }
        }
        try
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.StartAsync(ctx.RequestAborted);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            await foreach (var line in w.Lines.Reader.ReadAllAsync(ctx.RequestAborted))
            {
                await ctx.Response.WriteAsync(line + "\n", ctx.RequestAborted);
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        finally
        {
            lock (_gate) _watches.Remove(w);
        }
    }

    private async Task WriteStatus(HttpContext ctx, int code, string reason, string message)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(StatusJson(code, reason, message));
    }

    /// <summary>
    /// One page of a list, as the API server pages with <c>limit</c>: at most <paramref name="limit"/> items (0 = all)
    /// and a <c>continue</c> token while more remain; every page reports the first page's resourceVersion (the
    /// token carries it), so a watch from it replays whatever changed while the pages were read.
    /// </summary>
    private string ListJson(FakeResource res, Selector selector, int limit = 0, string? cont = null)
    {
        var rv = _rv;
        var offset = 0;
        if (!string.IsNullOrEmpty(cont) && cont.Split(':') is [var r, var o])
        {
            rv = long.Parse(r);
            offset = int.Parse(o);
        }
        var meta = new V1ListMeta { ResourceVersion = rv.ToString() };
        var all = _objects[res].Values.Where(o => selector.Matches(o.Metadata.Labels));
        var items = (limit > 0 ? all.Skip(offset).Take(limit) : all.Skip(offset)).ToList();
        if (limit > 0)
        {
            var remaining = _objects[res].Values.Count(o => selector.Matches(o.Metadata.Labels)) - offset - items.Count;
            if (remaining > 0)
            {
                meta.ContinueProperty = $"{rv}:{offset + items.Count}";
                meta.RemainingItemCount = remaining;
            }
        }
        object list = res switch
        {
            FakeResource.Services => new V1ServiceList { Kind = "ServiceList", ApiVersion = "v1", Metadata = meta, Items = items.Cast<V1Service>().ToList() },
            FakeResource.EndpointSlices => new V1EndpointSliceList { Kind = "EndpointSliceList", ApiVersion = "discovery.k8s.io/v1", Metadata = meta, Items = items.Cast<V1EndpointSlice>().ToList() },
            FakeResource.Pods => new V1PodList { Kind = "PodList", ApiVersion = "v1", Metadata = meta, Items = items.Cast<V1Pod>().ToList() },
            FakeResource.ServiceImports => ServiceImportList(meta, items),  // multicluster: see the region "Multi-Cluster Services" below
            _ => new V1NamespaceList { Kind = "NamespaceList", ApiVersion = "v1", Metadata = meta, Items = items.Cast<V1Namespace>().ToList() },
        };
        return KubernetesJson.Serialize(list);
    }

    private IKubernetesObject<V1ObjectMeta> Emit(long rv, FakeResource res, string type, IKubernetesObject<V1ObjectMeta> obj)
    {
        // The log holds a snapshot of the object as serialized now (later Puts of the same instance must not alter it).
        var json = KubernetesJson.Serialize(obj);
        IKubernetesObject<V1ObjectMeta> copy = res switch
        {
            FakeResource.Services => KubernetesJson.Deserialize<V1Service>(json),
            FakeResource.EndpointSlices => KubernetesJson.Deserialize<V1EndpointSlice>(json),
            FakeResource.Pods => KubernetesJson.Deserialize<V1Pod>(json),
            FakeResource.ServiceImports => KubernetesJson.Deserialize<V1Alpha1ServiceImport>(json),  // multicluster: see the region "Multi-Cluster Services" below
            _ => KubernetesJson.Deserialize<V1Namespace>(json),
        };
        _log.Add((rv, res, type, copy));
        var line = EventLine(type, copy);
        foreach (var w in _watches)
            if (w.Res == res && w.Selector.Matches(copy.Metadata.Labels))
                w.Lines.Writer.TryWrite(line);
        return copy;
    }

    private static string EventLine(string type, object obj) =>
        $"{{\"type\":\"{type}\",\"object\":{KubernetesJson.Serialize(obj)}}}";

    private static string GoneLine(long rv)
    {
        return $"{{\"type\":\"ERROR\",\"object\":{StatusJson(410, "Expired", $"too old resource version: {rv} ({rv + 1})")}}}";
    }

    // KubernetesJson cannot write a V1Status (its converter only reads), so the Status shape is written here.
    private static string StatusJson(int code, string reason, string message) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new Dictionary<string, object>(), ["status"] = "Failure",
        ["message"] = message, ["reason"] = reason, ["code"] = code,
    });

    private static string Key(IKubernetesObject<V1ObjectMeta> o) =>
        o.Metadata.NamespaceProperty is null ? o.Metadata.Name : o.Metadata.NamespaceProperty + "/" + o.Metadata.Name;

    private static FakeResource ResourceOf(IKubernetesObject<V1ObjectMeta> o) => o switch
    {
        V1Service => FakeResource.Services,
        V1EndpointSlice => FakeResource.EndpointSlices,
        V1Pod => FakeResource.Pods,
        V1Namespace => FakeResource.Namespaces,
        V1Alpha1ServiceImport => FakeResource.ServiceImports,  // multicluster: see the region "Multi-Cluster Services" below
        _ => throw new ArgumentException($"the fake API server does not serve {o.GetType().Name}"),
    };

    private static (string Kind, string ApiVersion) KindOf(FakeResource r) => r switch
    {
        FakeResource.Services => ("Service", "v1"),
        FakeResource.EndpointSlices => ("EndpointSlice", "discovery.k8s.io/v1"),
        FakeResource.Pods => ("Pod", "v1"),
        FakeResource.ServiceImports => (V1Alpha1ServiceImport.KubeKind, V1Alpha1ServiceImport.KubeApiVersion),  // multicluster: see the region "Multi-Cluster Services" below
        _ => ("Namespace", "v1"),
    };

    private static void Stamp(IKubernetesObject<V1ObjectMeta> o, FakeResource r)
    {
        (o.Kind, o.ApiVersion) = KindOf(r);
        o.Metadata.Uid ??= Guid.NewGuid().ToString();
        o.Metadata.CreationTimestamp ??= DateTime.UtcNow;
    }

    private sealed class OpenWatch(FakeResource res, long rv, bool bookmarks, Selector selector, HttpContext ctx)
    {
        public FakeResource Res { get; } = res;
        public long Rv { get; } = rv;
        public bool Bookmarks { get; } = bookmarks;
        public Selector Selector { get; } = selector;
        public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();
        public void Abort()
        {
            // A watch whose request has just ended (client gone) is still listed until its handler removes it.
            try { ctx.Abort(); }
            catch (ObjectDisposedException) { }
        }
    }

    #region Cluster Bootstrap discovery (added for the k8s-bootstrap specs; nothing above depends on it)

    // What Akka.Dns's kubernetes-api discovery (src/Akka.Dns/Cluster/Bootstrap/KubernetesApiDiscovery.cs) asks:
    // a plain list of one namespace's pods with a label selector. Pods are Put as for the all-namespaces routes.
    private int _namespacedPodLists;

    /// <summary>Requests to <c>GET /api/v1/namespaces/{ns}/pods</c> (bootstrap's pod discovery).</summary>
    public int NamespacedPodLists => Volatile.Read(ref _namespacedPodLists);

    private void MapBootstrapRoutes(WebApplication app) =>
        app.MapGet("/api/v1/namespaces/{ns}/pods", async ctx =>
        {
            Interlocked.Increment(ref _namespacedPodLists);
            var ns = ctx.Request.RouteValues["ns"]?.ToString() ?? "";
            var selector = Selector.Parse(ctx.Request.Query["labelSelector"].ToString());
            string body;
            lock (_gate)
            {
                var items = _objects[FakeResource.Pods].Values
                    .Where(o => o.Metadata.NamespaceProperty == ns && selector.Matches(o.Metadata.Labels)).Cast<V1Pod>().ToList();
                body = KubernetesJson.Serialize(new V1PodList
                {
                    Kind = "PodList", ApiVersion = "v1", Metadata = new V1ListMeta { ResourceVersion = _rv.ToString() }, Items = items,
                });
            }
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body);
        });

    #endregion

    /// <summary>Equality-based label selectors: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>, comma = and.</summary>
    private sealed class Selector
    {
        private readonly List<Func<IDictionary<string, string>, bool>> _terms = new();

        public static Selector Parse(string s)
        {
            var sel = new Selector();
            foreach (var raw in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (raw.Contains("!="))
                {
                    var (k, v) = Split(raw, "!=");
                    sel._terms.Add(l => !l.TryGetValue(k, out var x) || x != v);
                }
                else if (raw.Contains('='))
                {
                    var (k, v) = Split(raw, raw.Contains("==") ? "==" : "=");
                    sel._terms.Add(l => l.TryGetValue(k, out var x) && x == v);
                }
                else if (raw.StartsWith('!'))
                {
                    var k = raw[1..];
                    sel._terms.Add(l => !l.ContainsKey(k));
                }
                else sel._terms.Add(l => l.ContainsKey(raw));
            }
            return sel;
        }

        private static (string, string) Split(string s, string op)
        {
            var i = s.IndexOf(op, StringComparison.Ordinal);
            return (s[..i].Trim(), s[(i + op.Length)..].Trim());
        }

        public bool Matches(IDictionary<string, string>? labels)
        {
            var l = labels ?? new Dictionary<string, string>();
            foreach (var t in _terms)
                if (!t(l)) return false;
            return true;
        }
    }

    #region Multi-Cluster Services (added for the kubernetes multicluster specs; nothing above depends on it)

    // ServiceImports (multicluster.x-k8s.io/v1alpha1, a CRD of sigs.k8s.io/mcs-api) listed and watched cluster-wide
    // as the API server serves a custom resource: the same resourceVersion counter, event log, 410 and bookmarks as
    // the built-in kinds, counted as FakeResource.ServiceImports. The MCS EndpointSlices are ordinary EndpointSlices
    // (FakeObjects.MultiClusterSlice) served by the endpointslices route with a label selector.
    private int _serviceImportsNotFound;

    /// <summary>While true the ServiceImport CRD is "not installed": its list and watch get the API server's 404.</summary>
    public bool ServiceImportCrdMissing { get; set; }

    /// <summary>ServiceImport requests answered 404 while <see cref="ServiceImportCrdMissing"/>.</summary>
    public int ServiceImportsNotFound => Volatile.Read(ref _serviceImportsNotFound);

    private void MapMultiClusterRoutes(WebApplication app) =>
        app.MapGet("/apis/" + V1Alpha1ServiceImport.Group + "/" + V1Alpha1ServiceImport.Version + "/" + V1Alpha1ServiceImport.Plural,
            async ctx =>
            {
                if (ServiceImportCrdMissing)
                {
                    Interlocked.Increment(ref _serviceImportsNotFound);
                    await WriteStatus(ctx, 404, "NotFound", "the server could not find the requested resource");
                    return;
                }
                await Serve(ctx, FakeResource.ServiceImports);
            });

    private static V1Alpha1ServiceImportList ServiceImportList(V1ListMeta meta, List<IKubernetesObject<V1ObjectMeta>> items) =>
        new() { Metadata = meta, Items = items.Cast<V1Alpha1ServiceImport>().ToList() };

    #endregion
}
