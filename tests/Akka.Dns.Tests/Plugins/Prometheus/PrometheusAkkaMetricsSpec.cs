using ARSoft.Tools.Net.Dns;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.TestKit;
using Xunit;

namespace Akka.Dns.Tests.Plugins.Prometheus;

public sealed class PrometheusAkkaMetricsSpec(Xunit.Abstractions.ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task Prometheus_should_export_plugin_restarts_by_block_and_plugin_and_sample_mailboxes()
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $".:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n fault throw boom.example.\n}}\n", TestPlugins.Catalog);
        var block = $".:{dns}";

        var reply = await PrometheusSpec.UdpAsync(dns, new QueryBuilder("boom.example."));
        Assert.Equal(ReturnCode.ServerFailure, DnsMessage.Parse(reply).ReturnCode);
        await PrometheusSpec.UdpAsync(dns, new QueryBuilder("fine.example."));

        // The supervisor restarts the actor after the failed query was answered: wait for it to have counted.
        Scrape m = null!;
        await AwaitAssertAsync(async () =>
        {
            m = await PrometheusSpec.ScrapeAsync(http);
            Assert.Equal(1, m.Value("akkadns_plugin_restarts_total", ("block", block), ("plugin", "fault")));
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));

        Assert.True(m.Value("coredns_panics_total") >= 1);
        var label = $"dns://127.0.0.1:{dns}";
        Assert.Equal(1, m.Value("coredns_dns_responses_total", ("server", label), ("zone", "."), ("view", ""), ("rcode", "SERVFAIL"), ("plugin", "fault")));
        Assert.Equal(1, m.Value("coredns_dns_responses_total", ("server", label), ("zone", "."), ("view", ""), ("rcode", "NOERROR"), ("plugin", "fault")));
        // Nothing is waiting once every query was answered; the block's one actor is sampled (prometheus has none).
        Assert.Equal(0, m.Value("akkadns_plugin_mailbox_depth", ("block", block), ("plugin", "fault")));
        Assert.Empty(m.Series("akkadns_plugin_mailbox_depth", ("block", block), ("plugin", "prometheus")));
    }

    [Fact]
    public async Task Prometheus_should_count_acl_decisions_with_coredns_labels()
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $"example.org:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n acl {{\n  block type MX\n }}\n whoami\n}}\n");
        await PrometheusSpec.UdpAsync(dns, new QueryBuilder("a.example.org.", Akka.Dns.Wire.RrType.MX));
        await PrometheusSpec.UdpAsync(dns, new QueryBuilder("a.example.org."));
        await PrometheusSpec.UdpAsync(dns, new QueryBuilder("b.example.org."));

        var m = await PrometheusSpec.ScrapeAsync(http);
        var label = $"dns://127.0.0.1:{dns}";
        Assert.Equal(1, m.Value("coredns_acl_blocked_requests_total", ("server", label), ("zone", "example.org."), ("view", "")));
        Assert.Equal(2, m.Value("coredns_acl_allowed_requests_total", ("server", label), ("view", "")));
    }
}
