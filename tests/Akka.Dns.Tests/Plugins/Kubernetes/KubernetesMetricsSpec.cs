using Akka.Dns.TestSupport;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.Plugins.Prometheus;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.Tests.Plugins.Kubernetes;

/// <summary>
/// The kubernetes plugin's metrics on /metrics: the API client's requests (by code, method and the fake API
/// server's own host:port, so parallel specs do not mix) and the DNS programming latency of EndpointSlice changes
/// that carry the controller's trigger-time annotation. Counts are compared before and after (the registry is
/// process-wide); the latency is bounded below by the trigger time we set, never above.
/// </summary>
public sealed class KubernetesMetricsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static double Count(Scrape m, string kind) =>
        m.Value("coredns_kubernetes_dns_programming_duration_seconds_count", ("service_kind", kind)) ?? 0;

    private static double Sum(Scrape m, string kind) =>
        m.Value("coredns_kubernetes_dns_programming_duration_seconds_sum", ("service_kind", kind)) ?? 0;

    [Fact]
    public async Task Kubernetes_should_export_rest_client_requests_and_dns_programming_latency()
    {
        await using var api = await FakeApiServer.StartAsync();
        api.Put(Namespace("default"));
        api.Put(ClusterIP("default", "web", ["10.96.0.10"], Port("http", 80)));
        api.Put(Headless("default", "db", Port("pg", 5432)));
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $"cluster.local {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n kubernetes {{\n  endpoint {api.Url}\n }}\n}}\n");
        var host = new Uri(api.Url).Authority;

        var before = await PrometheusSpec.ScrapeAsync(http);
        // Three kinds listed and watched (services, endpointslices, namespaces): six GETs answered 200 at least.
        Assert.True(before.Value("coredns_kubernetes_rest_client_requests_total", ("code", "200"), ("method", "GET"), ("host", host)) >= 6,
            before.Text);
        Assert.True(before.Value("coredns_kubernetes_rest_client_request_duration_seconds_count", ("verb", "GET"), ("host", host)) >= 6);

        // Changes the EndpointSlice controller made 2 s ago, applied now: at least 2 s of programming latency each.
        var trigger = DateTimeOffset.UtcNow.AddSeconds(-2).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'");
        var web = Slice("default", "web-abc", "web", "IPv4", Endpoint("10.1.0.5", pod: "web-0"));
        web.Metadata.Annotations = new Dictionary<string, string> { ["endpoints.kubernetes.io/last-change-trigger-time"] = trigger };
        var db = Slice("default", "db-abc", "db", "IPv4", Endpoint("10.1.0.6", pod: "db-0"));
        db.Metadata.Annotations = new Dictionary<string, string> { ["endpoints.kubernetes.io/last-change-trigger-time"] = trigger };
        var plain = Slice("default", "web-def", "web", "IPv4", Endpoint("10.1.0.7", pod: "web-1"));   // no annotation: not recorded
        api.Put(web);
        api.Put(db);
        api.Put(plain);

        var deadline = DateTime.UtcNow + Bound;
        Scrape after;
        while (true)
        {
            after = await PrometheusSpec.ScrapeAsync(http);
            if (Count(after, "cluster_ip") > Count(before, "cluster_ip") && Count(after, "headless_with_selector") > Count(before, "headless_with_selector"))
                break;
            if (DateTime.UtcNow > deadline) Assert.Fail($"no programming latency recorded within {Bound.TotalSeconds} s\n{after.Text}");
            await Task.Delay(50);
        }
        Assert.Equal(1, Count(after, "cluster_ip") - Count(before, "cluster_ip"));
        Assert.Equal(1, Count(after, "headless_with_selector") - Count(before, "headless_with_selector"));
        Assert.True(Sum(after, "cluster_ip") - Sum(before, "cluster_ip") >= 2);
        Assert.Empty(after.Series("coredns_kubernetes_dns_programming_duration_seconds_count", ("service_kind", "headless_without_selector")));
    }
}
