using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using Akka.Dns.Kubernetes.Model;
using k8s.Models;

namespace Akka.Dns.Kubernetes.Api;

/// <summary>
/// Turns full API objects into the trimmed model: only what an answer needs survives (no annotations, managed
/// fields, owner references, status beyond readiness, selectors or session affinity...). Strings that repeat across
/// objects (namespaces, service names, protocols, address types) are pooled so 10,000 slices of one namespace hold
/// one copy of its name. Returns null for an object that is not stored (other namespace, slice without a service).
/// </summary>
public sealed class K8sTrim
{
    /// <summary>The label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private readonly K8sWatchOptions _options;
    private readonly ConcurrentDictionary<string, string> _pool = new(StringComparer.Ordinal);

    public K8sTrim(K8sWatchOptions options) => _options = options;

    // Bounded: names of deleted objects would otherwise stay forever; starting over only costs a few duplicates.
    private string Pool(string s)
    {
        if (_pool.Count > 50_000) _pool.Clear();
        return _pool.GetOrAdd(s, s);
    }

    public K8sService? Service(V1Service s)
    {
        var ns = s.Metadata?.NamespaceProperty;
        var name = s.Metadata?.Name;
        if (ns is null || name is null || !_options.Admits(ns)) return null;
        var spec = s.Spec;
        var kind = spec?.Type == "ExternalName" ? ServiceKind.ExternalName
            : spec?.ClusterIP == "None" ? ServiceKind.Headless
            : ServiceKind.ClusterIP;

        var clusterIPs = ImmutableArray<IPAddress>.Empty;
        if (kind == ServiceKind.ClusterIP)
            clusterIPs = spec?.ClusterIPs is { Count: > 0 } ips ? Addresses(ips) : Addresses(spec?.ClusterIP);

        var external = ImmutableArray.CreateBuilder<IPAddress>();
        var hostnames = ImmutableArray<string>.Empty;
        if (spec?.ExternalIPs is { } eips)
            foreach (var ip in eips)
                if (IPAddress.TryParse(ip, out var a)) external.Add(a);
        if (s.Status?.LoadBalancer?.Ingress is { Count: > 0 } ingress)
        {
            var hn = ImmutableArray.CreateBuilder<string>();
            foreach (var i in ingress)
            {
                if (i.Ip is not null && IPAddress.TryParse(i.Ip, out var a)) external.Add(a);
                if (!string.IsNullOrEmpty(i.Hostname)) hn.Add(i.Hostname);
            }
            hostnames = hn.Count == 0 ? hostnames : hn.ToImmutable();
        }

        var ports = ImmutableArray<K8sPort>.Empty;
        if (spec?.Ports is { Count: > 0 } sp)
        {
            var b = ImmutableArray.CreateBuilder<K8sPort>(sp.Count);
            foreach (var p in sp) b.Add(new K8sPort(Pool(p.Name ?? ""), Pool(p.Protocol ?? "TCP"), p.Port));
            ports = b.MoveToImmutable();
        }

        return new K8sService(Pool(ns), Pool(name), kind, clusterIPs,
            kind == ServiceKind.ExternalName ? spec?.ExternalName : null,
            ports, external.Count == 0 ? ImmutableArray<IPAddress>.Empty : external.ToImmutable(), hostnames,
            Labels(s.Metadata?.Labels));
    }

    public K8sEndpointSlice? EndpointSlice(V1EndpointSlice e) => Slice(e, ServiceNameLabel);

    /// <summary>
    /// A Multi-Cluster Services EndpointSlice: named after its <c>multicluster.kubernetes.io/service-name</c> label,
    /// with the <c>multicluster.kubernetes.io/source-cluster</c> label as its cluster id (CoreDNS's
    /// EndpointSliceToMultiClusterEndpoints).
    /// </summary>
    public K8sEndpointSlice? MultiClusterSlice(V1EndpointSlice e)
    {
        if (Slice(e, V1Alpha1ServiceImport.ServiceNameLabel) is not { } slice) return null;
        var cluster = e.Metadata.Labels.TryGetValue(V1Alpha1ServiceImport.SourceClusterLabel, out var c) ? c : "";
        return slice with { ClusterId = Pool(cluster) };
    }

