using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Server.Routing;

/// <summary>
/// The zones one listener serves and the block behind each. Immutable: the router swaps a whole table.
/// <see cref="Route"/> is CoreDNS's Server.ServeDNS walk: from the full name towards the root, the first zone
/// found is the longest match; a DS query keeps walking and takes the shortest match (DS lives in the
/// parent); the root zone is tried last.
/// </summary>
public sealed class ZoneTable
{
    private readonly Dictionary<string, BlockRuntime>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<string, BlockRuntime> _zones;
    /// <summary>Zones several blocks share (view): all of them, top to bottom. Absent for a zone with one block.</summary>
    private readonly Dictionary<string, BlockRuntime[]> _shared;
    private readonly BlockRuntime? _root;

    public ZoneTable(IEnumerable<KeyValuePair<string, BlockRuntime>> zones)
    {
        _zones = new Dictionary<string, BlockRuntime>(StringComparer.OrdinalIgnoreCase);
        var all = new Dictionary<string, List<BlockRuntime>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (zone, block) in zones)
        {
            var z = DnsName.Normalize(zone);
            if (!all.TryGetValue(z, out var list)) all[z] = list = [];
            list.Add(block);
            if (block.OpensNonInClasses) OpensNonInClasses = true;
        }
        _shared = new Dictionary<string, BlockRuntime[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (z, list) in all)
        {
            _zones[z] = list[0];
            if (list.Count > 1 || list[0].Filters.Length > 0) _shared[z] = [.. list];
        }
        _lookup = _zones.GetAlternateLookup<ReadOnlySpan<char>>();
        _zones.TryGetValue(DnsName.Root, out _root);
    }

    public static readonly ZoneTable Empty = new([]);

    public IReadOnlyCollection<string> Zones => _zones.Keys;

    /// <summary>Some block on this listener loads chaos or forward: CH and other classes are let through.</summary>
    public bool OpensNonInClasses { get; }

    /// <summary>The block for <paramref name="qname"/>, or null (REFUSED). <paramref name="zone"/> is the matched zone. Filters are not consulted.</summary>
    public BlockRuntime? Route(string qname, ushort qtype, out string zone) => Route(qname, qtype, null, out zone);

    /// <summary>
    /// The block for <paramref name="request"/>: as <see cref="Route(string, ushort, out string)"/>, but where
    /// several blocks share a zone (or a block filters), the first whose filters pass takes it; when none does,
    /// the walk goes on towards the root (CoreDNS's ServeDNS).
    /// </summary>
    public BlockRuntime? Route(DnsRequest request, out string zone) => Route(request.Name, request.Type, request, out zone);

    private BlockRuntime? Route(string qname, ushort qtype, DnsRequest? request, out string zone)
    {
        var name = qname.AsSpan();
        BlockRuntime? ds = null;
        string? dsZone = null;
        for (var off = 0; off >= 0; off = DnsName.NextLabel(qname, off))
        {
            if (!_lookup.TryGetValue(name[off..], out var key, out var block)) continue;
            if (request is not null && _shared.Count > 0 && _shared.TryGetValue(key, out var blocks))
            {
                block = Pick(blocks, request);
                if (block is null) continue;
            }
            if (qtype != RrType.DS)
            {
                zone = key;
                return block;
            }
            ds = block;
            dsZone = key;
        }
        if (ds is not null)
        {
            zone = dsZone!;
            return ds;
        }
        zone = DnsName.Root;
        if (request is not null && _root is not null && _shared.Count > 0 && _shared.TryGetValue(DnsName.Root, out var roots))
            return Pick(roots, request);
        return _root;
    }

    /// <summary>The first block whose filters pass (an empty block takes everything: REFUSED, as CoreDNS).</summary>
    private static BlockRuntime? Pick(BlockRuntime[] blocks, DnsRequest request)
    {
        foreach (var b in blocks)
            if (b.IsEmpty || b.Takes(request)) return b;
        return null;
    }
}
