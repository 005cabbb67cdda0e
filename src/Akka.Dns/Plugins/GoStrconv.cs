using System.Globalization;

namespace Akka.Dns.Plugins;

/// <summary>Go's strconv number parsing with Go's error text, for setups that quote it as CoreDNS does.</summary>
public static class GoStrconv
{
    /// <summary>Go's strconv.Atoi (64-bit int): optional sign, decimal digits; Go's error text.</summary>
    public static bool TryAtoi(string s, out long n, out string error)
    {
        error = "";
        var digits = s.Length > 0 && s[0] is '+' or '-' ? s[1..] : s;
        n = 0;
        if (digits.Length == 0 || digits.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            error = $"strconv.Atoi: parsing {GoNet.Quote(s)}: invalid syntax";
            return false;
        }
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
        {
            error = $"strconv.Atoi: parsing {GoNet.Quote(s)}: value out of range";
            return false;
        }
        return true;
    }
}
