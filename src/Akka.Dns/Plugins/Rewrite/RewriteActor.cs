using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Rewrite;

/// <summary>
/// Runs the rules in order on each query (CoreDNS's Rewrite.ServeDNS): a rule that applies changes the query and may
/// add response rules; a <c>stop</c> rule ends the run. When a stop rule applied or response rules were collected, a
/// <see cref="Reverter"/> sees the reply on its way out. A name that is not a legal domain name after a rewrite
/// answers SERVFAIL. For a <c>cname</c> rule the query goes down the chain as a shadow request whose reply comes back
/// here, so the CNAME target can be rewritten and looked up (through the whole server) before the client is answered.
/// </summary>
public sealed class RewriteActor : PluginActor
{
    private readonly RewriteRule[] _rules;
    private readonly RewriteQuery _q = new();
    private readonly List<IResponseRule> _collected = [];

    public static Props Props(RewriteRule[] rules, ChainLink? next) => Akka.Actor.Props.Create(() => new RewriteActor(rules, next));

    public RewriteActor(RewriteRule[] rules, ChainLink? next) : base("rewrite", next) => _rules = rules;

    protected override void Handle(DnsRequest request)
    {
        var query = request.Query;
        var qname = query.Name;
        var qtype = query.Type;
        var qclass = query.Class;
        _q.Reset(request);
        _collected.Clear();
        var stopped = false;
        var cname = (CnameRule?)null;
        foreach (var rule in _rules)
        {
            var responses = rule.Rewrite(_q);
            if (responses is null) continue;
            if (!DnsName.IsValid(query.Name))
            {
                var bad = query.Name;
                query.Name = qname;
                request.Fail(Rcode.ServFail, $"invalid name after rewrite: {bad}", "rewrite");
                return;
            }
            foreach (var r in responses)
            {
                if (r is CnameMarker) cname ??= (CnameRule)rule;
                else _collected.Add(r);
            }
            if (rule.Stop)
            {
                stopped = true;
                break;
            }
        }
        var edns = _q.Edns.Commit();
        if (stopped || _collected.Count > 0 || edns is not null || cname is not null)
            request.PushWriter(new Reverter(qname, qtype, qclass, stopped || _collected.Count > 0 || cname is not null, _collected.Count == 0 ? [] : [.. _collected], edns));
        if (cname is null)
        {
            Next(request);
            return;
        }
        var shadow = new DnsRequest(query, request.Transport, new ShadowSink(Self, request, cname), request.Server, request.ClientAddress,
            request.ClientAddress is null ? request.Client : null, request.Local)
        {
            Depth = request.Depth,
            Zone = request.Zone,
            Dispatcher = request.Dispatcher,
            Flags = request.Flags,
            UdpSize = request.UdpSize,
        };
        foreach (var kv in request.Metadata) shadow.Metadata[kv.Key] = kv.Value;
        Next(shadow);
    }

    private sealed record ShadowReply(DnsRequest Origin, CnameRule Rule, DnsResponse Response);

    private sealed record TargetReply(DnsRequest Origin, DnsResponse Response, string From, string To, DnsResponse Target);

    /// <summary>Takes the shadow request's reply back to the actor.</summary>
    private sealed class ShadowSink(IActorRef actor, DnsRequest origin, CnameRule rule) : IResponseSink
    {
        public int MaxReplySize(DnsRequest request) => ReplyWriter.MaxMessageSize;
        public void Send(DnsRequest request, ReadOnlySpan<byte> reply) { }
        public void Deliver(DnsRequest request, DnsResponse response) => actor.Tell(new ShadowReply(origin, rule, response));
    }

    protected override void OnOther(object message)
    {
        switch (message)
        {
            case ShadowReply s:
                OnShadowReply(s);
                break;
            case TargetReply t:
                OnTargetReply(t);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>CoreDNS's cnameTargetRuleWithReqState.RewriteResponse: the first CNAME (any section order) whose target the rule rewrites.</summary>
    private void OnShadowReply(ShadowReply s)
    {
        foreach (var rr in s.Response.Answer)
        {
            if (rr.Type != RrType.CNAME) continue;
            var at = 0;
            if (!DnsName.TryRead(rr.RData, ref at, out var target)) continue;
            var to = s.Rule.NewTarget(target);
            if (to is null) continue;
            var self = Self;
            var origin = s.Origin;
            var response = s.Response;
            Upstream.Lookup(origin, to, origin.Query.Type, reply => self.Tell(new TargetReply(origin, response, target, to, reply)));
            return;
        }
        s.Origin.Respond(s.Response);
    }

    private static void OnTargetReply(TargetReply t)
    {
        var r = t.Response.Copy();
        var answer = new List<DnsRecord>();
        foreach (var rr in t.Response.Answer)
        {
            if (rr.Type != RrType.CNAME) continue;
            var at = 0;
            if (DnsName.TryRead(rr.RData, ref at, out var target) && target == t.From)
            {
                answer.Add(new DnsRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, DnsRecord.NameBytes(t.To)));
                break;
            }
            answer.Add(rr);
        }
        answer.AddRange(t.Target.Answer);
        r.Adopt(answer, r.Authority, r.Additional);
        r.Tc = t.Target.Tc;
        t.Origin.Respond(r);
    }
}
