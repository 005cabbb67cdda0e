using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;
using Akka.Event;
using k8s;
using k8s.Models;

namespace Akka.Dns.Cluster.Bootstrap;

/// <summary>
/// Akka.Discovery method <c>kubernetes-api</c> for Cluster Bootstrap: lists the pods of one namespace whose labels
/// match <c>pod-label-selector</c> (<c>{0}</c> = the service name bootstrap looks up) and returns each running pod's
/// IP with the container port named as the lookup's port name (the management port). Settings:
/// <c>akka.discovery.kubernetes-api</c> in reference.conf.
/// </summary>
/// <remarks>
/// Our own instead of Akka.Discovery.KubernetesApi 1.5.73: that one is built against KubernetesClient 17.x and calls
/// list overloads that the KubernetesClient our kubernetes plugin uses (21.x) no longer has. The semantics follow
/// it: pods being deleted, not Running, or without an IP are left out; readiness is NOT required (a pod is not
/// ready until it has joined, so waiting for readiness would never form a cluster).
/// </remarks>
public sealed class KubernetesApiDiscovery : ServiceDiscovery
{
    private readonly ILoggingAdapter _log;
    private readonly KubernetesApiDiscoverySettings _settings;
    private readonly IKubernetes? _client;
    private readonly string? _clientError;

    public KubernetesApiDiscovery(ExtendedActorSystem system, Config config)
    {
        _log = Logging.GetLogger(system, this);
        _settings = KubernetesApiDiscoverySettings.Create(config);
        try
        {
            _client = new k8s.Kubernetes(_settings.ClientConfiguration());
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Bootstrap keeps retrying lookups; each one fails with this reason, logged by the coordinator.
            _clientError = e.Message;
            _log.Error("kubernetes-api discovery: no Kubernetes client: {0}", e.Message);
        }
    }

    public KubernetesApiDiscoverySettings Settings => _settings;

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        if (_client is null) throw new InvalidOperationException($"kubernetes-api discovery has no Kubernetes client: {_clientError}");
        var selector = _settings.LabelSelector(lookup.ServiceName);
        using var cts = new CancellationTokenSource(resolveTimeout);
        V1PodList pods;
        try
        {
            pods = await _client.CoreV1.ListNamespacedPodAsync(_settings.Namespace, labelSelector: selector, cancellationToken: cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException($"listing pods ({selector}) in namespace {_settings.Namespace} took longer than {resolveTimeout}", e);
        }
        var targets = Targets(pods, lookup.PortName);
        if (targets.Count == 0)
            _log.Warning("kubernetes-api discovery: no running pod in namespace [{0}] matches [{1}]{2}",
                _settings.Namespace, selector, lookup.PortName is null ? "" : $" with a container port named [{lookup.PortName}]");
        return new Resolved(lookup.ServiceName, targets);
    }

    /// <summary>The contact points among <paramref name="pods"/>: running, not being deleted, with an IP and (if asked) the named port.</summary>
    public static List<ResolvedTarget> Targets(V1PodList pods, string? portName)
    {
        var targets = new List<ResolvedTarget>();
        foreach (var pod in pods.Items ?? [])
        {
            if (pod.Metadata?.DeletionTimestamp is not null) continue;
            if (!string.Equals(pod.Status?.Phase, "Running", StringComparison.OrdinalIgnoreCase)) continue;
            if (!IPAddress.TryParse(pod.Status?.PodIP, out var ip)) continue;
            int? port = null;
            if (portName is not null)
            {
                port = NamedPort(pod, portName);
                if (port is null) continue;
            }
            targets.Add(new ResolvedTarget(ip.ToString(), port, ip));
        }
        return targets;
    }

    private static int? NamedPort(V1Pod pod, string name)
    {
        foreach (var c in pod.Spec?.Containers ?? [])
            foreach (var p in c.Ports ?? [])
                if (p.Name == name) return p.ContainerPort;
        return null;
    }
}

/// <summary>Typed <c>akka.discovery.kubernetes-api</c>.</summary>
public sealed record KubernetesApiDiscoverySettings
{
    /// <summary>"" = the pod's service account (in-cluster); else the API server URL (tests: the fake on loopback).</summary>
    public required string ApiEndpoint { get; init; }

    /// <summary>The namespace whose pods are listed.</summary>
    public required string Namespace { get; init; }

    /// <summary>The label selector; <c>{0}</c> is replaced by the looked-up service name.</summary>
    public required string PodLabelSelector { get; init; }

    public string LabelSelector(string serviceName) => PodLabelSelector.Replace("{0}", serviceName, StringComparison.Ordinal);

    public static KubernetesApiDiscoverySettings Create(Config config)
    {
        var ns = config.GetString("pod-namespace", "").Trim();
        if (ns.Length == 0)
        {
            var path = config.GetString("pod-namespace-path", "");
            ns = path.Length > 0 && File.Exists(path) ? File.ReadAllText(path).Trim() : "";
        }
        var selector = config.GetString("pod-label-selector", "").Trim();
        if (selector.Length == 0)
            throw new ConfigurationException("akka.discovery.kubernetes-api.pod-label-selector must not be empty (it would select every pod)");
        return new KubernetesApiDiscoverySettings
        {
            ApiEndpoint = config.GetString("api-endpoint", "").Trim(),
            Namespace = ns.Length > 0 ? ns : "default",
            PodLabelSelector = selector,
        };
    }

    /// <summary>The client configuration: the endpoint as given, or the pod's service account token and CA.</summary>
    public KubernetesClientConfiguration ClientConfiguration()
    {
        if (ApiEndpoint.Length > 0) return new KubernetesClientConfiguration { Host = ApiEndpoint.TrimEnd('/') };
        if (!KubernetesClientConfiguration.IsInCluster())
            throw new InvalidOperationException("not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST or service account token) and no api-endpoint set");
        return KubernetesClientConfiguration.InClusterConfig();
    }
}
