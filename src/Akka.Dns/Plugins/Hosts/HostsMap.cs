using System.Collections.Frozen;
using System.Net;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Hosts;

/// <summary>
/// One parsed hosts text (the file, or the Corefile's inline lines), immutable once built: names to A and AAAA
/// rdata, one-label wildcards (keyed by their parent, "*.example.org." under "example.org."), and addresses to
/// the names that point at them (for PTR). Built by <see cref="Parse"/>, the way CoreDNS's Hostsfile.parse reads
/// hosts(5) text: '#' starts a comment, a line is ADDRESS NAME [ALIAS...], lines with a bad address or no name
/// are skipped, names are lower-cased and made fully qualified, names outside the plugin's zones are dropped.
/// </summary>
public sealed class HostsMap
{
    private static readonly FrozenDictionary<string, byte[][]> NoAddresses =
        FrozenDictionary.ToFrozenDictionary(Array.Empty<KeyValuePair<string, byte[][]>>(), StringComparer.OrdinalIgnoreCase);

    public static readonly HostsMap Empty = new(NoAddresses, NoAddresses, NoAddresses, NoAddresses,
        FrozenDictionary.ToFrozenDictionary(Array.Empty<KeyValuePair<string, Reverse>>(), StringComparer.Ordinal));

    private readonly FrozenDictionary<string, byte[][]> _name4;
    private readonly FrozenDictionary<string, byte[][]> _name6;
    private readonly FrozenDictionary<string, byte[][]>.AlternateLookup<ReadOnlySpan<char>> _wild4;
    private readonly FrozenDictionary<string, byte[][]>.AlternateLookup<ReadOnlySpan<char>> _wild6;
    private readonly FrozenDictionary<string, Reverse> _addr;

    /// <summary>The names an address has: as text (for tests and logs) and as PTR rdata.</summary>
    public sealed record Reverse(string[] Names, byte[]?[] RData);

    private HostsMap(FrozenDictionary<string, byte[][]> name4, FrozenDictionary<string, byte[][]> name6,
        FrozenDictionary<string, byte[][]> wild4, FrozenDictionary<string, byte[][]> wild6, FrozenDictionary<string, Reverse> addr)
    {
        _name4 = name4;
        _name6 = name6;
        _wild4 = wild4.GetAlternateLookup<ReadOnlySpan<char>>();
        _wild6 = wild6.GetAlternateLookup<ReadOnlySpan<char>>();
        _addr = addr;
        var n = 0;
        foreach (var v in name4.Values) n += v.Length;
        foreach (var v in name6.Values) n += v.Length;
        foreach (var v in wild4.Values) n += v.Length;
        foreach (var v in wild6.Values) n += v.Length;
        foreach (var v in addr.Values) n += v.Names.Length;
        Count = n;
    }

    /// <summary>CoreDNS's Map.Len: every address of every name (wildcards included) plus every reverse name.</summary>
    public int Count { get; }

    /// <summary>Parses hosts(5) text. <paramref name="zones"/> are the plugin's origins; <paramref name="autoReverse"/>
    /// is false under <c>no_reverse</c>.</summary>
    public static HostsMap Parse(TextReader text, IReadOnlyList<string> zones, bool autoReverse)
    {
        var name4 = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var name6 = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var wild4 = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var wild6 = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal);
        var addr = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var fields = new List<string>();

        while (text.ReadLine() is { } raw)
        {
            var line = raw;
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            Fields(line, fields);
            if (fields.Count < 2) continue;
            if (ParseAddress(fields[0]) is not { } ip) continue;
            var v4 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
            var rdata = ip.GetAddressBytes();
            var key = ip.ToString();

            for (var i = 1; i < fields.Count; i++)
            {
                var name = DnsName.Normalize(fields[i]);
                if (!InZones(zones, name)) continue;
                if (name.Length >= 2 && name[0] == '*' && name[1] == '.')
                {
                    Add(v4 ? wild4 : wild6, name[2..], rdata);
                    continue;
                }

                Add(v4 ? name4 : name6, name, rdata);
                if (!autoReverse) continue;
                if (!addr.TryGetValue(key, out var names)) addr[key] = names = [];
                names.Add(name);
            }
        }

        return new HostsMap(Freeze(name4), Freeze(name6), Freeze(wild4), Freeze(wild6),
            addr.ToFrozenDictionary(kv => kv.Key, kv => Ptr(kv.Value), StringComparer.Ordinal));
    }

    /// <summary>Appends the rdata for <paramref name="name"/> (any case, fully qualified): the exact name's
    /// addresses, else those of a wildcard one label up (CoreDNS's lookupStaticHostLocked). Returns how many.</summary>
    public int Lookup(string name, bool v4, List<byte[]>? into)
    {
        if ((v4 ? _name4 : _name6).TryGetValue(name, out var ips))
        {
            into?.AddRange(ips);
            return ips.Length;
        }

        var next = DnsName.NextLabel(name, 0);
        if (next < 0) return 0;
        if ((v4 ? _wild4 : _wild6).TryGetValue(name.AsSpan(next), out ips))
        {
            into?.AddRange(ips);
            return ips.Length;
        }

        return 0;
    }

    /// <summary>The names pointing at <paramref name="address"/> (its canonical text, see <see cref="AddressKey"/>).</summary>
    public Reverse? LookupAddress(string address) => _addr.GetValueOrDefault(address);

    /// <summary>Go's parseIP for hosts files: the IPv6 zone ("%lo0") is dropped, then net.ParseIP; an IPv4-mapped
    /// IPv6 address ("::FFFF:10.0.0.2") is IPv4, as Go's To4 makes it.</summary>
    public static IPAddress? ParseAddress(string text)
    {
        var pct = text.IndexOf('%');
        if (pct >= 0) text = text[..pct];
        var ip = GoNet.ParseIP(text);
        if (ip is null) return null;
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
    }

    /// <summary>The text an address is keyed by for PTR (IPv4-mapped IPv6 as IPv4, like Go's IP.String).</summary>
    public static string AddressKey(IPAddress ip) => (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString();

    internal static bool InZones(IReadOnlyList<string> zones, string name)
    {
        for (var i = 0; i < zones.Count; i++)
            if (DnsName.IsSubdomain(name, zones[i])) return true;
        return false;
    }

    private static void Fields(string line, List<string> into)
    {
        into.Clear();
        var i = 0;
        while (i < line.Length)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            if (i > start) into.Add(line[start..i]);
        }
    }

    private static void Add(Dictionary<string, List<byte[]>> map, string name, byte[] rdata)
    {
        if (!map.TryGetValue(name, out var list)) map[name] = list = [];
        list.Add(rdata);
    }

    private static FrozenDictionary<string, byte[][]> Freeze(Dictionary<string, List<byte[]>> map) =>
        map.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.OrdinalIgnoreCase);

    private static Reverse Ptr(List<string> names)
    {
        var rdata = new byte[]?[names.Count];
        Span<byte> buf = stackalloc byte[DnsName.MaxWireLength + 2];
        for (var i = 0; i < names.Count; i++)
        {
            // A name that cannot be a DNS name on the wire (a label over 63 octets...) still answers A/AAAA
            // queries (the owner is the query name) but gets no PTR record.
            var n = DnsName.TryWrite(names[i], buf);
            rdata[i] = n < 0 ? null : buf[..n].ToArray();
        }

        return new Reverse(names.ToArray(), rdata);
    }
}
