using System.Text;

namespace Akka.Dns.Zones;

/// <summary>Small text helpers shared by the master-file parser and writer: TTLs, escapes, hex, base32hex.</summary>
internal static class Presentation
{
    /// <summary>
    /// RFC 2308 / BIND TTL: a number of seconds or a sequence of number+unit (s, m, h, d, w, any case), e.g. "1h30m";
    /// a trailing bare number counts seconds ("1h30" = 3630), as miekg/dns's stringToTTL. False past 2^32-1.
    /// </summary>
    public static bool TryParseTtl(string text, out uint ttl)
    {
        ttl = 0;
        if (text.Length == 0 || !char.IsAsciiDigit(text[0])) return false;
        ulong total = 0, num = 0;
        var digits = false;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                num = num * 10 + (ulong)(c - '0');
                if (num > uint.MaxValue) return false;
                digits = true;
                continue;
            }
            if (!digits) return false;
            ulong unit = char.ToLowerInvariant(c) switch
            {
                's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, 'w' => 604800, _ => 0,
            };
            if (unit == 0) return false;
            total += num * unit;
            if (total > uint.MaxValue) return false;
            num = 0;
            digits = false;
        }
        total += num;
        if (total > uint.MaxValue) return false;
        ttl = (uint)total;
        return true;
    }

    /// <summary>
    /// Decodes RFC 1035 §5.1 escapes (<c>\DDD</c>, <c>\X</c>) in a character-string or other text field into octets;
    /// other characters are taken as UTF-8. Throws FormatException on a bad escape.
    /// </summary>
    public static byte[] Unescape(string text)
    {
        var ascii = true;
        foreach (var c in text)
        {
            if (c == '\\' || c > 0x7F) { ascii = false; break; }
        }
        if (ascii) return Encoding.ASCII.GetBytes(text);
        var result = new List<byte>(text.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (i + 1 >= text.Length) throw new FormatException($"'{text}' ends with a lone backslash");
                if (char.IsAsciiDigit(text[i + 1]))
                {
                    if (i + 3 >= text.Length || !char.IsAsciiDigit(text[i + 2]) || !char.IsAsciiDigit(text[i + 3])) throw BadDdd(text);
                    var v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                    if (v > 255) throw BadDdd(text);
                    result.Add((byte)v);
                    i += 3;
                    continue;
                }
                c = text[++i];
            }
            if (c <= 0x7F)
            {
                result.Add((byte)c);
            }
            else
            {
                var n = char.IsSurrogate(c) && i + 1 < text.Length
                    ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
                for (var k = 0; k < n; k++) result.Add(utf8[k]);
            }
        }
        return result.ToArray();
    }

    private static FormatException BadDdd(string text) => new($"'{text}' has a bad \\DDD escape");

    /// <summary>Appends octets as the inside of a quoted character-string (miekg/dns's sprintTxt escaping).</summary>
    public static void AppendEscaped(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\') sb.Append('\\').Append((char)b);
            else if (b < 0x20 || b > 0x7E) sb.Append('\\').Append((char)('0' + b / 100)).Append((char)('0' + b / 10 % 10)).Append((char)('0' + b % 10));
            else sb.Append((char)b);
        }
    }

    public static void AppendQuoted(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        sb.Append('"');
        AppendEscaped(sb, bytes);
        sb.Append('"');
    }

    public static bool TryDecodeHex(string text, List<byte> into)
    {
        if (text.Length % 2 != 0) return false;
        for (var i = 0; i < text.Length; i += 2)
        {
            var hi = HexValue(text[i]);
            var lo = HexValue(text[i + 1]);
            if (hi < 0 || lo < 0) return false;
            into.Add((byte)(hi << 4 | lo));
        }
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private const string Base32HexAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUV";

    /// <summary>RFC 4648 base32hex without padding (NSEC3 next hashed owner name).</summary>
    public static string ToBase32Hex(ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Base32HexAlphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(Base32HexAlphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }

    public static byte[]? FromBase32Hex(string text)
    {
        var result = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var ch in text)
        {
            var c = char.ToUpperInvariant(ch);
            int v = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'V' => c - 'A' + 10,
                _ => -1,
            };
            if (v < 0) return null;
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                result.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
            buffer &= (1 << bits) - 1;
        }
        // Leftover bits must be zero padding (fewer than 5 of them), as RFC 4648 canonical encoding.
        if (bits >= 5 || buffer != 0) return null;
        return result.ToArray();
    }
}

internal static class ZoneNames
{
    /// <summary>
    /// Resolves a name as written in a master file against <paramref name="origin"/>: "@" is the origin, a name
    /// ending in an unescaped dot is absolute, anything else is relative. Null when the result is not a valid name.
    /// </summary>
    public static string? Absolute(string token, string origin)
    {
        if (token.Length == 0) return null;
        string abs;
        if (token == "@") abs = origin;
        else if (IsFullyQualified(token)) abs = token;
        else if (origin == ".") abs = token + ".";
        else abs = string.Concat(token, ".", origin);
        Span<byte> tmp = stackalloc byte[Wire.DnsName.MaxWireLength + 2];
        return Wire.DnsName.TryWrite(abs, tmp) > 0 ? abs : null;
    }

    public static bool IsFullyQualified(string name)
    {
        if (name.Length == 0 || name[^1] != '.') return false;
        var n = 0;
        for (var j = name.Length - 2; j >= 0 && name[j] == '\\'; j--) n++;
        return n % 2 == 0;
    }

    public static string Fqdn(string name) => IsFullyQualified(name) ? name : name + ".";
}
