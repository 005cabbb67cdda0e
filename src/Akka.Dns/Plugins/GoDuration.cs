using System.Globalization;
using System.Text;

namespace Akka.Dns.Plugins;

/// <summary>
/// Go's time.ParseDuration and Duration.String, for Corefile arguments CoreDNS reads with them ("1h30m", "1.5s",
/// "300ms", "-2us") and for messages that print them ("5m0s"). Precision is 100 ns (a TimeSpan tick).
/// </summary>
public static class GoDuration
{
    private const long NsPerTick = 100;

    /// <summary>Parses <paramref name="s"/>; on failure <paramref name="error"/> is Go's message (<c>time: invalid duration "x"</c>).</summary>
    public static bool TryParse(string s, out TimeSpan value, out string error)
    {
        value = default;
        error = $"time: invalid duration {Quote(s)}";
        var i = 0;
        var neg = false;
        if (i < s.Length && (s[i] == '-' || s[i] == '+'))
        {
            neg = s[i] == '-';
            i++;
        }
        if (i == s.Length) return false;
        if (s.AsSpan(i) is "0")
        {
            error = "";
            return true;
        }
        decimal totalNs = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            var intPart = s[start..i];
            var fracPart = "";
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var f = i;
                while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
                fracPart = s[f..i];
            }
            if (intPart.Length == 0 && fracPart.Length == 0) return false;
            var u = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i])) i++;
            var unit = s[u..i];
            if (unit.Length == 0)
            {
                error = $"time: missing unit in duration {Quote(s)}";
                return false;
            }
            decimal scale = unit switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (scale < 0)
            {
                error = $"time: unknown unit {Quote(unit)} in duration {Quote(s)}";
                return false;
            }
            try
            {
                var number = decimal.Parse((intPart.Length == 0 ? "0" : intPart) + (fracPart.Length == 0 ? "" : "." + fracPart), CultureInfo.InvariantCulture);
                totalNs += number * scale;
            }
            catch (OverflowException)
            {
                return false;
            }
            if (totalNs > long.MaxValue) return false;
        }
        var ticks = (long)(totalNs / NsPerTick);
        value = TimeSpan.FromTicks(neg ? -ticks : ticks);
        error = "";
        return true;
    }

    /// <summary>Go's Duration.String: "1h2m3.5s", "5m0s", "1.5ms", "0s".</summary>
    public static string Format(TimeSpan d)
    {
        var ns = d.Ticks * NsPerTick;
        if (ns == 0) return "0s";
        var sb = new StringBuilder();
        if (ns < 0)
        {
            sb.Append('-');
            ns = -ns;
        }
        if (ns < 1_000_000_000)
        {
            // Below a second: the largest of ns, µs, ms that keeps a non-zero integer part.
            var (div, unit) = ns < 1_000 ? (1L, "ns") : ns < 1_000_000 ? (1_000L, "µs") : (1_000_000L, "ms");
            sb.Append(Fraction(ns, div)).Append(unit);
            return sb.ToString();
        }
        var h = ns / 3_600_000_000_000;
        ns -= h * 3_600_000_000_000;
        var m = ns / 60_000_000_000;
        ns -= m * 60_000_000_000;
        if (h > 0) sb.Append(h).Append('h');
        if (h > 0 || m > 0) sb.Append(m).Append('m');
        sb.Append(Fraction(ns, 1_000_000_000)).Append('s');
        return sb.ToString();
    }

    private static string Fraction(long value, long div)
    {
        var whole = value / div;
        var frac = value % div;
        if (frac == 0) return whole.ToString(CultureInfo.InvariantCulture);
        var digits = div.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole.ToString(CultureInfo.InvariantCulture) + "." + frac.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
