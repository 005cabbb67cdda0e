using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ARSoft.Tools.Net.Dns;
using Akka.Configuration;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.TestCertificates;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Server.Listeners;

/// <summary>tls:// (DNS over TLS, RFC 7858) end to end in-process: the real server on an ephemeral loopback port, SslStream clients.</summary>
public sealed class DotListenerSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("""
    akka.dns.server.request-timeout = 2s
    akka.dns.dot.max-connections = 3
    akka.dns.dot.handshake-timeout = 1s
    """), output: output), IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly TestPki _pki = new();

    void IDisposable.Dispose()
    {
        _pki.Dispose();
        Dispose();
    }

    private string Tls(string extra = "") =>
        $" tls {_pki.ServerCertFile} {_pki.ServerKeyFile} {_pki.CaFile}{(extra.Length > 0 ? " {\n  " + extra + "\n }" : "")}\n";

    private async Task<DnsServer> StartAsync(string corefile)
    {
        var catalog = TestPlugins.Catalog;
        var settings = DnsSettings.Create(Sys);
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        return await DnsServer.StartAsync(Sys, ServerPlan.Build(doc, catalog, settings, 0), settings);
    }

    private static int Port() => Plugins.Health.HealthSpec.FreePort();

    private static IPEndPoint EndPoint(DnsServer server) => Assert.Single(server.EndPoints(DnsTransport.Tls));

    /// <summary>A TLS client that trusts the test CA; <paramref name="seen"/> gets the server's certificate.</summary>
    private async Task<SslStream> ConnectAsync(IPEndPoint ep, X509Certificate2? clientCertificate = null, Action<X509Certificate2>? seen = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(ep).WaitAsync(Bound);
        var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        using var cts = new CancellationTokenSource(Bound);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = TestPki.ServerName,
            ApplicationProtocols = [new SslApplicationProtocol("dot")],
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            RemoteCertificateValidationCallback = (_, c, _, _) =>
            {
                var cert = c as X509Certificate2;
                if (cert is not null) seen?.Invoke(cert);
                return _pki.ValidateServer(cert);
            },
        }, cts.Token);
        return ssl;
    }

    private static async Task SendAsync(Stream s, byte[] query)
    {
        var framed = new byte[query.Length + 2];
        framed[0] = (byte)(query.Length >> 8);
        framed[1] = (byte)query.Length;
        query.CopyTo(framed, 2);
        await s.WriteAsync(framed);
        await s.FlushAsync();
    }

    /// <summary>The next framed message, or null when the server closed the connection; fails after <see cref="Bound"/>.</summary>
    private static async Task<DnsMessage?> ReceiveAsync(Stream s)
    {
        using var cts = new CancellationTokenSource(Bound);
        var len = new byte[2];
        try
        {
            await s.ReadExactlyAsync(len, cts.Token);
            var msg = new byte[(len[0] << 8) | len[1]];
            await s.ReadExactlyAsync(msg, cts.Token);
            return DnsMessage.Parse(msg);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException { InnerException: SocketException })
        {
            return null;   // closed (FIN), or reset after the server's close
        }
    }

    /// <summary>One query and its answer over a fresh connection; null when the handshake or the exchange failed.</summary>
    private async Task<DnsMessage?> TryQueryAsync(IPEndPoint ep, X509Certificate2? clientCertificate)
    {
        try
        {
            await using var ssl = await ConnectAsync(ep, clientCertificate);
            await SendAsync(ssl, new QueryBuilder("example.org.") { Id = 7 }.Build());
            return await ReceiveAsync(ssl);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or SocketException)
        {
            return null;
        }
    }

    [Fact]
    public async Task DoT_should_answer_pipelined_queries_on_one_connection_out_of_order_matched_by_id()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} fault stall slow.example.org\n}}\n");
        await using var ssl = await ConnectAsync(EndPoint(server));

        // The first query stalls until its deadline (SERVFAIL at request-timeout): the later ones must not wait for it.
        await SendAsync(ssl, new QueryBuilder("slow.example.org.") { Id = 100 }.Build());
        for (ushort id = 1; id <= 5; id++)
            await SendAsync(ssl, new QueryBuilder($"q{id}.example.org.") { Id = id }.Build());

        var replies = new List<DnsMessage>();
        for (var i = 0; i < 6; i++) replies.Add(Assert.IsType<DnsMessage>(await ReceiveAsync(ssl)));

        Assert.Equal([1, 2, 3, 4, 5, 100], replies.Select(r => (int)r.TransactionID).Order());
        foreach (var r in replies.Where(r => r.TransactionID != 100))
        {
            Assert.Equal(ReturnCode.NoError, r.ReturnCode);
            Assert.Equal($"q{r.TransactionID}.example.org.", Assert.IsType<ARecord>(Assert.Single(r.AnswerRecords)).Name.ToString());
        }
        var slow = replies.Single(r => r.TransactionID == 100);
        Assert.Equal(ReturnCode.ServerFailure, slow.ReturnCode);
        Assert.Same(slow, replies[^1]);   // answered out of order: after the five sent behind it
    }

    [Fact]
    public async Task DoT_should_close_a_connection_idle_for_the_blocks_idle_timeout()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} timeouts {{\n  idle 1s\n }}\n fault stall none.\n}}\n");
        await using var ssl = await ConnectAsync(EndPoint(server));
        await SendAsync(ssl, new QueryBuilder("a.example.org.") { Id = 1 }.Build());
        Assert.Equal(1, Assert.IsType<DnsMessage>(await ReceiveAsync(ssl)).TransactionID);
        Assert.Null(await ReceiveAsync(ssl));   // the server closes; Bound (15 s) fails the test if it does not
    }

    [Fact]
    public async Task DoT_should_close_after_maxtcpqueries_answers()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} timeouts {{\n  maxtcpqueries 2\n }}\n fault stall none.\n}}\n");
        await using var ssl = await ConnectAsync(EndPoint(server));
        for (ushort id = 1; id <= 3; id++) await SendAsync(ssl, new QueryBuilder("a.example.org.") { Id = id }.Build());
        Assert.Equal(1, Assert.IsType<DnsMessage>(await ReceiveAsync(ssl)).TransactionID);
        Assert.Equal(2, Assert.IsType<DnsMessage>(await ReceiveAsync(ssl)).TransactionID);
        Assert.Null(await ReceiveAsync(ssl));
    }

    [Fact]
    public async Task DoT_should_serve_plain_TCP_DNS_without_a_tls_plugin()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n whoami\n}}\n");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(EndPoint(server));
        var s = tcp.GetStream();
        await SendAsync(s, new QueryBuilder("example.org.") { Id = 9 }.Build());
        var r = Assert.IsType<DnsMessage>(await ReceiveAsync(s));
        Assert.Equal(9, r.TransactionID);
        var srv = Assert.Single(r.AdditionalRecords.OfType<SrvRecord>());
        Assert.Equal("_tcp.example.org.", srv.Name.ToString());
        Assert.Equal(((IPEndPoint)tcp.Client.LocalEndPoint!).Port, srv.Port);
    }

    [Fact]
    public async Task DoT_whoami_should_answer_a_tls_SRV_with_the_clients_address()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} whoami\n}}\n");
        var tcp = new TcpClient();
        await tcp.ConnectAsync(EndPoint(server));
        var clientPort = ((IPEndPoint)tcp.Client.LocalEndPoint!).Port;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, c, _, _) => _pki.ValidateServer(c as X509Certificate2));
        await ssl.AuthenticateAsClientAsync(TestPki.ServerName);
        await SendAsync(ssl, new QueryBuilder("example.org.") { Id = 3 }.Build());
        var r = Assert.IsType<DnsMessage>(await ReceiveAsync(ssl));
        Assert.Equal("127.0.0.1", Assert.Single(r.AdditionalRecords.OfType<ARecord>()).Address.ToString());
        var srv = Assert.Single(r.AdditionalRecords.OfType<SrvRecord>());
        Assert.Equal(("_tls.example.org.", clientPort), (srv.Name.ToString(), (int)srv.Port));
    }

    [Fact]
    public async Task DoT_with_client_auth_require_and_verify_should_refuse_a_stranger_and_accept_the_CA_signed_client()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls("client_auth require_and_verify")} fault stall none.\n}}\n");
        var ep = EndPoint(server);
        Assert.Null(await TryQueryAsync(ep, _pki.Stranger));
        Assert.Null(await TryQueryAsync(ep, null));
        var ok = Assert.IsType<DnsMessage>(await TryQueryAsync(ep, _pki.Client));
        Assert.Equal((7, ReturnCode.NoError), (ok.TransactionID, ok.ReturnCode));
    }

    [Fact]
    public async Task DoT_should_present_a_renewed_certificate_to_the_next_handshake()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} fault stall none.\n}}\n");
        var ep = EndPoint(server);
        X509Certificate2? first = null, second = null;
        await using (var before = await ConnectAsync(ep, seen: c => first = c))
        {
            Assert.Equal(_pki.Server.Thumbprint, first!.Thumbprint);
            var renewed = _pki.RenewServer();
            Assert.True(server.Plan.Blocks[0].Options.Tls!.Poll());
            await using var after = await ConnectAsync(ep, seen: c => second = c);
            Assert.Equal(renewed.Thumbprint, second!.Thumbprint);
            // the connection made before the renewal still works
            await SendAsync(before, new QueryBuilder("a.example.org.") { Id = 5 }.Build());
            Assert.Equal(5, Assert.IsType<DnsMessage>(await ReceiveAsync(before)).TransactionID);
        }
    }

    [Fact]
    public async Task DoT_should_close_connections_past_max_connections_and_handshakes_past_the_timeout()
    {
        await using var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} fault stall none.\n}}\n");
        var ep = EndPoint(server);
        // A client that never starts its handshake is dropped after handshake-timeout (1 s here).
        using (var idle = new TcpClient())
        {
            await idle.ConnectAsync(ep);
            using var cts = new CancellationTokenSource(Bound);
            Assert.Equal(0, await idle.GetStream().ReadAsync(new byte[1], cts.Token));
        }
        // max-connections = 3: the fourth is closed at once.
        var open = new List<SslStream>();
        try
        {
            for (var i = 0; i < 3; i++) open.Add(await ConnectAsync(ep));
            Assert.Null(await TryQueryAsync(ep, null));
            await SendAsync(open[2], new QueryBuilder("a.example.org.") { Id = 8 }.Build());
            Assert.Equal(8, Assert.IsType<DnsMessage>(await ReceiveAsync(open[2])).TransactionID);
        }
        finally
        {
            foreach (var s in open) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task DoT_should_close_open_connections_and_stop_listening_when_the_server_stops()
    {
        var server = await StartAsync($"tls://example.org:{Port()} {{\n bind 127.0.0.1\n{Tls()} fault stall none.\n}}\n");
        var ep = EndPoint(server);
        await using var ssl = await ConnectAsync(ep);
        await SendAsync(ssl, new QueryBuilder("a.example.org.") { Id = 4 }.Build());
        Assert.Equal(4, Assert.IsType<DnsMessage>(await ReceiveAsync(ssl)).TransactionID);
        await server.DisposeAsync();
        Assert.Null(await ReceiveAsync(ssl));
        using var late = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(ep).WaitAsync(Bound));
    }

    [Fact]
    public async Task DoT_kept_by_a_reload_should_follow_the_new_plans_tls_plugin_for_renewed_certificates()
    {
        var port = Port();
        var corefile = $"tls://example.org:{port} {{\n bind 127.0.0.1\n{Tls()} fault stall none.\n}}\n";
        var server = await StartAsync(corefile);
        var ep = EndPoint(server);
        var catalog = TestPlugins.Catalog;
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        await using var reloaded = await server.ReloadAsync(ServerPlan.Build(doc, catalog, DnsSettings.Create(Sys), 0));
        Assert.Equal(ep, EndPoint(reloaded));

        // The same tls line: the listener is kept, while the old plan's tls plugin (and its file watcher) stops.
        // A certificate renewed now reaches new handshakes through the new plan's plugin.
        var renewed = _pki.RenewServer();
        Assert.True(reloaded.Plan.Blocks[0].Options.Tls!.Poll());
        string? seen = null;
        await using var after = await ConnectAsync(ep, seen: c => seen = c.Thumbprint);
        Assert.Equal(renewed.Thumbprint, seen);
        await SendAsync(after, new QueryBuilder("a.example.org.") { Id = 6 }.Build());
        Assert.Equal(6, Assert.IsType<DnsMessage>(await ReceiveAsync(after)).TransactionID);
    }

    [Fact]
    public async Task DoT_reloaded_with_another_certificate_should_present_it_and_an_unchanged_line_should_stay_watched_after_the_old_plan_stops()
    {
        using var other = new TestPki();
        var port = Port();
        string Corefile(TestPki pki) => $"tls://example.org:{port} {{\n bind 127.0.0.1\n tls {pki.ServerCertFile} {pki.ServerKeyFile}\n fault stall none.\n}}\n";
        var catalog = TestPlugins.Catalog;
        ServerPlan Plan(TestPki pki) =>
            ServerPlan.Build(CorefileParser.Parse(Corefile(pki), "Corefile", Path.GetTempPath(), catalog.KnownDirectives), catalog, DnsSettings.Create(Sys), 0);
        var first = await StartAsync(Corefile(_pki));
        var ep = EndPoint(first);

        // Another tls line on the same port: the listener reopens with the new certificate.
        var second = await first.ReloadAsync(Plan(other));
        Assert.Equal(ep, EndPoint(second));
        string? seen = null;
        await using (var c = await ConnectAsync(ep, seen: x => seen = x.Thumbprint).ContinueWith(t => t.IsFaulted ? null : t.Result))
        {
            // The test client trusts only _pki's CA, so the other PKI's certificate is seen and refused.
            Assert.Null(c);
        }
        Assert.Equal(other.Server.Thumbprint, seen);

        // Back to the first line, then the same line again: kept; once the previous plan stopped, the kept
        // listener's certificate is still watched (a renewal on disk reaches the next handshake).
        var third = await second.ReloadAsync(Plan(_pki));
        var fourth = await third.ReloadAsync(Plan(_pki));
        await third.Stopped.WaitAsync(TimeSpan.FromSeconds(30));
        var renewed = _pki.RenewServer();
        Assert.True(fourth.Plan.Blocks[0].Options.Tls!.Poll());
        seen = null;
        await using (var c = await ConnectAsync(ep, seen: x => seen = x.Thumbprint))
        {
            Assert.Equal(renewed.Thumbprint, seen);
            await SendAsync(c, new QueryBuilder("a.example.org.") { Id = 7 }.Build());
            Assert.Equal(7, Assert.IsType<DnsMessage>(await ReceiveAsync(c)).TransactionID);
        }
        await fourth.DisposeAsync();
    }
}
