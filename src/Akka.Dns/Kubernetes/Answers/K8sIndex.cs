using System.Collections.Immutable;
using System.Net;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.Wire;

namespace Akka.Dns.Kubernetes.Answers;

/// <summary>One ready endpoint address of a service, as answers need it: its address in wire form, its DNS name
/// label (hostname, pod name with endpoint_pod_names, else the dashed IP) and its slice's ports.</summary>
internal sealed class EndpointAddress(byte[] rdata, string hostname, K8sPort[] ports, ServiceEntry? service, string ns, string serviceName)
{
    public byte[] RData { get; } = rdata;
    public bool IsV6 => RData.Length == 16;
    public string Hostname { get; } = hostname;
    /// <summary>The slice's ports; a slice without ports has one port -1 (CoreDNS's sentinel: addresses but no SRV).</summary>
    public K8sPort[] Ports { get; } = ports;
    /// <summary>The service, when it exists (and passed the filters); null for an orphan slice (PTR only).</summary>
    public ServiceEntry? Service { get; } = service;
    public string Namespace { get; } = ns;
    public string ServiceName { get; } = serviceName;
}

/// <summary>A service with what its answers need precomputed.</summary>
internal sealed class ServiceEntry
{
    public ServiceEntry(K8sService service)
    {
        Service = service;
        Prefix = service.Name + "." + service.Namespace + ".svc.";
        var ips = new byte[service.ClusterIPs.Length][];
        for (var i = 0; i < ips.Length; i++) ips[i] = service.ClusterIPs[i].GetAddressBytes();
        ClusterIPs = ips;
    }

    public K8sService Service { get; }
    /// <summary>"name.namespace.svc." — the zone appended gives the service's name (SRV targets, PTR).</summary>
    public string Prefix { get; }
    public byte[][] ClusterIPs { get; }
    public List<EndpointAddress> Endpoints { get; } = [];
    public bool Headless => Service.Kind == ServiceKind.Headless;
}

/// <summary>A ServiceImport with what its answers need precomputed (multicluster zones).</summary>
internal sealed class ImportEntry
{
    public ImportEntry(K8sServiceImport import)
    {
        Import = import;
        Prefix = import.Name + "." + import.Namespace + ".svc.";
        var ips = new byte[import.IPs.Length][];
        for (var i = 0; i < ips.Length; i++) ips[i] = import.IPs[i].GetAddressBytes();
        IPs = ips;
    }

    public K8sServiceImport Import { get; }
    /// <summary>"name.namespace.svc." — the zone appended gives the import's name.</summary>
    public string Prefix { get; }
    public byte[][] IPs { get; }
    /// <summary>The ready addresses of the multi-cluster EndpointSlices named after the import.</summary>
    public List<ClusterEndpoint> Endpoints { get; } = [];
    public bool Headless => Import.Headless;
}

/// <summary>One ready address of a multi-cluster EndpointSlice: its address, name label, source cluster and ports.</summary>
internal sealed class ClusterEndpoint(byte[] rdata, string hostname, string clusterId, K8sPort[] ports)
{
    public byte[] RData { get; } = rdata;
    public string Hostname { get; } = hostname;
    public string ClusterId { get; } = clusterId;
    public K8sPort[] Ports { get; } = ports;
}

/// <summary>What a reverse name (an IP) points at: a service by its cluster IP, else endpoints with that address.</summary>
internal sealed class ReverseEntry
{
    public ServiceEntry? Service;
    public List<EndpointAddress>? Endpoints;
}

/// <summary>
/// The answer engine's view of one <see cref="K8sView"/> snapshot under one set of options, built once per snapshot in
/// O(objects) and then only read (by every pipeline replica at once): services by "name.namespace", the exposed
/// namespaces, IP → service/endpoints for PTR and NS, pod IPs per namespace for <c>pods verified</c>. Lookups take
/// spans of the query name (case-insensitive) and allocate nothing.
/// </summary>
public sealed class K8sIndex
{
    private readonly Dictionary<string, ServiceEntry> _services;
    private readonly Dictionary<string, ServiceEntry>.AlternateLookup<ReadOnlySpan<char>> _serviceLookup;
    private readonly HashSet<string> _namespaces;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _namespaceLookup;
    private readonly Dictionary<IPAddress, ReverseEntry> _reverse;
    private readonly HashSet<(IPAddress, string)> _podIPs;
    private readonly Dictionary<IPAddress, string> _podNamespaces;
    private readonly Dictionary<string, ImportEntry> _imports;
    private readonly Dictionary<string, ImportEntry>.AlternateLookup<ReadOnlySpan<char>> _importLookup;

