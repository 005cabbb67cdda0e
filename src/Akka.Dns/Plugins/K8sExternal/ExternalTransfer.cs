using System.Net;
using System.Net.Sockets;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.K8sExternal;

/// <summary>
/// The zone a transfer of a k8s_external zone sends (CoreDNS's transfer.go): the SOA, the NS and the name server's
/// addresses, then for every service what a query for its names answers — A, AAAA and the bare SRV at
/// SERVICE.NAMESPACE.ZONE, an SRV per named port at _PORT._PROTOCOL.SERVICE.NAMESPACE.ZONE, and with
/// <c>headless</c> the same for each endpoint name — built by asking <see cref="ExternalAnswers"/> those very
/// questions, so a transfer never disagrees with the answers. A reverse zone holds the PTR records of the external
/// IPs in it. Built on demand (a transfer is rare), from the table current at the time.
/// </summary>
internal static class ExternalTransfer
{
    private static readonly ushort[] AddressAndSrv = [RrType.A, RrType.AAAA, RrType.SRV];

    public static Zone Build(ExternalTable t, K8sExternalOptions o, string origin)
    {
        var zone = -1;
        for (var i = 0; i < o.Zones.Length; i++)
            if (DnsName.EqualsIgnoreCase(o.Zones[i], origin)) zone = i;
        if (zone < 0) throw new ArgumentException($"{origin} is not a k8s_external zone", nameof(origin));

        var records = new List<DnsRecord> { t.Soa[zone], t.Ns[zone] };
        var nsName = ExternalTable.Join("ns1." + o.Apex, o.Zones[zone]);
        foreach (var a in t.NameServerAddresses)
            records.Add(new DnsRecord(nsName, a.Length == 4 ? RrType.A : RrType.AAAA, RrClass.IN, o.Ttl, a));

        var names = new List<(string Name, ushort[] Types, bool Cname)>();
        if (K8sIndex.IsReverseZone(o.Zones[zone]))
        {
            foreach (var ip in t.ReverseAddresses)
            {
                var name = ReverseName(ip);
                if (DnsName.IsSubdomain(name, o.Zones[zone])) names.Add((name, [RrType.PTR], false));
            }
        }
        else
        {
            var services = t.Services.ToList();
            services.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            foreach (var (_, svc) in services)
            {
                var name = svc.Targets[zone];
                names.Add((name, AddressAndSrv, svc.Addresses.Length == 0));
                foreach (var port in svc.PortLabels) names.Add((port + "." + name, [RrType.SRV], false));
                if (o.Headless && svc.Headless && !svc.HasExternal)
                    foreach (var ep in svc.Endpoints)
                        names.Add((ep.Targets[zone], AddressAndSrv, false));
            }
        }

        var scratch = new ExternalScratch();
        var seen = new HashSet<(string, ushort, string)>();
        var cnames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, types, cnameAllowed) in names)
        {
            foreach (var type in types)
            {
                var reply = new DnsResponse { QName = name, QType = type, QClass = RrClass.IN };
                scratch.Clear();
                if (!ExternalAnswers.Answer(t, o, name, type, reply, scratch) || reply.Rcode != Rcode.NoError) continue;
                foreach (var rr in reply.Answer)
                {
                    // A zone cannot hold a CNAME beside other data: a service with only load balancer hostnames has its
                    // CNAME (and no bare SRV), one with addresses too has the addresses (and no CNAME).
                    if (rr.Type == RrType.CNAME)
                    {
                        if (!cnameAllowed) continue;
                        cnames.Add(rr.Name);
                    }
                    else if (cnames.Contains(rr.Name))
                    {
                        continue;
                    }
                    if (seen.Add((rr.Name.ToLowerInvariant(), rr.Type, Convert.ToHexString(rr.RData)))) records.Add(rr);
                }
            }
        }
        return Zone.Build(o.Zones[zone], records);
    }

    private static string ReverseName(IPAddress ip)
    {
        var b = ip.GetAddressBytes();
        if (ip.AddressFamily == AddressFamily.InterNetwork) return $"{b[3]}.{b[2]}.{b[1]}.{b[0]}.in-addr.arpa.";
        var sb = new System.Text.StringBuilder(72);
        for (var i = b.Length - 1; i >= 0; i--) sb.Append("0123456789abcdef"[b[i] & 0xF]).Append('.').Append("0123456789abcdef"[b[i] >> 4]).Append('.');
        return sb.Append("ip6.arpa.").ToString();
    }
}
