using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Akka.Dns.Kubernetes.Api;

// The Multi-Cluster Services API's ServiceImport (sigs.k8s.io/mcs-api, multicluster.x-k8s.io/v1alpha1) as the API
// server sends it; KubernetesClient has no type for this custom resource. Only the fields DNS reads are declared
// (System.Text.Json skips the rest: sessionAffinity, status.clusters...).

/// <summary>A ServiceImport: a service exported from one or more clusters of the cluster set.</summary>
public sealed class V1Alpha1ServiceImport : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "multicluster.x-k8s.io";
    public const string Version = "v1alpha1";
    public const string Plural = "serviceimports";
    public const string KubeKind = "ServiceImport";
    public const string KubeApiVersion = Group + "/" + Version;

    /// <summary>The label an MCS implementation puts on its EndpointSlices: the imported service's name.</summary>
    public const string ServiceNameLabel = "multicluster.kubernetes.io/service-name";

    /// <summary>The label naming the cluster an MCS EndpointSlice's endpoints are in.</summary>
    public const string SourceClusterLabel = "multicluster.kubernetes.io/source-cluster";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = KubeApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = KubeKind;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public V1Alpha1ServiceImportSpec? Spec { get; set; }
}

public sealed class V1Alpha1ServiceImportSpec
{
    /// <summary>"ClusterSetIP" or "Headless".</summary>
    [JsonPropertyName("type")] public string? Type { get; set; }

    /// <summary>The cluster-set IPs (ClusterSetIP imports).</summary>
    [JsonPropertyName("ips")] public IList<string>? Ips { get; set; }

    [JsonPropertyName("ports")] public IList<V1Alpha1ServicePort>? Ports { get; set; }
}

public sealed class V1Alpha1ServicePort
{
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("protocol")] public string? Protocol { get; set; }
    [JsonPropertyName("appProtocol")] public string? AppProtocol { get; set; }
    [JsonPropertyName("port")] public int Port { get; set; }
}

public sealed class V1Alpha1ServiceImportList : IKubernetesObject<V1ListMeta>, IItems<V1Alpha1ServiceImport>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = V1Alpha1ServiceImport.KubeApiVersion;
    [JsonPropertyName("kind")] public string Kind { get; set; } = "ServiceImportList";
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<V1Alpha1ServiceImport> Items { get; set; } = new List<V1Alpha1ServiceImport>();
}
