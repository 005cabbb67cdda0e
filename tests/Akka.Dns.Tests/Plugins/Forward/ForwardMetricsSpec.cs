using System.Net;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.Plugins.Prometheus;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Plugins.Forward;

public sealed class ForwardMetricsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Duration = "coredns_proxy_request_duration_seconds_count";
    private const string HealthFailures = "coredns_proxy_healthcheck_failures_total";
    private const string Broken = "coredns_forward_healthcheck_broken_total";

    private sealed class Setup(DnsServer server, int dns, int http, FakeUpstream[] ups) : IAsyncDisposable
    {
        public readonly int Dns = dns, Http = http;
        public readonly FakeUpstream[] Ups = ups;

        public Task<Scrape> ScrapeAsync() => PrometheusSpec.ScrapeAsync(Http);

        public async Task<int> QueryAsync(string name)
        {
            var reply = await PrometheusSpec.UdpAsync(Dns, new QueryBuilder(name));
            return reply[3] & 0xF;
        }

        public async ValueTask DisposeAsync()
        {
            await server.StopAsync(lameduck: false);
            foreach (var u in Ups) await u.DisposeAsync();
        }
    }

    private static async Task<Setup> StartAsync(Akka.Actor.ActorSystem sys, string options, params Misbehaviour[] modes)
    {
        var ups = new FakeUpstream[modes.Length];
        for (var i = 0; i < modes.Length; i++) ups[i] = new FakeUpstream(IPAddress.Parse($"192.0.2.{i + 1}")) { Mode = modes[i] };
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        var tos = string.Join(" ", ups.Select(u => u.Endpoint));
        var server = await HealthSpec.StartServerAsync(sys,
            $"example.org:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n forward . {tos} {{\n{options}\n }}\n}}\n");
        return new Setup(server, dns, http, ups);
    }

    private static (string, string)[] Labels(FakeUpstream u, string rcode) => [("proxy_name", "forward"), ("to", u.Endpoint), ("rcode", rcode)];

    [Fact]
    public async Task Forward_should_export_request_durations_per_upstream_and_rcode_and_failed_health_checks()
    {
        await using var s = await StartAsync(Sys, "  policy sequential\n  max_fails 1\n  health_check 100ms\n  read_timeout 200ms",
            Misbehaviour.Drop, Misbehaviour.Answer);
        var (silent, answering) = (s.Ups[0], s.Ups[1]);

        // The first upstream drops it (its health check is kicked), the second answers.
        Assert.Equal(Rcode.NoError, await s.QueryAsync("a.example.org."));
        answering.Mode = Misbehaviour.Rcode;
        answering.Rcode = Rcode.NxDomain;
        Assert.Equal(Rcode.NxDomain, await s.QueryAsync("b.example.org."));

        // Health checks of the silent upstream keep failing (every 100 ms, 1 s timeout each).
        await AwaitConditionAsync(async () => (await s.ScrapeAsync()).Value(HealthFailures, ("proxy_name", "forward"), ("to", silent.Endpoint)) >= 2,
            TimeSpan.FromSeconds(15));

        var scrape = await s.ScrapeAsync();
        Assert.Equal(1, scrape.Value(Duration, Labels(answering, "NOERROR")));
        Assert.Equal(1, scrape.Value(Duration, Labels(answering, "NXDOMAIN")));
        Assert.Null(scrape.Value(Duration, Labels(answering, "SERVFAIL")));
        Assert.Empty(scrape.Series(Duration, ("to", silent.Endpoint)));   // no reply, no duration
        Assert.Null(scrape.Value(HealthFailures, ("proxy_name", "forward"), ("to", answering.Endpoint)));
        Assert.Equal(1, scrape.Value("coredns_proxy_request_duration_seconds_bucket", [.. Labels(answering, "NOERROR"), ("le", "8.192")]));
        Assert.Equal(1, scrape.Value("coredns_proxy_request_duration_seconds_bucket", [.. Labels(answering, "NOERROR"), ("le", "+Inf")]));
    }

    [Fact]
    public async Task Forward_should_count_a_broken_health_check_when_every_upstream_is_down()
    {
        await using var s = await StartAsync(Sys, "  max_fails 1\n  health_check 100ms\n  read_timeout 200ms\n  failfast_all_unhealthy_upstreams",
            Misbehaviour.Drop);
        var before = (await s.ScrapeAsync()).Value(Broken) ?? 0;
        Assert.Equal(Rcode.ServFail, await s.QueryAsync("a.example.org."));
        // Once the upstream is down (two failed checks), a query finds every upstream down.
        await AwaitConditionAsync(async () => (await s.ScrapeAsync()).Value(HealthFailures, ("proxy_name", "forward"), ("to", s.Ups[0].Endpoint)) >= 2,
            TimeSpan.FromSeconds(15));
        Assert.Equal(Rcode.ServFail, await s.QueryAsync("b.example.org."));
        Assert.True((await s.ScrapeAsync()).Value(Broken) >= before + 1);
    }

    [Fact]
    public async Task Forward_should_export_connection_cache_misses_and_hits_per_upstream_and_proto()
    {
        await using var s = await StartAsync(Sys, "  force_tcp", Misbehaviour.Answer);
        var u = s.Ups[0];
        Assert.Equal(Rcode.NoError, await s.QueryAsync("a.example.org."));   // dialled
        Assert.Equal(Rcode.NoError, await s.QueryAsync("b.example.org."));   // reused
        Assert.Equal(Rcode.NoError, await s.QueryAsync("c.example.org."));   // reused
        var scrape = await s.ScrapeAsync();
        (string, string)[] labels = [("proxy_name", "forward"), ("to", u.Endpoint), ("proto", "tcp")];
        Assert.Equal(1, scrape.Value("coredns_proxy_conn_cache_misses_total", labels));
        Assert.Equal(2, scrape.Value("coredns_proxy_conn_cache_hits_total", labels));
        Assert.Equal(1, u.TcpConnections);
        Assert.Equal(3, scrape.Value(Duration, Labels(u, "NOERROR")));
    }
}
