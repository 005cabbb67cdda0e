using System.Net;
using Akka.Configuration;

namespace Akka.Dns.Cluster;

/// <summary>A service a node announces (<c>akka.dns.cluster.services</c>): <c>NAME.service.ZONE</c> A/AAAA and SRV.</summary>
public sealed record ServiceInfo(string Name, int Port, IReadOnlyList<string> Tags);

/// <summary>
/// The typed view of <c>akka.dns.cluster</c>, read once: what this node publishes about itself. Empty
/// <see cref="MemberName"/> and null <see cref="AdvertiseAddress"/> mean "derive at start" (from the remoting
/// address in a cluster, from the host in a local daemon).
/// </summary>
public sealed class ClusterNodeSettings
{
    /// <summary>Names the cluster plugin answers itself; a member may not take one.</summary>
    public static readonly IReadOnlyList<string> ReservedNames = ["members", "leader", "service", "ns"];

    private ClusterNodeSettings(string memberName, IPAddress? advertiseAddress, IReadOnlyList<ServiceInfo> services)
    {
        MemberName = memberName;
        AdvertiseAddress = advertiseAddress;
        Services = services;
    }

    /// <summary>The configured member name, lower-cased; "" = derived.</summary>
    public string MemberName { get; }

    /// <summary>The configured DNS address; null = derived.</summary>
    public IPAddress? AdvertiseAddress { get; }

    public IReadOnlyList<ServiceInfo> Services { get; }

    /// <summary>Reads <c>akka.dns.cluster</c> of <paramref name="config"/> over reference.conf. Throws <see cref="ConfigurationException"/> naming the key.</summary>
    public static ClusterNodeSettings Create(Config config)
    {
        var c = config.WithFallback(DnsSettings.DefaultConfig()).GetConfig("akka.dns.cluster");
        var name = c.GetString("member-name", "").Trim().ToLowerInvariant();
        if (name.Length > 0)
        {
            if (!IsLabel(name)) throw Bad("member-name", "must be a DNS label (letters, digits and '-', at most 63)", name);
            if (ReservedNames.Contains(name)) throw Bad("member-name", $"must not be one of {string.Join(", ", ReservedNames)}", name);
        }

        var addressText = c.GetString("advertise-address", "").Trim();
        IPAddress? address = null;
        if (addressText.Length > 0 && !IPAddress.TryParse(addressText, out address))
            throw Bad("advertise-address", "must be an IP address or \"\"", addressText);

        var services = new List<ServiceInfo>();
        var list = c.GetValue("services");
        if (list is not null && !list.IsEmpty)
        {
            var i = 0;
            foreach (var item in list.GetArray())
            {
                var key = $"services[{i++}]";
                if (!item.IsObject()) throw Bad(key, "must be an object { name, port, tags }", item.ToString());
                var o = item.GetObject().Items;
                var svc = o.TryGetValue("name", out var n) ? n.GetString().ToLowerInvariant() : "";
                if (!IsLabel(svc)) throw Bad(key + ".name", "must be a DNS label (letters, digits and '-', at most 63)", svc);
                if (!o.TryGetValue("port", out var p) || !int.TryParse(p.GetString(), out var port) || port is < 1 or > 65535)
                    throw Bad(key + ".port", "must be a port 1..65535", p?.GetString() ?? "nothing");
                var tags = new List<string>();
                if (o.TryGetValue("tags", out var t) && !t.IsEmpty)
                {
                    foreach (var tag in t.GetStringList())
                    {
                        var lower = tag.ToLowerInvariant();
                        if (!IsLabel(lower)) throw Bad(key + ".tags", "must be DNS labels (letters, digits and '-', at most 63)", tag);
                        tags.Add(lower);
                    }
                }
                services.Add(new ServiceInfo(svc, port, tags));
            }
        }

        return new ClusterNodeSettings(name, address, services);
    }

    /// <summary>The member name derived from a remoting host and port: 127.0.0.1:4053 → 127-0-0-1-4053.</summary>
    public static string NameFrom(string host, int? port) => Sanitize(port is { } p ? $"{host}-{p}" : host);

    /// <summary>Lower-cases and turns every character that is not a letter or digit into '-' (a host name into a label).</summary>
    public static string Sanitize(string s)
    {
        var chars = s.ToLowerInvariant().ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!char.IsAsciiLetterOrDigit(chars[i])) chars[i] = '-';
        var label = new string(chars).Trim('-');
        if (label.Length > 63) label = label[..63].TrimEnd('-');
        return label.Length == 0 ? "node" : label;
    }

    /// <summary>One DNS label as this plugin uses them: a-z, 0-9 and '-', not starting or ending with '-'.</summary>
    public static bool IsLabel(string s)
    {
        if (s.Length is 0 or > 63 || s[0] == '-' || s[^1] == '-') return false;
        foreach (var ch in s)
            if (!(char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-')) return false;
        return true;
    }

    private static ConfigurationException Bad(string key, string rule, object got) => new($"akka.dns.cluster.{key} {rule}, got {got}");
}
