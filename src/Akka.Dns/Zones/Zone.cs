using Akka.Dns.Wire;

namespace Akka.Dns.Zones;

/// <summary>
/// One authoritative zone as an immutable snapshot: records grouped by owner and type, the names that exist
/// only because something lies below them (empty non-terminals), the zone cuts, and the apex SOA and NS.
/// Built once per load by the zone's owner actor and swapped whole; queries only read it.
/// </summary>
public sealed class Zone
{
    // Plain hash tables, never written after Build: their span lookup (AlternateLookup) is the fast path
    // (the frozen collections' span lookup measured 4-5 % of CPU on the query path here).
    private readonly Dictionary<string, Node> _nodes;
    private readonly HashSet<string> _ents;
    private readonly Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> _nodeLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _entLookup;
    // The owners of NSEC records in canonical order (RFC 4034 §6.1), for the proofs of negative answers; null when unsigned.
    private string[]? _nsecOwners;

    private Zone(string origin, DnsRecord soa, DnsRecord[] apexNs, Dictionary<string, Node> nodes, HashSet<string> ents, IReadOnlyList<DnsRecord> records)
    {
        Origin = origin;
        Soa = soa;
        var minimum = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(soa.RData.AsSpan(soa.RData.Length - 4));
        NegativeSoa = soa.WithTtl(Math.Min(soa.Ttl, minimum));
        ApexNs = apexNs;
        Records = records;
        _nodes = nodes;
        _ents = ents;
        _nodeLookup = _nodes.GetAlternateLookup<ReadOnlySpan<char>>();
        _entLookup = _ents.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The zone's name, lower-case and fully qualified.</summary>
    public string Origin { get; }
    public DnsRecord Soa { get; }
    /// <summary>The SOA as negative answers carry it: TTL = min(SOA TTL, MINIMUM) (RFC 2308 §3).</summary>
    public DnsRecord NegativeSoa { get; }
    public uint Serial => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Soa.RData.AsSpan(Soa.RData.Length - 20));
    public DnsRecord[] ApexNs { get; }
    /// <summary>Every record, SOA first (the order of a zone transfer).</summary>
    public IReadOnlyList<DnsRecord> Records { get; }
    public int NodeCount => _nodes.Count;

