using System.Diagnostics;
using System.Globalization;
using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Kubernetes;

/// <summary>
/// CoreDNS's kubernetes metrics: the DNS programming latency SLI (from an EndpointSlice's
/// <c>endpoints.kubernetes.io/last-change-trigger-time</c> to the moment the watch applied it) and the API client's
/// requests (<see cref="RestMetricsHandler"/> sits in the KubernetesClient HTTP pipeline). Both are recorded on the
/// node that watches: in a cluster, the singleton's node.
/// </summary>
public static class KubernetesMetrics
{
    /// <summary>Prometheus's default buckets (client_golang DefBuckets), as CoreDNS's rest client histograms use.</summary>
    private static readonly double[] DefBuckets = [.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10];

    public static readonly global::Prometheus.Histogram DnsProgrammingDuration = PrometheusRegistry.Histogram(
        "coredns_kubernetes_dns_programming_duration_seconds", "Histogram of the time (in seconds) it took to program a dns instance.",
        global::Prometheus.Histogram.ExponentialBuckets(0.001, 2, 20), "service_kind");

    public static readonly global::Prometheus.Histogram RestRequestDuration = PrometheusRegistry.Histogram(
        "coredns_kubernetes_rest_client_request_duration_seconds", "Request latency in seconds. Broken down by verb and host.",
        DefBuckets, "verb", "host");

    public static readonly global::Prometheus.Counter RestRequests = PrometheusRegistry.Counter(
        "coredns_kubernetes_rest_client_requests_total", "Number of HTTP requests, partitioned by status code, method, and host.",
        "code", "method", "host");

    /// <summary>The annotation the EndpointSlice controller sets to when the change that led to this version happened.</summary>
    public const string TriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

    /// <summary>
    /// Records one programmed EndpointSlice change, as CoreDNS's EndpointLatencyRecorder: only with the annotation
    /// (the slice was written by the controller) and a known service; <c>headless_with_selector</c> for a headless
    /// one, else <c>cluster_ip</c> (CoreDNS does not record <c>headless_without_selector</c> either).
    /// </summary>
    public static void Programmed(string? triggerTime, bool headless, DateTimeOffset now)
    {
        if (triggerTime is null || !DateTimeOffset.TryParse(triggerTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            return;
        var seconds = (now - t).TotalSeconds;
        DnsProgrammingDuration.WithLabels(headless ? "headless_with_selector" : "cluster_ip").Observe(Math.Max(0, seconds));
    }
}

/// <summary>
/// Counts and times every request the kubernetes client makes (client-go's rest client metrics): status code (or
/// <c>&lt;error&gt;</c> when there was no response), HTTP method and API host; a watch is timed to its response headers.
/// </summary>
public sealed class RestMetricsHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var verb = request.Method.Method;
        var host = request.RequestUri?.Authority ?? "";
        var start = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            KubernetesMetrics.RestRequests.WithLabels("<error>", verb, host).Inc();
            throw;
        }
        KubernetesMetrics.RestRequestDuration.WithLabels(verb, host).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        KubernetesMetrics.RestRequests.WithLabels(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), verb, host).Inc();
        return response;
    }
}
