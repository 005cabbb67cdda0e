using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Dns.Wire;

namespace Akka.Dns.Zones;

/// <summary>
/// RDATA between presentation format (master files, RFC 1035 §5 and the RFCs of each type) and wire format
/// (names uncompressed and absolute). Any type may be written in RFC 3597 form, <c>\# length hex</c>.
/// </summary>
public static class RData
{
    /// <summary>
    /// Encodes the presentation tokens of one record's RDATA (quotes already removed, escapes still in place).
    /// Relative names are made absolute with <paramref name="origin"/>. Throws <see cref="FormatException"/>
    /// whose message reads "bad TYPE record: reason".
    /// </summary>
    public static byte[] Parse(ushort type, IReadOnlyList<string> fields, string origin)
    {
        var reader = new FieldReader(fields, ZoneNames.Fqdn(origin));
        try
        {
            return ParseCore(type, reader);
        }
        catch (FormatException e)
        {
            throw new RDataFormatException($"bad {RrType.ToString(type)} record: {e.Message}", reader.Last, e);
        }
    }

    /// <summary>A bad RDATA; <see cref="Field"/> is the index of the token at fault (-1 when there were none).</summary>
    internal sealed class RDataFormatException(string message, int field, Exception inner) : FormatException(message, inner)
    {
        public int Field { get; } = field;
    }

    /// <summary>
    /// Presentation format of wire RDATA; RFC 3597 <c>\# len hex</c> for unknown types, for malformed RDATA and for
    /// RDATA whose presentation would not parse back to the same octets (non-canonical type bitmaps, unsorted
    /// SvcParam lists, ...), so that <c>Parse(ToText(x)) == x</c> always holds.
    /// </summary>
    public static string ToText(ushort type, ReadOnlySpan<byte> rdata)
    {
        var text = TryToText(type, rdata);
        return text is not null && ParsesBackTo(type, text, rdata) ? text : Generic(rdata);
    }

    private static bool ParsesBackTo(ushort type, string text, ReadOnlySpan<byte> rdata)
    {
        var fields = new List<string>();
        if (!new ZoneLexer(text, "rdata").NextLine(fields, out _, out _)) return false;
        try
        {
            return ParseCore(type, new FieldReader(fields, ".")).AsSpan().SequenceEqual(rdata);
        }
        catch (FormatException)
        {
            return false;
        }
        catch (MasterFileException)
        {
            return false;
        }
    }

    /// <summary>RFC 3597 generic form.</summary>
    public static string Generic(ReadOnlySpan<byte> rdata) =>
        rdata.Length == 0 ? "\\# 0" : $"\\# {rdata.Length} {Convert.ToHexString(rdata)}";

    // ---------------------------------------------------------------- parse

