using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Reload;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Plugins.Reload;

public sealed class ReloadSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string, double, double> Valid => new()
    {
        // arguments, interval seconds, jitter seconds (after capping)
        { "", 30, 15 },
        { "10s", 10, 5 },
        { "2s", 2, 1 },
        { "1m 10s", 60, 10 },
        { "20s 0s", 20, 0 },
        { "20s 1s", 20, 1 },
        { "20s 30s", 20, 10 },
        { "1m30s 2s", 90, 2 },
    };

    [Theory, MemberData(nameof(Valid))]
    public void Reload_should_accept_coredns_syntax(string args, double interval, double jitter)
    {
        var h = PipelineHarness.Start(Sys, $". {{\n reload {args}\n whoami\n}}\n");
        var p = (ReloadPlugin)h.Plan.Blocks[0].Plugins.First(x => x.Name == "reload");
        Assert.Equal((TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(jitter)), (p.Interval, p.Jitter));
        Assert.InRange(p.Period, p.Interval - p.Jitter / 2, p.Interval + p.Jitter / 2);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "reload 10s 2s 1s", "Wrong argument count or unexpected line ending after '1s'" },
        { "reload foo", "time: invalid duration \"foo\"" },
        { "reload 10", "time: missing unit in duration \"10\"" },
        { "reload 1s", "interval value must be greater or equal to 2s" },
        { "reload 10s foo", "time: invalid duration \"foo\"" },
        { "reload 10s 500ms", "jitter value must be 0 or greater or equal to 1s" },
        { "reload 1m -1s", "jitter value must be 0 or greater or equal to 1s" },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Reload_should_reject_bad_configuration(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directive}\n}}\n"));
        Assert.Equal("Corefile:2 - Error during parsing: plugin/reload: " + message, e.Message);
    }

    [Fact]
    public void Reload_should_be_allowed_once_per_block()
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, ". {\n reload\n reload\n}\n"));
        Assert.Equal("Corefile:3 - Error during parsing: plugin/reload: this plugin can only be used once per Server Block", e.Message);
    }

    /// <summary>
    /// <c>slow TEXT</c>: answers every query with TXT TEXT; a query for <c>held.</c> names is announced on
    /// <see cref="Held"/> and answered only once <see cref="Release"/> completes (a query in flight across a reload).
    /// </summary>
    private sealed class SlowSetup : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context)
        {
            var r = context.Readers().First();
            r.Next();
            r.NextArg();
            return new SlowPlugin(r.Val);
        }
    }

    private static readonly TaskCompletionSource Held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TaskCompletionSource Release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class SlowPlugin(string text) : Akka.Dns.Plugins.Plugin("slow")
    {
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new SlowActor(text, next));
    }

    private sealed class SlowActor(string text, ChainLink? next) : PluginActor("slow", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var reply = request.CreateReply();
            reply.Answer.Add(DnsRecord.Txt(request.Name, 0, RrClass.IN, text));
            if (!request.Name.StartsWith("held.", StringComparison.Ordinal))
            {
                request.Respond(reply);
                return;
            }
            Held.TrySetResult();
            // Answered by this actor once released: a stopped old block would never answer.
            var self = Self;
            Release.Task.ContinueWith(_ => self.Tell(new Answer(request, reply)), TaskScheduler.Default);
        }

        protected override void OnOther(object message)
        {
            if (message is Answer a) a.Request.Respond(a.Reply);
            else Unhandled(message);
        }
    }

    private sealed record Answer(DnsRequest Request, DnsResponse Reply);

    private static readonly PluginCatalog Catalog = PluginCatalog.Default.With("slow", new SlowSetup(), after: "whoami");

    private static int FreePort() => Akka.Dns.TestSupport.TestPorts.Free();

    private ServerPlan Plan(string corefile)
    {
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), Catalog.KnownDirectives);
        return ServerPlan.Build(doc, Catalog, DnsSettings.Create(Sys), 0);
    }

    private static async Task<DnsMessage?> QueryAsync(Socket s, IPEndPoint server, ushort id, string name)
    {
        var q = new QueryBuilder(name, RrType.TXT) { Id = id }.Build();
        await s.SendToAsync(q, SocketFlags.None, server);
        var buf = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var got = await s.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            return DnsMessage.Parse(new ArraySegment<byte>(buf, 0, got.ReceivedBytes));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static string Text(DnsMessage m) => string.Join(",", m.AnswerRecords.OfType<TxtRecord>().Select(t => t.TextData));

    [Fact]
    public async Task A_graceful_reload_should_keep_the_listener_and_answer_the_query_in_flight_from_the_old_config()
    {
        var server = await DnsServer.StartAsync(Sys, Plan($".:{FreePort()} {{\n slow old\n}}\n"), DnsSettings.Create(Sys));
        try
        {
            var port = server.UdpEndPoints[0].Port;
            var ep = new IPEndPoint(IPAddress.Loopback, port);
            using var inFlight = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var pending = QueryAsync(inFlight, ep, 1, "held.example.");
            await Held.Task.WaitAsync(TimeSpan.FromSeconds(10));   // the old chain holds the query

            var next = await server.ReloadAsync(Plan($".:{port} {{\n slow new\n}}\n"));
            Assert.NotSame(server, next);
            server = next;
            Assert.Equal(port, next.UdpEndPoints[0].Port);
            Release.TrySetResult();   // only now does the old block answer

            var old = await pending;
            Assert.NotNull(old);
            Assert.Equal(ReturnCode.NoError, old!.ReturnCode);
            Assert.Equal("old", Text(old));

            using var after = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var m = await QueryAsync(after, ep, 2, "b.example.");
            Assert.Equal("new", Text(m!));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task A_reload_whose_new_config_cannot_start_should_leave_the_old_one_serving()
    {
        var server = await DnsServer.StartAsync(Sys, Plan($".:{FreePort()} {{\n slow old\n}}\n"), DnsSettings.Create(Sys));
        var blocker = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        try
        {
            var port = server.UdpEndPoints[0].Port;
            var busy = ((IPEndPoint)blocker.LocalEndpoint).Port;
            // health on a port somebody else holds: the new plan fails while starting its plugins.
            await Assert.ThrowsAnyAsync<Exception>(() => server.ReloadAsync(Plan($".:{port} {{\n health 127.0.0.1:{busy}\n slow new\n}}\n")));
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var m = await QueryAsync(s, new IPEndPoint(IPAddress.Loopback, port), 3, "c.example.");
            Assert.Equal("old", Text(m!));
        }
        finally
        {
            blocker.Stop();
            await server.StopAsync(lameduck: false);
        }
    }
}
