using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Akka.Dns.Plugins;

/// <summary>Go's <c>net.SplitHostPort</c> and <c>net.ParseIP</c>, for setups that must accept and reject exactly
/// what CoreDNS does (and word the error the same way).</summary>
public static class GoNet
{
    /// <summary>Splits "host:port", "[v6]:port" or ":port"; on failure <paramref name="error"/> is Go's
    /// "address ADDR: missing port in address" (or too many colons, missing ']', unexpected '[' or ']').</summary>
    public static bool TrySplitHostPort(string hostport, out string host, out string port, out string error)
    {
        host = port = error = "";
        int j = 0, k = 0;
        var i = hostport.LastIndexOf(':');
        if (i < 0) return Fail(hostport, "missing port in address", out error);

        if (hostport[0] == '[')
        {
            var end = hostport.IndexOf(']');
            if (end < 0) return Fail(hostport, "missing ']' in address", out error);
            if (end + 1 == hostport.Length) return Fail(hostport, "missing port in address", out error);
            if (end + 1 != i)
                return Fail(hostport, hostport[end + 1] == ':' ? "too many colons in address" : "missing port in address", out error);
            host = hostport[1..end];
            j = 1;
            k = end + 1;
        }
        else
        {
            host = hostport[..i];
            if (host.Contains(':')) return Fail(hostport, "too many colons in address", out error);
        }

        if (hostport.IndexOf('[', j) >= 0) return Fail(hostport, "unexpected '[' in address", out error);
        if (hostport.IndexOf(']', k) >= 0) return Fail(hostport, "unexpected ']' in address", out error);
        port = hostport[(i + 1)..];
        return true;
    }

    private static bool Fail(string addr, string why, out string error)
    {
        error = addr.Length == 0 ? why : $"address {addr}: {why}";
        return false;
    }

    /// <summary>Go's net.ParseIP: a dotted quad (four decimal octets, no leading zeros) or an IPv6 address
    /// without zone or brackets; null otherwise (IPAddress.TryParse would also take "10", "1.2.3" or "fe80::1%eth0").</summary>
    public static IPAddress? ParseIP(string text)
    {
        if (text.Length == 0 || text.Contains('%') || text.Contains('[') || text.Contains(']') || text.Contains('/')) return null;
        if (text.Contains(':'))
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;

        var parts = text.Split('.');
        if (parts.Length != 4) return null;
        var bytes = new byte[4];
        for (var n = 0; n < 4; n++)
        {
            var p = parts[n];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0')) return null;
            var v = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
            if (v > 255) return null;
            bytes[n] = (byte)v;
        }

        return new IPAddress(bytes);
    }

    /// <summary>Go's %q of a plain string: double quotes, with quote and backslash escaped.</summary>
    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
