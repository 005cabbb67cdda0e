using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Server;

/// <summary>
/// DnsServer.ReloadAsync as the listeners see it: HTTP endpoints (health, ready) that the new config keeps never
/// stop answering, a failed reload leaves them all up, a moved one opens the new address and closes the old; DNS
/// listeners are kept, opened and closed one by one; a reload storm leaves no old server behind.
/// </summary>
public sealed class ServerReloadSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static int FreePort() => Akka.Dns.TestSupport.TestPorts.Free();

    private ServerPlan Plan(string corefile)
    {
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
        return ServerPlan.Build(doc, PluginCatalog.Default, DnsSettings.Create(Sys), 0);
    }

    private Task<DnsServer> StartAsync(string corefile) => DnsServer.StartAsync(Sys, Plan(corefile), DnsSettings.Create(Sys));

    /// <summary>A block on 127.0.0.1:<paramref name="port"/> whose chaos plugin answers version.bind with <paramref name="version"/>.</summary>
    private static string Block(int port, string version, string extra = "") =>
        $".:{port} {{\n bind 127.0.0.1\n {extra}\n chaos {version}\n}}\n";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>GET on a fresh connection; the status, or null when the connection is refused.</summary>
    private static async Task<HttpStatusCode?> GetAsync(int port, string path)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        req.Headers.ConnectionClose = true;
        try
        {
            using var resp = await Http.SendAsync(req);
            return resp.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>version.bind. CH TXT over UDP: the version text, or null without an answer within 2 s.</summary>
    private static async Task<string?> VersionAsync(int port)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await s.SendToAsync(new QueryBuilder("version.bind.", RrType.TXT, RrClass.CH).Build(), SocketFlags.None, new IPEndPoint(IPAddress.Loopback, port));
        var buf = new byte[4096];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var got = await s.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
            var m = DnsMessage.Parse(new ArraySegment<byte>(buf, 0, got.ReceivedBytes));
            return string.Join(",", m.AnswerRecords.OfType<TxtRecord>().Select(t => t.TextData));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<string> TcpVersionAsync(Socket s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var q = new QueryBuilder("version.bind.", RrType.TXT, RrClass.CH).Build();
        var framed = new byte[q.Length + 2];
        framed[0] = (byte)(q.Length >> 8);
        framed[1] = (byte)q.Length;
        q.CopyTo(framed, 2);
        await s.SendAsync(framed, SocketFlags.None, cts.Token);
        var len = new byte[2];
        await s.ReceiveAsync(len, SocketFlags.None, cts.Token);
        var body = new byte[(len[0] << 8) | len[1]];
        var read = 0;
        while (read < body.Length)
        {
            var n = await s.ReceiveAsync(body.AsMemory(read), SocketFlags.None, cts.Token);
            if (n == 0) throw new IOException("connection closed");
            read += n;
        }
        return string.Join(",", DnsMessage.Parse(body).AnswerRecords.OfType<TxtRecord>().Select(t => t.TextData));
    }

    [Fact]
    public async Task Health_should_keep_answering_on_fresh_connections_during_reloads()
    {
        var dns = FreePort();
        var health = FreePort();
        var server = await StartAsync(Block(dns, "v0", $"health 127.0.0.1:{health}"));
        try
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(health, "/health"));
            var failures = new List<string>();
            var polls = 0;
            var done = 0;
            // A bounded poll loop: each GET on a new connection (a closed listener would refuse it).
            var poller = Task.Run(async () =>
            {
                for (var i = 0; i < 5000 && Volatile.Read(ref done) == 0; i++)
                {
                    var status = await GetAsync(health, "/health");
                    Interlocked.Increment(ref polls);
                    if (status != HttpStatusCode.OK) lock (failures) failures.Add($"poll {i}: {status?.ToString() ?? "refused"}");
                }
            });
            // The poller must be running before the first reload (on a busy machine Task.Run can start late).
            await Akka.Dns.TestSupport.Poll.Until(() => Volatile.Read(ref polls) > 0, "the first health poll");
            for (var v = 1; v <= 5; v++)
                server = await server.ReloadAsync(Plan(Block(dns, $"v{v}", $"health 127.0.0.1:{health}")));
            Volatile.Write(ref done, 1);
            await poller.WaitAsync(Bound);
            Output?.WriteLine($"{polls} polls across 5 reloads");

            Assert.Empty(failures);
            Assert.True(polls > 0);
            Assert.Equal("v5", await VersionAsync(dns));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    public static TheoryData<string> Failures => new()
    {
        "a new health address that is taken",
        "a new DNS listener on a port that is taken",
    };

    [Theory, MemberData(nameof(Failures))]
    public async Task A_failed_reload_should_leave_health_ready_and_dns_serving_the_old_config(string failure)
    {
        var dns = FreePort();
        var health = FreePort();
        var ready = FreePort();
        var http = $"health 127.0.0.1:{health}\n ready 127.0.0.1:{ready}";
        var server = await StartAsync(Block(dns, "old", http));
        using var blocker = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blocker.Listen();
        using var udpBlocker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udpBlocker.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var busy = ((IPEndPoint)blocker.LocalEndPoint!).Port;
        var busyUdp = ((IPEndPoint)udpBlocker.LocalEndPoint!).Port;
        try
        {
            var broken = failure.Contains("health", StringComparison.Ordinal)
                ? Block(dns, "new", $"health 127.0.0.1:{busy}\n ready 127.0.0.1:{FreePort()}")
                : Block(dns, "new", http) + Block(busyUdp, "new");
            await Assert.ThrowsAnyAsync<Exception>(() => server.ReloadAsync(Plan(broken)));

            Assert.Equal(HttpStatusCode.OK, await GetAsync(health, "/health"));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(ready, "/ready"));
            Assert.Equal("old", await VersionAsync(dns));
            Assert.False(server.ShuttingDown);

            // and the old server still reloads afterwards
            server = await server.ReloadAsync(Plan(Block(dns, "fixed", http)));
            Assert.Equal("fixed", await VersionAsync(dns));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(ready, "/ready"));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task A_moved_health_port_should_open_the_new_address_and_close_the_old()
    {
        var dns = FreePort();
        var before = FreePort();
        var after = FreePort();
        var server = await StartAsync(Block(dns, "v1", $"health 127.0.0.1:{before}"));
        try
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(before, "/health"));
            Assert.Null(await GetAsync(after, "/health"));

            server = await server.ReloadAsync(Plan(Block(dns, "v2", $"health 127.0.0.1:{after}")));

            Assert.Equal(HttpStatusCode.OK, await GetAsync(after, "/health"));
            Assert.Null(await GetAsync(before, "/health"));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task A_path_dropped_from_a_kept_address_should_answer_404_after_the_reload()
    {
        var dns = FreePort();
        var http = FreePort();
        var server = await StartAsync(Block(dns, "v1", $"health 127.0.0.1:{http}\n ready 127.0.0.1:{http}"));
        try
        {
            Assert.Equal(HttpStatusCode.OK, await GetAsync(http, "/ready"));
            server = await server.ReloadAsync(Plan(Block(dns, "v2", $"health 127.0.0.1:{http}")));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(http, "/health"));
            Assert.Equal(HttpStatusCode.NotFound, await GetAsync(http, "/ready"));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task A_reload_should_keep_the_kept_listener_open_open_the_new_and_close_the_dropped_after_its_drain()
    {
        var kept = FreePort();
        var dropped = FreePort();
        var added = FreePort();
        var server = await StartAsync(Block(kept, "k1") + Block(dropped, "d1"));
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(new IPEndPoint(IPAddress.Loopback, kept));
            Assert.Equal("k1", await TcpVersionAsync(tcp));
            Assert.Equal("d1", await VersionAsync(dropped));
            Assert.Null(await VersionAsync(added));

            var old = server;
            server = await server.ReloadAsync(Plan(Block(kept, "k2") + Block(added, "a2")));

            Assert.Equal("k2", await TcpVersionAsync(tcp));   // the same TCP connection: the listener was kept
            Assert.Equal("k2", await VersionAsync(kept));
            Assert.Equal("a2", await VersionAsync(added));
            Assert.Equal([kept, added], server.UdpEndPoints.Select(e => e.Port).ToArray());

            await old.Stopped.WaitAsync(Bound);   // the drain ended
            Assert.Null(await VersionAsync(dropped));
            Assert.Equal("k2", await TcpVersionAsync(tcp));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task A_reload_that_adds_bind_on_the_same_port_should_serve_the_new_config()
    {
        var port = FreePort();
        var server = await StartAsync($".:{port} {{\n chaos wildcard\n}}\n");
        try
        {
            Assert.Equal("wildcard", await VersionAsync(port));
            server = await server.ReloadAsync(Plan(Block(port, "bound")));
            Assert.Equal("bound", await VersionAsync(port));
            server = await server.ReloadAsync(Plan($".:{port} {{\n chaos wildcard-again\n}}\n"));
            Assert.Equal("wildcard-again", await VersionAsync(port));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    [Fact]
    public async Task A_reload_storm_should_leave_no_old_server_or_block_actor_behind()
    {
        var dns = FreePort();
        var health = FreePort();
        var server = await StartAsync(Block(dns, "v0", $"health 127.0.0.1:{health}"));
        var olds = new List<DnsServer>();
        try
        {
            var baseline = await BlockActorsAsync();
            for (var v = 1; v <= 20; v++)
            {
                olds.Add(server);
                server = await server.ReloadAsync(Plan(Block(dns, $"v{v}", $"health 127.0.0.1:{health}")));
            }
            Assert.Equal("v20", await VersionAsync(dns));
            await Task.WhenAll(olds.Select(o => o.Stopped)).WaitAsync(Bound);
            // Every predecessor's block supervisors are gone: only the current server's remain.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var now = await BlockActorsAsync();
            while (now != baseline && sw.Elapsed < Bound)
            {
                await Task.Delay(50);
                now = await BlockActorsAsync();
            }
            Output?.WriteLine($"block actors: {baseline} before, {now} after 20 reloads");
            Assert.Equal(baseline, now);
            Assert.Equal(HttpStatusCode.OK, await GetAsync(health, "/health"));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }

    /// <summary>How many block supervisors (/user/block-*) are alive.</summary>
    private Task<int> BlockActorsAsync()
    {
        var probe = CreateTestProbe();
        Sys.ActorSelection("/user/block-*").Tell(new Identify("count"), probe.Ref);
        var got = probe.ReceiveWhile(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(300), o => o as ActorIdentity);
        return Task.FromResult(got.Count(i => i?.Subject is not null));
    }
}