    private K8sIndex(K8sAnswerOptions options, bool synced, uint serial, int serviceCount)
    {
        Options = options;
        Synced = synced;
        Serial = serial;
        _services = new Dictionary<string, ServiceEntry>(serviceCount, StringComparer.OrdinalIgnoreCase);
        _serviceLookup = _services.GetAlternateLookup<ReadOnlySpan<char>>();
        _namespaces = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        _namespaceLookup = _namespaces.GetAlternateLookup<ReadOnlySpan<char>>();
        _reverse = new Dictionary<IPAddress, ReverseEntry>(serviceCount * 2);
        _podIPs = new HashSet<(IPAddress, string)>(PodKeyComparer.Instance);
        _podNamespaces = new Dictionary<IPAddress, string>();
        _imports = new Dictionary<string, ImportEntry>(StringComparer.OrdinalIgnoreCase);
        _importLookup = _imports.GetAlternateLookup<ReadOnlySpan<char>>();
        var primary = options.Zones.Length > 0 ? options.Zones[0] : DnsName.Root;
        foreach (var z in options.Zones)
        {
            if (!IsReverseZone(z))
            {
                primary = z;
                break;
            }
        }
        PrimaryZone = primary;
    }

    public K8sAnswerOptions Options { get; }
    /// <summary>The view's <see cref="K8sView.Synced"/>: name errors are SERVFAIL until then.</summary>
    public bool Synced { get; }
    /// <summary>The SOA serial (CoreDNS: the Unix time of the last change).</summary>
    public uint Serial { get; }
    /// <summary>The first forward zone: PTR targets are named in it (CoreDNS's primaryZone).</summary>
    public string PrimaryZone { get; }
    public int ServiceCount => _services.Count;

    /// <summary>An index with nothing in it (before the first snapshot).</summary>
    public static K8sIndex Empty(K8sAnswerOptions options) => new(options, false, 0, 0);

    /// <summary>Builds the index of <paramref name="view"/>; <paramref name="serial"/> defaults to the current Unix time.</summary>
    public static K8sIndex Build(K8sView view, K8sAnswerOptions options, uint? serial = null)
    {
        var ix = new K8sIndex(options, view.Synced, serial ?? (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), view.Services.Count);

        foreach (var ns in view.Namespaces.Values)
        {
            if (options.Namespaces.Count > 0 && !options.Namespaces.Contains(ns.Name)) continue;
            if (options.NamespaceLabels is { } nl && !nl.Matches(ns.Labels)) continue;
            ix._namespaces.Add(ns.Name);
        }

        // Reverse entries of services are filtered by namespace only when `namespaces` is set, as CoreDNS's
        // serviceRecordForIP does; forward answers check the namespace on every query.
        var filterReverse = options.Namespaces.Count > 0;
        foreach (var svc in view.Services.Values)
        {
            if (options.Labels is { } sel && !sel.Matches(svc.Labels)) continue;
            var e = new ServiceEntry(svc);
            ix._services[svc.Name + "." + svc.Namespace] = e;
            if (filterReverse && !options.Namespaces.Contains(svc.Namespace)) continue;
            foreach (var ip in svc.ClusterIPs)
            {
                var r = ix.Reverse(ip);
                r.Service ??= e;
            }
        }

        if (!options.NoEndpoints)
        {
            var slices = view.EndpointSlices.Values.ToArray();
            Array.Sort(slices, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            Span<char> key = stackalloc char[512];
            foreach (var slice in slices)
            {
                if (slice.AddressType is not ("IPv4" or "IPv6")) continue;
                ServiceEntry? svc = null;
                var len = slice.ServiceName.Length + 1 + slice.Namespace.Length;
                if (len <= key.Length)
                {
                    slice.ServiceName.AsSpan().CopyTo(key);
                    key[slice.ServiceName.Length] = '.';
                    slice.Namespace.AsSpan().CopyTo(key[(slice.ServiceName.Length + 1)..]);
                    ix._serviceLookup.TryGetValue(key[..len], out svc);
                }
                // `labels` selects services; their slices follow them (the model keeps no slice labels).
                if (svc is null && options.Labels is not null) continue;
                var ports = PortsOf(slice.Ports);
                var indexReverse = !filterReverse || options.Namespaces.Contains(slice.Namespace);
                foreach (var ep in slice.Endpoints)
                {
                    if (!ep.Ready) continue;
                    foreach (var ip in ep.Addresses)
                    {
                        var a = new EndpointAddress(ip.GetAddressBytes(), Hostname(ep, ip, options.EndpointPodNames), ports, svc, slice.Namespace, slice.ServiceName);
                        svc?.Endpoints.Add(a);
                        if (indexReverse) (ix.Reverse(ip).Endpoints ??= []).Add(a);
                    }
                }
            }
        }

        if (options.MultiClusterZones.Length > 0) ix.BuildMultiCluster(view);

        if (options.Pods == PodMode.Verified)
            foreach (var pod in view.Pods.Values)
            {
                if (pod.Terminating) continue;
                foreach (var ip in pod.PodIPs)
                {
                    ix._podIPs.Add((ip, pod.Namespace));
                    ix._podNamespaces.TryAdd(ip, pod.Namespace);
                }
            }
        return ix;
    }

    /// <summary>
    /// ServiceImports by "name.namespace", each with the ready addresses of the multi-cluster EndpointSlices named
    /// after it (CoreDNS's SvcImportIndex and McEpIndex). Filters are applied at the watch, as CoreDNS does.
    /// </summary>
    private void BuildMultiCluster(K8sView view)
    {
        foreach (var imp in view.ServiceImports.Values)
            _imports[imp.Name + "." + imp.Namespace] = new ImportEntry(imp);
        if (_imports.Count == 0) return;
        var slices = view.MultiClusterSlices.Values.ToArray();
        Array.Sort(slices, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var slice in slices)
        {
            if (slice.AddressType is not ("IPv4" or "IPv6")) continue;
            if (!_imports.TryGetValue(slice.ServiceName + "." + slice.Namespace, out var entry)) continue;
            var ports = PortsOf(slice.Ports);
            foreach (var ep in slice.Endpoints)
            {
                if (!ep.Ready) continue;
                foreach (var ip in ep.Addresses)
                    entry.Endpoints.Add(new ClusterEndpoint(ip.GetAddressBytes(), Hostname(ep, ip, Options.EndpointPodNames), slice.ClusterId ?? "", ports));
            }
        }
    }

    private static readonly K8sPort[] NoPorts = [new K8sPort("", "", -1)];

    private static K8sPort[] PortsOf(ImmutableArray<K8sPort> ports) => ports.IsDefaultOrEmpty ? NoPorts : [.. ports];

    private ReverseEntry Reverse(IPAddress ip)
    {
        if (!_reverse.TryGetValue(ip, out var r)) _reverse[ip] = r = new ReverseEntry();
        return r;
    }

    /// <summary>CoreDNS's endpointHostname: the hostname, else the pod name (endpoint_pod_names, names under 64), else the dashed IP.</summary>
    internal static string Hostname(K8sEndpoint ep, IPAddress ip, bool podNames)
    {
        if (!string.IsNullOrEmpty(ep.Hostname)) return ep.Hostname;
        if (podNames && !string.IsNullOrEmpty(ep.PodName) && ep.PodName.Length < 64) return ep.PodName;
        var s = ip.ToString();
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) return s.Replace('.', '-');
        s = s.Replace(':', '-');
        return s.EndsWith('-') ? s + "0" : s;
    }

