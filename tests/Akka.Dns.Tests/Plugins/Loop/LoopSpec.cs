using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ARSoft.Tools.Net.Dns;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Loop;
using Akka.Dns.Server;
using DnsServer = Akka.Dns.Server.DnsServer;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Loop;

public sealed class LoopSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary><c>selfloop PORT</c>: forwards every query over UDP to 127.0.0.1:PORT and relays the reply (a forward to itself).</summary>
    private sealed class SelfLoopSetup : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context)
        {
            var r = context.Readers().First();
            r.Next();
            r.NextArg();
            return new SelfLoopPlugin(int.Parse(r.Val));
        }
    }

    private sealed class SelfLoopPlugin(int port) : Akka.Dns.Plugins.Plugin("selfloop")
    {
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new SelfLoopActor(port, next));
    }

    private sealed class SelfLoopActor(int port, ChainLink? next) : PluginActor("selfloop", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var packet = request.Query.Packet.ToArray();
            _ = Task.Run(async () =>
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await s.SendToAsync(packet, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                    var buf = new byte[65535];
                    var got = await s.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                    var reply = request.CreateReply(buf[3] & 0x0F);
                    request.Respond(reply);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    request.Fail(Rcode.ServFail, "selfloop: " + e.Message, "selfloop");
                }
            });
        }
    }

    private static readonly PluginCatalog Catalog = PluginCatalog.Default.With("selfloop", new SelfLoopSetup(), after: "loop");

    private static int FreePort() => Akka.Dns.TestSupport.TestPorts.Free();

    private async Task<DnsServer> StartServerAsync(string corefile, PluginCatalog catalog)
    {
        var settings = DnsSettings.Create(Sys);
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        return await DnsServer.StartAsync(Sys, ServerPlan.Build(doc, catalog, settings, 0), settings);
    }

    [Fact]
    public async Task Loop_should_report_a_fatal_loop_naming_the_sender_the_address_and_the_zone_when_the_server_forwards_to_itself()
    {
        var fatal = CreateTestProbe();
        Sys.EventStream.Subscribe(fatal.Ref, typeof(PluginFatal));
        var port = FreePort();
        var server = await StartServerAsync($".:{port} {{\n loop\n selfloop {port}\n}}\n", Catalog);
        try
        {
            var loop = (LoopPlugin)server.Plan.Blocks[0].Plugins[0];
            var f = fatal.ExpectMsg<PluginFatal>(TimeSpan.FromSeconds(20));
            Assert.Equal("loop", f.Plugin);
            Assert.Matches(new Regex("^Loop \\(127\\.0\\.0\\.1:\\d+ -> :" + port + "\\) detected for zone \"\\.\", see https://coredns\\.io/plugins/loop#troubleshooting\\. Query: \"HINFO \\d+\\.\\d+\\.\"$"), f.Message);
            Assert.Contains(loop.QName, f.Message);
            Assert.StartsWith("[FATAL] plugin/loop: Loop (", f.ToString());
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task Loop_should_see_its_probe_once_and_turn_itself_off_without_a_loop()
    {
        var fatal = CreateTestProbe();
        Sys.EventStream.Subscribe(fatal.Ref, typeof(PluginFatal));
        var port = FreePort();
        var server = await StartServerAsync($"example.org:{port} {{\n loop\n whoami\n}}\n", PluginCatalog.Default);
        try
        {
            var loop = (LoopPlugin)server.Plan.Blocks[0].Plugins[0];
            AwaitCondition(() => loop.Disabled, TimeSpan.FromSeconds(20));
            Assert.Equal(1, loop.Seen);
            Assert.Equal($":{port}", loop.Address);
            fatal.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    public static TheoryData<string, ushort, int> Sightings => new()
    {
        // name ("PROBE" = the plugin's probe name), type, how many times the probe counts as seen after one query
        { "PROBE", RrType.HINFO, 1 },
        { "PROBE", RrType.A, 0 },
        { "other.example.org.", RrType.HINFO, 0 },
        { "1.2.example.net.", RrType.HINFO, 0 },
    };

    [Theory, MemberData(nameof(Sightings))]
    public async Task Loop_should_count_only_its_own_hinfo_probe(string name, ushort type, int seen)
    {
        await using var h = PipelineHarness.Start(Sys, "example.org example.net {\n loop\n whoami\n}\n");
        var loop = (LoopPlugin)h.Plan.Blocks[0].Plugins[0];
        var reply = await h.QueryAsync(new QueryBuilder(name == "PROBE" ? loop.QName : name, type));
        Assert.Equal(ReturnCode.NoError, reply.Rcode);   // passed on to whoami
        Assert.Equal(seen, loop.Seen);
    }

    [Fact]
    public async Task Loop_should_publish_one_fatal_error_on_the_third_sighting_and_stop_passing_the_probe_on()
    {
        var fatal = CreateTestProbe();
        Sys.EventStream.Subscribe(fatal.Ref, typeof(PluginFatal));
        await using var h = PipelineHarness.Start(Sys, "example.org {\n loop\n whoami\n}\n");
        var loop = (LoopPlugin)h.Plan.Blocks[0].Plugins[0];
        Assert.Equal(ReturnCode.NoError, (await h.QueryAsync(new QueryBuilder(loop.QName.ToUpperInvariant(), RrType.HINFO))).Rcode);
        Assert.Equal(ReturnCode.NoError, (await h.QueryAsync(new QueryBuilder(loop.QName, RrType.HINFO))).Rcode);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync(new QueryBuilder(loop.QName, RrType.HINFO))).Rcode);
        var f = fatal.ExpectMsg<PluginFatal>();
        Assert.Equal($"Loop (127.0.0.1:40212 -> :1053) detected for zone \"example.org.\", see https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO {loop.QName}\"", f.Message);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync(new QueryBuilder(loop.QName, RrType.HINFO))).Rcode);
        fatal.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    public static TheoryData<string, string> Zones => new()
    {
        { ".", "." },
        { "example.org", "example.org." },
        { "dns://Example.ORG:1053", "example.org." },
        { "10.0.0.0/8", "10.in-addr.arpa." },
    };

    [Theory, MemberData(nameof(Zones))]
    public void Loop_should_probe_the_first_zone_of_the_first_key(string key, string zone)
    {
        var h = PipelineHarness.Start(Sys, $"{key} example.net {{\n loop\n whoami\n}}\n");
        var loop = (LoopPlugin)h.Plan.Blocks[0].Plugins[0];
        Assert.Equal(zone, loop.Zone);
        Assert.Matches(new Regex("^\\d+\\.\\d+\\." + Regex.Escape(zone == "." ? "" : zone) + "$"), loop.QName);
    }

    [Theory]
    [InlineData("loop foo", "Corefile:2 - Error during parsing: plugin/loop: Wrong argument count or unexpected line ending after 'foo'")]
    [InlineData("loop\n loop", "Corefile:3 - Error during parsing: plugin/loop: this plugin can only be used once per Server Block")]
    public void Loop_should_reject_bad_configuration(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
