using System.Globalization;
using System.Text;

namespace Akka.Dns.Plugins;

/// <summary>
/// Go's <c>time.ParseDuration</c> and <c>Duration.String</c>, so that setup errors quote durations the way CoreDNS
/// does ("timeout provided '48h0m0s' ..."). Durations are nanoseconds in a <see cref="long"/>, as in Go.
/// </summary>
public static class GoDuration
{
    private const long Nanosecond = 1;
    private const long Microsecond = 1000 * Nanosecond;
    private const long Millisecond = 1000 * Microsecond;
    private const long Second = 1000 * Millisecond;
    private const long Minute = 60 * Second;
    private const long Hour = 60 * Minute;

    /// <summary>Parses "300ms", "-1.5h", "2h45m"; on failure <paramref name="error"/> is Go's message.</summary>
    public static bool TryParse(string s, out long nanoseconds, out string error)
    {
        nanoseconds = 0;
        error = "";
        var orig = s;
        var invalid = "time: invalid duration " + Quote(orig);
        ulong d = 0;
        var neg = false;
        var i = 0;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            neg = s[0] == '-';
            i = 1;
        }

        if (s.Length - i == 1 && s[i] == '0') return true;
        if (s.Length == i)
        {
            error = invalid;
            return false;
        }

        while (i < s.Length)
        {
            if (!(s[i] == '.' || char.IsAsciiDigit(s[i])))
            {
                error = invalid;
                return false;
            }

            // [0-9]*
            var start = i;
            ulong v = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (v > (1UL << 63) / 10)
                {
                    error = invalid;
                    return false;
                }

                v = v * 10 + (ulong)(s[i] - '0');
                if (v > 1UL << 63)
                {
                    error = invalid;
                    return false;
                }

                i++;
            }

            var pre = i != start;

            // (\.[0-9]*)?
            ulong f = 0;
            double scale = 1;
            var post = false;
            if (i < s.Length && s[i] == '.')
            {
                i++;
                var fs = i;
                var overflow = false;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (!overflow)
                    {
                        if (f > (ulong.MaxValue >> 1) / 10) // past Go's leadingFraction limit: ignore further digits
                        {
                            overflow = true;
                        }
                        else
                        {
                            var y = f * 10 + (ulong)(s[i] - '0');
                            if (y > 1UL << 63)
                            {
                                overflow = true;
                            }
                            else
                            {
                                f = y;
                                scale *= 10;
                            }
                        }
                    }

                    i++;
                }

                post = i != fs;
            }

            if (!pre && !post)
            {
                error = invalid;
                return false;
            }

            // unit
            var us = i;
            while (i < s.Length && s[i] != '.' && !char.IsAsciiDigit(s[i])) i++;
            if (i == us)
            {
                error = "time: missing unit in duration " + Quote(orig);
                return false;
            }

            var u = s[us..i];
            long unit = u switch
            {
                "ns" => Nanosecond,
                "us" or "\u00b5s" or "\u03bcs" => Microsecond,
                "ms" => Millisecond,
                "s" => Second,
                "m" => Minute,
                "h" => Hour,
                _ => 0,
            };
            if (unit == 0)
            {
                error = "time: unknown unit " + Quote(u) + " in duration " + Quote(orig);
                return false;
            }

            if (v > (1UL << 63) / (ulong)unit)
            {
                error = invalid;
                return false;
            }

            v *= (ulong)unit;
            if (f > 0)
            {
                v += (ulong)(f * (unit / scale));
                if (v > 1UL << 63)
                {
                    error = invalid;
                    return false;
                }
            }

            d += v;
            if (d > 1UL << 63)
            {
                error = invalid;
                return false;
            }
        }

        if (neg)
        {
            nanoseconds = d == 1UL << 63 ? long.MinValue : -(long)d;
            return true;
        }

        if (d > long.MaxValue)
        {
            error = invalid;
            return false;
        }

        nanoseconds = (long)d;
        return true;
    }

    /// <summary>CoreDNS's durations.NewDurationFromArg: a bare integer is seconds, anything else is Go's syntax;
    /// the error is "failed to parse duration 'ARG'" (with the "s" appended to a bare integer).</summary>
    public static bool TryParseArg(string arg, out long nanoseconds, out string error)
    {
        if (long.TryParse(arg, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) arg += "s";
        if (TryParse(arg, out nanoseconds, out _))
        {
            error = "";
            return true;
        }

        error = $"failed to parse duration '{arg}'";
        return false;
    }

    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    /// <summary>Go's Duration.String: "0s", "1.5s", "500ms", "1h0m0s".</summary>
    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var neg = nanoseconds < 0;
        var u = neg ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var sb = new StringBuilder();
        if (u < (ulong)Second)
        {
            string unit;
            int prec;
            if (u < (ulong)Microsecond)
            {
                unit = "ns";
                prec = 0;
            }
            else if (u < (ulong)Millisecond)
            {
                unit = "\u00b5s";
                prec = 3;
            }
            else
            {
                unit = "ms";
                prec = 6;
            }

            sb.Append(Frac(u, prec, out var whole).Insert(0, whole.ToString(CultureInfo.InvariantCulture))).Append(unit);
        }
        else
        {
            var frac = Frac(u, 9, out var secs);
            var s = secs % 60;
            var minutes = secs / 60;
            var text = s.ToString(CultureInfo.InvariantCulture) + frac + "s";
            if (minutes > 0)
            {
                text = (minutes % 60).ToString(CultureInfo.InvariantCulture) + "m" + text;
                var hours = minutes / 60;
                if (hours > 0) text = hours.ToString(CultureInfo.InvariantCulture) + "h" + text;
            }

            sb.Append(text);
        }

        if (neg) sb.Insert(0, '-');
        return sb.ToString();
    }

    /// <summary>The fraction of v / 10^prec as ".123" without trailing zeros ("" when zero); the integer part out.</summary>
    private static string Frac(ulong v, int prec, out ulong whole)
    {
        var digits = new StringBuilder();
        var print = false;
        for (var i = 0; i < prec; i++)
        {
            var digit = v % 10;
            print = print || digit != 0;
            if (print) digits.Insert(0, (char)('0' + (int)digit));
            v /= 10;
        }

        whole = v;
        return print ? "." + digits : "";
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
