namespace Akka.Dns.Plugins.Hosts;

/// <summary>CoreDNS's dnsutil.ExtractAddressFromReverse followed by parseIP(..).String(): a reverse name to the
/// address text <see cref="HostsMap"/> keys PTR data by, or null when the name is not a reverse name of an address.</summary>
public static class ReverseName
{
    private const string V4Suffix = ".in-addr.arpa.";
    private const string V6Suffix = ".ip6.arpa.";

    /// <param name="name">A lower-cased, fully qualified name.</param>
    public static string? ToAddressKey(string name)
    {
        string text;
        if (name.EndsWith(V4Suffix, StringComparison.Ordinal))
        {
            // The labels reversed and joined with dots must be a dotted quad.
            var labels = name[..^V4Suffix.Length].Split('.');
            Array.Reverse(labels);
            text = string.Join('.', labels);
            var ip = GoNet.ParseIP(text);
            return ip is null || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ? null : ip.ToString();
        }

        if (name.EndsWith(V6Suffix, StringComparison.Ordinal))
        {
            // Reversed, taken four labels at a time (a remainder is dropped), the groups joined with colons.
            var labels = name[..^V6Suffix.Length].Split('.');
            Array.Reverse(labels);
            var groups = new string[labels.Length / 4];
            for (var i = 0; i < groups.Length; i++) groups[i] = string.Concat(labels[i * 4], labels[i * 4 + 1], labels[i * 4 + 2], labels[i * 4 + 3]);
            var ip = GoNet.ParseIP(string.Join(':', groups));
            return ip is null ? null : HostsMap.AddressKey(ip);
        }

        return null;
    }
}
