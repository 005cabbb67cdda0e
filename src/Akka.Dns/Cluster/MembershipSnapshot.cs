using System.Globalization;
using System.Net;

namespace Akka.Dns.Cluster;

/// <summary>
/// What one node publishes about itself in the replicated dictionary (key: its Akka address). The value is one
/// line, <c>v1|NAME|ADDRESS|DNSPORT|SERVICES</c>, SERVICES being <c>NAME,PORT[,TAG...]</c> joined by ';'. Names
/// and tags are DNS labels and the address is an IP, so none of them holds '|', ';' or ','.
/// </summary>
public sealed record NodeInfo(string Name, IPAddress Address, int DnsPort, IReadOnlyList<ServiceInfo> Services)
{
    public string Encode()
    {
        var services = new List<string>(Services.Count);
        foreach (var s in Services)
            services.Add(s.Tags.Count == 0 ? $"{s.Name},{s.Port}" : $"{s.Name},{s.Port},{string.Join(',', s.Tags)}");
        return $"v1|{Name}|{Address}|{DnsPort.ToString(CultureInfo.InvariantCulture)}|{string.Join(';', services)}";
    }

    /// <summary>Decodes <see cref="Encode"/>'s form; false for anything else (a newer version's entry is skipped, not a crash).</summary>
    public static bool TryDecode(string value, out NodeInfo? info)
    {
        info = null;
        var f = value.Split('|');
        if (f.Length != 5 || f[0] != "v1" || !ClusterNodeSettings.IsLabel(f[1]) || !IPAddress.TryParse(f[2], out var address)
            || !int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 0 or > 65535)
            return false;
        var services = new List<ServiceInfo>();
        if (f[4].Length > 0)
        {
            foreach (var s in f[4].Split(';'))
            {
                var parts = s.Split(',');
                if (parts.Length < 2 || !ClusterNodeSettings.IsLabel(parts[0])
                    || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var svcPort) || svcPort is < 1 or > 65535)
                    return false;
                services.Add(new ServiceInfo(parts[0], svcPort, parts[2..]));
            }
        }
        info = new NodeInfo(f[1], address, port, services);
        return true;
    }
}

/// <summary>A cluster member as the cluster reports it: its Akka address, status, reachability and roles.</summary>
public sealed record MemberState(string AkkaAddress, string Status, bool Reachable, IReadOnlyList<string> Roles);

/// <summary>A member the cluster plugin answers for: Up, reachable, and with its published <see cref="NodeInfo"/>.</summary>
public sealed record MemberEntry(string Name, IPAddress Address, int DnsPort, IReadOnlyList<string> Roles,
    IReadOnlyList<ServiceInfo> Services, string AkkaAddress, string Status);

/// <summary>
/// The membership one query sees, immutable: the healthy members (Up, reachable, published) ordered by name, and
/// the leader among them. <see cref="MembershipView"/> swaps a new one in after every change; the cluster plugin
/// reads the current one per query without a lock.
/// </summary>
public sealed class MembershipSnapshot
{
    public static readonly MembershipSnapshot Empty = new([], null, 0, 0);

    private static long _versions;

    public MembershipSnapshot(IReadOnlyList<MemberEntry> members, MemberEntry? leader, uint serial)
        : this(members, leader, serial, Interlocked.Increment(ref _versions))
    {
    }

    private MembershipSnapshot(IReadOnlyList<MemberEntry> members, MemberEntry? leader, uint serial, long version)
    {
        Members = members;
        Leader = leader;
        Serial = serial;
        Version = version;
    }

    /// <summary>Up and reachable members with published info, ordered by name, then Akka address.</summary>
    public IReadOnlyList<MemberEntry> Members { get; }

    /// <summary>The cluster leader when it is one of <see cref="Members"/>; else null.</summary>
    public MemberEntry? Leader { get; }

    /// <summary>SOA serial of the zones answered from this snapshot (Unix seconds when it was built).</summary>
    public uint Serial { get; }

    /// <summary>Distinguishes snapshots (a plugin rebuilds its answers when it changes).</summary>
    public long Version { get; }

    /// <summary>
    /// Joins what the cluster says about its members with what they published. A member counts when its status is
    /// Up and it is reachable, and when it published a readable entry; anything else (Joining, WeaklyUp, Leaving,
    /// Down, unreachable, nothing published yet) leaves it out.
    /// </summary>
    public static MembershipSnapshot Build(IEnumerable<MemberState> members, string? leader, IReadOnlyDictionary<string, string> published, uint serial)
    {
        var healthy = new List<MemberEntry>();
        MemberEntry? leaderEntry = null;
        foreach (var m in members)
        {
            if (m.Status != "Up" || !m.Reachable) continue;
            if (!published.TryGetValue(m.AkkaAddress, out var value) || !NodeInfo.TryDecode(value, out var info)) continue;
            var entry = new MemberEntry(info!.Name, info.Address, info.DnsPort, m.Roles, info.Services, m.AkkaAddress, "up");
            healthy.Add(entry);
            if (m.AkkaAddress == leader) leaderEntry = entry;
        }
        healthy.Sort(static (a, b) =>
        {
            var c = string.CompareOrdinal(a.Name, b.Name);
            return c != 0 ? c : string.CompareOrdinal(a.AkkaAddress, b.AkkaAddress);
        });
        return new MembershipSnapshot(healthy, leaderEntry, serial);
    }
}
