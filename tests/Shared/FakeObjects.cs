using Akka.Dns.Kubernetes.Api;
using k8s.Models;

namespace Akka.Dns.TestSupport;

/// <summary>Builders of full API objects (with the clutter real ones carry, which trimming must drop).</summary>
public static class FakeObjects
{
    private static V1ObjectMeta Meta(string? ns, string name, Dictionary<string, string>? labels = null) => new()
    {
        NamespaceProperty = ns,
        Name = name,
        Labels = labels,
        Annotations = new Dictionary<string, string> { ["kubectl.kubernetes.io/last-applied-configuration"] = new string('x', 400) },
        ManagedFields = new List<V1ManagedFieldsEntry> { new() { Manager = "kubectl", Operation = "Update", ApiVersion = "v1" } },
    };

    public static V1Service ClusterIP(string ns, string name, string[] ips, params V1ServicePort[] ports) => new()
    {
        Metadata = Meta(ns, name, new Dictionary<string, string> { ["app"] = name }),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP", ClusterIP = ips[0], ClusterIPs = ips, Ports = ports,
            Selector = new Dictionary<string, string> { ["app"] = name }, SessionAffinity = "None",
            IpFamilies = ips.Select(i => i.Contains(':') ? "IPv6" : "IPv4").ToList(),
        },
    };

    public static V1Service Headless(string ns, string name, params V1ServicePort[] ports) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new V1ServiceSpec { Type = "ClusterIP", ClusterIP = "None", ClusterIPs = new[] { "None" }, Ports = ports },
    };

    public static V1Service External(string ns, string name, string target) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = target },
    };

    public static V1Service LoadBalancer(string ns, string name, string ip, string[] externalIPs, string lbIp, string lbHost) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new V1ServiceSpec { Type = "LoadBalancer", ClusterIP = ip, ClusterIPs = new[] { ip }, ExternalIPs = externalIPs,
            Ports = new[] { Port("http", 80) } },
        Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = new[]
        {
            new V1LoadBalancerIngress { Ip = lbIp }, new V1LoadBalancerIngress { Hostname = lbHost },
        } } },
    };

    public static V1ServicePort Port(string name, int port, string protocol = "TCP") =>
        new() { Name = name, Port = port, Protocol = protocol, TargetPort = port };

    public static V1EndpointSlice Slice(string ns, string name, string service, string addressType, params V1Endpoint[] endpoints) => new()
    {
        Metadata = Meta(ns, name, new Dictionary<string, string>
        {
            ["kubernetes.io/service-name"] = service, ["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io",
        }),
        AddressType = addressType,
        Endpoints = endpoints,
        Ports = new[] { new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" } },
    };

    public static V1Endpoint Endpoint(string ip, bool? ready = true, string? hostname = null, string? pod = null, string node = "node-1") => new()
    {
        Addresses = new[] { ip },
        Conditions = new V1EndpointConditions { Ready = ready, Serving = ready, Terminating = false },
        Hostname = hostname,
        NodeName = node,
        Zone = "zone-a",
        TargetRef = pod is null ? null : new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = "default", Uid = Guid.NewGuid().ToString() },
    };

    public static V1Pod Pod(string ns, string name, string[] ips, bool terminating = false) => new V1Pod
    {
        Metadata = Meta(ns, name),
        Spec = new V1PodSpec { Containers = new[] { new V1Container { Name = "c", Image = "registry.example/app:1" } }, NodeName = "node-1" },
        Status = new V1PodStatus { Phase = "Running", PodIP = ips[0], PodIPs = ips.Select(i => new V1PodIP { Ip = i }).ToList(), HostIP = "10.0.0.1" },
    }.Also(p => { if (terminating) p.Metadata.DeletionTimestamp = DateTime.UtcNow; });

    public static V1Namespace Namespace(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = Meta(null, name, labels),
        Status = new V1NamespaceStatus { Phase = "Active" },
    };

    #region Multi-Cluster Services (added for the kubernetes multicluster specs)

    /// <summary>A ServiceImport as an MCS implementation writes it (type ClusterSetIP with ips, or Headless), status included.</summary>
    public static V1Alpha1ServiceImport ServiceImport(string ns, string name, string type, string[] ips, params V1Alpha1ServicePort[] ports) => new()
    {
        Metadata = Meta(ns, name),
        Spec = new V1Alpha1ServiceImportSpec { Type = type, Ips = ips, Ports = ports },
    };

    public static V1Alpha1ServicePort ImportPort(string name, int port, string protocol = "TCP") =>
        new() { Name = name, Port = port, Protocol = protocol, AppProtocol = "http" };

    /// <summary>An EndpointSlice of an MCS implementation: labelled with the imported service's name and its source cluster.</summary>
    public static V1EndpointSlice MultiClusterSlice(string ns, string name, string service, string cluster, string addressType, params V1Endpoint[] endpoints) => new()
    {
        Metadata = Meta(ns, name, new Dictionary<string, string>
        {
            [V1Alpha1ServiceImport.ServiceNameLabel] = service, [V1Alpha1ServiceImport.SourceClusterLabel] = cluster,
            ["endpointslice.kubernetes.io/managed-by"] = "mcs-controller.example",
        }),
        AddressType = addressType,
        Endpoints = endpoints,
        Ports = new[] { new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" } },
    };

    #endregion

    private static T Also<T>(this T t, Action<T> a) { a(t); return t; }
}
