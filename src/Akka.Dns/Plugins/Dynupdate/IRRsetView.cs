using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// A read-only view of one zone's data, by RRset, for <see cref="UpdateEngine"/>. Owner names are compared
/// case-insensitively (an implementation may expect them fully qualified, with the trailing dot).
/// </summary>
public interface IRRsetView
{
    /// <summary>The RRset <paramref name="owner"/>/<paramref name="type"/>; null or empty when there is none.</summary>
    IReadOnlyList<DnsRecord>? Get(string owner, ushort type);

    /// <summary>True when at least one RR is owned by <paramref name="owner"/> (RFC 2136 §2.4.4: an empty non-terminal is not in use).</summary>
    bool NameInUse(string owner);

    /// <summary>The types of the non-empty RRsets at <paramref name="owner"/>.</summary>
    IEnumerable<ushort> TypesAt(string owner);
}

/// <summary>
/// The new content of one RRset after an update: <see cref="Owner"/> is the normalized key (lower case, fully
/// qualified), <see cref="Records"/> the whole new RRset (records keep their owner as sent); empty means deleted.
/// </summary>
public sealed record RRsetChange(string Owner, ushort Type, IReadOnlyList<DnsRecord> Records)
{
    public bool IsDeletion => Records.Count == 0;

    public override string ToString() =>
        IsDeletion ? $"{Owner} {RrType.ToString(Type)} deleted" : $"{Owner} {RrType.ToString(Type)} = [{string.Join("; ", Records)}]";
}

/// <summary>
/// What an UPDATE did: its <see cref="Rcode"/> and, on NOERROR, the RRsets it changed, each once, in the order they
/// were first touched (the zone's SOA last when its serial was incremented). The caller commits them atomically; an
/// error rcode never comes with changes.
/// </summary>
public sealed record UpdateResult(int Rcode, IReadOnlyList<RRsetChange> Changes)
{
    public static UpdateResult Error(int rcode) => new(rcode, []);

    public override string ToString() => $"{Wire.Rcode.ToString(Rcode)} ({Changes.Count} change(s))";
}
