using System.Buffers.Binary;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// RR equality as RFC 2136 §1.1.1 defines it, for duplicate detection and for deleting one RR: same type and RDATA,
/// the TTL (and the class, which the engine checks itself) left out. Domain names inside the RDATA of the RFC 1035
/// types (NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX) compare ASCII case-insensitively; every other RDATA,
/// including the names in SRV, NAPTR or RRSIG, compares octet by octet (RFC 3597 §6).
/// </summary>
public static class RRComparer
{
    public static bool Equal(DnsRecord a, DnsRecord b) => a.Type == b.Type && RDataEqual(a.Type, a.RData, b.RData);

    public static bool RDataEqual(ushort type, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) return false;
        var (start, end) = NameSpan(type, a.Length);
        if (start >= end) return a.SequenceEqual(b);
        return a[..start].SequenceEqual(b[..start])
            && FoldedEqual(a[start..end], b[start..end])
            && a[end..].SequenceEqual(b[end..]);
    }

    /// <summary>The serial of SOA RDATA (the first of its five trailing 32-bit fields).</summary>
    public static uint SoaSerial(ReadOnlySpan<byte> rdata) => BinaryPrimitives.ReadUInt32BigEndian(rdata[^20..]);

    /// <summary>RFC 1982 serial number arithmetic: true when <paramref name="a"/> is greater than <paramref name="b"/>.</summary>
    public static bool SerialGreater(uint a, uint b) => (int)(a - b) > 0;

    /// <summary>
    /// Where the names of an RFC 1035 type's RDATA lie (stored names are uncompressed, so the name octets are one
    /// run). Label length octets are at most 63 and never fall in 'A'..'Z', so folding the whole run is safe.
    /// </summary>
    private static (int Start, int End) NameSpan(ushort type, int length) => type switch
    {
        RrType.NS or 3 or 4 or RrType.CNAME or 7 or 8 or 9 or RrType.PTR or 14 => (0, length),
        RrType.SOA when length >= 20 => (0, length - 20),
        RrType.MX when length >= 2 => (2, length),
        _ => (0, 0),
    };

    private static bool FoldedEqual(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (Fold(a[i]) != Fold(b[i])) return false;
        }
        return true;

        static byte Fold(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c;
    }
}