    /// <summary>A ServiceImport: its type, cluster-set IPs and ports.</summary>
    public K8sServiceImport? ServiceImport(V1Alpha1ServiceImport i)
    {
        var ns = i.Metadata?.NamespaceProperty;
        var name = i.Metadata?.Name;
        if (ns is null || name is null || !_options.Admits(ns)) return null;
        var spec = i.Spec;
        var ports = ImmutableArray<K8sPort>.Empty;
        if (spec?.Ports is { Count: > 0 } sp)
        {
            var b = ImmutableArray.CreateBuilder<K8sPort>(sp.Count);
            foreach (var p in sp) b.Add(new K8sPort(Pool(p.Name ?? ""), Pool(p.Protocol ?? "TCP"), p.Port));
            ports = b.MoveToImmutable();
        }
        return new K8sServiceImport(Pool(ns), Pool(name), spec?.Type == "Headless", Addresses(spec?.Ips), ports);
    }

    private K8sEndpointSlice? Slice(V1EndpointSlice e, string serviceLabel)
    {
        var ns = e.Metadata?.NamespaceProperty;
        var name = e.Metadata?.Name;
        if (ns is null || name is null || !_options.Admits(ns)) return null;
        if (e.Metadata?.Labels is null || !e.Metadata.Labels.TryGetValue(serviceLabel, out var svc) || string.IsNullOrEmpty(svc))
            return null;

        var endpoints = ImmutableArray<K8sEndpoint>.Empty;
        if (e.Endpoints is { Count: > 0 } eps)
        {
            var b = ImmutableArray.CreateBuilder<K8sEndpoint>(eps.Count);
            foreach (var ep in eps)
            {
                var pod = ep.TargetRef is { Kind: "Pod", Name: { } podName } ? podName : null;
                b.Add(new K8sEndpoint(Addresses(ep.Addresses), ep.Conditions?.Ready ?? true,
                    string.IsNullOrEmpty(ep.Hostname) ? null : ep.Hostname,
                    ep.NodeName is null ? null : Pool(ep.NodeName), pod));
            }
            endpoints = b.MoveToImmutable();
        }

        var ports = ImmutableArray<K8sPort>.Empty;
        if (e.Ports is { Count: > 0 } ps)
        {
            var b = ImmutableArray.CreateBuilder<K8sPort>(ps.Count);
            foreach (var p in ps) b.Add(new K8sPort(Pool(p.Name ?? ""), Pool(p.Protocol ?? "TCP"), p.Port ?? 0));
            ports = b.MoveToImmutable();
        }

        return new K8sEndpointSlice(Pool(ns), name, Pool(svc), Pool(e.AddressType ?? "IPv4"), endpoints, ports);
    }

    public K8sPod? Pod(V1Pod p)
    {
        var ns = p.Metadata?.NamespaceProperty;
        var name = p.Metadata?.Name;
        if (ns is null || name is null || !_options.Admits(ns)) return null;
        var ips = p.Status?.PodIPs is { Count: > 0 } list ? Addresses(list.Select(x => x.Ip).ToList()) : Addresses(p.Status?.PodIP);
        return new K8sPod(Pool(ns), name, ips, p.Metadata?.DeletionTimestamp is not null);
    }

    public K8sNamespace? Namespace(V1Namespace n)
    {
        var name = n.Metadata?.Name;
        if (name is null || !_options.Admits(name)) return null;
        return new K8sNamespace(Pool(name), Labels(n.Metadata?.Labels));
    }

    private static ImmutableArray<IPAddress> Addresses(string? one) =>
        one is not null && IPAddress.TryParse(one, out var a) ? ImmutableArray.Create(a) : ImmutableArray<IPAddress>.Empty;

    private static ImmutableArray<IPAddress> Addresses(IList<string>? many)
    {
        if (many is null || many.Count == 0) return ImmutableArray<IPAddress>.Empty;
        if (many.Count == 1) return Addresses(many[0]);
        var b = ImmutableArray.CreateBuilder<IPAddress>(many.Count);
        foreach (var s in many)
            if (IPAddress.TryParse(s, out var a)) b.Add(a);
        return b.Count == b.Capacity ? b.MoveToImmutable() : b.ToImmutable();
    }

    private ImmutableDictionary<string, string> Labels(IDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0) return ImmutableDictionary<string, string>.Empty;
        var b = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (var (k, v) in labels) b[Pool(k)] = v;
        return b.ToImmutable();
    }
}