    private static byte[] ParseCore(ushort type, FieldReader r)
    {
        if (r.Count > 0 && r.Peek() == "\\#") return ParseGeneric(type, r);
        var b = new RDataBuilder();
        switch (type)
        {
            case RrType.A:
                b.Bytes(Ipv4(r.Next("address")));
                break;
            case RrType.AAAA:
                b.Bytes(Ipv6(r.Next("address")));
                break;
            case RrType.NS:
                r.Name(b, "name server");
                break;
            case RrType.CNAME or RrType.DNAME or RrType.PTR or 3 or 4 or 7 or 8 or 9: // MD MF MB MG MR
                r.Name(b, "target");
                break;
            case RrType.SOA:
                r.Name(b, "primary name server");
                r.Name(b, "responsible mailbox");
                b.U32(r.U32("serial"));
                b.U32(r.Ttl("refresh"));
                b.U32(r.Ttl("retry"));
                b.U32(r.Ttl("expire"));
                b.U32(r.Ttl("minimum"));
                break;
            case RrType.MX or 18 or 21 or 36: // AFSDB RT KX
                b.U16(r.U16("preference"));
                r.Name(b, "exchange");
                break;
            case 14 or 17: // MINFO RP
                r.Name(b, "mailbox");
                r.Name(b, "second name");
                break;
            case RrType.TXT or 99 or 258: // SPF AVC
                Txt(b, r);
                break;
            case RrType.HINFO:
                Hinfo(b, r);
                break;
            case RrType.SRV:
                b.U16(r.U16("priority"));
                b.U16(r.U16("weight"));
                b.U16(r.U16("port"));
                r.Name(b, "target");
                break;
            case RrType.NAPTR:
                b.U16(r.U16("order"));
                b.U16(r.U16("preference"));
                CharString(b, r.Next("flags"), "flags");
                CharString(b, r.Next("services"), "services");
                CharString(b, r.Next("regexp"), "regexp");
                r.Name(b, "replacement");
                break;
            case RrType.CAA:
            {
                b.U8(r.U8("flags"));
                var tag = r.Next("tag");
                if (tag.Length is 0 or > 255 || !tag.All(char.IsAsciiLetterOrDigit))
                    throw new FormatException($"tag '{tag}' is not 1 to 255 letters and digits");
                b.U8((byte)tag.Length);
                b.Bytes(Encoding.ASCII.GetBytes(tag));
                b.Bytes(Presentation.Unescape(r.Next("value")));
                break;
            }
            case RrType.SSHFP:
                b.U8(r.U8("algorithm"));
                b.U8(r.U8("fingerprint type"));
                b.Bytes(r.HexRest("fingerprint"));
                break;
            case RrType.TLSA or 53: // SMIMEA
                b.U8(r.U8("certificate usage"));
                b.U8(r.U8("selector"));
                b.U8(r.U8("matching type"));
                b.Bytes(r.HexRest("certificate association data"));
                break;
            case RrType.DS or 59 or 32769: // CDS DLV
                b.U16(r.U16("key tag"));
                b.U8(r.Algorithm());
                b.U8(r.U8("digest type"));
                b.Bytes(r.HexRest("digest"));
                break;
            case RrType.DNSKEY or 60 or 25: // CDNSKEY KEY
                b.U16(r.U16("flags"));
                b.U8(r.U8("protocol"));
                b.U8(r.Algorithm());
                b.Bytes(r.Base64Rest("public key"));
                break;
            case RrType.RRSIG or 24: // SIG
                b.U16(r.Type("type covered"));
                b.U8(r.Algorithm());
                b.U8(r.U8("labels"));
                b.U32(r.U32("original TTL"));
                b.U32(r.Time("signature expiration"));
                b.U32(r.Time("signature inception"));
                b.U16(r.U16("key tag"));
                r.Name(b, "signer's name");
                b.Bytes(r.Base64Rest("signature"));
                break;
            case RrType.NSEC:
                r.Name(b, "next domain name");
                TypeBitmap(b, r);
                break;
            case RrType.NSEC3:
            {
                b.U8(r.U8("hash algorithm"));
                b.U8(r.U8("flags"));
                b.U16(r.U16("iterations"));
                Salt(b, r.Next("salt"));
                var next = r.Next("next hashed owner name");
                var hash = Presentation.FromBase32Hex(next);
                if (hash is null || hash.Length is 0 or > 255)
                    throw new FormatException($"next hashed owner name '{next}' is not base32hex");
                b.U8((byte)hash.Length);
                b.Bytes(hash);
                TypeBitmap(b, r);
                break;
            }
            case RrType.NSEC3PARAM:
                b.U8(r.U8("hash algorithm"));
                b.U8(r.U8("flags"));
                b.U16(r.U16("iterations"));
                Salt(b, r.Next("salt"));
                break;
            case RrType.SVCB or RrType.HTTPS:
                b.U16(r.U16("priority"));
                r.Name(b, "target");
                SvcParams.Parse(b, r);
                break;
            case 256: // URI
                b.U16(r.U16("priority"));
                b.U16(r.U16("weight"));
                b.Bytes(Presentation.Unescape(r.Next("target")));
                break;
            case 61 or 49: // OPENPGPKEY DHCID
                b.Bytes(r.Base64Rest("data"));
                break;
            case 63: // ZONEMD
                b.U32(r.U32("serial"));
                b.U8(r.U8("scheme"));
                b.U8(r.U8("hash algorithm"));
                b.Bytes(r.HexRest("digest"));
                break;
            case 62: // CSYNC
                b.U32(r.U32("serial"));
                b.U16(r.U16("flags"));
                TypeBitmap(b, r);
                break;
            case 29: // LOC
                Loc.Parse(b, r);
                break;
            default:
                throw new FormatException("no presentation format is known for this type; write it as '\\# length hex' (RFC 3597)");
        }
        r.End();
        return b.ToArray();
    }