    internal static bool IsReverseZone(string zone) =>
        zone.EndsWith("in-addr.arpa.", StringComparison.OrdinalIgnoreCase) || zone.EndsWith("ip6.arpa.", StringComparison.OrdinalIgnoreCase);

    /// <summary>CoreDNS's namespaceExposed: configured (or no `namespaces`) and the namespace exists (after namespace_labels).</summary>
    internal bool NamespaceExposed(ReadOnlySpan<char> ns) => _namespaceLookup.Contains(ns);

    /// <summary>Every service that passed the filters (k8s_external builds its table from them).</summary>
    internal Dictionary<string, ServiceEntry>.ValueCollection Services => _services.Values;

    /// <summary>The service "name.namespace" (a span of the query name).</summary>
    internal ServiceEntry? Service(ReadOnlySpan<char> nameDotNamespace) =>
        _serviceLookup.TryGetValue(nameDotNamespace, out var e) ? e : null;

    /// <summary>The ServiceImport "name.namespace" (a span of the query name).</summary>
    internal ImportEntry? Import(ReadOnlySpan<char> nameDotNamespace) =>
        _importLookup.TryGetValue(nameDotNamespace, out var e) ? e : null;

    internal bool TryReverse(IPAddress ip, out ReverseEntry entry) => _reverse.TryGetValue(ip, out entry!);

    internal bool PodHasIP(IPAddress ip, string ns) => _podIPs.Contains((ip, ns));

    /// <summary>The namespace of a pod with address <paramref name="ip"/> (<c>pods verified</c> only; autopath's client lookup).</summary>
    public string? PodNamespace(IPAddress ip) => _podNamespaces.GetValueOrDefault(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);

    private sealed class PodKeyComparer : IEqualityComparer<(IPAddress, string)>
    {
        public static readonly PodKeyComparer Instance = new();
        public bool Equals((IPAddress, string) x, (IPAddress, string) y) =>
            x.Item1.Equals(y.Item1) && string.Equals(x.Item2, y.Item2, StringComparison.OrdinalIgnoreCase);
        public int GetHashCode((IPAddress, string) obj) => obj.Item1.GetHashCode();
    }
}
