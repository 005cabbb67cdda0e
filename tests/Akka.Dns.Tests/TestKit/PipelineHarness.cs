using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Server.Listeners;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Server.Routing;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.TestKit;

/// <summary>
/// Runs the server blocks of a Corefile in-process, without sockets: the real plan, block supervisors, plugin
/// actors, router and reply path, with a recording transport in place of UDP/TCP. Replies are parsed with
/// ARSoft.Tools.Net as an independent oracle.
/// </summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly List<IActorRef> _actors = [];
    private readonly Dictionary<int, RequestDispatcher> _dispatchers = [];
    private Timer? _sweeper;

    private PipelineHarness(ActorSystem system, ServerPlan plan, DnsSettings settings)
    {
        _system = system;
        Plan = plan;
        Settings = settings;
    }

    public ServerPlan Plan { get; }
    public DnsSettings Settings { get; }
    public IReadOnlyCollection<RequestDispatcher> Dispatchers => _dispatchers.Values;

    public static PipelineHarness Start(ActorSystem system, string corefile, PluginCatalog? catalog = null, int dnsPort = 1053)
    {
        catalog ??= PluginCatalog.Default;
        var settings = DnsSettings.Create(system);
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        var plan = ServerPlan.Build(doc, catalog, settings, dnsPort);
        var h = new PipelineHarness(system, plan, settings);
        var runtimes = new Dictionary<BlockPlan, BlockRuntime>();
        foreach (var b in plan.Blocks)
        {
            var rt = new BlockRuntime(b.Name, b.Plugins, settings.Pipelines);
            runtimes[b] = rt;
            if (!rt.IsEmpty) h._actors.Add(system.ActorOf(ServerBlockActor.Props(rt, settings)));
        }
        foreach (var a in h._actors) a.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        foreach (var l in plan.Listeners)
        {
            var table = new ZoneTable(l.Zones.Select(z => new KeyValuePair<string, BlockRuntime>(z.Zone, runtimes[z.Block])));
            h._dispatchers[l.Port] = new RequestDispatcher(table, settings);
        }
        // The request deadline, as the server's listener timer runs it.
        h._sweeper = new Timer(_ =>
        {
            foreach (var d in h._dispatchers.Values) d.Sweep(System.Diagnostics.Stopwatch.GetTimestamp());
        }, null, settings.DeadlineSweepInterval, settings.DeadlineSweepInterval);
        return h;
    }

    /// <summary>Sends a query and waits for its one reply.</summary>
    public Task<Reply> QueryAsync(string name, ushort type = RrType.A, ushort cls = RrClass.IN, DnsTransport transport = DnsTransport.Udp, int? port = null)
        => QueryAsync(new QueryBuilder(name, type, cls), transport, port);

    public Task<Reply> QueryAsync(QueryBuilder query, DnsTransport transport = DnsTransport.Udp, int? port = null, IPEndPoint? client = null) =>
        SendAsync(query.Build(), transport, port, client);

    /// <summary>Sends any message (an UPDATE built by ARSoft, say) and waits for its one reply.</summary>
    public async Task<Reply> SendAsync(byte[] packet, DnsTransport transport = DnsTransport.Udp, int? port = null, IPEndPoint? client = null)
    {
        var target = new RecordingTarget(transport == DnsTransport.Udp ? Settings.MaxUdpSize : 65535);
        var request = CreateRequest(packet, transport, target, client);
        if (request is null) throw new InvalidOperationException("query was not accepted by the packet handler");
        var dispatcher = port is null ? _dispatchers.Values.First() : _dispatchers[port.Value];
        dispatcher.Dispatch(request, 0);
        return await target.NextAsync(TimeSpan.FromSeconds(10));
    }

    public static DnsRequest? CreateRequest(byte[] packet, DnsTransport transport, IReplyTarget target, IPEndPoint? client = null)
    {
        var q = PacketHandler.Accept(packet, packet.Length, out _);
        if (q is null) return null;
        client ??= new IPEndPoint(IPAddress.Loopback, 40212);
        SocketAddress? sa = transport == DnsTransport.Udp ? client.Serialize() : null;
        return new DnsRequest(q, transport, target, new ServerInfo("127.0.0.1", 1053, transport), sa, client, new IPEndPoint(IPAddress.Loopback, 1053));
    }

    /// <summary>Runs every plugin's StartAsync (owner actors, timers) as the server does, then announces the server started; HTTP endpoints are not started.</summary>
    public async Task StartPluginsAsync(ActorSystem system)
    {
        var host = new PluginHost
        {
            System = system,
            Settings = Settings,
            Http = new Akka.Dns.Http.HttpEndpoints(TimeSpan.FromSeconds(1)),
            ShuttingDown = () => false,
            Readiness = () => [],
        };
        foreach (var b in Plan.Blocks)
            foreach (var p in b.Plugins)
                await p.StartAsync(host, CancellationToken.None);
        system.EventStream.Publish(ServerStarted.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sweeper is not null) await _sweeper.DisposeAsync();
        foreach (var a in _actors) await a.GracefulStop(TimeSpan.FromSeconds(3));
        foreach (var b in Plan.Blocks)
            foreach (var p in b.Plugins)
                await p.StopAsync();
    }
}

/// <summary>A transport that keeps the replies written to it.</summary>
public sealed class RecordingTarget(int maxSize) : IReplyTarget
{
    private readonly ConcurrentQueue<byte[]> _replies = new();
    private readonly SemaphoreSlim _signal = new(0);

    public int Count => _replies.Count;

    public int MaxReplySize(DnsRequest request) =>
        maxSize > 512 && maxSize < 65535 ? ReplyWriter.UdpLimit(request, maxSize) : maxSize;

    public void Send(DnsRequest request, ReadOnlySpan<byte> reply)
    {
        _replies.Enqueue(reply.ToArray());
        _signal.Release();
    }

    public async Task<Reply> NextAsync(TimeSpan timeout)
    {
        if (!await _signal.WaitAsync(timeout)) throw new TimeoutException("no reply within " + timeout);
        _replies.TryDequeue(out var bytes);
        return new Reply(bytes!);
    }
}

/// <summary>A reply as bytes and as ARSoft parsed it.</summary>
public sealed class Reply(byte[] wire)
{
    public byte[] Wire { get; } = wire;
    public DnsMessage Message { get; } = DnsMessage.Parse(new ArraySegment<byte>(wire));
    public ReturnCode Rcode => Message.ReturnCode;
    public override string ToString() => Message.ToString() ?? "";
}
