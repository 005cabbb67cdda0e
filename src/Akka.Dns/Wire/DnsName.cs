using System.Buffers;
using System.Text;

namespace Akka.Dns.Wire;

/// <summary>
/// Domain names in presentation format (RFC 1035 §5.1: dots between labels, <c>\.</c> and <c>\DDD</c> escapes,
/// trailing dot) and on the wire. Comparisons are ASCII case-insensitive, as DNS requires.
/// </summary>
public static class DnsName
{
    public const int MaxWireLength = 255;
    public const int MaxLabelLength = 63;
    public const string Root = ".";

    /// <summary>
    /// Reads a (possibly compressed) name starting at <paramref name="offset"/>. On success
    /// <paramref name="offset"/> is moved past the name as it appears at that position. Never throws.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> msg, ref int offset, out string name)
    {
        name = Root;
        Span<char> text = stackalloc char[MaxWireLength * 4 + 2];
        var len = 0;
        var pos = offset;
        var end = -1;          // where the name ends at its original position (after the first pointer)
        var wireLength = 0;
        var jumps = 0;
        while (true)
        {
            if (pos >= msg.Length) return false;
            var b = msg[pos];
            if (b == 0)
            {
                pos++;
                wireLength++;
                break;
            }
            switch (b & 0xC0)
            {
                case 0xC0:
                    if (pos + 1 >= msg.Length) return false;
                    if (++jumps > 126) return false;          // a pointer loop
                    var target = ((b & 0x3F) << 8) | msg[pos + 1];
                    if (end < 0) end = pos + 2;
                    pos = target;
                    continue;
                case 0x00:
                    if (pos + 1 + b > msg.Length) return false;
                    wireLength += b + 1;
                    if (wireLength + 1 > MaxWireLength) return false;
                    foreach (var c in msg.Slice(pos + 1, b))
                        len = AppendEscaped(text, len, c);
                    text[len++] = '.';
                    pos += b + 1;
                    continue;
                default:
                    return false;                             // 0x40 / 0x80 label types are obsolete
            }
        }
        offset = end < 0 ? pos : end;
        name = len == 0 ? Root : new string(text[..len]);
        return true;
    }

    /// <summary>Skips a name without decoding it.</summary>
    public static bool TrySkip(ReadOnlySpan<byte> msg, ref int offset)
    {
        var pos = offset;
        var labels = 0;
        while (true)
        {
            if (pos >= msg.Length) return false;
            var b = msg[pos];
            if (b == 0) { offset = pos + 1; return true; }
            if ((b & 0xC0) == 0xC0)
            {
                if (pos + 1 >= msg.Length) return false;
                offset = pos + 2;
                return true;
            }
            if ((b & 0xC0) != 0) return false;
            pos += b + 1;
            if (++labels > 127) return false;
        }
    }

    /// <summary>Escapes as miekg/dns's unpackDomainName does (isDomainNameLabelSpecial, then \DDD for unprintables).</summary>
    private static int AppendEscaped(Span<char> text, int len, byte c)
    {
        if (c is (byte)'.' or (byte)'\\' or (byte)'"' or (byte)'(' or (byte)')' or (byte)';' or (byte)' ' or (byte)'@' or (byte)'\'')
        {
            text[len++] = '\\';
            text[len++] = (char)c;
        }
        else if (c < 0x21 || c > 0x7E)
        {
            text[len++] = '\\';
            text[len++] = (char)('0' + c / 100);
            text[len++] = (char)('0' + c / 10 % 10);
            text[len++] = (char)('0' + c % 10);
        }
        else
        {
            text[len++] = (char)c;
        }
        return len;
    }

    /// <summary>Encodes a presentation-format name (relative names are taken as absolute). Returns bytes written, or -1.</summary>
    public static int TryWrite(string name, Span<byte> dest)
    {
        if (name.Length == 0 || name == Root)
        {
            if (dest.Length < 1) return -1;
            dest[0] = 0;
            return 1;
        }
        var pos = 0;
        var labelStart = 0;
        var labelLen = 0;
        if (dest.Length < 2) return -1;
        pos = 1;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            byte b;
            if (c == '.')
            {
                if (labelLen == 0) return -1;        // empty label
                dest[labelStart] = (byte)labelLen;
                labelStart = pos;
                labelLen = 0;
                if (i == name.Length - 1) break;
                if (pos >= dest.Length) return -1;
                pos++;
                continue;
            }
            if (c == '\\' && i + 1 < name.Length)
            {
                if (i + 3 < name.Length && char.IsAsciiDigit(name[i + 1]) && char.IsAsciiDigit(name[i + 2]) && char.IsAsciiDigit(name[i + 3]))
                {
                    var v = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
                    if (v > 255) return -1;
                    b = (byte)v;
                    i += 3;
                }
                else
                {
                    b = (byte)name[++i];
                }
            }
            else
            {
                if (c > 0xFF) return -1;
                b = (byte)c;
            }
            if (pos >= dest.Length || ++labelLen > MaxLabelLength) return -1;
            dest[pos++] = b;
        }
        if (labelLen > 0)
        {
            dest[labelStart] = (byte)labelLen;
            labelStart = pos;
        }
        if (labelStart >= dest.Length) return -1;
        dest[labelStart] = 0;
        var total = labelStart + 1;
        return total > MaxWireLength ? -1 : total;
    }

    /// <summary>Lower-cases and makes fully qualified.</summary>
    public static string Normalize(string name)
    {
        if (name.Length == 0) return Root;
        var lower = name.ToLowerInvariant();
        return lower.EndsWith('.') && !IsEscaped(lower, lower.Length - 1) ? lower : lower + ".";
    }

    public static bool IsValid(string name)
    {
        Span<byte> buf = stackalloc byte[MaxWireLength + 2];
        return TryWrite(name, buf) > 0;
    }

    public static bool EqualsIgnoreCase(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <paramref name="name"/> equals <paramref name="zone"/> or lies below it (label boundary).</summary>
    public static bool IsSubdomain(string name, string zone)
    {
        if (zone == Root) return true;
        if (name.Length < zone.Length) return false;
        if (!name.EndsWith(zone, StringComparison.OrdinalIgnoreCase)) return false;
        if (name.Length == zone.Length) return true;
        var i = name.Length - zone.Length - 1;
        return name[i] == '.' && !IsEscaped(name, i);
    }

    private static bool IsEscaped(string s, int i)
    {
        var n = 0;
        for (var j = i - 1; j >= 0 && s[j] == '\\'; j--) n++;
        return n % 2 == 1;
    }

    /// <summary>Index where the next label starts, or -1 at the root. ("a.b.c." → 2)</summary>
    public static int NextLabel(string name, int start)
    {
        for (var i = start; i < name.Length - 1; i++)
        {
            if (name[i] == '\\') { i++; continue; }
            if (name[i] == '.') return i + 1;
        }
        return -1;
    }

    public static int CountLabels(string name)
    {
        if (name.Length == 0 || name == Root) return 0;
        var n = 0;
        for (var i = 0; i >= 0; i = NextLabel(name, i)) n++;
        return n;
    }
}
