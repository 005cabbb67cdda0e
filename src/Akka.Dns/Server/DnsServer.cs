using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.Dns.Http;
using Akka.Dns.Plugins;
using Akka.Dns.Server.Listeners;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Server.Routing;
using Akka.Event;

namespace Akka.Dns.Server;

/// <summary>Published on the event stream once every listener of a (re)started server is open (NOTIFY at start waits for it).</summary>
public sealed class ServerStarted
{
    public static readonly ServerStarted Instance = new();
    private ServerStarted() { }
}

/// <summary>
/// A running <see cref="ServerPlan"/>: one supervisor actor per server block (its pipeline replicas), and per
/// listener a zone router, its in-flight table and its UDP and TCP sockets; plus the HTTP endpoints of
/// setup-only plugins. <see cref="StopAsync"/> undoes it all (lameduck first).
/// </summary>
public sealed class DnsServer : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly DnsSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly List<IActorRef> _actors = [];
    private readonly List<OpenListener> _listeners = [];
    private volatile RequestDispatcher[] _swept = [];
    private readonly HttpEndpoints _http;
    private readonly Dictionary<BlockPlan, BlockRuntime> _runtimes = new();
    private Timer? _sweeper;
    private volatile bool _shuttingDown;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int _generation;
    private static int _routerSeq;
    private ICorefileReloader? _reloader;

    private DnsServer(ActorSystem system, ServerPlan plan, DnsSettings settings)
    {
        _system = system;
        Plan = plan;
        _settings = settings;
        _log = Logging.GetLogger(system, "Akka.Dns.Server");
        _http = new HttpEndpoints(settings.HttpShutdownTimeout);
    }

    public ServerPlan Plan { get; }

    /// <summary>Where each UDP listener actually listens (ephemeral ports resolved).</summary>
    public IReadOnlyList<IPEndPoint> UdpEndPoints => _listeners.Where(l => l.Udp is not null).Select(l => l.Udp!.LocalEndPoint).ToList();
    /// <summary>Where each tls://, https:// and grpc:// listener listens (ephemeral ports resolved).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints(DnsTransport transport) =>
        _listeners.Where(l => l.Stream?.Transport == transport).SelectMany(l => l.Stream!.LocalEndPoints).ToList();
    public bool ShuttingDown => _shuttingDown;

    /// <summary>Completes when <see cref="StopAsync"/> has closed everything (after a reload: once this server's drain ended).</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Starts everything in <paramref name="plan"/>; on any failure stops what started and rethrows.</summary>
    public static async Task<DnsServer> StartAsync(ActorSystem system, ServerPlan plan, DnsSettings settings, CancellationToken ct = default,
        ICorefileReloader? reloader = null)
    {
        var server = new DnsServer(system, plan, settings) { _reloader = reloader };
        try
        {
            await server.StartCoreAsync(ct);
            return server;
        }
        catch
        {
            await server.StopAsync(lameduck: false);
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        await StartBlocksAsync(ct);
        await StartPluginsAsync(ct);
        await _http.StartAsync(ct);
        foreach (var listener in Plan.Listeners)
            _listeners.Add(await OpenListenerAsync(listener, TableFor(listener), null));
        StartSweeper();
        _system.EventStream.Publish(ServerStarted.Instance);
    }

    private ZoneTable TableFor(ListenerPlan listener) =>
        new(listener.Zones.Select(z => new KeyValuePair<string, BlockRuntime>(z.Zone, _runtimes[z.Block])));

    private void StartSweeper()
    {
        _swept = _listeners.Select(l => l.Dispatcher).ToArray();
        var sweep = _settings.DeadlineSweepInterval;
        _sweeper = new Timer(_ => Sweep(), null, sweep, sweep);
    }

    /// <summary>
    /// One open listener, keyed by (transport, address, bound port): its dispatcher (routing table and in-flight
    /// requests), its router actor and its sockets. A reload keeps it when the new plan has the same key.
    /// </summary>
    private sealed class OpenListener(ListenerPlan plan, RequestDispatcher dispatcher, IActorRef router)
    {
        public ListenerPlan Plan { get; } = plan;
        public RequestDispatcher Dispatcher { get; } = dispatcher;
        public IActorRef Router { get; } = router;
        public UdpListener? Udp { get; set; }
        /// <summary>A tls://, https:// or grpc:// listener (<see cref="TransportListeners"/>).</summary>
        public IDnsListener? Stream { get; set; }
        public List<IAsyncDisposable> Sockets { get; } = [];
        public (Corefile.Transport, IPAddress?, int) Key =>
            (Plan.Transport, Plan.Address, Udp?.LocalEndPoint.Port ?? (Stream?.LocalEndPoints.Count > 0 ? Stream.LocalEndPoints[0].Port : Plan.Port));

        public async Task CloseAsync(ActorSystem system)
        {
            Udp?.Dispose();
            foreach (var s in Sockets) await s.DisposeAsync();
            system.Stop(Router);
        }
    }

    /// <summary>An encrypted listener is kept by a reload only with the same certificate files and client_auth (a changed tls line reopens it).</summary>
    private static bool SameTls(ListenerPlan a, ListenerPlan b) =>
        a.Transport == Corefile.Transport.Dns
        || ListenerContext.TlsOf(a)?.Identity == ListenerContext.TlsOf(b)?.Identity;

    /// <summary>
    /// Opens <paramref name="listener"/>'s sockets routing by <paramref name="table"/>. When a socket cannot be bound
    /// and <paramref name="release"/> (a reload's old listeners that the new plan drops) holds one on the same port,
    /// that one is closed and the bind retried once (a key change on one port: "bind" added or removed).
    /// </summary>
    private async Task<OpenListener> OpenListenerAsync(ListenerPlan listener, ZoneTable table, Func<int, Task<bool>>? release)
    {
        if (listener.Port == 0 && listener.Transport == Corefile.Transport.Dns)
        {
            // "Any free port" for UDP and TCP alike: the port UDP got can be taken for TCP by any other socket
            // before we bind it (seen on a loaded machine), so another free port is tried.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await OpenListenerOnceAsync(listener, table);
                }
                catch (InvalidOperationException e) when (attempt < AnyPortAttempts && e.InnerException is not null)
                {
                    _log.Debug("port 0: {0}; trying another free port", e.Message);
                }
            }
        }
        try
        {
            return await OpenListenerOnceAsync(listener, table);
        }
        catch (Exception) when (release is not null && listener.Port != 0)
        {
            if (!await release(listener.Port)) throw;
            return await OpenListenerOnceAsync(listener, table);
        }
    }

    private const int AnyPortAttempts = 20;

    private async Task<OpenListener> OpenListenerOnceAsync(ListenerPlan listener, ZoneTable table)
    {
        var dispatcher = new RequestDispatcher(table, _settings);
        var open = new OpenListener(listener, dispatcher, _system.ActorOf(ZoneRouterActor.Props(dispatcher), $"router-{Interlocked.Increment(ref _routerSeq)}"));
        try
        {
            if (listener.Transport != Corefile.Transport.Dns)
            {
                var stream = TransportListeners.Create(new ListenerContext(_system, dispatcher, listener, _settings, _log));
                open.Sockets.Add(stream);
                await stream.StartAsync(CancellationToken.None);
                open.Stream = stream;
                return open;
            }
            var endPoint = listener.EndPoint;
            open.Udp = new UdpListener(endPoint, dispatcher, new ServerInfo(Addr(listener), endPoint.Port, DnsTransport.Udp), _settings, _log);
            // The TCP socket takes the port the UDP socket got (port 0 in specs means "any free port").
            var options = listener.Zones[0].Block.Options;
            var port = open.Udp.LocalEndPoint.Port;
            // Without bind the UDP socket is dual-stack; TCP gets one socket per family.
            var wildcard = listener.Address is null;
            IPEndPoint[] tcpEndPoints = wildcard
                ? [new IPEndPoint(IPAddress.Any, port), new IPEndPoint(IPAddress.IPv6Any, port)]
                : [new IPEndPoint(endPoint.Address, port)];
            foreach (var tcpEndPoint in tcpEndPoints)
            {
                var tcp = new TcpListener(_system, dispatcher, new ServerInfo(Addr(listener), port, DnsTransport.Tcp), _settings,
                    options.IdleTimeout, options.ReadTimeout, options.MaxTcpQueries, _log);
                try
                {
                    await tcp.StartAsync(tcpEndPoint);
                    open.Sockets.Add(tcp);
                }
                catch (Exception e) when (wildcard && tcpEndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
                {
                    _log.Warning("tcp [::]:{0}: IPv6 is not available here, TCP is served over IPv4 only: {1}", port, e.GetBaseException().Message);
                    await tcp.DisposeAsync();
                }
                catch (Exception e)
                {
                    await tcp.DisposeAsync();
                    throw new InvalidOperationException($"cannot listen on tcp {tcpEndPoint}: {e.GetBaseException().Message}", e);
                }
            }
            open.Udp.Start();
            return open;
        }
        catch
        {
            await open.CloseAsync(_system);
            throw;
        }
    }

    /// <summary>Starts one supervisor per non-empty block and waits until each has set its links; returns the generation.</summary>
    private async Task StartBlocksAsync(CancellationToken ct)
    {
        var gen = Interlocked.Increment(ref _generation);
        var b = 0;
        foreach (var block in Plan.Blocks)
        {
            var runtime = new BlockRuntime(block.Name, block.Plugins, _settings.Pipelines);
            _runtimes[block] = runtime;
            if (!runtime.IsEmpty)
                _actors.Add(_system.ActorOf(ServerBlockActor.Props(runtime, _settings), $"block-{gen}-{b++}"));
        }
        // A block's links are set in its supervisor's PreStart: wait for it before any listener opens.
        foreach (var a in _actors) await a.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10), ct);
    }

    private async Task StartPluginsAsync(CancellationToken ct)
    {
        var host = new PluginHost
        {
            System = _system,
            Settings = _settings,
            Http = _http,
            ShuttingDown = () => _shuttingDown,
            Readiness = Readiness,
            Reloader = _reloader,
        };
        foreach (var block in Plan.Blocks)
            foreach (var p in block.Plugins)
                await p.StartAsync(host, ct);
    }

    /// <summary>
    /// Replaces this server by one running <paramref name="plan"/> (reload), with no query lost and no listener
    /// closed that the new plan keeps. The new blocks and plugins start; listeners (keyed by transport, address
    /// and port) and HTTP addresses that only the new plan has are opened; then, at once, every kept listener's
    /// routing table is swapped to the new blocks and every kept HTTP address to the new routes; HTTP addresses
    /// the new plan drops close. The old blocks, and the DNS listeners the new plan drops, keep running until every
    /// request they hold is answered or past its deadline (akka.dns.server.request-timeout), then stop. Throws when
    /// the new plan cannot start; this server is then untouched and still serves everything, HTTP included.
    /// </summary>
    public async Task<DnsServer> ReloadAsync(ServerPlan plan, CancellationToken ct = default)
    {
        var next = new DnsServer(_system, plan, _settings) { _reloader = _reloader };
        var dropped = _listeners.ToDictionary(l => l.Key);
        var kept = new List<(OpenListener Listener, ZoneTable Table)>();
        var released = new List<OpenListener>();
        // A new socket whose port a dropped listener holds: close that one first (its in-flight replies are lost).
        async Task<bool> ReleaseAsync(int port)
        {
            var clash = dropped.Values.Where(l => l.Key.Item3 == port && !released.Contains(l)).ToList();
            foreach (var l in clash)
            {
                released.Add(l);
                await l.CloseAsync(_system);
            }
            return clash.Count > 0;
        }
        var order = new OpenListener[plan.Listeners.Count];
        try
        {
            await next.StartBlocksAsync(ct);
            await next.StartPluginsAsync(ct);
            await next._http.OpenAsync(_http, ct);
            for (var i = 0; i < plan.Listeners.Count; i++)
            {
                var listener = plan.Listeners[i];
                var table = next.TableFor(listener);
                if (listener.Port != 0 && dropped.TryGetValue((listener.Transport, listener.Address, listener.Port), out var keep)
                    && SameTls(keep.Plan, listener) && dropped.Remove(keep.Key))
                {
                    kept.Add((keep, table));
                    order[i] = keep;
                    continue;
                }
                order[i] = await next.OpenListenerAsync(listener, table, ReleaseAsync);
                next._listeners.Add(order[i]);   // closed by next.StopAsync should a later step fail
            }
        }
        catch
        {
            await next.StopAsync(lameduck: false);   // closes only what it opened
            await next._http.AbortAsync(_http);
            foreach (var l in released)
            {
                _listeners.Remove(l);
                try
                {
                    _listeners.Add(await OpenListenerAsync(l.Plan, l.Dispatcher.Table, null));
                }
                catch (Exception e)
                {
                    _log.Warning("reload: cannot reopen {0}: {1}", l.Plan.EndPoint, e.GetBaseException().Message);
                }
            }
            _swept = _listeners.Select(l => l.Dispatcher).ToArray();
            throw;
        }

        // The swap. Kept listeners: same sockets and in-flight tables, the new routing table.
        foreach (var (listener, table) in kept)
        {
            listener.Dispatcher.Table = table;
            _listeners.Remove(listener);
        }
        foreach (var l in released) _listeners.Remove(l);
        _swept = _listeners.Select(l => l.Dispatcher).ToArray();
        next._listeners.Clear();
        next._listeners.AddRange(order);   // in plan order: the first dns:// listener is the one the cluster publishes
        next.StartSweeper();
        await next._http.TakeOver(_http);
        _system.EventStream.Publish(ServerStarted.Instance);

        // The old blocks answer what they hold; the deadline sweeps answer the rest. Then they stop, with the
        // listeners the new plan dropped (this server's sweeper covers those; the kept ones are next's now).
        var old = this;
        _ = Task.Run(async () =>
        {
            await Task.Delay(_settings.RequestTimeout + _settings.DeadlineSweepInterval + _settings.DeadlineSweepInterval);
            await old.StopAsync(lameduck: false);
        }, CancellationToken.None);
        return next;
    }

    private static string Addr(ListenerPlan l) => l.Address?.ToString() ?? "";

    private void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var d in _swept)
        {
            var n = d.Sweep(now);
            if (n > 0) DnsServerMetrics.TimedOut.Increment(n);
        }
    }

    /// <summary>Every plugin that reports readiness, with its state (the ready plugin's view).</summary>
    public IEnumerable<(string Plugin, bool Ready)> Readiness()
    {
        foreach (var block in Plan.Blocks)
            foreach (var p in block.Plugins)
                if (p.Ready is { } r) yield return (p.Name, r);
    }

    /// <summary>Runs plugin shutdown hooks (lameduck), then closes listeners, actors and HTTP endpoints.</summary>
    public async Task StopAsync(bool lameduck = true)
    {
        _shuttingDown = true;
        if (lameduck)
        {
            foreach (var block in Plan.Blocks)
                foreach (var p in block.Plugins)
                    await p.OnShutdownAsync();
        }
        if (_sweeper is not null) await _sweeper.DisposeAsync();
        foreach (var l in _listeners) await l.CloseAsync(_system);
        foreach (var a in _actors) _system.Stop(a);
        foreach (var block in Plan.Blocks)
            foreach (var p in block.Plugins)
            {
                try
                {
                    await p.StopAsync();
                }
                catch (Exception e)
                {
                    _log.Warning("plugin/{0}: stop failed: {1}", p.Name, e.Message);
                }
            }
        await _http.DisposeAsync();
        _listeners.Clear();
        _swept = [];
        _actors.Clear();
        _stopped.TrySetResult();
    }

    public ValueTask DisposeAsync() => new(StopAsync(lameduck: false));
}
