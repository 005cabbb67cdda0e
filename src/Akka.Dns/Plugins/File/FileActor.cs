using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// Answers authoritatively from the current snapshot of the zone the query falls in (CoreDNS's file.ServeDNS):
/// AA on everything but referrals, SERVFAIL while a zone is not loaded, AXFR/IXFR refused (the transfer plugin
/// answers them earlier in the chain), NXDOMAIN (and an empty non-terminal) passed on with fallthrough.
/// A CNAME leaving the zone is followed through the whole server, and the reply completed when that answer
/// comes back (a Tell to this actor).
/// </summary>
public sealed class FileActor : PluginActor
{
    private readonly FilePlugin _plugin;
    private readonly string[] _origins;

    public static Props Props(FilePlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new FileActor(plugin, next));

    public FileActor(FilePlugin plugin, ChainLink? next) : base("file", next)
    {
        _plugin = plugin;
        _origins = plugin.Slots.Select(s => s.Origin).ToArray();
    }

    protected override void Handle(DnsRequest request)
    {
        var origin = ZoneMatch.Longest(_origins, request.Name);
        if (origin is null)
        {
            Next(request);
            return;
        }
        var zone = Slot(origin).Current;
        if (zone is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/file: zone {origin} is not loaded", "file");
            return;
        }
        if (request.Type is RrType.AXFR or RrType.IXFR)
        {
            request.Fail(Rcode.Refused, null, "file");
            return;
        }
        var result = ZoneLookup.Lookup(zone, request.Name, request.Type, request.Query.Do);
        if (result.Answer.Count == 0 && _plugin.Fallthrough.Through(request.Name) &&
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

    private ZoneSlot Slot(string origin)
    {
        foreach (var s in _plugin.Slots)
            if (s.Origin == origin) return s;
        throw new InvalidOperationException(origin);
    }

    private static DnsResponse Reply(DnsRequest request, LookupResult r)
    {
        var reply = request.CreateReply(r.Rcode);
        reply.Aa = r.Authoritative;
        reply.Plugin = "file";
        reply.Adopt(r.Answer, r.Authority, r.Additional);
        return reply;
    }

    #region Messages
    private sealed record ChaseAnswered(DnsRequest Request, LookupResult Result, DnsResponse Reply);
    #endregion
}
