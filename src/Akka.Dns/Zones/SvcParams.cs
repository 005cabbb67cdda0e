using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Akka.Dns.Zones;

/// <summary>SVCB/HTTPS SvcParams (RFC 9460 §2.1, §7): presentation ↔ wire, written sorted by key.</summary>
internal static class SvcParams
{
    private static readonly string[] Names = ["mandatory", "alpn", "no-default-alpn", "port", "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp"];

    public static string KeyName(ushort key) => key < Names.Length ? Names[key] : "key" + key;

    public static bool TryParseKey(string text, out ushort key)
    {
        var i = Array.IndexOf(Names, text);
        if (i >= 0)
        {
            key = (ushort)i;
            return true;
        }
        key = 0;
        return text.StartsWith("key", StringComparison.Ordinal) && text.Length > 3
            && ushort.TryParse(text.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out key) && key != 65535;
    }

    public static void Parse(RDataBuilder b, RData.FieldReader r)
    {
        var parms = new SortedDictionary<ushort, byte[]>();
        while (r.Index < r.Count)
        {
            var token = r.Next("SvcParam");
            var eq = token.IndexOf('=');
            var keyText = eq < 0 ? token : token[..eq];
            string? value = eq < 0 ? null : token[(eq + 1)..];
            if (value is "") value = r.Next($"value of SvcParam '{keyText}'");      // key="quoted value"
            if (!TryParseKey(keyText, out var key)) throw new FormatException($"'{keyText}' is not a SvcParam key");
            if (parms.ContainsKey(key)) throw new FormatException($"SvcParam '{keyText}' is given twice");
            parms[key] = Value(key, keyText, value);
        }
        if (parms.TryGetValue(0, out var mandatory))
        {
            for (var i = 0; i < mandatory.Length; i += 2)
            {
                var k = BinaryPrimitives.ReadUInt16BigEndian(mandatory.AsSpan(i));
                if (k == 0) throw new FormatException("'mandatory' must not list itself");
                if (!parms.ContainsKey(k)) throw new FormatException($"mandatory SvcParam '{KeyName(k)}' is missing");
            }
        }
        foreach (var (key, value) in parms)
        {
            b.U16(key);
            b.U16((ushort)value.Length);
            b.Bytes(value);
        }
    }

    private static byte[] Value(ushort key, string keyText, string? value)
    {
        var needsValue = key is 0 or 1 or 3 or 4 or 5 or 6 or 7;
        if (needsValue && value is null) throw new FormatException($"SvcParam '{keyText}' needs a value");
        if (key is 2 or 8 && value is not null) throw new FormatException($"SvcParam '{keyText}' takes no value");
        if (value is null) return [];
        var raw = Presentation.Unescape(value);
        switch (key)
        {
            case 0:
            {
                var keys = new SortedSet<ushort>();
                foreach (var part in Encoding.UTF8.GetString(raw).Split(','))
                {
                    if (!TryParseKey(part, out var k)) throw new FormatException($"'{part}' in 'mandatory' is not a SvcParam key");
                    if (!keys.Add(k)) throw new FormatException($"'{part}' is listed twice in 'mandatory'");
                }
                var v = new byte[keys.Count * 2];
                var i = 0;
                foreach (var k in keys) BinaryPrimitives.WriteUInt16BigEndian(v.AsSpan(i++ * 2), k);
                return v;
            }
            case 1:
            {
                // Second escape level of RFC 9460 Appendix A.1: "\," and "\\" inside one protocol id.
                var result = new List<byte>();
                var id = new List<byte>();
                for (var i = 0; i <= raw.Length; i++)
                {
                    if (i == raw.Length || raw[i] == ',')
                    {
                        if (id.Count is 0 or > 255) throw new FormatException($"alpn '{value}' has an empty or too long protocol id");
                        result.Add((byte)id.Count);
                        result.AddRange(id);
                        id.Clear();
                        continue;
                    }
                    var c = raw[i];
                    if (c == '\\')
                    {
                        if (i + 1 >= raw.Length || raw[i + 1] is not ((byte)',' or (byte)'\\'))
                            throw new FormatException($"alpn '{value}' has a bad escape");
                        c = raw[++i];
                    }
                    id.Add(c);
                }
                return result.ToArray();
            }
            case 3:
            {
                if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    throw new FormatException($"port '{value}' is not a number from 0 to 65535");
                var v = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(v, port);
                return v;
            }
            case 4 or 6:
            {
                var result = new List<byte>();
                foreach (var part in Encoding.UTF8.GetString(raw).Split(','))
                    result.AddRange(key == 4 ? RData.Ipv4(part) : RData.Ipv6(part));
                return result.ToArray();
            }
            case 5:
                try
                {
                    return Convert.FromBase64String(Encoding.UTF8.GetString(raw));
                }
                catch (FormatException)
                {
                    throw new FormatException($"ech '{value}' is not base64");
                }
            default:
                return raw;
        }
    }

    public static bool ToText(StringBuilder sb, ReadOnlySpan<byte> data)
    {
        var last = -1;
        var pos = 0;
        while (pos < data.Length)
        {
            if (pos + 4 > data.Length) return false;
            var key = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            var len = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            pos += 4;
            if (key <= last || pos + len > data.Length) return false;
            last = key;
            var v = data.Slice(pos, len);
            pos += len;
            sb.Append(' ').Append(KeyName(key));
            switch (key)
            {
                case 0:
                    if (len == 0 || len % 2 != 0) return false;
                    sb.Append('=');
                    for (var i = 0; i < len; i += 2)
                    {
                        if (i > 0) sb.Append(',');
                        sb.Append(KeyName(BinaryPrimitives.ReadUInt16BigEndian(v[i..])));
                    }
                    break;
                case 1:
                {
                    if (len == 0) return false;
                    sb.Append("=\"");
                    for (var i = 0; i < len;)
                    {
                        var l = v[i++];
                        if (l == 0 || i + l > len) return false;
                        if (i > 1) sb.Append(',');
                        foreach (var c in v.Slice(i, l))
                        {
                            if (c == ',') sb.Append(@"\\,");
                            else if (c == '\\') sb.Append(@"\\\\");
                            else Presentation.AppendEscaped(sb, [c]);
                        }
                        i += l;
                    }
                    sb.Append('"');
                    break;
                }
                case 2 or 8:
                    if (len != 0) return false;
                    break;
                case 3:
                    if (len != 2) return false;
                    sb.Append('=').Append(BinaryPrimitives.ReadUInt16BigEndian(v));
                    break;
                case 4:
                case 6:
                {
                    var size = key == 4 ? 4 : 16;
                    if (len == 0 || len % size != 0) return false;
                    sb.Append('=');
                    for (var i = 0; i < len; i += size)
                    {
                        if (i > 0) sb.Append(',');
                        sb.Append(new IPAddress(v.Slice(i, size)));
                    }
                    break;
                }
                case 5:
                    if (len == 0) return false;
                    sb.Append('=').Append(Convert.ToBase64String(v));
                    break;
                default:
                    if (key == 7 && len == 0) return false;
                    if (len > 0)
                    {
                        sb.Append('=');
                        Presentation.AppendQuoted(sb, v);
                    }
                    break;
            }
        }
        return true;
    }
}
