using System.Net;
using System.Net.Sockets;
using Akka.Dns.Cluster;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Cluster;

/// <summary>
/// Every name the cluster plugin answers in one zone, built once from one <see cref="MembershipSnapshot"/>:
/// the records of each name by type, ready to be copied into a reply. Names that exist with no record of a type
/// (members.ZONE with no members, the empty non-terminals _udp.ZONE and service.ZONE) are present with empty sets.
/// </summary>
public sealed class ClusterAnswers
{
    /// <summary>The records of one owner name.</summary>
    public sealed class Node
    {
        public List<DnsRecord> A { get; } = [];
        public List<DnsRecord> Aaaa { get; } = [];
        public List<DnsRecord> Srv { get; } = [];
        public List<DnsRecord> Txt { get; } = [];
        /// <summary>A/AAAA of the SRV targets, for the additional section.</summary>
        public List<DnsRecord> SrvTargets { get; } = [];

        public List<DnsRecord>? For(ushort type) => type switch
        {
            RrType.A => A,
            RrType.AAAA => Aaaa,
            RrType.SRV => Srv,
            RrType.TXT => Txt,
            _ => null,
        };
    }

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    private ClusterAnswers(string zone, DnsRecord soa, long version)
    {
        Zone = zone;
        Soa = soa;
        Version = version;
    }

    public string Zone { get; }

    /// <summary>The synthesized SOA (CoreDNS's kubernetes form: ns.dns.ZONE hostmaster.ZONE, serial from the snapshot).</summary>
    public DnsRecord Soa { get; }

    /// <summary>The snapshot's version these answers were built from.</summary>
    public long Version { get; }

    public bool TryGet(string lowerName, out Node node) => _nodes.TryGetValue(lowerName, out node!);

    public static ClusterAnswers Build(MembershipSnapshot snapshot, string zone, uint ttl)
    {
        var soa = DnsRecord.Soa(zone, Math.Min(ttl, 300), Join("ns.dns", zone), Join("hostmaster", zone), snapshot.Serial, 7200, 1800, 86400, ttl);
        var a = new ClusterAnswers(zone, soa, snapshot.Version);
        var members = snapshot.Members;

        a.AddSet(Join("members", zone), members, ttl, txt: true);
        a.AddSet(Join("leader", zone), snapshot.Leader is { } l ? [l] : [], ttl, txt: true);
        a.NodeAt(Join("_udp", zone));
        a.NodeAt(Join("_tcp", zone));
        a.AddSrv(Join("_dns._udp", zone), members, null, ttl);
        a.AddSrv(Join("_dns._tcp", zone), members, null, ttl);

        // <member-name>.ZONE: every member of that name (two nodes configured with one name share it).
        var byName = new Dictionary<string, List<MemberEntry>>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            if (!byName.TryGetValue(m.Name, out var list)) byName[m.Name] = list = [];
            list.Add(m);
        }
        foreach (var (name, list) in byName) a.AddSet(Join(name, zone), list, ttl, txt: true);

        // <service>.service.ZONE and <tag>.<service>.service.ZONE.
        var services = new SortedDictionary<string, List<(MemberEntry Member, ServiceInfo Service)>>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            foreach (var s in m.Services)
            {
                Add(services, s.Name, (m, s));
                foreach (var tag in s.Tags) Add(services, tag + "." + s.Name, (m, s));
            }
        }
        if (services.Count > 0) a.NodeAt(Join("service", zone));
        foreach (var (key, list) in services)
        {
            var owner = Join(key + ".service", zone);
            var node = a.NodeAt(owner);
            var set = new List<MemberEntry>(list.Count);
            foreach (var (m, _) in list) set.Add(m);
            AddAddresses(node, owner, set, ttl);
            a.AddSrv(owner, set, list, ttl);
        }
        return a;
    }

    private static void Add<T>(SortedDictionary<string, List<T>> d, string key, T item)
    {
        if (!d.TryGetValue(key, out var list)) d[key] = list = [];
        list.Add(item);
    }

    private Node NodeAt(string owner)
    {
        if (!_nodes.TryGetValue(owner, out var n)) _nodes[owner] = n = new Node();
        return n;
    }

    /// <summary>A/AAAA of the members' addresses (each address once), one SRV and one TXT per member.</summary>
    private void AddSet(string owner, IReadOnlyList<MemberEntry> members, uint ttl, bool txt)
    {
        var node = NodeAt(owner);
        AddAddresses(node, owner, members, ttl);
        AddSrv(owner, members, null, ttl);
        if (!txt) return;
        foreach (var m in members)
        {
            node.Txt.Add(DnsRecord.Txt(owner, ttl, RrClass.IN,
                $"name={m.Name}", $"address={m.Address}", $"dns-port={m.DnsPort}", $"roles={string.Join(',', m.Roles)}",
                $"status={m.Status}", $"akka={m.AkkaAddress}"));
        }
    }

    private static void AddAddresses(Node node, string owner, IReadOnlyList<MemberEntry> members, uint ttl)
    {
        var seen = new HashSet<IPAddress>();
        foreach (var m in members)
        {
            if (!seen.Add(m.Address)) continue;
            if (m.Address.AddressFamily == AddressFamily.InterNetwork) node.A.Add(DnsRecord.A(owner, ttl, m.Address));
            else node.Aaaa.Add(DnsRecord.Aaaa(owner, ttl, m.Address));
        }
    }

    /// <summary>
    /// One SRV per member: port = its DNS port (or the service's), target = its member name in the zone, weight
    /// 100/N as the kubernetes plugin does; the targets' addresses go to the additional section.
    /// </summary>
    private void AddSrv(string owner, IReadOnlyList<MemberEntry> members, List<(MemberEntry Member, ServiceInfo Service)>? services, uint ttl)
    {
        var node = NodeAt(owner);
        if (members.Count == 0) return;
        var weight = (ushort)(100 / members.Count);
        var glued = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i];
            var port = services is null ? m.DnsPort : services[i].Service.Port;
            var target = Join(m.Name, Zone);
            node.Srv.Add(DnsRecord.Srv(owner, ttl, 0, weight, (ushort)port, target));
            if (!glued.Add(target + "|" + m.Address)) continue;
            node.SrvTargets.Add(m.Address.AddressFamily == AddressFamily.InterNetwork
                ? DnsRecord.A(target, ttl, m.Address)
                : DnsRecord.Aaaa(target, ttl, m.Address));
        }
    }

    private static string Join(string label, string zone) => zone == DnsName.Root ? label + "." : label + "." + zone;
}
