using System.Net;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.K8sExternal;

/// <summary>One ready endpoint of a headless service: its address, its DNS label and its slice's ports.</summary>
internal sealed class ExternalEndpoint(string hostname, byte[] address, K8sPort[] ports, string[] targets)
{
    public string Hostname { get; } = hostname;
    public byte[] Address { get; } = address;
    /// <summary>The slice's ports; a slice without ports has the one port -1 (addresses, but no SRV).</summary>
    public K8sPort[] Ports { get; } = ports;
    /// <summary>"hostname.service.namespace.ZONE." per zone of the plugin (SRV targets).</summary>
    public string[] Targets { get; } = targets;
}

/// <summary>A service as k8s_external answers it, with everything a query needs precomputed.</summary>
internal sealed class ExternalService
{
    public required bool Headless { get; init; }
    /// <summary>spec.externalIPs and load-balancer ingress IPs, in wire form.</summary>
    public required byte[][] Addresses { get; init; }
    /// <summary>Load-balancer ingress hostnames, fully qualified (answered as CNAME).</summary>
    public required string[] Hostnames { get; init; }
    public required K8sPort[] Ports { get; init; }
    public required ExternalEndpoint[] Endpoints { get; init; }
    /// <summary>"service.namespace.ZONE." per zone of the plugin (SRV targets).</summary>
    public required string[] Targets { get; init; }
    /// <summary>"_port._protocol" of each named port, lower case (SRV names in a zone transfer).</summary>
    public required string[] PortLabels { get; init; }
    /// <summary>CoreDNS counts hostnames among a service's external IPs: a service with either is not answered by endpoints.</summary>
    public bool HasExternal => Addresses.Length + Hostnames.Length > 0;
}

/// <summary>What one query name resolves to before it becomes records (CoreDNS's msg.Service): an address or a
/// hostname, a port, and the SRV target of an address.</summary>
internal readonly record struct ExternalItem(byte[]? Address, string? Hostname, int Port, string? Target);

/// <summary>
/// The k8s_external answers of one kubernetes snapshot: built once per new <see cref="K8sIndex"/> (off the query path,
/// see <see cref="K8sExternalPlugin.Table"/>) and then only read, by every pipeline replica at once. Services are
/// found by "service.namespace" as a span of the query name (case-insensitive, no allocation); the SOA and NS
/// records of each zone, the name server addresses and the external-IP reverse map are precomputed.
/// </summary>
internal sealed class ExternalTable
{
    private readonly Dictionary<string, ExternalService> _services;
    private readonly Dictionary<string, ExternalService>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<IPAddress, string[]> _reverse;

    private ExternalTable(K8sIndex index, int count)
    {
        Index = index;
        _services = new Dictionary<string, ExternalService>(count, StringComparer.OrdinalIgnoreCase);
        _lookup = _services.GetAlternateLookup<ReadOnlySpan<char>>();
        _reverse = [];
    }

    /// <summary>The kubernetes plugin's index this table was built from (the cache key).</summary>
    public K8sIndex Index { get; }
    /// <summary>Per zone of the plugin: its SOA (CoreDNS's ExternalSerial is the kubernetes plugin's serial).</summary>
    public required DnsRecord[] Soa { get; init; }
    /// <summary>Per zone of the plugin: its NS record (ns1.APEX.ZONE).</summary>
    public required DnsRecord[] Ns { get; init; }
    /// <summary>Per zone of the plugin: APEX.ZONE, under which only the name server's names live.</summary>
    public required string[] ApexNames { get; init; }
    /// <summary>The name server's addresses in wire form (CoreDNS's ExternalAddress), for the NS glue and ns1.APEX.ZONE.</summary>
    public byte[][] NameServerAddresses { get; private set; } = [];

