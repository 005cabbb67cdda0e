using System.Net;
using System.Net.Sockets;
using Akka.Dns.Plugins.Health;
using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Tests.Plugins.Prometheus;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Health;

public sealed class HealthMetricsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Duration = "coredns_health_request_duration_seconds_count";
    private const string Failures = "coredns_health_request_failures_total";

    [Fact]
    public async Task Health_should_poll_its_own_endpoint_every_second_and_export_the_durations()
    {
        var health = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        var server = await HealthSpec.StartServerAsync(Sys,
            $". {{\n bind 127.0.0.1\n health 127.0.0.1:{health}\n prometheus 127.0.0.1:{http}\n whoami\n}}\n");
        HealthSelfCheck? check = null;
        try
        {
            var before = (await PrometheusSpec.ScrapeAsync(http)).Value(Duration) ?? 0;
            check = server.Plan.Blocks[0].Plugins.OfType<HealthPlugin>().Single().SelfCheck!;
            Assert.NotNull(check);
            Assert.Equal(new Uri($"http://127.0.0.1:{health}/health"), check.Uri);

            // Two checks pass within a few seconds (bounded wait: once a second each).
            await AwaitConditionAsync(() => Task.FromResult(check.Checks >= 2), TimeSpan.FromSeconds(15));
            Assert.Equal(0, check.Failures);
            var scrape = await PrometheusSpec.ScrapeAsync(http);
            Assert.True(scrape.Value(Duration) >= before + 2, $"{Duration}: {scrape.Value(Duration)} after {before}");
            Assert.NotNull(scrape.Value(Failures));
            Assert.NotNull(scrape.Value("coredns_health_request_duration_seconds_bucket", ("le", "0.00025")));
            Assert.NotNull(scrape.Value("coredns_health_request_duration_seconds_bucket", ("le", "2.5")));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }

        // Stopped with its server: no further checks.
        Assert.True(check!.Stopped);
        Assert.Null(server.Plan.Blocks[0].Plugins.OfType<HealthPlugin>().Single().SelfCheck);
    }

    [Fact]
    public async Task Health_should_run_one_self_check_for_blocks_sharing_an_address_until_the_last_stops()
    {
        var port = HealthSpec.FreePort();
        var server = await HealthSpec.StartServerAsync(Sys,
            $"a.example {{\n bind 127.0.0.1\n health 127.0.0.1:{port}\n whoami\n}}\nb.example {{\n bind 127.0.0.1\n health 127.0.0.1:{port}\n whoami\n}}\nc.example {{\n bind 127.0.0.1\n health 127.0.0.1:{HealthSpec.FreePort()}\n whoami\n}}\n");
        try
        {
            var checks = server.Plan.Blocks.Select(b => b.Plugins.OfType<HealthPlugin>().Single().SelfCheck!).ToList();
            Assert.Same(checks[0], checks[1]);
            Assert.NotSame(checks[0], checks[2]);
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task Health_self_check_should_count_a_request_without_response_as_a_failure()
    {
        // A listener that accepts and never answers: every GET times out.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) accepted.Add(await silent.AcceptSocketAsync());
            }
            catch (Exception)
            {
                // stopped
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var before = await ScrapeRegistryAsync();
        var check = new HealthSelfCheck(new Uri($"http://127.0.0.1:{port}/health"), TimeSpan.FromMilliseconds(100),
            TimeSpan.FromMilliseconds(200), null);
        check.Start();
        try
        {
            await AwaitConditionAsync(() => Task.FromResult(check.Failures >= 2), TimeSpan.FromSeconds(15));
            Assert.Equal(check.Checks, check.Failures);
            var after = await ScrapeRegistryAsync();
            Assert.True(after.Value(Failures) >= (before.Value(Failures) ?? 0) + 2);
            Assert.True(after.Value(Duration) >= (before.Value(Duration) ?? 0) + 2);
        }
        finally
        {
            await check.StopAsync();
            silent.Stop();
            await accepting;
            foreach (var s in accepted) s.Dispose();
        }
        Assert.True(check.Stopped);
    }

    private static async Task<Scrape> ScrapeRegistryAsync()
    {
        using var ms = new MemoryStream();
        await PrometheusRegistry.WriteAsync(ms, CancellationToken.None);
        return new Scrape(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
}
