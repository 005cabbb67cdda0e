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
    private readonly List<IActorRef> _routers = [];
    private readonly List<UdpListener> _udp = [];
    private readonly List<TcpListener> _tcp = [];
    private readonly List<IDnsListener> _streams = [];
    private readonly List<RequestDispatcher> _dispatchers = [];
    private readonly HttpEndpoints _http;
    private readonly Dictionary<BlockPlan, BlockRuntime> _runtimes = new();
    private Timer? _sweeper;
    private volatile bool _shuttingDown;
    private static int _generation;
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
    public IReadOnlyList<IPEndPoint> UdpEndPoints => _udp.Select(u => u.LocalEndPoint).ToList();
    /// <summary>Where each tls://, https:// and grpc:// listener listens (ephemeral ports resolved).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints(DnsTransport transport) =>
        _streams.Where(s => s.Transport == transport).SelectMany(s => s.LocalEndPoints).ToList();
    public bool ShuttingDown => _shuttingDown;

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
        var gen = await StartBlocksAsync(ct);
        await StartPluginsAsync(ct);

        var l = 0;
        foreach (var listener in Plan.Listeners)
        {
            var table = new ZoneTable(listener.Zones.Select(z => new KeyValuePair<string, BlockRuntime>(z.Zone, _runtimes[z.Block])));
            var dispatcher = new RequestDispatcher(table, _settings);
            _dispatchers.Add(dispatcher);
            _routers.Add(_system.ActorOf(ZoneRouterActor.Props(dispatcher), $"router-{gen}-{l++}"));
            if (listener.Transport != Corefile.Transport.Dns)
            {
                var stream = TransportListeners.Create(new ListenerContext(_system, dispatcher, listener, _settings, _log));
                try
                {
                    await stream.StartAsync(ct);
                }
                catch
                {
                    await stream.DisposeAsync();
                    throw;
                }
                _streams.Add(stream);
                continue;
            }
            var endPoint = listener.EndPoint;
            var udp = new UdpListener(endPoint, dispatcher, new ServerInfo(Addr(listener), endPoint.Port, DnsTransport.Udp), _settings, _log);
            _udp.Add(udp);
            // The TCP socket takes the port the UDP socket got (port 0 in specs means "any free port").
            var options = listener.Zones[0].Block.Options;
            var port = udp.LocalEndPoint.Port;
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
                    _tcp.Add(tcp);
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
            udp.Start();
        }

        var sweep = _settings.DeadlineSweepInterval;
        _sweeper = new Timer(_ => Sweep(), null, sweep, sweep);
        _system.EventStream.Publish(ServerStarted.Instance);
    }

    /// <summary>Starts one supervisor per non-empty block and waits until each has set its links; returns the generation.</summary>
    private async Task<int> StartBlocksAsync(CancellationToken ct)
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
        return gen;
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
        await _http.StartAsync(ct);
    }

    private static (Corefile.Transport, IPAddress?, int) ListenerKey(ListenerPlan l) => (l.Transport, l.Address, l.Port);

    /// <summary>
    /// Replaces this server by one running <paramref name="plan"/> (reload). When both listen on the same
    /// addresses and ports, the listeners stay open: the new blocks and plugins start, every listener's routing
    /// table is swapped to the new blocks at once, and the old blocks keep running until every request they hold
    /// is answered or past its deadline (akka.dns.server.request-timeout) before they stop; no query is dropped
    /// and no listener closes. Otherwise this server stops and the new one starts (a changed listener cannot be
    /// kept). Throws when the new plan cannot start; this server then still serves DNS (its HTTP endpoints, closed
    /// to free their addresses for the new plan, stay closed: CoreDNS's documented failure mode).
    /// </summary>
    public async Task<DnsServer> ReloadAsync(ServerPlan plan, CancellationToken ct = default)
    {
        var oldKeys = Plan.Listeners.Select(ListenerKey).ToList();
        var newKeys = plan.Listeners.Select(ListenerKey).ToList();
        if (oldKeys.Count != newKeys.Count || oldKeys.Except(newKeys).Any() || _dispatchers.Count != Plan.Listeners.Count)
        {
            await StopAsync(lameduck: false);
            return await StartAsync(_system, plan, _settings, ct, _reloader);
        }

        var next = new DnsServer(_system, plan, _settings) { _reloader = _reloader };
        try
        {
            await next.StartBlocksAsync(ct);
            await _http.DisposeAsync();   // the new plan's endpoints may want the same addresses
            await next.StartPluginsAsync(ct);
        }
        catch
        {
            await next.StopAsync(lameduck: false);
            throw;
        }

        // Hand the open listeners over: same dispatcher, the new table.
        var byKey = new Dictionary<(Corefile.Transport, IPAddress?, int), RequestDispatcher>();
        for (var i = 0; i < Plan.Listeners.Count; i++) byKey[ListenerKey(Plan.Listeners[i])] = _dispatchers[i];
        foreach (var listener in plan.Listeners)
        {
            var dispatcher = byKey[ListenerKey(listener)];
            dispatcher.Table = new ZoneTable(listener.Zones.Select(z => new KeyValuePair<string, BlockRuntime>(z.Zone, next._runtimes[z.Block])));
            next._dispatchers.Add(dispatcher);
        }
        next._udp.AddRange(_udp);
        next._tcp.AddRange(_tcp);
        next._streams.AddRange(_streams);
        next._routers.AddRange(_routers);
        next._sweeper = _sweeper;
        _udp.Clear();
        _tcp.Clear();
        _streams.Clear();
        _routers.Clear();
        _dispatchers.Clear();
        _sweeper = null;
        _system.EventStream.Publish(ServerStarted.Instance);

        // The old blocks answer what they hold; the deadline sweep answers the rest. Then they stop.
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
        foreach (var d in _dispatchers)
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
        foreach (var u in _udp) u.Dispose();
        foreach (var t in _tcp) await t.DisposeAsync();
        foreach (var t in _streams) await t.DisposeAsync();
        foreach (var a in _routers) _system.Stop(a);
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
        _udp.Clear();
        _tcp.Clear();
        _streams.Clear();
        _actors.Clear();
        _routers.Clear();
    }

    public ValueTask DisposeAsync() => new(StopAsync(lameduck: false));
}
