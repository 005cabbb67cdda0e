using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.K8sExternal;

/// <summary>A name to resolve through the whole server and add to the reply (a load-balancer hostname's addresses).</summary>
internal readonly record struct ExternalChase(string Name, ushort Type, bool ToAdditional);

/// <summary>Lists a pipeline replica's actor reuses for every query (one actor per replica: never shared).</summary>
internal sealed class ExternalScratch
{
    public readonly List<ExternalItem> Items = [];
    public readonly List<(string Target, int Port)> SrvSeen = [];
    public readonly List<(string Target, byte[]? Address, string? Hostname)> AddressSeen = [];
    public readonly List<ExternalChase> Chase = [];

    public void Clear()
    {
        Items.Clear();
        SrvSeen.Clear();
        AddressSeen.Clear();
        Chase.Clear();
    }
}

/// <summary>
/// CoreDNS's k8s_external ServeDNS, serveApex and serveSubApex, and the record building of msg_to_dns.go, over an
/// <see cref="ExternalTable"/>. Returns false when the query is not for this plugin (outside its zones, or a name
/// error under <c>fallthrough</c>); otherwise fills <paramref name="reply"/> and, for load-balancer hostnames,
/// <see cref="ExternalScratch.Chase"/> with the lookups whose answers the reply still needs.
/// </summary>
internal static class ExternalAnswers
{
    public static bool Answer(ExternalTable t, K8sExternalOptions o, string qname, ushort qtype, DnsResponse reply, ExternalScratch scratch)
    {
        var zones = o.Zones;
        var zone = -1;
        for (var i = 0; i < zones.Length; i++)
            if (DnsName.IsSubdomain(qname, zones[i]) && (zone < 0 || zones[i].Length > zones[zone].Length)) zone = i;
        if (zone < 0) return false;

        reply.Aa = true;
        for (var i = 0; i < zones.Length; i++)
        {
            if (DnsName.EqualsIgnoreCase(qname, zones[i]))
            {
                Apex(t, o, i, qname, qtype, reply);
                return true;
            }
            if (DnsName.IsSubdomain(qname, t.ApexNames[i]))
            {
                SubApex(t, o, zone, qname, Relative(qname, zones[zone]), qtype, reply);
                return true;
            }
        }

        var items = scratch.Items;
        int rcode;
        if (qtype == RrType.PTR && K8sAnswers.ReverseAddress(qname) is { } ip)
        {
            // CoreDNS's ExternalReverse: the services holding the address, named in the first zone.
            rcode = Rcode.NxDomain;
            if (t.TryReverse(ip, out var services))
            {
                rcode = Rcode.NoError;
                foreach (var s in services) items.Add(new ExternalItem(null, s, 0, null));
            }
        }
        else
        {
            rcode = t.Resolve(Relative(qname, zones[zone]), zone, o.Headless, items);
            // A PTR for a forward name: only the rcode (NODATA or NXDOMAIN) counts.
            if (qtype == RrType.PTR) items.Clear();
        }

        if (items.Count == 0)
        {
            if (rcode == Rcode.NxDomain && o.Fallthrough.Through(qname)) return false;
            reply.Rcode = rcode;
            reply.Authority.Add(t.Soa[zone]);
            return true;
        }

        switch (qtype)
        {
            case RrType.A:
            case RrType.AAAA:
                Addresses(o, qname, qtype, reply, scratch);
                break;
            case RrType.SRV:
                Srv(o, qname, reply, scratch);
                break;
            case RrType.PTR:
                foreach (var it in items)
                {
                    if (Seen(scratch.AddressSeen, "", null, it.Hostname)) continue;
                    scratch.AddressSeen.Add(("", null, it.Hostname));
                    reply.Answer.Add(DnsRecord.Ptr(qname, o.Ttl, ExternalTable.Join(it.Hostname!, zones[0])));
                }
                break;
        }
        // Records of other types only: NODATA.
        if (reply.Answer.Count == 0) reply.Authority.Add(t.Soa[zone]);
        return true;
    }

    /// <summary>serveApex: the SOA, the NS with ns1.APEX.ZONE's addresses as glue, else NODATA.</summary>
    private static void Apex(ExternalTable t, K8sExternalOptions o, int zone, string qname, ushort qtype, DnsResponse reply)
    {
        switch (qtype)
        {
            case RrType.SOA:
                reply.Answer.Add(t.Soa[zone]);
                break;
            case RrType.NS:
                reply.Answer.Add(t.Ns[zone]);
                var glue = ExternalTable.Join("ns1." + o.Apex, qname);
                foreach (var a in t.NameServerAddresses) reply.Additional.Add(Address(glue, o.Ttl, a));
                break;
            default:
                reply.Authority.Add(t.Soa[zone]);
                break;
        }
    }

