using System.Collections.Immutable;
using System.Net;

namespace Akka.Dns.Kubernetes.Model;

// Shared by the kubernetes and k8s_external plugins (their folders come with the plugins). The trimmed view of the Kubernetes API that the kubernetes and k8s_external plugins answer from: only what an
// answer needs is kept (no annotations, no managed fields, no status beyond readiness), as immutable records, so a
// snapshot can be shared by every pipeline replica and published to every node of an Akka.Dns cluster.

/// <summary>How a Service is answered (Kubernetes DNS specification, section 2.3 / 2.4).</summary>
public enum ServiceKind
{
    /// <summary>ClusterIP, NodePort or LoadBalancer with a cluster IP: A/AAAA of the cluster IPs.</summary>
    ClusterIP,
    /// <summary>clusterIP None: one record per ready endpoint.</summary>
    Headless,
    /// <summary>type ExternalName: a CNAME to <see cref="K8sService.ExternalName"/>.</summary>
    ExternalName,
}

/// <summary>A named (or unnamed) port of a Service or an EndpointSlice; Protocol is "TCP", "UDP" or "SCTP".</summary>
public sealed record K8sPort(string Name, string Protocol, int Port);

/// <summary>A Service, trimmed.</summary>
public sealed record K8sService(
    string Namespace,
    string Name,
    ServiceKind Kind,
    ImmutableArray<IPAddress> ClusterIPs,
    string? ExternalName,
    ImmutableArray<K8sPort> Ports,
    /// <summary>spec.externalIPs and status.loadBalancer.ingress[].ip (k8s_external).</summary>
    ImmutableArray<IPAddress> ExternalIPs,
    /// <summary>status.loadBalancer.ingress[].hostname (k8s_external answers them as CNAME).</summary>
    ImmutableArray<string> ExternalHostnames,
    ImmutableDictionary<string, string> Labels)
{
    public string Key => Namespace + "/" + Name;
}

/// <summary>One endpoint of an EndpointSlice: its addresses (one family per slice), readiness and names.</summary>
public sealed record K8sEndpoint(
    ImmutableArray<IPAddress> Addresses,
    /// <summary>conditions.ready (absent = ready, as the API says).</summary>
    bool Ready,
    /// <summary>hostname (set for pods with spec.hostname and a matching subdomain).</summary>
    string? Hostname,
    string? NodeName,
    /// <summary>targetRef.name when targetRef.kind is Pod (endpoint_pod_names).</summary>
    string? PodName);

/// <summary>An EndpointSlice, trimmed; ServiceName is the kubernetes.io/service-name label.</summary>
public sealed record K8sEndpointSlice(
    string Namespace,
    string Name,
    string ServiceName,
    /// <summary>"IPv4", "IPv6" or "FQDN" (FQDN slices are ignored by DNS).</summary>
    string AddressType,
    ImmutableArray<K8sEndpoint> Endpoints,
    ImmutableArray<K8sPort> Ports)
{
    public string Key => Namespace + "/" + Name;
    public string ServiceKey => Namespace + "/" + ServiceName;

    /// <summary>
    /// The <c>multicluster.kubernetes.io/source-cluster</c> label of a Multi-Cluster Services slice (those of
    /// <see cref="K8sView.MultiClusterSlices"/>, where <see cref="ServiceName"/> is the
    /// <c>multicluster.kubernetes.io/service-name</c> label); null for an ordinary slice.
    /// </summary>
    public string? ClusterId { get; init; }
}

/// <summary>
/// A Multi-Cluster Services ServiceImport (<c>multicluster.x-k8s.io/v1alpha1</c>, KEP-1645), trimmed: its type
/// (ClusterSetIP or Headless), the cluster-set IPs (spec.ips) and ports. Answered in the <c>multicluster</c> zones.
/// </summary>
public sealed record K8sServiceImport(
    string Namespace,
    string Name,
    /// <summary>spec.type Headless: answered from the multi-cluster EndpointSlices, else from <see cref="IPs"/>.</summary>
    bool Headless,
    ImmutableArray<IPAddress> IPs,
    ImmutableArray<K8sPort> Ports)
{
    public string Key => Namespace + "/" + Name;
}

/// <summary>A Pod, trimmed (only for <c>pods verified</c>).</summary>
public sealed record K8sPod(string Namespace, string Name, ImmutableArray<IPAddress> PodIPs, bool Terminating)
{
    public string Key => Namespace + "/" + Name;
}

/// <summary>A Namespace, trimmed (namespace_labels, and NXDOMAIN vs NODATA for names under a namespace).</summary>
public sealed record K8sNamespace(string Name, ImmutableDictionary<string, string> Labels);

/// <summary>
/// One consistent snapshot of everything watched, replaced whole on every change (no lock on the read path).
/// Maps are keyed by "namespace/name" (<see cref="K8sService.Key"/>...); EndpointSlices by their own key.
/// </summary>
public sealed record K8sView(
    ImmutableDictionary<string, K8sService> Services,
    ImmutableDictionary<string, K8sEndpointSlice> EndpointSlices,
    ImmutableDictionary<string, K8sPod> Pods,
    ImmutableDictionary<string, K8sNamespace> Namespaces,
    /// <summary>False until the first full list of every resource kind arrived (answers SERVFAIL until startup_timeout, ready says not ready).</summary>
    bool Synced)
{
    /// <summary>ServiceImports by "namespace/name"; empty unless a stanza has <c>multicluster</c> zones.</summary>
    public ImmutableDictionary<string, K8sServiceImport> ServiceImports { get; init; } = ImmutableDictionary<string, K8sServiceImport>.Empty;

    /// <summary>
    /// EndpointSlices with the <c>multicluster.kubernetes.io/service-name</c> label (an MCS implementation's), by
    /// "namespace/name", with <see cref="K8sEndpointSlice.ClusterId"/>; empty unless watched for <c>multicluster</c>.
    /// </summary>
    public ImmutableDictionary<string, K8sEndpointSlice> MultiClusterSlices { get; init; } = ImmutableDictionary<string, K8sEndpointSlice>.Empty;

    public static readonly K8sView Empty = new(
        ImmutableDictionary<string, K8sService>.Empty, ImmutableDictionary<string, K8sEndpointSlice>.Empty,
        ImmutableDictionary<string, K8sPod>.Empty, ImmutableDictionary<string, K8sNamespace>.Empty, false);
}
