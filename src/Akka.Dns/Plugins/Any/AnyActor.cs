using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Any;

/// <summary>
/// RFC 8482 for QTYPE ANY: answers <c>qname 8482 IN HINFO "ANY obsoleted" "See RFC 8482"</c> (AA clear, class IN
/// whatever the query's class, owner as the client wrote it); every other query goes to the next plugin.
/// </summary>
public sealed class AnyActor : PluginActor
{
    private static readonly byte[] Rdata = DnsRecord.CharacterStrings(["ANY obsoleted", "See RFC 8482"]);

    public static Props Props(ChainLink? next) => Akka.Actor.Props.Create(() => new AnyActor(next));

    public AnyActor(ChainLink? next) : base("any", next)
    {
    }

    protected override void Handle(DnsRequest request)
    {
        if (request.Type != RrType.ANY)
        {
            Next(request);
            return;
        }
        var reply = request.CreateReply();
        reply.Answer.Add(new DnsRecord(request.Name, RrType.HINFO, RrClass.IN, 8482, Rdata));
        reply.Plugin = "any";
        request.Respond(reply);
    }
}
