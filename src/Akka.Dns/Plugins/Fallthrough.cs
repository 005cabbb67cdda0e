using Akka.Dns.Wire;

namespace Akka.Dns.Plugins;

/// <summary>
/// CoreDNS's <c>fallthrough [ZONES...]</c> (plugin/pkg/fall): absent → never; without zones → every name;
/// with zones → names in those zones. "Falling through" passes the query on instead of answering NXDOMAIN.
/// </summary>
public sealed class Fallthrough
{
    private readonly string[]? _zones;

    private Fallthrough(string[]? zones) => _zones = zones;

    /// <summary>No fallthrough directive: never falls through.</summary>
    public static readonly Fallthrough Never = new(null);

    /// <summary>From the directive's arguments (none: every zone), normalised as CoreDNS's fall.SetZonesFromArgs does.</summary>
    public static Fallthrough FromArgs(IReadOnlyList<string> zones, Corefile.DirectiveReader r) =>
        new(zones.Count == 0 ? [DnsName.Root] : ZoneMatch.NormalizeExact(zones, r).ToArray());

    public bool IsSet => _zones is not null;

    public bool Through(string qname)
    {
        if (_zones is null) return false;
        foreach (var z in _zones)
            if (DnsName.IsSubdomain(qname, z)) return true;
        return false;
    }
}

/// <summary>Zone lists as plugins use them (CoreDNS's plugin.Zones).</summary>
public static class ZoneMatch
{
    /// <summary>The longest zone of <paramref name="zones"/> that <paramref name="qname"/> is in, or null.</summary>
    public static string? Longest(IReadOnlyList<string> zones, string qname)
    {
        string? best = null;
        foreach (var z in zones)
            if (DnsName.IsSubdomain(qname, z) && (best is null || z.Length > best.Length)) best = z;
        return best;
    }

    /// <summary>Zones from a directive's arguments, else the block's zones (plugin.OriginsFromArgsOrServerBlock).</summary>
    public static IReadOnlyList<string> FromArgsOrBlock(IReadOnlyList<string> args, SetupContext ctx, Corefile.DirectiveReader r) =>
        args.Count == 0 ? ctx.Zones : NormalizeExact(args, r);

    /// <summary>CoreDNS's plugin.Host(arg).NormalizeExact for each argument: scheme and port stripped, lower-cased,
    /// fully qualified, a CIDR expanded into its reverse zones; an argument that is none of these is silently
    /// dropped, as OriginsFromArgsOrServerBlock and fall.SetZonesFromArgs do.</summary>
    public static IReadOnlyList<string> NormalizeExact(IEnumerable<string> args, Corefile.DirectiveReader r)
    {
        var zones = new List<string>();
        foreach (var a in args)
        {
            try
            {
                zones.AddRange(Corefile.ServerKey.Parse(a, r.Current.File, r.Current.Line).Zones);
            }
            catch (Corefile.CorefileException)
            {
                // silently ignored, as in CoreDNS
            }
        }
        return zones;
    }
}
