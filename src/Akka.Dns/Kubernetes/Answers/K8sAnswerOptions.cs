using System.Collections.Immutable;
using System.Net;
using Akka.Dns.Plugins;

namespace Akka.Dns.Kubernetes.Answers;

/// <summary>CoreDNS's <c>pods disabled|insecure|verified</c>.</summary>
public enum PodMode
{
    /// <summary>pod names are NXDOMAIN (the default).</summary>
    Disabled,
    /// <summary>a-b-c-d.ns.pod.zone answers a.b.c.d without checking that a pod has it (kube-dns compatibility).</summary>
    Insecure,
    /// <summary>only when a pod in that namespace has that IP.</summary>
    Verified,
}

/// <summary>
/// What of the <c>kubernetes</c> directive the answers depend on; the setup fills it from the Corefile. Zones are
/// normalised (lower case, fully qualified), as the block's zones or the directive's arguments.
/// </summary>
public sealed record K8sAnswerOptions
{
    /// <summary>The zones the plugin is authoritative for (forward and reverse); the first forward zone names PTR targets.</summary>
    public ImmutableArray<string> Zones { get; init; } = ["cluster.local."];
    /// <summary><c>namespaces</c>: only these are exposed; empty = all.</summary>
    public ImmutableHashSet<string> Namespaces { get; init; } = ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase);
    /// <summary><c>labels</c>: only services (and their endpoints) matching the selector.</summary>
    public LabelSelector? Labels { get; init; }
    /// <summary><c>namespace_labels</c>: only namespaces matching the selector exist.</summary>
    public LabelSelector? NamespaceLabels { get; init; }
    public PodMode Pods { get; init; } = PodMode.Disabled;
    /// <summary><c>endpoint_pod_names</c>: an endpoint without a hostname is named after its pod.</summary>
    public bool EndpointPodNames { get; init; }
    /// <summary><c>ttl</c> (0-3600, default 5).</summary>
    public uint Ttl { get; init; } = 5;
    /// <summary><c>noendpoints</c>: endpoints are not watched, so headless services and endpoint names do not resolve.</summary>
    public bool NoEndpoints { get; init; }
    /// <summary><c>ignore empty_service</c>: a ClusterIP service without ready endpoints is NXDOMAIN.</summary>
    public bool IgnoreEmptyService { get; init; }
    /// <summary><c>fallthrough [ZONES]</c>: name errors in these zones pass the query on.</summary>
    public Fallthrough Fallthrough { get; init; } = Fallthrough.Never;
    /// <summary>
    /// <c>multicluster ZONES</c>: names in these zones (normalised, each one of <see cref="Zones"/>) are answered from
    /// ServiceImports and the Multi-Cluster Services EndpointSlices instead of Services; empty = none.
    /// </summary>
    public ImmutableArray<string> MultiClusterZones { get; init; } = [];

    /// <summary>CoreDNS's isMultiClusterZone: <paramref name="zone"/> (the matched zone, any case) is at or under a multicluster zone.</summary>
    internal bool IsMultiCluster(ReadOnlySpan<char> zone)
    {
        foreach (var mc in MultiClusterZones)
        {
            if (mc == ".") return true;
            if (zone.Length < mc.Length || !zone.EndsWith(mc, StringComparison.OrdinalIgnoreCase)) continue;
            if (zone.Length == mc.Length || zone[zone.Length - mc.Length - 1] == '.') return true;
        }
        return false;
    }

    /// <summary>The server's own addresses (CoreDNS's localIPs: the block's bound IPs, else the interfaces'): NS and ns.dns.zone answers.</summary>
    public ImmutableArray<IPAddress> LocalIPs { get; init; } = [];
}