    private static byte[] ParseGeneric(ushort type, FieldReader r)
    {
        r.Next("\\#");
        var lenText = r.Next("RFC 3597 length");
        if (!ushort.TryParse(lenText, NumberStyles.None, CultureInfo.InvariantCulture, out var len))
            throw new FormatException($"RFC 3597 length '{lenText}' is not a number from 0 to 65535");
        var data = r.Count > r.Index ? r.HexRest("RFC 3597 data") : [];
        if (data.Length != len)
            throw new FormatException($"RFC 3597 data has {data.Length} octets but the length says {len}");
        if (IsKnown(type) && TryToText(type, data) is null)
            throw new FormatException($"RFC 3597 data is not a valid {RrType.ToString(type)} RDATA");
        return data;
    }

    internal static byte[] Ipv4(string text)
    {
        var result = new byte[4];
        var part = 0;
        var value = -1;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                if (value == 0) throw NotIpv4(text);               // a leading zero (octal to some readers), refused as Go's net.ParseIP
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255) throw NotIpv4(text);
            }
            else if (c == '.' && value >= 0 && part < 3)
            {
                result[part++] = (byte)value;
                value = -1;
            }
            else
            {
                throw NotIpv4(text);
            }
        }
        if (part != 3 || value < 0) throw NotIpv4(text);
        result[3] = (byte)value;
        return result;
    }

    private static FormatException NotIpv4(string text) => new($"'{text}' is not an IPv4 address");

    internal static byte[] Ipv6(string text)
    {
        if (text.Contains(':') && !text.Contains('%') && !text.Contains('[') && !text.Contains('/')
            && IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6)
            return ip.GetAddressBytes();
        throw new FormatException($"'{text}' is not an IPv6 address");
    }

    private static void CharString(RDataBuilder b, string text, string what)
    {
        var bytes = Presentation.Unescape(text);
        if (bytes.Length > 255) throw new FormatException($"{what} is longer than 255 octets");
        b.U8((byte)bytes.Length);
        b.Bytes(bytes);
    }

    /// <summary>miekg/dns: every token is a string; a token longer than 255 octets is split into 255-octet strings.</summary>
    private static void Txt(RDataBuilder b, FieldReader r)
    {
        if (r.Index >= r.Count) throw r.Missing("text");
        while (r.Index < r.Count)
        {
            var bytes = Presentation.Unescape(r.Next("text"));
            var i = 0;
            do
            {
                var n = Math.Min(255, bytes.Length - i);
                b.U8((byte)n);
                b.Bytes(bytes.AsSpan(i, n));
                i += n;
            } while (i < bytes.Length);
        }
    }

    /// <summary>miekg/dns: one string is split at blanks (or gets an empty OS); strings past the second join the OS.</summary>
    private static void Hinfo(RDataBuilder b, FieldReader r)
    {
        var parts = new List<string>();
        while (r.Index < r.Count) parts.Add(r.Next("text"));
        if (parts.Count == 0) throw r.Missing("CPU and OS");
        if (parts.Count == 1)
        {
            var split = parts[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            parts = split.Length > 1 ? [.. split] : [parts[0], ""];
        }
        CharString(b, parts[0], "CPU");
        CharString(b, string.Join(' ', parts.Skip(1)), "OS");
    }

    private static void Salt(RDataBuilder b, string text)
    {
        if (text == "-")
        {
            b.U8(0);
            return;
        }
        var bytes = new List<byte>();
        if (!Presentation.TryDecodeHex(text, bytes) || bytes.Count > 255)
            throw new FormatException($"salt '{text}' is not '-' or up to 255 octets of hex");
        b.U8((byte)bytes.Count);
        b.Bytes(bytes.ToArray());
    }

    private static void TypeBitmap(RDataBuilder b, FieldReader r)
    {
        var types = new SortedSet<ushort>();
        while (r.Index < r.Count) types.Add(r.Type("type in the type bitmap"));
        var window = -1;
        Span<byte> bits = stackalloc byte[32];
        var used = 0;
        foreach (var t in types)
        {
            if (t >> 8 != window)
            {
                if (window >= 0) Flush(b, window, bits, used);
                window = t >> 8;
                bits.Clear();
                used = 0;
            }
            var low = t & 0xFF;
            bits[low / 8] |= (byte)(0x80 >> (low % 8));
            used = low / 8 + 1;
        }
        if (window >= 0) Flush(b, window, bits, used);

        static void Flush(RDataBuilder b, int window, ReadOnlySpan<byte> bits, int used)
        {
            b.U8((byte)window);
            b.U8((byte)used);
            b.Bytes(bits[..used]);
        }
    }

    private static readonly Dictionary<string, byte> Algorithms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RSAMD5"] = 1, ["DH"] = 2, ["DSA"] = 3, ["RSASHA1"] = 5, ["DSA-NSEC3-SHA1"] = 6, ["RSASHA1-NSEC3-SHA1"] = 7,
        ["RSASHA256"] = 8, ["RSASHA512"] = 10, ["ECC-GOST"] = 12, ["ECDSAP256SHA256"] = 13, ["ECDSAP384SHA384"] = 14,
        ["ED25519"] = 15, ["ED448"] = 16, ["INDIRECT"] = 252, ["PRIVATEDNS"] = 253, ["PRIVATEOID"] = 254,
    };

    /// <summary>The presentation tokens of one RDATA, read in order; every reader throws a FormatException naming the field.</summary>
    internal sealed class FieldReader(IReadOnlyList<string> fields, string origin)
    {
        public int Index { get; private set; }
        public int Count => fields.Count;

        /// <summary>The token read last (the one an error is about); the last token when one is missing.</summary>
        public int Last { get; private set; } = -1;
        public string Origin => origin;

        public string Peek() => fields[Index];

        public string Next(string what)
        {
            if (Index >= fields.Count) throw Missing(what);
            Last = Index;
            return fields[Index++];
        }

        public void End()
        {
            if (Index < fields.Count)
            {
                Last = Index;
                throw new FormatException($"unexpected '{fields[Index]}' after the RDATA");
            }
        }

        public FormatException Missing(string what)
        {
            Last = fields.Count - 1;
            return new FormatException($"missing {what}");
        }

        private ulong Number(string what, ulong max)
        {
            var t = Next(what);
            if (!ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v > max)
                throw new FormatException($"{what} '{t}' is not a number from 0 to {max}");
            return v;
        }

        public byte U8(string what) => (byte)Number(what, byte.MaxValue);
        public ushort U16(string what) => (ushort)Number(what, ushort.MaxValue);
        public uint U32(string what) => (uint)Number(what, uint.MaxValue);

        public uint Ttl(string what)
        {
            var t = Next(what);
            if (!Presentation.TryParseTtl(t, out var v)) throw new FormatException($"{what} '{t}' is not a time value");
            return v;
        }

        public byte Algorithm()
        {
            var t = Next("algorithm");
            if (byte.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
            if (Algorithms.TryGetValue(t, out v)) return v;
            throw new FormatException($"algorithm '{t}' is not a number from 0 to 255 or a DNSSEC algorithm name");
        }

        public ushort Type(string what)
        {
            var t = Next(what);
            if (!RrType.TryParse(t, out var v)) throw new FormatException($"{what} '{t}' is not an RR type");
            return v;
        }

        /// <summary>RRSIG times: YYYYMMDDHHmmSS (UTC, taken modulo 2^32 as RFC 4034 §3.1.5) or seconds since the epoch.</summary>
        public uint Time(string what)
        {
            var t = Next(what);
            if (t.Length == 14 && DateTime.TryParseExact(t, "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
                return (uint)(ulong)(new DateTimeOffset(dt, TimeSpan.Zero).ToUnixTimeSeconds() & 0xFFFFFFFF);
            if (t.Length <= 10 && uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
            throw new FormatException($"{what} '{t}' is not YYYYMMDDHHmmSS or a number of seconds");
        }

        public void Name(RDataBuilder b, string what)
        {
            var t = Next(what);
            var abs = ZoneNames.Absolute(t, origin);
            if (abs is null || !b.Name(abs)) throw new FormatException($"{what} '{t}' is not a valid domain name");
        }

        /// <summary>Hex that may be split across the remaining tokens (at least one).</summary>
        public byte[] HexRest(string what)
        {
            if (Index >= fields.Count) throw Missing(what);
            var bytes = new List<byte>();
            while (Index < fields.Count)
            {
                Last = Index;
                var t = fields[Index++];
                if (!Presentation.TryDecodeHex(t, bytes)) throw new FormatException($"{what} '{t}' is not hex");
            }
            return bytes.ToArray();
        }

        /// <summary>Base64 that may be split across the remaining tokens (at least one).</summary>
        public byte[] Base64Rest(string what)
        {
            if (Index >= fields.Count) throw Missing(what);
            var sb = new StringBuilder();
            var first = Index;
            while (Index < fields.Count) sb.Append(fields[Index++]);
            Last = first;
            try
            {
                return Convert.FromBase64String(sb.ToString());
            }
            catch (FormatException)
            {
                throw new FormatException($"{what} is not base64");
            }
        }
    }

    // ---------------------------------------------------------------- to text

    private static bool IsKnown(ushort type) => type switch
    {
        RrType.A or RrType.AAAA or RrType.NS or RrType.CNAME or RrType.DNAME or RrType.PTR or 3 or 4 or 7 or 8 or 9
            or RrType.SOA or RrType.MX or 18 or 21 or 36 or 14 or 17 or RrType.TXT or 99 or 258 or 29 or RrType.HINFO or RrType.SRV
            or RrType.NAPTR or RrType.CAA or RrType.SSHFP or RrType.TLSA or 53 or RrType.DS or 59 or 32769
            or RrType.DNSKEY or 60 or 25 or RrType.RRSIG or 24 or RrType.NSEC or RrType.NSEC3 or RrType.NSEC3PARAM
            or RrType.SVCB or RrType.HTTPS or 256 or 61 or 49 or 63 or 62 => true,
        _ => false,
    };

    /// <summary>Presentation format, or null for an unknown type or RDATA that does not decode.</summary>
    internal static string? TryToText(ushort type, ReadOnlySpan<byte> rdata)
    {
        var sb = new StringBuilder();
        var r = new SpanReader(rdata);
        switch (type)
        {
            case RrType.A:
                if (rdata.Length != 4) return null;
                return new IPAddress(rdata).ToString();
            case RrType.AAAA:
                if (rdata.Length != 16) return null;
                return new IPAddress(rdata).ToString();
            case RrType.NS or RrType.CNAME or RrType.DNAME or RrType.PTR or 3 or 4 or 7 or 8 or 9:
                if (!r.Name(sb)) return null;
                break;
            case RrType.SOA:
                if (!r.Name(sb) || !r.Sp(sb).Name(sb)) return null;
                for (var i = 0; i < 5; i++)
                    if (!r.Sp(sb).U32(sb)) return null;
                break;
            case RrType.MX or 18 or 21 or 36:
                if (!r.U16(sb) || !r.Sp(sb).Name(sb)) return null;
                break;
            case 14 or 17:
                if (!r.Name(sb) || !r.Sp(sb).Name(sb)) return null;
                break;
            case 29:
                return Loc.ToText(rdata);
            case RrType.TXT or 99 or 258:
                if (r.AtEnd) return null;
                while (!r.AtEnd)
                {
                    if (sb.Length > 0) sb.Append(' ');
                    if (!r.CharString(sb)) return null;
                }
                break;
            case RrType.HINFO:
                if (!r.CharString(sb) || !r.Sp(sb).CharString(sb)) return null;
                break;
            case RrType.SRV:
                if (!r.U16(sb) || !r.Sp(sb).U16(sb) || !r.Sp(sb).U16(sb) || !r.Sp(sb).Name(sb)) return null;
                break;
            case RrType.NAPTR:
                if (!r.U16(sb) || !r.Sp(sb).U16(sb) || !r.Sp(sb).CharString(sb) || !r.Sp(sb).CharString(sb)
                    || !r.Sp(sb).CharString(sb) || !r.Sp(sb).Name(sb)) return null;
                break;
            case RrType.CAA:
            {
                if (!r.U8(sb) || !r.Sp(sb).TryTake(1, out var tl) || !r.TryTake(tl[0], out var tag) || tag.Length == 0) return null;
                foreach (var c in tag)
                    if (!char.IsAsciiLetterOrDigit((char)c)) return null;
                sb.Append(Encoding.ASCII.GetString(tag)).Append(' ');
                Presentation.AppendQuoted(sb, r.Rest());
                return sb.ToString();
            }
            case RrType.SSHFP:
                if (!r.U8(sb) || !r.Sp(sb).U8(sb) || r.AtEnd) return null;
                sb.Append(' ').Append(Convert.ToHexString(r.Rest()));
                return sb.ToString();
            case RrType.TLSA or 53:
                if (!r.U8(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U8(sb) || r.AtEnd) return null;
                sb.Append(' ').Append(Convert.ToHexString(r.Rest()));
                return sb.ToString();
            case RrType.DS or 59 or 32769:
                if (!r.U16(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U8(sb) || r.AtEnd) return null;
                sb.Append(' ').Append(Convert.ToHexString(r.Rest()));
                return sb.ToString();
            case RrType.DNSKEY or 60 or 25:
                if (!r.U16(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U8(sb) || r.AtEnd) return null;
                sb.Append(' ').Append(Convert.ToBase64String(r.Rest()));
                return sb.ToString();
            case RrType.RRSIG or 24:
            {
                if (!r.TryU16(out var covered)) return null;
                sb.Append(RrType.ToString(covered));
                if (!r.Sp(sb).U8(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U32(sb) || !r.Sp(sb).Time(sb) || !r.Sp(sb).Time(sb)
                    || !r.Sp(sb).U16(sb) || !r.Sp(sb).Name(sb) || r.AtEnd) return null;
                sb.Append(' ').Append(Convert.ToBase64String(r.Rest()));
                return sb.ToString();
            }
            case RrType.NSEC:
                if (!r.Name(sb) || !r.Bitmap(sb)) return null;
                break;
            case RrType.NSEC3:
            {
                if (!r.U8(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U16(sb) || !r.Sp(sb).Salt(sb)) return null;
                if (!r.TryTake(1, out var hl) || hl[0] == 0 || !r.TryTake(hl[0], out var hash)) return null;
                sb.Append(' ').Append(Presentation.ToBase32Hex(hash));
                if (!r.Bitmap(sb)) return null;
                break;
            }
            case RrType.NSEC3PARAM:
                if (!r.U8(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U16(sb) || !r.Sp(sb).Salt(sb)) return null;
                break;
            case RrType.SVCB or RrType.HTTPS:
                if (!r.U16(sb) || !r.Sp(sb).Name(sb)) return null;
                if (!SvcParams.ToText(sb, r.Rest())) return null;
                return sb.ToString();
            case 256:
                if (!r.U16(sb) || !r.Sp(sb).U16(sb)) return null;
                sb.Append(' ');
                Presentation.AppendQuoted(sb, r.Rest());
                return sb.ToString();
            case 61 or 49:
                if (r.AtEnd) return null;
                return Convert.ToBase64String(r.Rest());
            case 63:
                if (!r.U32(sb) || !r.Sp(sb).U8(sb) || !r.Sp(sb).U8(sb) || r.AtEnd) return null;
                sb.Append(' ').Append(Convert.ToHexString(r.Rest()));
                return sb.ToString();
            case 62:
                if (!r.U32(sb) || !r.Sp(sb).U16(sb) || !r.Bitmap(sb)) return null;
                break;
            default:
                return null;
        }
        return r.AtEnd ? sb.ToString() : null;
    }

    /// <summary>Reads wire RDATA in order, appending presentation text; every method returns false on malformed data.</summary>
    internal ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _pos;

        public readonly bool AtEnd => _pos >= _data.Length;

        [UnscopedRef]
        public ref SpanReader Sp(StringBuilder sb)
        {
            sb.Append(' ');
            return ref this;
        }

        public bool TryTake(int n, out ReadOnlySpan<byte> span)
        {
            if (_pos + n > _data.Length)
            {
                span = default;
                return false;
            }
            span = _data.Slice(_pos, n);
            _pos += n;
            return true;
        }

        public ReadOnlySpan<byte> Rest()
        {
            var s = _data[_pos..];
            _pos = _data.Length;
            return s;
        }

        public bool TryU16(out ushort v)
        {
            v = 0;
            if (!TryTake(2, out var s)) return false;
            v = BinaryPrimitives.ReadUInt16BigEndian(s);
            return true;
        }

        public bool U8(StringBuilder sb)
        {
            if (!TryTake(1, out var s)) return false;
            sb.Append(s[0]);
            return true;
        }

        public bool U16(StringBuilder sb)
        {
            if (!TryU16(out var v)) return false;
            sb.Append(v);
            return true;
        }

        public bool U32(StringBuilder sb)
        {
            if (!TryTake(4, out var s)) return false;
            sb.Append(BinaryPrimitives.ReadUInt32BigEndian(s));
            return true;
        }

        public bool Time(StringBuilder sb)
        {
            if (!TryTake(4, out var s)) return false;
            var t = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(s));
            sb.Append(t.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
            return true;
        }

        /// <summary>An uncompressed name (stored RDATA never holds compression pointers).</summary>
        public bool Name(StringBuilder sb)
        {
            var p = _pos;
            while (true)
            {
                if (p >= _data.Length) return false;
                var l = _data[p];
                if (l == 0) break;
                if ((l & 0xC0) != 0) return false;
                p += l + 1;
            }
            var off = _pos;
            if (!DnsName.TryRead(_data, ref off, out var name)) return false;
            _pos = off;
            sb.Append(name);
            return true;
        }

        public bool CharString(StringBuilder sb)
        {
            if (!TryTake(1, out var l) || !TryTake(l[0], out var s)) return false;
            Presentation.AppendQuoted(sb, s);
            return true;
        }

        public bool Salt(StringBuilder sb)
        {
            if (!TryTake(1, out var l) || !TryTake(l[0], out var s)) return false;
            sb.Append(s.Length == 0 ? "-" : Convert.ToHexString(s));
            return true;
        }

        public bool Bitmap(StringBuilder sb)
        {
            var last = -1;
            while (!AtEnd)
            {
                if (!TryTake(2, out var h)) return false;
                int window = h[0], len = h[1];
                if (window <= last || len is 0 or > 32 || !TryTake(len, out var bits)) return false;
                last = window;
                for (var i = 0; i < len; i++)
                {
                    for (var bit = 0; bit < 8; bit++)
                    {
                        if ((bits[i] & (0x80 >> bit)) != 0) sb.Append(' ').Append(RrType.ToString((ushort)(window << 8 | i * 8 + bit)));
                    }
                }
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- from a message

    /// <summary>
    /// Copies the RDATA of a record inside a whole DNS message, decompressing the names that RFC 1035 and RFC 3597 §4
    /// allow to be compressed (and that servers do compress: SRV, NAPTR, RRSIG signer, NSEC next). Other types are
    /// copied as they are. False when the names or the fixed fields around them are malformed, when A/AAAA RDATA has
    /// the wrong length, or when anything runs past <paramref name="length"/>; the other fields are not checked.
    /// </summary>
    public static bool TryReadFromMessage(ushort type, ReadOnlySpan<byte> message, int offset, int length, out byte[] rdata)
    {
        rdata = [];
        if (offset < 0 || length < 0 || offset + length > message.Length) return false;
        var end = offset + length;
        var b = new RDataBuilder();
        var pos = offset;
        switch (type)
        {
            case RrType.A or RrType.AAAA:
                if (length != (type == RrType.A ? 4 : 16)) return false;
                rdata = message.Slice(offset, length).ToArray();
                return true;
            case RrType.NS or RrType.CNAME or RrType.DNAME or RrType.PTR or 3 or 4 or 7 or 8 or 9:
                if (!Name(message, ref pos, end, b)) return false;
                break;
            case RrType.SOA:
                if (!Name(message, ref pos, end, b) || !Name(message, ref pos, end, b) || !Fixed(message, ref pos, end, 20, b)) return false;
                break;
            case RrType.MX or 18 or 21 or 36:
                if (!Fixed(message, ref pos, end, 2, b) || !Name(message, ref pos, end, b)) return false;
                break;
            case 14 or 17:
                if (!Name(message, ref pos, end, b) || !Name(message, ref pos, end, b)) return false;
                break;
            case 26: // PX
                if (!Fixed(message, ref pos, end, 2, b) || !Name(message, ref pos, end, b) || !Name(message, ref pos, end, b)) return false;
                break;
            case RrType.SRV:
                if (!Fixed(message, ref pos, end, 6, b) || !Name(message, ref pos, end, b)) return false;
                break;
            case RrType.NAPTR:
                if (!Fixed(message, ref pos, end, 4, b)) return false;
                for (var i = 0; i < 3; i++)
                {
                    if (pos >= end || !Fixed(message, ref pos, end, 1 + message[pos], b)) return false;
                }
                if (!Name(message, ref pos, end, b)) return false;
                break;
            case RrType.RRSIG or 24:
                if (!Fixed(message, ref pos, end, 18, b) || !Name(message, ref pos, end, b)) return false;
                b.Bytes(message[pos..end]);
                pos = end;
                break;
            case RrType.NSEC:
                if (!Name(message, ref pos, end, b)) return false;
                b.Bytes(message[pos..end]);
                pos = end;
                break;
            default:
                rdata = message.Slice(offset, length).ToArray();
                return true;
        }
        if (pos != end) return false;
        rdata = b.ToArray();
        return true;

        static bool Fixed(ReadOnlySpan<byte> m, ref int pos, int end, int n, RDataBuilder b)
        {
            if (pos + n > end) return false;
            b.Bytes(m.Slice(pos, n));
            pos += n;
            return true;
        }

        static bool Name(ReadOnlySpan<byte> m, ref int pos, int end, RDataBuilder b)
        {
            return DnsName.TryRead(m, ref pos, out var name) && pos <= end && b.Name(name);
        }
    }
}
