using System.Collections.Immutable;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// One zone's data as an immutable map of RRsets (owner, normalized to lower case and fully qualified, then type),
/// the in-memory <see cref="IRRsetView"/>. <see cref="Apply"/> returns a new snapshot and leaves this one as it was,
/// so readers may hold a snapshot while the owner commits the next update. Records keep their owner as given.
/// </summary>
public sealed class RRsetSnapshot : IRRsetView
{
    private static readonly ImmutableSortedDictionary<ushort, ImmutableArray<DnsRecord>> NoTypes =
        ImmutableSortedDictionary<ushort, ImmutableArray<DnsRecord>>.Empty;

    public static readonly RRsetSnapshot Empty = new(ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<ushort, ImmutableArray<DnsRecord>>>(StringComparer.Ordinal));

    private readonly ImmutableSortedDictionary<string, ImmutableSortedDictionary<ushort, ImmutableArray<DnsRecord>>> _names;

    private RRsetSnapshot(ImmutableSortedDictionary<string, ImmutableSortedDictionary<ushort, ImmutableArray<DnsRecord>>> names) => _names = names;

    /// <summary>A snapshot holding <paramref name="records"/>, grouped into RRsets in the order given (TTLs kept as they are).</summary>
    public static RRsetSnapshot From(IEnumerable<DnsRecord> records)
    {
        var grouped = new Dictionary<(string, ushort), ImmutableArray<DnsRecord>.Builder>();
        var order = new List<(string Owner, ushort Type)>();
        foreach (var r in records)
        {
            var key = (DnsName.Normalize(r.Name), r.Type);
            if (!grouped.TryGetValue(key, out var set))
            {
                grouped[key] = set = ImmutableArray.CreateBuilder<DnsRecord>();
                order.Add(key);
            }
            set.Add(r);
        }
        var snapshot = Empty;
        var changes = new List<RRsetChange>(order.Count);
        foreach (var key in order) changes.Add(new RRsetChange(key.Owner, key.Type, grouped[key].ToImmutable()));
        return snapshot.Apply(changes);
    }

    /// <summary>This snapshot with each change applied in order: an RRset replaced, or removed when the change is empty.</summary>
    public RRsetSnapshot Apply(IEnumerable<RRsetChange> changes)
    {
        var names = _names.ToBuilder();
        foreach (var c in changes)
        {
            var owner = DnsName.Normalize(c.Owner);
            var types = names.TryGetValue(owner, out var t) ? t : NoTypes;
            types = c.Records.Count == 0 ? types.Remove(c.Type) : types.SetItem(c.Type, [.. c.Records]);
            if (types.IsEmpty) names.Remove(owner);
            else names[owner] = types;
        }
        return new RRsetSnapshot(names.ToImmutable());
    }

    public IReadOnlyList<DnsRecord>? Get(string owner, ushort type) =>
        _names.TryGetValue(DnsName.Normalize(owner), out var types) && types.TryGetValue(type, out var set) ? set : null;

    public bool NameInUse(string owner) => _names.ContainsKey(DnsName.Normalize(owner));

    public IEnumerable<ushort> TypesAt(string owner) =>
        _names.TryGetValue(DnsName.Normalize(owner), out var types) ? types.Keys : [];

    /// <summary>The number of RRsets.</summary>
    public int Count
    {
        get
        {
            var n = 0;
            foreach (var kv in _names) n += kv.Value.Count;
            return n;
        }
    }

    /// <summary>Every RRset, by owner (ordinal order of the normalized names) then type.</summary>
    public IEnumerable<RRsetChange> RRsets()
    {
        foreach (var (owner, types) in _names)
        {
            foreach (var (type, set) in types) yield return new RRsetChange(owner, type, set);
        }
    }

    /// <summary>Every record, in <see cref="RRsets"/> order.</summary>
    public IEnumerable<DnsRecord> Records()
    {
        foreach (var (_, types) in _names)
        {
            foreach (var (_, set) in types)
            {
                foreach (var r in set) yield return r;
            }
        }
    }
}
