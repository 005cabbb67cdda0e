using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using DnsServer = Akka.Dns.Server.DnsServer;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Health;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Health;

public sealed class HealthSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    internal static int FreePort() => Akka.Dns.TestSupport.TestPorts.Free();

    /// <summary>Starts the whole server (UDP/TCP on ephemeral loopback ports, HTTP endpoints) for a Corefile.</summary>
    internal static async Task<DnsServer> StartServerAsync(Akka.Actor.ActorSystem sys, string corefile, PluginCatalog? catalog = null)
    {
        catalog ??= PluginCatalog.Default;
        var settings = DnsSettings.Create(sys);
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        return await DnsServer.StartAsync(sys, ServerPlan.Build(doc, catalog, settings, 0), settings);
    }

    internal static async Task<DnsMessage> QueryUdpAsync(IPEndPoint server, string name)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        var packet = new QueryBuilder(name).Build();
        await udp.SendAsync(packet, server);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await udp.ReceiveAsync(cts.Token);
        return DnsMessage.Parse(result.Buffer);
    }

    [Fact]
    public async Task Health_should_answer_200_OK_on_the_health_path()
    {
        var port = FreePort();
        await using var server = await StartServerAsync(Sys, $". {{\n bind 127.0.0.1\n health 127.0.0.1:{port}\n whoami\n}}\n");

        using var ok = await Http.GetAsync($"http://127.0.0.1:{port}/health");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("OK", await ok.Content.ReadAsStringAsync());

        using var other = await Http.GetAsync($"http://127.0.0.1:{port}/ready");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Health_should_share_one_endpoint_between_blocks_naming_the_same_address()
    {
        var port = FreePort();
        await using var server = await StartServerAsync(Sys,
            $"a.example {{\n bind 127.0.0.1\n health 127.0.0.1:{port}\n whoami\n}}\nb.example {{\n bind 127.0.0.1\n health 127.0.0.1:{port}\n whoami\n}}\n");

        using var ok = await Http.GetAsync($"http://127.0.0.1:{port}/health");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("OK", await ok.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_should_keep_serving_dns_and_health_during_lameduck_then_close()
    {
        var port = FreePort();
        var server = await StartServerAsync(Sys,
            $". {{\n bind 127.0.0.1\n health 127.0.0.1:{port} {{\n  lameduck 30s\n }}\n whoami\n}}\n");
        try
        {
            var health = server.Plan.Blocks[0].Plugins.OfType<HealthPlugin>().Single();
            var entered = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            health.Delay = d =>
            {
                entered.TrySetResult(d);
                return release.Task;
            };

            var stopping = server.StopAsync();
            Assert.Equal(TimeSpan.FromSeconds(30), await entered.Task.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(server.ShuttingDown);
            Assert.False(stopping.IsCompleted);

            using (var ok = await Http.GetAsync($"http://127.0.0.1:{port}/health"))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                Assert.Equal("OK", await ok.Content.ReadAsStringAsync());
            }

            var reply = await QueryUdpAsync(server.UdpEndPoints[0], "example.org.");
            Assert.Equal(ReturnCode.NoError, reply.ReturnCode);
            Assert.False(stopping.IsCompleted);

            release.SetResult();
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => Http.GetAsync($"http://127.0.0.1:{port}/health"));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Health_should_wait_the_longest_lameduck_of_all_blocks_once()
    {
        var port = FreePort();
        var port2 = FreePort();
        var server = await StartServerAsync(Sys,
            $"a.example {{\n bind 127.0.0.1\n health 127.0.0.1:{port} {{\n  lameduck 2s\n }}\n whoami\n}}\n" +
            $"b.example {{\n bind 127.0.0.1\n health 127.0.0.1:{port2} {{\n  lameduck 5s\n }}\n whoami\n}}\n");
        var waits = new List<TimeSpan>();
        foreach (var h in server.Plan.Blocks.SelectMany(b => b.Plugins).OfType<HealthPlugin>())
            h.Delay = d =>
            {
                lock (waits) waits.Add(d);
                return Task.CompletedTask;
            };
        await server.StopAsync();
        Assert.Equal([TimeSpan.FromSeconds(5)], waits);
    }

    [Fact]
    public async Task Health_should_not_wait_without_lameduck()
    {
        var port = FreePort();
        var server = await StartServerAsync(Sys, $". {{\n bind 127.0.0.1\n health 127.0.0.1:{port}\n whoami\n}}\n");
        var waited = false;
        server.Plan.Blocks[0].Plugins.OfType<HealthPlugin>().Single().Delay = _ =>
        {
            waited = true;
            return Task.CompletedTask;
        };
        await server.StopAsync();
        Assert.False(waited);
    }
}
