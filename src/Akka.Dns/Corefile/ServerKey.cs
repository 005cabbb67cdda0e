using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Akka.Dns.Corefile;

/// <summary>The transport a server block key listens on (its scheme).</summary>
public enum Transport
{
    Dns,
    Tls,
    Https,
    Grpc,
    Quic,
    Https3,
}

/// <summary>
/// One server block key, <c>[SCHEME://]ZONE[:PORT]</c>, normalised the way CoreDNS does it.
/// </summary>
/// <param name="Original">The key as written (environment references substituted, a trailing comma removed).</param>
/// <param name="Transport">The scheme; <see cref="Transport.Dns"/> when none is given.</param>
/// <param name="Zones">Lower-cased, fully qualified zones. A reverse CIDR key expands to every reverse zone it covers.</param>
/// <param name="Port">The explicit port, or null.</param>
public sealed record ServerKey(string Original, Transport Transport, IReadOnlyList<string> Zones, int? Port, string File, int Line)
{
    private const int MaxZoneLength = 255;

    /// <summary>The port to listen on: the explicit port, else <paramref name="dnsPort"/> for dns,
    /// 853 for tls and quic, 443 for https, https3 and grpc.</summary>
    public int ResolvePort(int dnsPort) => Port ?? DefaultPort(Transport, dnsPort);

    /// <summary>The default port of a transport (<paramref name="dnsPort"/> for <see cref="Transport.Dns"/>).</summary>
    public static int DefaultPort(Transport transport, int dnsPort) => transport switch
    {
        Transport.Dns => dnsPort,
        Transport.Tls or Transport.Quic => 853,
        Transport.Https or Transport.Https3 or Transport.Grpc => 443,
        _ => throw new ArgumentOutOfRangeException(nameof(transport), transport, null),
    };

    /// <summary>The scheme prefix of a transport: "dns://", "tls://", "https://", "grpc://", "quic://", "https3://".</summary>
    public static string SchemePrefix(Transport t) => SchemeName(t) + "://";

    private static string SchemeName(Transport t) => t switch
    {
        Transport.Dns => "dns",
        Transport.Tls => "tls",
        Transport.Https => "https",
        Transport.Grpc => "grpc",
        Transport.Quic => "quic",
        Transport.Https3 => "https3",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };

    // Longest names first so "https3://" is not taken for "https://".
    private static readonly (string Prefix, Transport Transport)[] Schemes =
    [
        ("https3://", Transport.Https3),
        ("https://", Transport.Https),
        ("dns://", Transport.Dns),
        ("tls://", Transport.Tls),
        ("grpc://", Transport.Grpc),
        ("quic://", Transport.Quic),
    ];

    /// <summary>
    /// Parses and normalises one key. Errors are reported as <see cref="CorefileException"/> at
    /// <paramref name="file"/>:<paramref name="line"/>.
    /// </summary>
    public static ServerKey Parse(string key, string file, int line)
    {
        CorefileException Fail(string what) => new(file, line, what);

        var transport = Transport.Dns;
        var rest = key;
        var schemeEnd = key.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            var known = false;
            foreach (var (prefix, t) in Schemes)
            {
                if (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    transport = t;
                    rest = key[prefix.Length..];
                    known = true;
                    break;
                }
            }

            if (!known)
            {
                throw Fail($"unknown scheme '{key[..(schemeEnd + 3)]}' in '{key}': expected dns://, tls://, https:// or grpc://");
            }

            if (transport is Transport.Quic or Transport.Https3)
            {
                throw Fail($"scheme '{SchemePrefix(transport)}' in '{key}' is not supported by Akka.Dns (supported: dns://, tls://, https://, grpc://)");
            }
        }

        var (host, port) = SplitPort(rest, key, Fail);

        if (host.Length > MaxZoneLength)
        {
            throw Fail($"specified zone is too long: {host.Length} > {MaxZoneLength}");
        }

        IReadOnlyList<string> zones;
        var cidr = TryParseCidr(host, Fail);
        if (cidr is { } network)
        {
            if (host[0] == ':' || (host[0] == '0' && host.Contains(':')))
            {
                throw Fail($"invalid CIDR {host}");
            }

            zones = ReverseZones(network.Address, network.PrefixLength);
        }
        else
        {
            if (!IsValidDomainName(host))
            {
                throw Fail($"zone is not a valid domain name: {host}");
            }

            zones = [Fqdn(host).ToLowerInvariant()];
        }

