using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Whoami;

/// <summary>
/// Answers every query with the client's address (A or AAAA, owner = qname) and an SRV record
/// <c>_udp|_tcp.qname 0 IN SRV 0 0 PORT .</c> in the additional section; AA set, TTL 0, the query's class.
/// </summary>
public sealed class WhoamiActor : PluginActor
{
    public static Props Props(ChainLink? next) => Akka.Actor.Props.Create(() => new WhoamiActor(next));

    public WhoamiActor(ChainLink? next) : base("whoami", next)
    {
    }

    protected override void Handle(DnsRequest request) => request.Respond(Answer(request));

    public static DnsResponse Answer(DnsRequest request)
    {
        var reply = request.CreateReply();
        reply.Aa = true;
        var name = request.Name;
        var cls = request.Class;
        var ip = request.ClientAddressBytes();
        reply.Additional.Add(new DnsRecord(name, ip.Length == 4 ? RrType.A : RrType.AAAA, cls, 0, ip));
        var srvOwner = TransportLabel(request.Transport) + (name == DnsName.Root ? "" : name);
        reply.Additional.Add(new DnsRecord(srvOwner, RrType.SRV, cls, 0, SrvToRoot((ushort)request.ClientPort)));
        reply.Plugin = "whoami";
        return reply;
    }

    /// <summary>SRV RDATA "0 0 PORT ." (priority, weight, port, root target).</summary>
    private static byte[] SrvToRoot(ushort port) => [0, 0, 0, 0, (byte)(port >> 8), (byte)port, 0];

    /// <summary>The SRV owner's first label: _udp and _tcp as CoreDNS; _tls, _https and _grpc for the encrypted transports (CoreDNS says _tcp).</summary>
    internal static string TransportLabel(DnsTransport transport) => transport switch
    {
        DnsTransport.Udp => "_udp.",
        DnsTransport.Tls => "_tls.",
        DnsTransport.Https => "_https.",
        DnsTransport.Grpc => "_grpc.",
        _ => "_tcp.",
    };
}
