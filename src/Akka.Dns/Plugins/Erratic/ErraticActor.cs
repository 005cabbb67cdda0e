using System.Net;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Erratic;

/// <summary>
/// Answers A with 192.0.2.53 and AAAA with 2001:db8::53 (owner = qname, TTL 0, AA), AXFR with a small zone, and
/// every other type SERVFAIL; 1 in N of them is dropped (never answered: the request deadline answers SERVFAIL),
/// delayed (a scheduler message, the actor never sleeps) or sent with TC set. Never calls the next plugin.
/// </summary>
public sealed class ErraticActor : PluginActor, IWithTimers
{
    private static readonly byte[] V4 = IPAddress.Parse("192.0.2.53").GetAddressBytes();
    private static readonly byte[] V6 = IPAddress.Parse("2001:db8::53").GetAddressBytes();

    private readonly ErraticOptions _o;
    private readonly ErraticCounter _counter;
    private long _timer;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ErraticOptions o, ErraticCounter counter, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new ErraticActor(o, counter, next));

    public ErraticActor(ErraticOptions o, ErraticCounter counter, ChainLink? next) : base("erratic", next)
    {
        _o = o;
        _counter = counter;
    }

    private sealed record Delayed(DnsRequest Request, DnsResponse Reply);

    protected override void Handle(DnsRequest request)
    {
        var n = _counter.Take();
        var drop = _o.Drop > 0 && n % _o.Drop == 0;
        var delay = _o.Delay > 0 && n % _o.Delay == 0;
        var trunc = _o.Truncate > 0 && n % _o.Truncate == 0;
        if (drop) return;

        DnsResponse reply;
        switch (request.Type)
        {
            case RrType.A:
            case RrType.AAAA:
                reply = request.CreateReply();
                reply.Aa = true;
                reply.Tc = trunc;
                var rr = request.Type == RrType.A
                    ? new DnsRecord(request.Name, RrType.A, RrClass.IN, 0, V4)
                    : new DnsRecord(request.Name, RrType.AAAA, RrClass.IN, 0, V6);
                reply.Answer.Add(rr);
                if (_o.Large && request.Type == RrType.A)
                    for (var i = 0; i < 29; i++) reply.Answer.Add(rr);
                break;
            case RrType.AXFR:
                reply = Transfer(request, trunc);
                break;
            default:
                reply = request.CreateReply(Rcode.ServFail);
                break;
        }
        reply.Plugin = "erratic";
        if (delay && _o.Duration > TimeSpan.Zero)
            Timers.StartSingleTimer(++_timer, new Delayed(request, reply), _o.Duration);
        else
            request.Respond(reply);
    }

    protected override void OnOther(object message)
    {
        if (message is Delayed d) d.Request.Respond(d.Reply);
        else Unhandled(message);
    }

    /// <summary>A small zone at the query name; without the closing SOA when truncating (an incomplete transfer).</summary>
    private static DnsResponse Transfer(DnsRequest request, bool truncate)
    {
        var name = request.Name;
        var sub = name == DnsName.Root ? "" : name;
        var reply = request.CreateReply();
        reply.Aa = true;
        var soa = DnsRecord.Soa(name, 0, "sns.dns.icann.org.", "noc.dns.icann.org.", 2018050825, 7200, 3600, 1209600, 3600);
        reply.Answer.Add(soa);
        reply.Answer.Add(DnsRecord.Ns(name, 0, "b." + sub));
        reply.Answer.Add(DnsRecord.Ns(name, 0, "a." + sub));
        reply.Answer.Add(DnsRecord.Aaaa("a." + sub, 0, IPAddress.Parse("2001:bd8::53")));
        reply.Answer.Add(DnsRecord.Aaaa("b." + sub, 0, IPAddress.Parse("2001:500::54")));
        if (!truncate) reply.Answer.Add(soa);
        return reply;
    }
}