    public static ExternalTable Build(K8sIndex index, K8sExternalOptions o)
    {
        var zones = o.Zones;
        var soa = new DnsRecord[zones.Length];
        var ns = new DnsRecord[zones.Length];
        var apex = new string[zones.Length];
        for (var i = 0; i < zones.Length; i++)
        {
            var nsName = Join("ns1." + o.Apex, zones[i]);
            soa[i] = DnsRecord.Soa(zones[i], o.Ttl, nsName, Join("hostmaster." + o.Apex, zones[i]), index.Serial, 7200, 1800, 86400, o.Ttl).PreEncode();
            ns[i] = DnsRecord.Ns(zones[i], o.Ttl, nsName).PreEncode();
            apex[i] = Join(o.Apex, zones[i]);
        }
        var t = new ExternalTable(index, index.ServiceCount) { Soa = soa, Ns = ns, ApexNames = apex };
        var filterReverse = index.Options.Namespaces.Count > 0;
        foreach (var e in index.Services)
        {
            var svc = e.Service;
            var addresses = new byte[svc.ExternalIPs.Length][];
            for (var i = 0; i < addresses.Length; i++) addresses[i] = svc.ExternalIPs[i].GetAddressBytes();
            var hostnames = new string[svc.ExternalHostnames.Length];
            for (var i = 0; i < hostnames.Length; i++) hostnames[i] = DnsName.Normalize(svc.ExternalHostnames[i]);
            var relative = svc.Name + "." + svc.Namespace;
            var endpoints = new ExternalEndpoint[e.Endpoints.Count];
            for (var i = 0; i < endpoints.Length; i++)
            {
                var a = e.Endpoints[i];
                endpoints[i] = new ExternalEndpoint(a.Hostname, a.RData, a.Ports, PerZone(a.Hostname + "." + relative, zones));
            }
            t._services[relative] = new ExternalService
            {
                Headless = e.Headless,
                Addresses = addresses,
                Hostnames = hostnames,
                Ports = svc.Ports.IsDefaultOrEmpty ? [] : [.. svc.Ports],
                Endpoints = endpoints,
                Targets = PerZone(relative, zones),
                PortLabels = PortLabels(svc.Ports, endpoints),
            };
            // CoreDNS's SvcExtIndexReverse + serviceRecordForExternalIP: the services holding an external IP, those
            // outside `namespaces` left out when it is set.
            if (filterReverse && !index.NamespaceExposed(svc.Namespace)) continue;
            foreach (var ip in svc.ExternalIPs)
                t._reverse[ip] = t._reverse.TryGetValue(ip, out var names) ? [.. names, relative] : [relative];
        }
        t.NameServerAddresses = NameServers(index, o.Headless);
        return t;
    }

    /// <summary>
    /// CoreDNS's nsAddrs for external names: the external IPs of the services whose endpoints hold one of this
    /// server's addresses (with <c>headless</c>, a headless such service's endpoint addresses); when no endpoint
    /// holds one, this server's addresses themselves. Load-balancer hostnames have no address and are left out.
    /// </summary>
    private static byte[][] NameServers(K8sIndex index, bool headless)
    {
        var found = false;
        var list = new List<byte[]>();
        foreach (var local in index.Options.LocalIPs)
        {
            if (!index.TryReverse(local, out var entry) || entry.Endpoints is not { Count: > 0 } eps) continue;
            found = true;
            foreach (var ep in eps)
            {
                if (ep.Service is not { } s) continue;
                if (headless && s.Headless)
                    foreach (var a in s.Endpoints) list.Add(a.RData);
                else
                    foreach (var ip in s.Service.ExternalIPs) list.Add(ip.GetAddressBytes());
            }
        }
        if (!found)
            foreach (var local in index.Options.LocalIPs) list.Add(local.GetAddressBytes());
        return [.. list];
    }

    private static string[] PortLabels(System.Collections.Immutable.ImmutableArray<K8sPort> ports, ExternalEndpoint[] endpoints)
    {
        var labels = new List<string>();
        void Add(K8sPort p)
        {
            if (p.Name.Length == 0) return;
            var l = ("_" + p.Name + "._" + p.Protocol).ToLowerInvariant();
            if (!labels.Contains(l)) labels.Add(l);
        }
        if (!ports.IsDefaultOrEmpty)
            foreach (var p in ports) Add(p);
        foreach (var e in endpoints)
            foreach (var p in e.Ports) Add(p);
        return [.. labels];
    }

    private static string[] PerZone(string relative, System.Collections.Immutable.ImmutableArray<string> zones)
    {
        var r = new string[zones.Length];
        for (var i = 0; i < r.Length; i++) r[i] = Join(relative, zones[i]);
        return r;
    }

