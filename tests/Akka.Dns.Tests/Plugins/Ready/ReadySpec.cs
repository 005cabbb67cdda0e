using System.Net;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Health;
using Akka.Dns.Plugins.Ready;
using Akka.Dns.Server;
using Akka.Dns.Tests.Plugins.Health;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Ready;

public sealed class ReadySpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    /// <summary>A test plugin whose readiness the spec flips.</summary>
    private sealed class Flag
    {
        public volatile bool Ready;
    }

    private sealed class ReportingSetup(string name, Flag flag) : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context) => new Reporting(name, flag);
    }

    private sealed class Reporting(string name, Flag flag) : SetupOnlyPlugin(name)
    {
        public override bool? Ready => flag.Ready;
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(int port)
    {
        using var r = await Http.GetAsync($"http://127.0.0.1:{port}/ready");
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("ready", ":8181", MonitorType.UntilReady)]
    [InlineData("ready localhost:1234", "localhost:1234", MonitorType.UntilReady)]
    [InlineData("ready {\n monitor until-ready\n }", ":8181", MonitorType.UntilReady)]
    [InlineData("ready {\n monitor continuously\n }", ":8181", MonitorType.Continuously)]
    [InlineData("ready localhost:1234 {\n monitor continuously\n }", "localhost:1234", MonitorType.Continuously)]
    public void Ready_should_parse_the_address_and_monitor_type(string directive, string address, MonitorType monitor)
    {
        var ready = Assert.IsType<ReadyPlugin>(Assert.Single(Plan($". {{\n {directive}\n}}\n").Blocks[0].Plugins));
        Assert.Equal(address, ready.Address);
        Assert.Equal(monitor, ready.Monitor);
    }

    [Theory]
    [InlineData("ready localhost:1234 {\n monitor 404\n }", "Corefile:3 - Error during parsing: plugin/ready: monitor type '404' not supported")]
    [InlineData("ready {\n monitor\n }", "Corefile:3 - Error during parsing: plugin/ready: Wrong argument count or unexpected line ending after 'monitor'")]
    [InlineData("ready {\n monitro continuously\n }", "Corefile:3 - Error during parsing: plugin/ready: unknown property 'monitro'")]
    [InlineData("ready localhost:1234 b", "Corefile:2 - Error during parsing: plugin/ready: Wrong argument count or unexpected line ending after 'b'")]
    [InlineData("ready bla", "Corefile:2 - Error during parsing: plugin/ready: address bla: missing port in address")]
    [InlineData("ready bla bla", "Corefile:2 - Error during parsing: plugin/ready: Wrong argument count or unexpected line ending after 'bla'")]
    [InlineData("ready\n ready :8182", "Corefile:3 - Error during parsing: plugin/ready: this plugin can only be used once per Server Block")]
    public void Ready_should_reject_a_bad_directive_with_coredns_error(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan($". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task Ready_should_answer_503_with_the_sorted_unready_plugins_until_all_are_ready_then_latch()
    {
        var a = new Flag();
        var b = new Flag();
        var catalog = PluginCatalog.Default
            .With("testready", new ReportingSetup("testready", a), after: "whoami")
            .With("alsoready", new ReportingSetup("alsoready", b), after: "testready");
        var port = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $". {{\n bind 127.0.0.1\n ready 127.0.0.1:{port}\n testready\n alsoready\n whoami\n}}\n", catalog);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "alsoready,testready"), await GetAsync(port));
        b.Ready = true;
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "testready"), await GetAsync(port));
        b.Ready = false; // alsoready was latched as ready: until-ready does not ask it again
        a.Ready = true;
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
        a.Ready = false;
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
    }

    [Fact]
    public async Task Ready_should_keep_asking_every_plugin_when_monitoring_continuously()
    {
        var a = new Flag { Ready = true };
        var catalog = PluginCatalog.Default.With("testready", new ReportingSetup("testready", a), after: "whoami");
        var port = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $". {{\n bind 127.0.0.1\n ready 127.0.0.1:{port} {{\n  monitor continuously\n }}\n testready\n whoami\n}}\n", catalog);

        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
        a.Ready = false;
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "testready"), await GetAsync(port));
        a.Ready = true;
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
    }

    [Fact]
    public async Task Ready_should_answer_OK_when_no_plugin_reports_readiness()
    {
        var port = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys, $". {{\n bind 127.0.0.1\n ready 127.0.0.1:{port}\n whoami\n}}\n");
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
    }

    [Fact]
    public async Task Ready_should_answer_shutting_down_during_lameduck()
    {
        var a = new Flag { Ready = true };
        var catalog = PluginCatalog.Default.With("testready", new ReportingSetup("testready", a), after: "whoami");
        var port = HealthSpec.FreePort();
        var healthPort = HealthSpec.FreePort();
        var server = await HealthSpec.StartServerAsync(Sys,
            $". {{\n bind 127.0.0.1\n health 127.0.0.1:{healthPort} {{\n  lameduck 10s\n }}\n ready 127.0.0.1:{port}\n testready\n whoami\n}}\n", catalog);
        try
        {
            Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
            var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            server.Plan.Blocks[0].Plugins.OfType<HealthPlugin>().Single().Delay = _ =>
            {
                entered.TrySetResult();
                return release.Task;
            };
            var stopping = server.StopAsync();
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Shutting down"), await GetAsync(port));
            release.SetResult();
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ready_should_share_one_endpoint_between_blocks_naming_the_same_address()
    {
        var a = new Flag();
        var catalog = PluginCatalog.Default.With("testready", new ReportingSetup("testready", a), after: "whoami");
        var port = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $"a.example {{\n bind 127.0.0.1\n ready 127.0.0.1:{port}\n whoami\n}}\nb.example {{\n bind 127.0.0.1\n ready 127.0.0.1:{port}\n testready\n whoami\n}}\n", catalog);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "testready"), await GetAsync(port));
        a.Ready = true;
        Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(port));
    }
}
