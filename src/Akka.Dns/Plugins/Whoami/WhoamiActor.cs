using System.Net.Sockets;
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
        var client = request.Client;
        var name = request.Name;
        var cls = request.Class;
        reply.Additional.Add(client.AddressFamily == AddressFamily.InterNetwork
            ? DnsRecord.A(name, 0, client.Address, cls)
            : DnsRecord.Aaaa(name, 0, client.Address, cls));
        var srvOwner = (request.Proto == "udp" ? "_udp." : "_tcp.") + (name == DnsName.Root ? "" : name);
        reply.Additional.Add(DnsRecord.Srv(srvOwner, 0, 0, 0, (ushort)client.Port, DnsName.Root, cls));
        reply.Plugin = "whoami";
        return reply;
    }
}
