using System.Security.Cryptography.X509Certificates;
using k8s;

namespace Akka.Dns.Kubernetes.Api;

/// <summary>
/// The three ways CoreDNS's kubernetes plugin reaches the API, as KubernetesClient configurations: an explicit
/// <c>endpoint</c> (with the optional <c>tls CERT KEY CACERT</c> and a bearer token), a <c>kubeconfig</c> file and
/// context, or the pod's service account (in-cluster). Tests use <see cref="FromEndpoint"/> with the fake API
/// server's loopback URL; nothing else differs from production.
/// </summary>
public static class K8sClientFactory
{
    /// <summary>REST calls (lists) give up after this; watches are not bound by it (KubernetesClient exempts them).</summary>
    public static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>endpoint URL</c> (+ <c>tls CERT KEY CACERT</c>): client certificate and key are PEM files; the CA file
    /// replaces the system roots for the API server's certificate. A token, if given, is sent as a bearer token.
    /// </summary>
    public static KubernetesClientConfiguration FromEndpoint(
        string url, string? token = null, string? clientCertPath = null, string? clientKeyPath = null, string? caCertPath = null)
    {
        var config = new KubernetesClientConfiguration { Host = url.TrimEnd('/'), AccessToken = token, HttpClientTimeout = ListTimeout };
        if (clientCertPath is not null)
        {
            config.ClientCertificateFilePath = clientCertPath;
            config.ClientKeyFilePath = clientKeyPath;
        }
        if (caCertPath is not null)
        {
            var cas = new X509Certificate2Collection();
            cas.ImportFromPemFile(caCertPath);
            config.SslCaCerts = cas;
        }
        return config;
    }

    /// <summary><c>kubeconfig KUBECONFIG [CONTEXT]</c>: the named context, or the file's current context.</summary>
    public static KubernetesClientConfiguration FromKubeconfig(string path, string? context = null)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
        config.HttpClientTimeout = ListTimeout;
        return config;
    }

    /// <summary>No endpoint and no kubeconfig: the service account token and CA mounted into the pod.</summary>
    public static KubernetesClientConfiguration InCluster()
    {
        if (!KubernetesClientConfiguration.IsInCluster())
            throw new InvalidOperationException(
                "not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST or service account token): use endpoint or kubeconfig");
        var config = KubernetesClientConfiguration.InClusterConfig();
        config.HttpClientTimeout = ListTimeout;
        return config;
    }

    /// <summary>A client for <paramref name="config"/>; <paramref name="handlers"/> join its HTTP pipeline (metrics).</summary>
    public static IKubernetes CreateClient(KubernetesClientConfiguration config, params DelegatingHandler[] handlers) =>
        new k8s.Kubernetes(config, handlers);
}
