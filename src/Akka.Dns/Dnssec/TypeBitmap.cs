using Akka.Dns.Wire;

namespace Akka.Dns.Dnssec;

/// <summary>
/// The NSEC/NSEC3 type bit maps field (RFC 4034 §4.1.2): for each window (high octet of the type) that has a type,
/// the window number, the length of its bitmap (1..32 octets, trailing zero octets dropped) and the bitmap, type
/// low octet 0 being the most significant bit of the first octet. Windows ascend.
/// </summary>
public static class TypeBitmap
{
    /// <summary>The most a bitmap can take: 256 windows of 2 + 32 octets.</summary>
    public const int MaxLength = 256 * 34;

    /// <summary>Octets <see cref="Write"/> needs for <paramref name="types"/> (any order, duplicates allowed).</summary>
    public static int Length(ReadOnlySpan<ushort> types)
    {
        Span<byte> lastOctet = stackalloc byte[256];
        Span<bool> used = stackalloc bool[256];
        lastOctet.Clear(); // the assembly skips locals init
        used.Clear();
        foreach (var t in types)
        {
            var w = t >> 8;
            var o = (byte)((t & 0xFF) >> 3);
            if (!used[w] || o > lastOctet[w]) lastOctet[w] = o;
            used[w] = true;
        }
        var n = 0;
        for (var w = 0; w < 256; w++)
        {
            if (used[w]) n += 2 + lastOctet[w] + 1;
        }
        return n;
    }

    /// <summary>Writes the bit map of <paramref name="types"/> (any order, duplicates allowed); returns octets written.</summary>
    public static int Write(ReadOnlySpan<ushort> types, Span<byte> dest)
    {
        var n = Length(types);
        if (dest.Length < n) throw new ArgumentException($"type bitmap needs {n} octets, got {dest.Length}", nameof(dest));
        Span<byte> bits = stackalloc byte[32];
        var pos = 0;
        for (var w = 0; w < 256; w++)
        {
            bits.Clear();
            var last = -1;
            foreach (var t in types)
            {
                if (t >> 8 != w) continue;
                var lo = t & 0xFF;
                bits[lo >> 3] |= (byte)(0x80 >> (lo & 7));
                if (lo >> 3 > last) last = lo >> 3;
            }
            if (last < 0) continue;
            dest[pos++] = (byte)w;
            dest[pos++] = (byte)(last + 1);
            bits[..(last + 1)].CopyTo(dest[pos..]);
            pos += last + 1;
        }
        return pos;
    }

    public static byte[] Encode(ReadOnlySpan<ushort> types)
    {
        var b = new byte[Length(types)];
        Write(types, b);
        return b;
    }

    /// <summary>Decodes a bit map into ascending types. False for a malformed one (windows out of order, bad lengths).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bitmap, out List<ushort> types)
    {
        types = [];
        var last = -1;
        var pos = 0;
        while (pos < bitmap.Length)
        {
            if (pos + 2 > bitmap.Length) return false;
            int w = bitmap[pos], len = bitmap[pos + 1];
            if (w <= last || len is 0 or > 32 || pos + 2 + len > bitmap.Length) return false;
            last = w;
            for (var i = 0; i < len; i++)
            {
                var b = bitmap[pos + 2 + i];
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((b & (0x80 >> bit)) != 0) types.Add((ushort)(w << 8 | i * 8 + bit));
                }
            }
            pos += 2 + len;
        }
        return true;
    }

    /// <summary>"A NS SOA RRSIG NSEC DNSKEY" (tests and logs).</summary>
    public static string ToText(IEnumerable<ushort> types) => string.Join(' ', types.Select(RrType.ToString));
}
