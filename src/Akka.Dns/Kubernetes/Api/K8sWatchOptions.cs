using System.Collections.Immutable;

namespace Akka.Dns.Kubernetes.Api;

/// <summary>
/// What <see cref="K8sWatcher"/> watches and how it retries. Selectors are applied as CoreDNS's controller.go does:
/// <see cref="LabelSelector"/> (<c>labels</c>) on the Service, EndpointSlice and Pod list/watch requests,
/// <see cref="NamespaceLabelSelector"/> (<c>namespace_labels</c>) on the Namespace list/watch; Pods are listed
/// with CoreDNS's field selector (no Succeeded, Failed or Unknown pods). <see cref="Namespaces"/> (<c>namespaces</c>)
/// is applied when an object is trimmed: objects of other namespaces are not stored (CoreDNS stores them and refuses
/// them per query; the answers are the same and the memory is smaller).
/// </summary>
public sealed record K8sWatchOptions
{
    /// <summary>Watch Pods (only <c>pods verified</c> needs them).</summary>
    public bool WatchPods { get; init; }

    /// <summary>Watch Namespaces (namespace existence for NXDOMAIN vs NODATA, and <c>namespace_labels</c>).</summary>
    public bool WatchNamespaces { get; init; } = true;

    /// <summary>
    /// Watch ServiceImports and the Multi-Cluster Services EndpointSlices (only <c>multicluster</c> zones need them).
    /// As CoreDNS's controller.go: the slices are selected with <see cref="LabelSelector"/> plus the
    /// <c>multicluster.kubernetes.io/service-name</c> label; the ServiceImports with <see cref="NamespaceLabelSelector"/>.
    /// </summary>
    public bool WatchMultiCluster { get; init; }

    /// <summary><c>labels EXPRESSION</c>, in the API's label-selector syntax; null = everything.</summary>
    public string? LabelSelector { get; init; }

    /// <summary><c>namespace_labels EXPRESSION</c>; null = every namespace.</summary>
    public string? NamespaceLabelSelector { get; init; }

    /// <summary><c>namespaces NAMESPACE...</c>; empty = all namespaces.</summary>
    public ImmutableHashSet<string> Namespaces { get; init; } = ImmutableHashSet<string>.Empty;

    /// <summary>A burst of changes is published as one snapshot at most this often (a change shows within it).</summary>
    public TimeSpan Coalesce { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>First retry delay after an error; doubles per consecutive failure up to <see cref="MaxBackoff"/>, with jitter.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Asked of the server per watch (it closes the watch then and we re-watch from the last resourceVersion), as client-go does.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Called for every EndpointSlice added, modified or deleted by a watch event (not the initial list) with the
    /// slice's <c>endpoints.kubernetes.io/last-change-trigger-time</c> annotation (or null), whether its service is
    /// headless, and now: the DNS programming latency metric. Only when the slice's service is known.
    /// </summary>
    public Action<string?, bool, DateTimeOffset>? SliceProgrammed { get; init; }

    /// <summary>The pod field selector CoreDNS sends (controller.go podListFunc).</summary>
    public const string PodFieldSelector = "status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown";

    /// <summary>The label selector of the multi-cluster EndpointSlice list/watch.</summary>
    internal string MultiClusterSliceSelector => string.IsNullOrEmpty(LabelSelector)
        ? V1Alpha1ServiceImport.ServiceNameLabel
        : LabelSelector + "," + V1Alpha1ServiceImport.ServiceNameLabel;

    internal bool Admits(string? ns) => Namespaces.IsEmpty || (ns is not null && Namespaces.Contains(ns));
}