    /// <summary>serveSubApex: APEX.ZONE is an empty non-terminal, ns1.APEX.ZONE has the name server's addresses,
    /// anything else under APEX.ZONE does not exist.</summary>
    private static void SubApex(ExternalTable t, K8sExternalOptions o, int zone, string qname, ReadOnlySpan<char> relative, ushort qtype, DnsResponse reply)
    {
        var labels = relative.IsEmpty ? 0 : relative.Count('.') + 1;
        if (labels == 1)
        {
            reply.Authority.Add(t.Soa[zone]);
            return;
        }
        if (labels != 2 || !relative[..relative.IndexOf('.')].Equals("ns1", StringComparison.OrdinalIgnoreCase))
        {
            reply.Rcode = Rcode.NxDomain;
            reply.Authority.Add(t.Soa[zone]);
            return;
        }
        var want = qtype == RrType.A ? 4 : qtype == RrType.AAAA ? 16 : -1;
        foreach (var a in t.NameServerAddresses)
            if (a.Length == want) reply.Answer.Add(Address(qname, o.Ttl, a));
        if (reply.Answer.Count == 0) reply.Authority.Add(t.Soa[zone]);
    }

    /// <summary>msg_to_dns.go's a/aaaa: the addresses of the qtype's family (each once), and a CNAME per hostname
    /// followed by the hostname's records looked up through the server.</summary>
    private static void Addresses(K8sExternalOptions o, string qname, ushort qtype, DnsResponse reply, ExternalScratch scratch)
    {
        var length = qtype == RrType.A ? 4 : 16;
        foreach (var it in scratch.Items)
        {
            if (it.Hostname is { } host)
            {
                if (Seen(scratch.AddressSeen, "", null, host)) continue;
                scratch.AddressSeen.Add(("", null, host));
                reply.Answer.Add(DnsRecord.Cname(qname, o.Ttl, host));
                scratch.Chase.Add(new ExternalChase(host, qtype, false));
                continue;
            }
            var a = it.Address!;
            if (a.Length != length || Contains(reply.Answer, a)) continue;
            reply.Answer.Add(new DnsRecord(qname, qtype, RrClass.IN, o.Ttl, a));
        }
    }

    /// <summary>msg_to_dns.go's srv: one SRV per (target, port), weights shared out over every item of the answer
    /// (priority 0), the targets' addresses in the additional section; port -1 (no ports declared) has no SRV.</summary>
    private static void Srv(K8sExternalOptions o, string qname, DnsResponse reply, ExternalScratch scratch)
    {
        var items = scratch.Items;
        var w = 100.0 / (100.0 * items.Count) * 100.0;
        var weight = (ushort)Math.Floor(w);
        if (weight == 0) weight = 1;
        foreach (var it in items)
        {
            if (it.Port == -1) continue;
            var target = it.Hostname ?? it.Target!;
            if (!Seen(scratch.SrvSeen, target, it.Port))
            {
                scratch.SrvSeen.Add((target, it.Port));
                reply.Answer.Add(DnsRecord.Srv(qname, o.Ttl, 0, weight, (ushort)it.Port, target));
            }
            if (Seen(scratch.AddressSeen, target, it.Address, it.Hostname)) continue;
            scratch.AddressSeen.Add((target, it.Address, it.Hostname));
            if (it.Hostname is { } host)
            {
                scratch.Chase.Add(new ExternalChase(host, RrType.A, true));
                scratch.Chase.Add(new ExternalChase(host, RrType.AAAA, true));
            }
            else
            {
                reply.Additional.Add(Address(target, o.Ttl, it.Address!));
            }
        }
    }

    private static DnsRecord Address(string name, uint ttl, byte[] a) =>
        new(name, a.Length == 4 ? RrType.A : RrType.AAAA, RrClass.IN, ttl, a);

    /// <summary>The query name without the zone and without a trailing dot.</summary>
    private static ReadOnlySpan<char> Relative(string qname, string zone)
    {
        var r = qname.AsSpan(0, qname.Length - zone.Length);
        return r.Length > 0 && r[^1] == '.' ? r[..^1] : r;
    }

    private static bool Contains(List<DnsRecord> records, byte[] rdata)
    {
        foreach (var r in records)
            if (r.RData.AsSpan().SequenceEqual(rdata)) return true;
        return false;
    }

    private static bool Seen(List<(string Target, int Port)> seen, string target, int port)
    {
        foreach (var s in seen)
            if (s.Port == port && s.Target == target) return true;
        return false;
    }

    private static bool Seen(List<(string Target, byte[]? Address, string? Hostname)> seen, string target, byte[]? address, string? hostname)
    {
        foreach (var s in seen)
            if (s.Target == target && s.Hostname == hostname && (s.Address == address || (s.Address is not null && address is not null && s.Address.AsSpan().SequenceEqual(address))))
                return true;
        return false;
    }
}
