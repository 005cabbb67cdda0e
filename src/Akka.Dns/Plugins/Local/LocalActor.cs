using System.Net;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Local;

/// <summary>
/// CoreDNS's local: answers localhost, 0/127/255.in-addr.arpa and the names under them, names under .localhost.
/// and (with localhost_prefix on) names starting "localhost."; A 127.0.0.1 and AAAA ::1 for localhost forms, PTR
/// localhost. for 1.0.0.127.in-addr.arpa, SOA/NS at the apexes, NXDOMAIN with the zone's SOA for the rest. TTL one week.
/// </summary>
public sealed class LocalActor : PluginActor
{
    private const uint Ttl = 604800;
    private static readonly string[] Zones = ["localhost.", "0.in-addr.arpa.", "127.in-addr.arpa.", "255.in-addr.arpa."];
    private static readonly byte[] Loopback4 = IPAddress.Loopback.GetAddressBytes();
    private static readonly byte[] Loopback6 = IPAddress.IPv6Loopback.GetAddressBytes();

    private readonly bool _prefix;
    private readonly bool _debug;

    public static Props Props(bool localhostPrefix, bool debug, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new LocalActor(localhostPrefix, debug, next));

    public LocalActor(bool localhostPrefix, bool debug, ChainLink? next) : base("local", next)
    {
        _prefix = localhostPrefix;
        _debug = debug;
    }

    protected override void Handle(DnsRequest request)
    {
        var qname = request.Name;
        var name = qname.ToLowerInvariant();
        const int lc = 10; // "localhost."
        var rfcSubdomain = name.Length > lc && name.EndsWith(".localhost.", StringComparison.Ordinal);
        var legacyPrefix = name.Length > lc && _prefix && name.StartsWith("localhost.", StringComparison.Ordinal);
        if (rfcSubdomain || legacyPrefix)
        {
            if (_debug) LineLog.Debug($"plugin/local: Intercepting localhost query for \"{name}\" {RrType.ToString(request.Type)}, from {request.Client.Address}");
            LocalMetrics.LocalhostRequests.Increment();
            request.Respond(Localhost(request));
            return;
        }
        var zone = ZoneMatch.Longest(Zones, name);
        if (zone is null)
        {
            Next(request);
            return;
        }
        zone = qname[^zone.Length..];
        var m = request.CreateReply();
        m.Plugin = "local";
        var type = request.Type;
        switch (name)
        {
            case "localhost.":
            case "0.in-addr.arpa.":
            case "127.in-addr.arpa.":
            case "255.in-addr.arpa.":
                if (type == RrType.A && name == "localhost.") m.Answer.Add(new DnsRecord(qname, RrType.A, RrClass.IN, Ttl, Loopback4));
                else if (type == RrType.AAAA && name == "localhost.") m.Answer.Add(new DnsRecord(qname, RrType.AAAA, RrClass.IN, Ttl, Loopback6));
                else if (type == RrType.SOA) m.Answer.Add(Soa(qname));
                else if (type == RrType.NS) m.Answer.Add(DnsRecord.Ns(qname, Ttl, "localhost."));
                else m.Authority.Add(Soa(qname));
                break;
            case "1.0.0.127.in-addr.arpa.":
                if (type == RrType.PTR) m.Answer.Add(DnsRecord.Ptr(qname, Ttl, "localhost."));
                else m.Authority.Add(Soa(zone));
                break;
        }
        if (m.AnswerCount == 0 && m.AuthorityCount == 0)
        {
            m.Authority.Add(Soa(zone));
            m.Rcode = Rcode.NxDomain;
        }
        request.Respond(m);
    }

    private static DnsRecord Soa(string origin) => DnsRecord.Soa(origin, Ttl, "localhost.", "root.localhost.", 1, 0, 0, 0, Ttl);

    private static DnsResponse Localhost(DnsRequest request)
    {
        var m = request.CreateReply();
        m.Plugin = "local";
        var qname = request.Name;
        switch (request.Type)
        {
            case RrType.A:
                m.Answer.Add(new DnsRecord(qname, RrType.A, RrClass.IN, Ttl, Loopback4));
                break;
            case RrType.AAAA:
                m.Answer.Add(new DnsRecord(qname, RrType.AAAA, RrClass.IN, Ttl, Loopback6));
                break;
            default:
                m.Authority.Add(Soa(qname));
                break;
        }
        return m;
    }
}
