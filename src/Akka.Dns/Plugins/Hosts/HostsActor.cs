using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Hosts;

/// <summary>
/// Answers from the current <see cref="HostsSnapshot"/> as CoreDNS's hosts ServeDNS does: A and AAAA for names
/// in its zones, PTR for any reverse name it has (in its zones or not), AA set, owner names lower-cased. A name
/// it has with no record of the asked type is NODATA (no SOA: there is none); a name it does not have is
/// SERVFAIL, or the next plugin's under <c>fallthrough</c>. A name outside its zones, and a PTR it does not
/// have, always go to the next plugin.
/// </summary>
public sealed class HostsActor : PluginActor
{
    private readonly HostsSource _source;
    private readonly HostsOptions _options;
    private readonly List<byte[]> _rdata = new(4);

    public static Props Props(HostsSource source, ChainLink? next) => Akka.Actor.Props.Create(() => new HostsActor(source, next));

    public HostsActor(HostsSource source, ChainLink? next) : base("hosts", next)
    {
        _source = source;
        _options = source.Options;
    }

    protected override void Handle(DnsRequest request)
    {
        var qname = request.Name;
        var qtype = request.Type;
        var inZone = HostsMap.InZones(_options.Origins, qname);
        if (!inZone && qtype != RrType.PTR)
        {
            Next(request);
            return;
        }

        var snapshot = _source.Current;
        var owner = Lower(qname);
        var ttl = _options.Ttl;
        DnsResponse? reply = null;
        switch (qtype)
        {
            case RrType.PTR:
            {
                var key = ReverseName.ToAddressKey(owner);
                var fromFile = key is null ? null : snapshot.File.LookupAddress(key);
                var fromInline = key is null ? null : snapshot.Inline.LookupAddress(key);
                if (fromFile is null && fromInline is null)
                {
                    Next(request);
                    return;
                }

                reply = request.CreateReply();
                AddPtr(reply, owner, ttl, fromFile);
                AddPtr(reply, owner, ttl, fromInline);
                break;
            }
            case RrType.A:
            case RrType.AAAA:
            {
                var v4 = qtype == RrType.A;
                _rdata.Clear();
                snapshot.File.Lookup(owner, v4, _rdata);
                snapshot.Inline.Lookup(owner, v4, _rdata);
                if (_rdata.Count > 0)
                {
                    reply = request.CreateReply();
                    foreach (var rd in _rdata) reply.Answer.Add(new DnsRecord(owner, qtype, RrClass.IN, ttl, rd));
                    _rdata.Clear();
                }

                break;
            }
            default:
                if (_options.FallthroughUnsupported && _options.FallsThrough(qname))
                {
                    Next(request);
                    return;
                }

                break;
        }

        if (reply is null && !Exists(snapshot, owner))
        {
            if (_options.FallsThrough(qname))
            {
                Next(request);
                return;
            }

            // CoreDNS would send NXDOMAIN but has no SOA for it, so it returns SERVFAIL for the server to write.
            request.Fail(Rcode.ServFail, null, "hosts");
            return;
        }

        reply ??= request.CreateReply();
        reply.Aa = true;
        reply.Plugin = "hosts";
        request.Respond(reply);
    }

    private static bool Exists(HostsSnapshot s, string name) =>
        s.File.Lookup(name, true, null) > 0 || s.Inline.Lookup(name, true, null) > 0 ||
        s.File.Lookup(name, false, null) > 0 || s.Inline.Lookup(name, false, null) > 0;

    private static void AddPtr(DnsResponse reply, string owner, uint ttl, HostsMap.Reverse? names)
    {
        if (names is null) return;
        foreach (var rd in names.RData)
            if (rd is not null) reply.Answer.Add(new DnsRecord(owner, RrType.PTR, RrClass.IN, ttl, rd));
    }

    /// <summary>The query name lower-cased (CoreDNS's request.Name), without a copy when it already is.</summary>
    private static string Lower(string name) =>
        name.AsSpan().IndexOfAnyInRange('A', 'Z') < 0 ? name : name.ToLowerInvariant();
}
