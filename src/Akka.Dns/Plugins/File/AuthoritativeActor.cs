using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// The authoritative answer path shared by file and auto (both are CoreDNS's file.Zone.Lookup behind a ServeDNS):
/// given the zone a query falls in, AXFR/IXFR are refused (the transfer plugin answers them earlier in the chain),
/// AA is set on everything but referrals, NXDOMAIN (and an empty non-terminal) goes on with fallthrough, and a CNAME
/// leaving the zone is followed through the whole server, the reply completed when that answer comes back.
/// </summary>
public abstract class AuthoritativeActor(string name, ChainLink? next) : PluginActor(name, next)
{
    /// <summary>Answers <paramref name="request"/> from <paramref name="zone"/>.</summary>
    protected void Answer(DnsRequest request, Zone zone, Fallthrough fallthrough)
    {
        if (request.Type is RrType.AXFR or RrType.IXFR)
        {
            request.Fail(Rcode.Refused, null, Name);
            return;
        }
        var result = ZoneLookup.Lookup(zone, request.Name, request.Type, request.Query.Do);
        if (result.Answer.Count == 0 && fallthrough.Through(request.Name) &&
            (result.Outcome == LookupOutcome.NameError || (result.Outcome == LookupOutcome.NoData && zone.IsEmptyNonTerminalName(request.Name))))
        {
            Next(request);
            return;
        }
        if (result.ChaseTarget is { } target)
        {
            var self = Self;
            Upstream.Lookup(request, target, request.Type, reply => self.Tell(new ChaseAnswered(request, result, reply), ActorRefs.NoSender));
            return;
        }
        request.Respond(Reply(request, result));
    }

    protected override void OnOther(object message)
    {
        if (message is not ChaseAnswered done)
        {
            base.OnOther(message);
            return;
        }
        // CoreDNS's doLookup: the target's rcode decides, its answer is appended to the CNAMEs.
        var r = done.Result;
        var reply = done.Reply;
        foreach (var rr in reply.Answer) r.Answer.Add(rr);
        r.Outcome = reply.Rcode switch
        {
            Rcode.NxDomain => LookupOutcome.NameError,
            Rcode.ServFail => LookupOutcome.ServerFailure,
            Rcode.NoError when reply.AnswerCount == 0 => LookupOutcome.NoData,
            _ => LookupOutcome.Success,
        };
        done.Request.Respond(Reply(done.Request, r));
    }

    private DnsResponse Reply(DnsRequest request, LookupResult r)
    {
        var reply = request.CreateReply(r.Rcode);
        reply.Aa = r.Authoritative;
        reply.Plugin = Name;
        reply.Adopt(r.Answer, r.Authority, r.Additional);
        return reply;
    }

    #region Messages
    private sealed record ChaseAnswered(DnsRequest Request, LookupResult Result, DnsResponse Reply);
    #endregion
}
