using Akka.Dns.Wire;

namespace Akka.Dns.Dnssec;

/// <summary>
/// RFC 4034 §6: the canonical form of names and RDATA, and the canonical order of names (for NSEC chains) and of
/// the RRs of an RRset (for signing).
/// </summary>
public static class Canonical
{
    /// <summary>Writes <paramref name="name"/> in wire form with ASCII letters lower-cased (§6.2); returns octets or -1.</summary>
    public static int WriteName(string name, Span<byte> dest)
    {
        var n = DnsName.TryWrite(name, dest);
        if (n > 0) LowerName(dest[..n], 0);
        return n;
    }

    /// <summary>Lower-cases the uncompressed wire name at <paramref name="offset"/> in place; returns where it ends, or -1.</summary>
    internal static int LowerName(Span<byte> data, int offset)
    {
        var pos = offset;
        while (pos < data.Length)
        {
            var len = data[pos];
            if (len == 0) return pos + 1;
            if ((len & 0xC0) != 0 || pos + 1 + len > data.Length) return -1;
            for (var i = pos + 1; i <= pos + len; i++)
            {
                if (data[i] is >= (byte)'A' and <= (byte)'Z') data[i] |= 0x20;
            }
            pos += len + 1;
        }
        return -1;
    }

    /// <summary>
    /// True when RDATA of <paramref name="type"/> holds domain names that §6.2 (as corrected by RFC 6840 §5.1: not
    /// NSEC's next name, not HINFO) lower-cases.
    /// </summary>
    public static bool HasNamesToLower(ushort type) => type is RrType.NS or 3 or 4 or RrType.CNAME or RrType.SOA or 7 or 8 or 9
        or RrType.PTR or 14 or RrType.MX or 17 or 18 or 21 or 26 or RrType.NAPTR or 36 or RrType.SRV or RrType.DNAME
        or RrType.RRSIG or 24;

    /// <summary>
    /// Copies <paramref name="rdata"/> of <paramref name="type"/> into <paramref name="dest"/> in canonical form
    /// (embedded names lower-cased). Returns octets written; RDATA that does not parse as its type is copied as it is.
    /// </summary>
    public static int WriteRData(ushort type, ReadOnlySpan<byte> rdata, Span<byte> dest)
    {
        rdata.CopyTo(dest);
        var d = dest[..rdata.Length];
        if (!HasNamesToLower(type)) return rdata.Length;
        switch (type)
        {
            case RrType.NS or 3 or 4 or RrType.CNAME or 7 or 8 or 9 or RrType.PTR or RrType.DNAME:
                LowerName(d, 0);
                break;
            case RrType.SOA or 14 or 17: // SOA MINFO RP: two names first
            {
                var e = LowerName(d, 0);
                if (e > 0) LowerName(d, e);
                break;
            }
            case RrType.MX or 18 or 21 or 36: // MX AFSDB RT KX
                if (d.Length > 2) LowerName(d, 2);
                break;
            case 26: // PX
            {
                var e = d.Length > 2 ? LowerName(d, 2) : -1;
                if (e > 0) LowerName(d, e);
                break;
            }
            case RrType.SRV:
                if (d.Length > 6) LowerName(d, 6);
                break;
            case RrType.NAPTR:
            {
                var p = 4;
                for (var i = 0; i < 3 && p < d.Length; i++) p += 1 + d[p];
                if (p < d.Length) LowerName(d, p);
                break;
            }
            case RrType.RRSIG or 24:
                if (d.Length > 18) LowerName(d, 18);
                break;
        }
        return rdata.Length;
    }

    /// <summary>Canonical RDATA as a new array (or <paramref name="rdata"/> itself when nothing changes).</summary>
    public static byte[] RData(ushort type, byte[] rdata)
    {
        if (!HasNamesToLower(type)) return rdata;
        var c = new byte[rdata.Length];
        WriteRData(type, rdata, c);
        return c.AsSpan().SequenceEqual(rdata) ? rdata : c;
    }

    /// <summary>
    /// §6.1 canonical name order: labels compared right to left as lower-cased octet strings, a missing label
    /// sorting first (so "example." &lt; "a.example." &lt; "yljkjljk.a.example." &lt; "Z.a.example." &lt; "\001.z.example.").
    /// </summary>
    public static int CompareNames(string a, string b)
    {
        Span<byte> wa = stackalloc byte[DnsName.MaxWireLength + 2];
        Span<byte> wb = stackalloc byte[DnsName.MaxWireLength + 2];
        var na = WriteName(a, wa);
        var nb = WriteName(b, wb);
        if (na < 0 || nb < 0) throw new ArgumentException($"not a valid domain name: {(na < 0 ? a : b)}");
        return CompareWire(wa[..na], wb[..nb]);
    }

    /// <summary><see cref="CompareNames"/> over lower-cased wire names.</summary>
    public static int CompareWire(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Span<int> la = stackalloc int[128];
        Span<int> lb = stackalloc int[128];
        var ca = LabelOffsets(a, la);
        var cb = LabelOffsets(b, lb);
        for (int i = ca - 1, j = cb - 1; ; i--, j--)
        {
            if (i < 0) return j < 0 ? 0 : -1;
            if (j < 0) return 1;
            var x = a.Slice(la[i] + 1, a[la[i]]);
            var y = b.Slice(lb[j] + 1, b[lb[j]]);
            var c = x.SequenceCompareTo(y);
            if (c != 0) return c;
        }
    }

    private static int LabelOffsets(ReadOnlySpan<byte> name, Span<int> offsets)
    {
        var n = 0;
        for (var p = 0; p < name.Length && name[p] != 0; p += name[p] + 1) offsets[n++] = p;
        return n;
    }

    /// <summary>Orders names canonically (§6.1).</summary>
    public static readonly IComparer<string> NameOrder = Comparer<string>.Create(CompareNames);
}
