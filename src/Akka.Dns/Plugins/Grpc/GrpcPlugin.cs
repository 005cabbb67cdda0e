using Akka.Actor;
using Akka.Dns.Plugins.Forward;
using Akka.Dns.Server.Listeners.Grpc;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>
/// The grpc plugin of one server block: its options and, once started, one channel per upstream shared by the
/// block's pipeline replicas (one <see cref="GrpcActor"/> each).
/// </summary>
public sealed class GrpcPlugin(GrpcOptions options) : Plugin("grpc")
{
    private volatile GrpcUpstream[] _upstreams = [];
    private uint _cursor;

    public GrpcOptions Options { get; } = options;

    /// <summary>The overall budget of one query over all upstreams (akka.dns.grpc.forward.timeout; CoreDNS: 5 s).</summary>
    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(5);

    /// <summary>The server's request deadline (akka.dns.server.request-timeout): no query is worked on past it.</summary>
    public TimeSpan RequestTimeout { get; private set; } = TimeSpan.FromSeconds(5);

    /// <summary>The channels, in TO order (empty until started).</summary>
    public IReadOnlyList<GrpcUpstream> Upstreams => _upstreams;

    public override Props HandlerProps(ChainLink? next) => GrpcActor.Props(this, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        var settings = GrpcSettings.Create(host.System.Settings.Config);
        Timeout = settings.ForwardTimeout;
        RequestTimeout = host.Settings.RequestTimeout;
        var list = new GrpcUpstream[Options.Upstreams.Count];
        for (var i = 0; i < list.Length; i++) list[i] = new GrpcUpstream(Options.Upstreams[i], Options, settings);
        _upstreams = list;
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        var list = Interlocked.Exchange(ref _upstreams, []);
        foreach (var u in list) u.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The order to try the upstreams in for one query (CoreDNS's Policy.List).</summary>
    internal GrpcUpstream[] List()
    {
        var src = _upstreams;
        var n = src.Length;
        var list = new GrpcUpstream[n];
        if (n == 0) return list;
        switch (Options.Policy)
        {
            case ForwardPolicy.Sequential:
                Array.Copy(src, list, n);
                break;
            case ForwardPolicy.RoundRobin:
            {
                // CoreDNS: p[i], then the ones before it, then the ones after it.
                var start = (int)(Interlocked.Increment(ref _cursor) % (uint)n);
                list[0] = src[start];
                Array.Copy(src, 0, list, 1, start);
                Array.Copy(src, start + 1, list, start + 1, n - start - 1);
                break;
            }
            default:
                Array.Copy(src, list, n);
                Random.Shared.Shuffle(list);
                break;
        }
        return list;
    }

    /// <summary>CoreDNS's match: the name is in FROM and not under an <c>except</c> name (FROM itself always matches).</summary>
    internal bool Matches(string qname) => ForwardStanza.Matches(qname, Options.From, Options.Ignored);
}
