using System.Buffers.Binary;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// How an RRset travels in DistributedData: key "owner|type" (owner lower case, fully qualified; type as a
/// number), value the records' TTL, class and RDATA in wire form, base64 ("" = no records: deleted).
/// </summary>
public static class RRsetCodec
{
    public static string Key(string owner, ushort type) => DnsName.Normalize(owner) + "|" + type;

    /// <summary>The overlay as RRset changes (entries that do not decode are skipped).</summary>
    public static IEnumerable<RRsetChange> Changes(IEnumerable<KeyValuePair<string, string>> overlay)
    {
        foreach (var (key, value) in overlay)
            if (TryParseKey(key, out var owner, out var type))
                yield return new RRsetChange(owner, type, Decode(owner, type, value));
    }

    public static bool TryParseKey(string key, out string owner, out ushort type)
    {
        var bar = key.LastIndexOf('|');
        owner = bar > 0 ? key[..bar] : "";
        type = 0;
        return bar > 0 && ushort.TryParse(key.AsSpan(bar + 1), out type);
    }

    public static string Encode(IReadOnlyList<DnsRecord> records)
    {
        if (records.Count == 0) return "";
        var size = 0;
        foreach (var rr in records) size += 8 + rr.RData.Length;
        var buf = new byte[size];
        var off = 0;
        foreach (var rr in records)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(off), rr.Ttl);
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(off + 4), rr.Class);
            BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(off + 6), (ushort)rr.RData.Length);
            rr.RData.CopyTo(buf.AsSpan(off + 8));
            off += 8 + rr.RData.Length;
        }
        return Convert.ToBase64String(buf);
    }

    /// <summary>The records of one value; an empty list for "" or a value that does not decode.</summary>
    public static IReadOnlyList<DnsRecord> Decode(string owner, ushort type, string value)
    {
        if (value.Length == 0) return [];
        byte[] buf;
        try
        {
            buf = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            return [];
        }
        var list = new List<DnsRecord>();
        var off = 0;
        while (off + 8 <= buf.Length)
        {
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(buf.AsSpan(off));
            var cls = BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(off + 4));
            var len = BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(off + 6));
            if (off + 8 + len > buf.Length) return [];
            list.Add(new DnsRecord(owner, type, cls, ttl, buf.AsSpan(off + 8, len).ToArray()));
            off += 8 + len;
        }
        return list;
    }
}
