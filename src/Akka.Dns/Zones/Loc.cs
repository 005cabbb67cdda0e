using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Akka.Dns.Zones;

/// <summary>LOC (RFC 1876): <c>d [m [s]] N|S d [m [s]] E|W alt[m] [size[m] [hp[m] [vp[m]]]]</c>.</summary>
internal static class Loc
{
    private const uint Equator = 1u << 31;            // 2^31 thousandths of an arc second
    private const long AltitudeBase = 10_000_000;     // centimetres below the WGS 84 reference

    public static void Parse(RDataBuilder b, RData.FieldReader r)
    {
        var lat = Angle(r, 'N', 'S', 90, "latitude");
        var lon = Angle(r, 'E', 'W', 180, "longitude");
        var altText = r.Next("altitude");
        var alt = Metres(altText, "altitude", -100000m, 42849672.95m);
        byte size = 0x12, hp = 0x16, vp = 0x13;           // defaults: 1m, 10000m, 10m
        if (r.Index < r.Count) size = Precision(r.Next("size"), "size");
        if (r.Index < r.Count) hp = Precision(r.Next("horizontal precision"), "horizontal precision");
        if (r.Index < r.Count) vp = Precision(r.Next("vertical precision"), "vertical precision");
        b.U8(0);
        b.U8(size);
        b.U8(hp);
        b.U8(vp);
        b.U32(lat);
        b.U32(lon);
        b.U32((uint)(AltitudeBase + (long)(alt * 100)));
    }

    private static uint Angle(RData.FieldReader r, char positive, char negative, int maxDegrees, string what)
    {
        var parts = new List<string>(3);
        while (true)
        {
            var t = r.Next($"{what} hemisphere");
            if (t.Length == 1 && (char.ToUpperInvariant(t[0]) == positive || char.ToUpperInvariant(t[0]) == negative))
            {
                if (parts.Count == 0) throw new FormatException($"missing {what} degrees");
                var deg = Whole(parts[0], $"{what} degrees", maxDegrees);
                var min = parts.Count > 1 ? Whole(parts[1], $"{what} minutes", 59) : 0;
                var sec = parts.Count > 2 ? Seconds(parts[2], what) : 0;
                var ms = deg * 3_600_000L + min * 60_000L + sec;
                if (ms > maxDegrees * 3_600_000L) throw new FormatException($"{what} is beyond {maxDegrees} degrees");
                return char.ToUpperInvariant(t[0]) == positive ? (uint)(Equator + ms) : (uint)(Equator - ms);
            }
            if (parts.Count == 3) throw new FormatException($"'{t}' is not {positive} or {negative}");
            parts.Add(t);
        }
    }

    private static int Whole(string t, string what, int max)
    {
        if (!int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) || v > max)
            throw new FormatException($"{what} '{t}' is not a number from 0 to {max}");
        return v;
    }

    private static long Seconds(string t, string what)
    {
        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) || v >= 60 || decimal.Round(v, 3) != v)
            throw new FormatException($"{what} seconds '{t}' is not a number below 60 with at most 3 decimals");
        return (long)(v * 1000);
    }

    private static decimal Metres(string t, string what, decimal min, decimal max)
    {
        var s = t.EndsWith('m') || t.EndsWith('M') ? t[..^1] : t;
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            || v < min || v > max || decimal.Round(v, 2) != v)
            throw new FormatException($"{what} '{t}' is not a number of metres from {min} to {max} with at most 2 decimals");
        return v;
    }

    /// <summary>RFC 1876 size/precision: centimetres as mantissa × 10^exponent, both 0-9 (lower digits are dropped).</summary>
    private static byte Precision(string t, string what)
    {
        var cm = (ulong)(Metres(t, what, 0, 90000000m) * 100);
        var e = 0;
        while (cm >= 10)
        {
            cm /= 10;
            e++;
        }
        return (byte)((int)cm << 4 | e);
    }

    public static string? ToText(ReadOnlySpan<byte> d)
    {
        if (d.Length != 16 || d[0] != 0) return null;
        for (var i = 1; i < 4; i++)
        {
            int m = d[i] >> 4, e = d[i] & 0xF;
            if (m > 9 || e > 9 || (m == 0 && e != 0)) return null;
        }
        var sb = new StringBuilder();
        if (!AppendAngle(sb, BinaryPrimitives.ReadUInt32BigEndian(d[4..]), 'N', 'S', 90)) return null;
        sb.Append(' ');
        if (!AppendAngle(sb, BinaryPrimitives.ReadUInt32BigEndian(d[8..]), 'E', 'W', 180)) return null;
        var alt = (long)BinaryPrimitives.ReadUInt32BigEndian(d[12..]) - AltitudeBase;
        sb.Append(' ').Append((alt / 100m).ToString("0.00", CultureInfo.InvariantCulture)).Append('m');
        for (var i = 1; i < 4; i++)
        {
            decimal cm = d[i] >> 4;
            for (var e = d[i] & 0xF; e > 0; e--) cm *= 10;
            sb.Append(' ').Append((cm / 100m).ToString("0.##", CultureInfo.InvariantCulture)).Append('m');
        }
        return sb.ToString();
    }

    private static bool AppendAngle(StringBuilder sb, uint v, char positive, char negative, int maxDegrees)
    {
        var hemisphere = v >= Equator ? positive : negative;
        long ms = v >= Equator ? v - Equator : Equator - v;
        if (ms > maxDegrees * 3_600_000L) return false;
        sb.Append(ms / 3_600_000).Append(' ').Append(ms / 60_000 % 60).Append(' ')
            .Append((ms % 60_000 / 1000m).ToString("0.000", CultureInfo.InvariantCulture)).Append(' ').Append(hemisphere);
        return true;
    }
}