    /// <summary>
    /// Builds a zone from parsed records. Throws <see cref="FormatException"/> for records outside the zone, a
    /// missing or duplicate SOA, or a CNAME beside other data.
    /// </summary>
    public static Zone Build(string origin, IEnumerable<DnsRecord> records)
    {
        origin = DnsName.Normalize(origin);
        var nodes = new Dictionary<string, Node>(StringComparer.OrdinalIgnoreCase);
        DnsRecord? soa = null;
        var all = new List<DnsRecord>();
        foreach (var rr in records)
        {
            if (!DnsName.IsSubdomain(rr.Name, origin))
                throw new FormatException($"out of zone data: {rr.Name} is not in {origin}");
            if (rr.Type == RrType.SOA)
            {
                if (!DnsName.EqualsIgnoreCase(DnsName.Normalize(rr.Name), origin))
                    throw new FormatException($"SOA owner {rr.Name} is not the zone apex {origin}");
                if (soa is not null) throw new FormatException($"more than one SOA record in {origin}");
                soa = rr;
            }
            var key = DnsName.Normalize(rr.Name);
            if (!nodes.TryGetValue(key, out var node)) nodes[key] = node = new Node(rr.Name);
            rr.PreEncode();
            node.Add(rr);
            all.Add(rr);
        }
        if (soa is null) throw new FormatException($"no SOA record at the apex of {origin}");
        foreach (var node in nodes.Values)
        {
            if (node.Get(RrType.CNAME) is { } c)
            {
                if (node.TypeCount > 1 + (node.Get(RrType.RRSIG) is null ? 0 : 1) + (node.Get(RrType.NSEC) is null ? 0 : 1))
                    throw new FormatException($"CNAME and other data at {node.Name}");
                if (c.Length > 1) throw new FormatException($"more than one CNAME at {node.Name}");
            }
            node.Freeze();
        }
        var ents = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in nodes.Keys)
        {
            for (var i = DnsName.NextLabel(name, 0); i >= 0; i = DnsName.NextLabel(name, i))
            {
                var parent = name[i..];
                if (parent.Length <= origin.Length) break;
                if (!nodes.ContainsKey(parent)) ents.Add(parent);
            }
        }
        all.Remove(soa);
        all.Insert(0, soa);
        var apexNs = nodes.TryGetValue(origin, out var apex) ? apex.Get(RrType.NS) ?? [] : [];
        var nsecOwners = new List<string>();
        foreach (var (key, node) in nodes)
            if (node.Get(RrType.NSEC) is not null) nsecOwners.Add(key);
        nsecOwners.Sort(Dnssec.Canonical.NameOrder);
        return new Zone(origin, soa, apexNs, nodes, ents, all) { _nsecOwners = nsecOwners.Count > 0 ? [.. nsecOwners] : null };
    }

    /// <summary>True when the zone holds NSEC records (it is signed): negative answers to DO queries carry proofs.</summary>
    public bool HasNsec => _nsecOwners is not null;

    /// <summary>
    /// The owner of the NSEC that matches or covers <paramref name="name"/>: the last NSEC owner at or before it in
    /// canonical order (the last one of all when none is, as the chain wraps); null in an unsigned zone.
    /// </summary>
    public string? NsecOwnerCovering(string name)
    {
        var owners = _nsecOwners;
        if (owners is null) return null;
        var i = Array.BinarySearch(owners, name, Dnssec.Canonical.NameOrder);
        if (i >= 0) return owners[i];
        i = ~i - 1;
        return owners[i >= 0 ? i : owners.Length - 1];
    }

    /// <summary>The RRset of <paramref name="type"/> at <paramref name="name"/>, or null.</summary>
    public DnsRecord[]? Find(string name, ushort type) =>
        _nodeLookup.TryGetValue(name.AsSpan(), out var n) ? n.Get(type) : null;

    internal bool TryGetNode(ReadOnlySpan<char> name, out Node node) => _nodeLookup.TryGetValue(name, out node!);

    /// <summary>True when the name owns records or lies above a name that does (an empty non-terminal).</summary>
    public bool Exists(ReadOnlySpan<char> name) => _nodeLookup.ContainsKey(name) || _entLookup.Contains(name);

    internal bool IsEmptyNonTerminal(ReadOnlySpan<char> name) => _entLookup.Contains(name);

    /// <summary>True when the name owns nothing but lies above a name that does.</summary>
    public bool IsEmptyNonTerminalName(string name) => _entLookup.Contains(name.AsSpan());

    /// <summary>The records of one owner name: a few RRsets, found by a linear scan of their types.</summary>
    internal sealed class Node(string name)
    {
        private Dictionary<ushort, List<DnsRecord>>? _building = new();
        private ushort[] _types = [];
        private DnsRecord[][] _sets = [];

        public string Name { get; } = name;
        public int TypeCount => _building?.Count ?? _types.Length;
        public IEnumerable<ushort> Types => _types;

        public void Add(DnsRecord rr)
        {
            if (!_building!.TryGetValue(rr.Type, out var l)) _building[rr.Type] = l = [];
            // Identical records collapse (RFC 2181 §5: an RRset has no duplicates).
            foreach (var x in l)
                if (x.Class == rr.Class && x.RData.AsSpan().SequenceEqual(rr.RData)) return;
            // One TTL per RRset (RFC 2181 §5.2): the first one wins, as miekg/dns and Knot do on load.
            l.Add(l.Count > 0 ? rr.WithTtl(l[0].Ttl) : rr);
        }

        public DnsRecord[]? Get(ushort type)
        {
            if (_building is not null) return _building.TryGetValue(type, out var l) ? [.. l] : null;
            var types = _types;
            for (var i = 0; i < types.Length; i++)
                if (types[i] == type) return _sets[i];
            return null;
        }

        public void Freeze()
        {
            _types = [.. _building!.Keys];
            _sets = _types.Select(t => _building[t].ToArray()).ToArray();
            _building = null;
        }
    }
}
