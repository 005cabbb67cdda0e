using System.Net;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Tls;
using Akka.Dns.Server.Routing;
using Akka.Event;

namespace Akka.Dns.Server.Listeners;

/// <summary>A listener of an encrypted or HTTP-based transport (tls://, https://, grpc://): one per listen address.</summary>
public interface IDnsListener : IAsyncDisposable
{
    /// <summary>Opens the socket(s). Throws with the address when it cannot listen.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>Where it listens (an ephemeral port resolved).</summary>
    IReadOnlyList<IPEndPoint> LocalEndPoints { get; }

    DnsTransport Transport { get; }
}

/// <summary>What a transport listener is built from: its plan, its dispatcher (routing swaps behind it on reload) and the block options.</summary>
public sealed record ListenerContext(ActorSystem System, RequestDispatcher Dispatcher, ListenerPlan Plan, DnsSettings Settings, ILoggingAdapter Log)
{
    /// <summary>The certificate of the first block on this listener that has a tls plugin; null = serve in the clear, as CoreDNS does.</summary>
    public TlsCredentials? Tls => TlsOf(Plan);

    /// <summary>The certificate of the first block on <paramref name="plan"/> that has a tls plugin, or null.</summary>
    public static TlsCredentials? TlsOf(ListenerPlan plan)
    {
        foreach (var (_, block) in plan.Zones)
            if (block.Options.Tls is { } t) return t;
        return null;
    }

    /// <summary>The first block's options (timeouts, limits): CoreDNS takes a listener's settings from its first config.</summary>
    public Plugins.BlockOptions Options => Plan.Zones[0].Block.Options;

    /// <summary>Where to listen: every interface (both families) without bind, else the bound address.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => Plan.Address is null
        ? [new IPEndPoint(IPAddress.Any, Plan.Port), new IPEndPoint(IPAddress.IPv6Any, Plan.Port)]
        : [new IPEndPoint(Plan.Address, Plan.Port)];

    public ServerInfo Server(DnsTransport transport, int port) => new(Plan.Address?.ToString() ?? "", port, transport);
}

/// <summary>The transports beyond dns:// and who serves each.</summary>
public static class TransportListeners
{
    /// <summary>Whether this build serves <paramref name="transport"/>.</summary>
    public static bool IsServed(Transport transport) => transport switch
    {
        Transport.Dns => true,
        Transport.Tls => false,
        Transport.Https => true,
        Transport.Grpc => true,
        _ => false,
    };

    /// <summary>A listener for a tls://, https:// or grpc:// plan.</summary>
    public static IDnsListener Create(ListenerContext context) => context.Plan.Transport switch
    {
        Transport.Https => new Https.DohListener(context),
        Transport.Grpc => new Grpc.GrpcListener(context),
        _ => throw new NotSupportedException($"{ServerKey.SchemePrefix(context.Plan.Transport)} is not served by this build"),
    };
}