        return new ServerKey(key, transport, zones, port, file, line);
    }

    private static (string Host, int? Port) SplitPort(string s, string key, Func<string, CorefileException> fail)
    {
        var colon = s.LastIndexOf(':');
        if (colon < 0)
        {
            return (s, null);
        }

        if (colon == s.Length - 1)
        {
            throw fail($"expecting data after last colon: \"{s}\"");
        }

        var tail = s[(colon + 1)..];
        if (tail.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw fail(PortError(tail, key));
            }

            return (s[..colon], port);
        }

        // An IPv6 CIDR ("2001:db8::/32") has colons but no port; "example.org:abc" has a bad port.
        if (!tail.Contains('/') && s.IndexOf(':') == colon)
        {
            throw fail(PortError(tail, key));
        }

        return (s, null);
    }

    private static string PortError(string port, string key) =>
        $"invalid port '{port}' in '{key}': must be a number between 1 and 65535";

    private static string Fqdn(string name) => name.EndsWith('.') ? name : name + ".";

    /// <summary>Loosely follows miekg/dns IsDomainName (labels 1..63 octets, name ≤ 255 octets), and also rejects
    /// characters that can only be a typo in a Corefile key.</summary>
    private static bool IsValidDomainName(string name)
    {
        if (name == ".")
        {
            return true;
        }

        if (name.Length == 0)
        {
            return false;
        }

        foreach (var ch in name)
        {
            if (char.IsWhiteSpace(ch) || char.IsControl(ch) || "(){}[]\";:,".Contains(ch))
            {
                return false;
            }
        }

        var body = name.EndsWith('.') ? name[..^1] : name;
        var wire = 1;
        foreach (var label in body.Split('.'))
        {
            var octets = Encoding.UTF8.GetByteCount(label);
            if (octets is 0 or > 63)
            {
                return false;
            }

            wire += octets + 1;
        }

        return wire <= MaxZoneLength;
    }

    private readonly record struct Network(IPAddress Address, int PrefixLength);

    /// <summary>Recognises a full "ADDRESS/MASK" (like Go's net.ParseCIDR); null when the text is not an address/mask
    /// pair (so it is treated as a domain name, e.g. RFC 2317 "0/25.1.168.192.in-addr.arpa").</summary>
    private static Network? TryParseCidr(string s, Func<string, CorefileException> fail)
    {
        var slash = s.IndexOf('/');
        if (slash <= 0 || s.IndexOf('/', slash + 1) >= 0)
        {
            return null;
        }

        var addressText = s[..slash];
        var maskText = s[(slash + 1)..];
        if (addressText.Contains('%') || addressText.Contains('[') || !IsStrictAddress(addressText, out var address))
        {
            return null;
        }

        if (maskText.Length == 0 || !maskText.All(char.IsAsciiDigit))
        {
            return null;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (!int.TryParse(maskText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > bits)
        {
            throw fail($"invalid CIDR {s}");
        }

        return new Network(address, prefix);
    }

    private static bool IsStrictAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        // Dotted quad only: four decimal octets without leading zeros (IPAddress.TryParse also takes "10" or "10.1").
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0'))
            {
                return false;
            }

            var v = int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture);
            if (v > 255)
            {
                return false;
            }

            bytes[i] = (byte)v;
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>The reverse zones covering address/prefix: a prefix off the label boundary (8 bits for IPv4,
    /// 4 bits for IPv6) is split into every subnet at the next boundary (CoreDNS plugin/pkg/cidr).</summary>
    private static IReadOnlyList<string> ReverseZones(IPAddress address, int prefix)
    {
        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var unit = v4 ? 8 : 4;
        var bits = v4 ? 32 : 128;
        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        UInt128 full = v4 ? uint.MaxValue : UInt128.MaxValue;
        var mask = prefix == 0 ? UInt128.Zero : (full << (bits - prefix)) & full;

        var network = value & mask;
        var boundary = (prefix + unit - 1) / unit * unit;
        var count = 1 << (boundary - prefix);
        var zones = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var subnet = network + ((UInt128)(uint)i << (bits - boundary));
            zones.Add(ReverseName(subnet, boundary, v4));
        }

        return zones;
    }

    private static string ReverseName(UInt128 value, int prefix, bool v4)
    {
        var sb = new StringBuilder();
        if (v4)
        {
            for (var octet = prefix / 8 - 1; octet >= 0; octet--)
            {
                var b = (int)((value >> (24 - octet * 8)) & 0xFF);
                sb.Append(b.ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return sb.Append("in-addr.arpa.").ToString();
        }

        for (var nibble = prefix / 4 - 1; nibble >= 0; nibble--)
        {
            var n = (int)((value >> (124 - nibble * 4)) & 0xF);
            sb.Append("0123456789abcdef"[n]).Append('.');
        }

        return sb.Append("ip6.arpa.").ToString();
    }
}
