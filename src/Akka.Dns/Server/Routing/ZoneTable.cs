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
    private readonly Dictionary<string, BlockRuntime> _zones;
    private readonly Dictionary<string, BlockRuntime>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly BlockRuntime? _root;

    public ZoneTable(IEnumerable<KeyValuePair<string, BlockRuntime>> zones)
    {
        _zones = new Dictionary<string, BlockRuntime>(StringComparer.OrdinalIgnoreCase);
        foreach (var (zone, block) in zones)
        {
            var z = DnsName.Normalize(zone);
            _zones[z] = block;
            if (block.OpensNonInClasses) OpensNonInClasses = true;
        }
        _lookup = _zones.GetAlternateLookup<ReadOnlySpan<char>>();
        _zones.TryGetValue(DnsName.Root, out _root);
    }

    public static readonly ZoneTable Empty = new([]);

    public IReadOnlyCollection<string> Zones => _zones.Keys;

    /// <summary>Some block on this listener loads chaos or forward: CH and other classes are let through.</summary>
    public bool OpensNonInClasses { get; }

    /// <summary>The block for <paramref name="qname"/>, or null (REFUSED). <paramref name="zone"/> is the matched zone.</summary>
    public BlockRuntime? Route(string qname, ushort qtype, out string zone)
    {
        var name = qname.AsSpan();
        BlockRuntime? ds = null;
        string? dsZone = null;
        for (var off = 0; off >= 0; off = DnsName.NextLabel(qname, off))
        {
            if (!_lookup.TryGetValue(name[off..], out var key, out var block)) continue;
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
        return _root;
    }
}
