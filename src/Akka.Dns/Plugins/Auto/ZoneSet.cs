using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Auto;

/// <summary>
/// The zones an auto instance serves at one moment (origin → snapshot), immutable: the owner builds a new set
/// and swaps it in whole, so a query sees either the old set or the new one, never a mix.
/// </summary>
public sealed class ZoneSet
{
    public static readonly ZoneSet Empty = new(new Dictionary<string, Zone>());

    private readonly Dictionary<string, Zone> _zones;

    public ZoneSet(IReadOnlyDictionary<string, Zone> zones)
    {
        _zones = new Dictionary<string, Zone>(zones, StringComparer.OrdinalIgnoreCase);
        Origins = [.. _zones.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The loaded origins, lower-case and fully qualified (CoreDNS's Zones.Names).</summary>
    public string[] Origins { get; }

    public int Count => _zones.Count;

    public Zone? Get(string origin) => _zones.GetValueOrDefault(origin);
}