    /// <summary>dnsutil.Join of a relative name and a zone ("." joins to "relative.").</summary>
    internal static string Join(string relative, string zone) => zone == "." ? relative + "." : relative + "." + zone;

    /// <summary>Every service by "service.namespace" (zone transfers walk them).</summary>
    public IEnumerable<KeyValuePair<string, ExternalService>> Services => _services;

    /// <summary>Every external IP that names a service (zone transfers of reverse zones walk them).</summary>
    public IEnumerable<IPAddress> ReverseAddresses => _reverse.Keys;

    /// <summary>The services ("service.namespace", relative) that hold <paramref name="ip"/> as an external IP.</summary>
    public bool TryReverse(IPAddress ip, out string[] services) => _reverse.TryGetValue(ip, out services!);

    /// <summary>
    /// CoreDNS's kubernetes External for a name under a zone: <paramref name="relative"/> is the name without the
    /// zone and without its trailing dot ("svc.ns", "_http._tcp.svc.ns", "endpoint.svc.ns"). Fills
    /// <paramref name="items"/> and returns the rcode the answer has when they are empty.
    /// </summary>
    public int Resolve(ReadOnlySpan<char> relative, int zone, bool headless, List<ExternalItem> items)
    {
        if (relative.IsEmpty) return Rcode.ServFail;
        var count = relative.Count('.') + 1;
        var nsStart = relative.LastIndexOf('.') + 1;
        if (!Index.NamespaceExposed(relative[nsStart..])) return Rcode.NxDomain;
        if (count == 1) return Rcode.NoError;
        if (count > 4) return Rcode.NxDomain;

        // The labels in front of "service.namespace".
        var svcStart = relative[..(nsStart - 1)].LastIndexOf('.') + 1;
        ReadOnlySpan<char> endpoint = default, port = default, protocol = default;
        if (count == 3)
        {
            endpoint = StripUnderscore(relative[..(svcStart - 1)]);
        }
        else if (count == 4)
        {
            var front = relative[..(svcStart - 1)];
            var dot = front.IndexOf('.');
            port = StripUnderscore(front[..dot]);
            protocol = StripUnderscore(front[(dot + 1)..]);
        }

        if (!_lookup.TryGetValue(relative[svcStart..], out var svc)) return Rcode.NxDomain;
        var rcode = Rcode.NxDomain;
        if (headless && !svc.HasExternal && (svc.Headless || !endpoint.IsEmpty))
        {
            foreach (var ep in svc.Endpoints)
            {
                if (!endpoint.IsEmpty && !endpoint.Equals(ep.Hostname, StringComparison.OrdinalIgnoreCase)) continue;
                foreach (var p in ep.Ports)
                {
                    if (!Matches(port, p.Name, protocol, p.Protocol)) continue;
                    rcode = Rcode.NoError;
                    items.Add(new ExternalItem(ep.Address, null, p.Port, ep.Targets[zone]));
                }
            }
            return rcode;
        }
        foreach (var a in svc.Addresses)
            foreach (var p in svc.Ports)
            {
                if (!Matches(port, p.Name, protocol, p.Protocol)) continue;
                rcode = Rcode.NoError;
                items.Add(new ExternalItem(a, null, p.Port, svc.Targets[zone]));
            }
        foreach (var h in svc.Hostnames)
            foreach (var p in svc.Ports)
            {
                if (!Matches(port, p.Name, protocol, p.Protocol)) continue;
                rcode = Rcode.NoError;
                items.Add(new ExternalItem(null, h, p.Port, null));
            }
        return rcode;
    }

    private static ReadOnlySpan<char> StripUnderscore(ReadOnlySpan<char> s) => s.Length > 0 && s[0] == '_' ? s[1..] : s;

    /// <summary>CoreDNS's matchPortAndProtocol: an empty query label matches anything, else case-insensitive equality.</summary>
    private static bool Matches(ReadOnlySpan<char> port, string portName, ReadOnlySpan<char> protocol, string proto) =>
        (port.IsEmpty || port.Equals(portName, StringComparison.OrdinalIgnoreCase)) &&
        (protocol.IsEmpty || protocol.Equals(proto, StringComparison.OrdinalIgnoreCase));
}
