using System.Net.Sockets;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dns64;

/// <summary>
/// DNS64 (RFC 6147) as CoreDNS does it: an IN AAAA query (from an IPv6 client, or any with allow_ipv4) goes down
/// the chain as a copy whose reply comes back here; a reply without AAAA records (or any reply but NXDOMAIN with
/// translate_all) makes the server be asked again for the name's A records, through the whole server, and the
/// answer is those records as AAAA under the prefix, TTL capped by the first reply's SOA TTL (600 without one).
/// Everything else passes on untouched.
/// </summary>
public sealed class Dns64Actor : PluginActor
{
    private readonly Dns64Options _options;

    public static Props Props(Dns64Options options, ChainLink? next) => Akka.Actor.Props.Create(() => new Dns64Actor(options, next));

    public Dns64Actor(Dns64Options options, ChainLink? next) : base("dns64", next) => _options = options;

    protected override void Handle(DnsRequest request)
    {
        if (!ShouldIntercept(request) || !HasNext)
        {
            Next(request);
            return;
        }
        // The rest of the chain answers a copy; the reply comes back as a message to this actor.
        Next(request.Fork(new Downstream(Self, request)));
    }

    private bool ShouldIntercept(DnsRequest request)
    {
        if (!_options.AllowIpv4 && request.Client.Address.AddressFamily == AddressFamily.InterNetwork) return false;
        return request.Type == RrType.AAAA && request.Class == RrClass.IN;
    }

    protected override void OnOther(object message)
    {
        switch (message)
        {
            case DownstreamReply d:
                OnDownstream(d.Request, d.Response);
                break;
            case AReply a:
                OnA(a.Request, a.First, a.Response);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnDownstream(DnsRequest request, DnsResponse response)
    {
        if (!ShouldTranslate(response))
        {
            request.Respond(response);
            return;
        }
        var self = Self;
        Upstream.Lookup(request, request.Name, RrType.A, a => self.Tell(new AReply(request, response, a)));
    }

    private bool ShouldTranslate(DnsResponse response)
    {
        if (Responses.Typify(response, DateTime.UtcNow) == ResponseType.NameError) return false;
        if (_options.TranslateAll) return true;
        foreach (var rr in response.Answer)
            if (rr.Type == RrType.AAAA) return false;
        return true;
    }

    private void OnA(DnsRequest request, DnsResponse first, DnsResponse a)
    {
        if (a.Rcode == Rcode.ServFail && a.Error is not null && a.AnswerCount == 0)
        {
            // The A query could not even be issued (no server to re-enter, re-entry loop).
            request.Fail(Rcode.ServFail, $"plugin/dns64: {a.Error}", "dns64");
            return;
        }
        Dns64Metrics.Translated.Increment();
        Dns64Metrics.TranslatedByServer.Inc(request);
        request.Respond(Synthesize(request, first, a, _options));
    }

    /// <summary>CoreDNS's Synthesize: the A reply's sections, A records turned into AAAA, TC kept, rcode NOERROR.</summary>
    public static DnsResponse Synthesize(DnsRequest request, DnsResponse first, DnsResponse a, Dns64Options options)
    {
        var reply = request.CreateReply();
        reply.Tc = a.Tc;
        uint soaTtl = 600;
        foreach (var rr in first.Authority)
            if (rr.Type == RrType.SOA) soaTtl = rr.Ttl;
        foreach (var rr in a.Answer)
        {
            if (rr.Type != RrType.A || rr.RData.Length != 4)
            {
                reply.Answer.Add(rr);
                continue;
            }
            reply.Answer.Add(DnsRecord.Aaaa(rr.Name, Math.Min(rr.Ttl, soaTtl), options.To6(rr.RData), rr.Class));
        }
        reply.Authority.AddRange(a.Authority);
        reply.Additional.AddRange(a.Additional);
        return reply;
    }

    private sealed record DownstreamReply(DnsRequest Request, DnsResponse Response);

    private sealed record AReply(DnsRequest Request, DnsResponse First, DnsResponse Response);

    /// <summary>Where the copy's reply goes: back to the actor with the original request.</summary>
    private sealed class Downstream(IActorRef actor, DnsRequest original) : IResponseSink
    {
        public int MaxReplySize(DnsRequest request) => 65535;
        public void Send(DnsRequest request, ReadOnlySpan<byte> reply) { }
        public void Deliver(DnsRequest request, DnsResponse response) => actor.Tell(new DownstreamReply(original, response));
    }
}
