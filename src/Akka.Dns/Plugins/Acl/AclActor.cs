using System.Net;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Acl;

/// <summary>
/// Checks each rule whose zones hold the query name, in order; within a rule the first policy matching the
/// query type and the source address decides: allow stops checking and passes the query on, block answers
/// REFUSED with EDE 15 (Blocked), filter answers NOERROR with EDE 17 (Filtered), drop answers nothing. A query
/// no policy matches passes on.
/// </summary>
public sealed class AclActor : PluginActor
{
    /// <summary>RFC 8914 info codes CoreDNS sets.</summary>
    public const ushort EdeBlocked = 15, EdeFiltered = 17;

    private static readonly byte[] BlockedData = [0, (byte)EdeBlocked];
    private static readonly byte[] FilteredData = [0, (byte)EdeFiltered];

    private readonly AclRule[] _rules;
    private readonly AclCounters _counters;

    public static Props Props(AclRule[] rules, AclCounters counters, ChainLink? next) => Akka.Actor.Props.Create(() => new AclActor(rules, counters, next));

    public AclActor(AclRule[] rules, AclCounters counters, ChainLink? next) : base("acl", next)
    {
        _rules = rules;
        _counters = counters;
    }

    protected override void Handle(DnsRequest request)
    {
        IPAddress? source = null;
        foreach (var rule in _rules)
        {
            if (ZoneMatch.Longest(rule.Zones, request.Name) is null) continue;
            source ??= Source(request);
            switch (Decide(rule.Policies, request.Type, source))
            {
                case AclAction.Drop:
                    AclMetrics.Dropped.Increment();
                    _counters.Dropped.Inc(request);
                    request.Drop();
                    return;
                case AclAction.Block:
                    AclMetrics.Blocked.Increment();
                    _counters.Blocked.Inc(request);
                    request.Respond(Reply(request, Rcode.Refused, BlockedData));
                    return;
                case AclAction.Filter:
                    AclMetrics.Filtered.Increment();
                    _counters.Filtered.Inc(request);
                    request.Respond(Reply(request, Rcode.NoError, FilteredData));
                    return;
                case AclAction.Allow:
                    AclMetrics.Allowed.Increment();
                    _counters.Allowed.Inc(request);
                    Next(request);
                    return;
            }
        }
        AclMetrics.Allowed.Increment();
        _counters.Allowed.Inc(request);
        Next(request);
    }

    private static IPAddress Source(DnsRequest request)
    {
        var ip = request.Client.Address;
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
    }

    private static AclAction Decide(AclPolicy[] policies, ushort qtype, IPAddress source)
    {
        foreach (var p in policies)
            if (p.Matches(qtype, source)) return p.Action;
        return AclAction.None;
    }

    /// <summary>CoreDNS's SetRcode + SetEdns0(4096, true) + one EDE option without extra text.</summary>
    private static DnsResponse Reply(DnsRequest request, int rcode, byte[] ede)
    {
        var m = request.CreateReply(rcode);
        m.Edns = new EdnsRecord { UdpSize = 4096, Do = true };
        m.Edns.Options.Add((EdnsOption.Ede, ede));
        return m;
    }
}
