using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Bufsize;

/// <summary>
/// Lowers the request's EDNS UDP size to the configured size when the client advertised more; the server then
/// sizes the UDP reply and the OPT it mirrors by it. Queries without EDNS, or advertising less, are untouched.
/// </summary>
public sealed class BufsizeActor : PluginActor
{
    private readonly ushort _size;

    public static Props Props(ushort size, ChainLink? next) => Akka.Actor.Props.Create(() => new BufsizeActor(size, next));

    public BufsizeActor(ushort size, ChainLink? next) : base("bufsize", next) => _size = size;

    protected override void Handle(DnsRequest request)
    {
        if (request.Query.HasEdns && request.UdpSize > _size) request.UdpSize = _size;
        Next(request);
    }
}
