using Akka.Dns.TestCertificates;
using Akka.Dns.Wire;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.GrpcServer;
using Akka.Dns.Server;
using Akka.Dns.Server.Listeners;
using Akka.Dns.Server.Listeners.Grpc;
using Akka.Dns.Server.Routing;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.TestKit;
using Coredns.Dns;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Plugins.GrpcServer;

/// <summary>grpc:// in-process: a Grpc.Net.Client against the listener over TLS and over h2c.</summary>
public sealed class GrpcTransportSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    internal const string Zone = """
        $ORIGIN example.org.
        @   3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 3600
        @   3600 IN NS  ns1
        ns1 3600 IN A   192.0.2.53
        www 3600 IN A   192.0.2.1
        www 3600 IN AAAA 2001:db8::1
        """;

    /// <summary>Keys written with port 0 get one free port (grpc:// keys need a real one; dns:// ones keep 0 = ephemeral).</summary>
    internal static string WithFreePort(string corefile)
    {
        var port = HealthSpec.FreePort().ToString();
        return System.Text.RegularExpressions.Regex.Replace(corefile, @"(grpc://[^\s{]+):0\b", "$1:" + port);
    }

    internal static Task<DnsServer> StartAsync(Akka.Actor.ActorSystem sys, string corefile) => HealthSpec.StartServerAsync(sys, WithFreePort(corefile));

    internal static string ZoneFile()
    {
        var f = Path.Combine(Directory.CreateTempSubdirectory("grpc-zone-").FullName, "db.example.org");
        System.IO.File.WriteAllText(f, Zone);
        return f;
    }

    /// <summary>A gRPC client of coredns.dns.DnsService: https with the test CA when <paramref name="pki"/> is given, else h2c.</summary>
    internal static (GrpcChannel Channel, DnsService.DnsServiceClient Client) Client(IPEndPoint server, TestPki? pki)
    {
        var handler = new SocketsHttpHandler();
        if (pki is not null)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => pki.ValidateServer(c as X509Certificate2);
        var channel = GrpcChannel.ForAddress($"{(pki is null ? "http" : "https")}://127.0.0.1:{server.Port}", new GrpcChannelOptions { HttpHandler = handler });
        return (channel, new DnsService.DnsServiceClient(channel));
    }

    internal static async Task<byte[]> QueryAsync(DnsService.DnsServiceClient client, byte[] packet)
    {
        var reply = await client.QueryAsync(new DnsPacket { Msg = ByteString.CopyFrom(packet) }, deadline: DateTime.UtcNow.AddSeconds(10));
        return reply.Msg.ToByteArray();
    }

    private static async Task<byte[]> UdpAsync(IPEndPoint server, byte[] packet)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(packet, new IPEndPoint(IPAddress.Loopback, server.Port));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await udp.ReceiveAsync(cts.Token)).Buffer;
    }

    private static IPEndPoint First(DnsServer s, DnsTransport t) => s.EndPoints(t).First();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Grpc_should_answer_as_udp_does_for_the_same_corefile(bool tls)
    {
        using var pki = new TestPki();
        var tlsLine = tls ? $" tls {pki.ServerCertFile} {pki.ServerKeyFile}\n" : "";
        await using var server = await GrpcTransportSpec.StartAsync(Sys,
            $"grpc://example.org:0 example.org {{\n bind 127.0.0.1\n{tlsLine} file {ZoneFile()}\n}}\n");
        var (channel, client) = Client(First(server, DnsTransport.Grpc), tls ? pki : null);
        using var _ = channel;
        foreach (var (name, type) in new[] { ("www.example.org.", RrType.A), ("www.example.org.", RrType.AAAA), ("nope.example.org.", RrType.A), ("example.org.", RrType.NS) })
        {
            var q = new QueryBuilder(name, type) { UdpSize = 1232 }.Build();
            var viaGrpc = await QueryAsync(client, q);
            var viaUdp = await UdpAsync(server.UdpEndPoints.First(), q);
            Assert.Equal(viaUdp, viaGrpc);
            Assert.True(DnsMessage.Parse(viaGrpc).IsAuthoritiveAnswer);
        }
    }

    [Fact]
    public async Task Grpc_whoami_should_report_the_grpc_transport_and_the_client()
    {
        using var pki = new TestPki();
        await using var server = await GrpcTransportSpec.StartAsync(Sys,
            $"grpc://.:0 {{\n bind 127.0.0.1\n tls {pki.ServerCertFile} {pki.ServerKeyFile}\n whoami\n}}\n");
        var (channel, client) = Client(First(server, DnsTransport.Grpc), pki);
        using var _ = channel;
        var m = DnsMessage.Parse(await QueryAsync(client, new QueryBuilder("example.org.").Build()));
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        var a = Assert.IsType<ARecord>(Assert.Single(m.AdditionalRecords.OfType<ARecord>()));
        Assert.Equal(IPAddress.Loopback, a.Address);
        var srv = Assert.Single(m.AdditionalRecords.OfType<SrvRecord>());
        Assert.StartsWith("_grpc.", srv.Name.ToString());
    }

    public static TheoryData<byte[], string> Malformed => new()
    {
        { new byte[] { 1, 2, 3, 4, 5 }, "dns: buffer size too small" },
        // QR set: a response, not a request.
        { new byte[] { 0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, "dns request rejected" },
        // Two questions.
        { new byte[] { 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 }, "dns request rejected" },
        // A question cut short.
        { new byte[] { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w' }, "dns: overflow unpacking message" },
    };

    [Theory, MemberData(nameof(Malformed))]
    public async Task Grpc_should_answer_a_message_it_cannot_unpack_with_a_grpc_error(byte[] packet, string detail)
    {
        await using var server = await GrpcTransportSpec.StartAsync(Sys, "grpc://.:0 {\n bind 127.0.0.1\n whoami\n}\n");
        var (channel, client) = Client(First(server, DnsTransport.Grpc), null);
        using var _ = channel;
        var e = await Assert.ThrowsAsync<RpcException>(() => QueryAsync(client, packet));
        Assert.Equal(StatusCode.Unknown, e.StatusCode);
        Assert.Equal(detail, e.Status.Detail);
    }

    private GrpcListener Listener(string corefile)
    {
        var plan = PluginPlans.Plan(Sys, GrpcTransportSpec.WithFreePort(corefile));
        var settings = DnsSettings.Create(Sys);
        var dispatcher = new RequestDispatcher(new ZoneTable([]), settings);
        return new GrpcListener(new ListenerContext(Sys, dispatcher, plan.Listeners.Single(), settings, Sys.Log));
    }

    [Fact]
    public async Task Grpc_server_limits_should_become_kestrels_limits()
    {
        await using var set = Listener("grpc://.:0 {\n bind 127.0.0.1\n grpc_server {\n  max_streams 7\n  max_connections 3\n }\n whoami\n}\n");
        await set.StartAsync(default);
        Assert.Equal(7, set.Kestrel!.Limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(3, set.Kestrel.Limits.MaxConcurrentConnections);

        await using var defaults = Listener("grpc://.:0 {\n bind 127.0.0.1\n whoami\n}\n");
        await defaults.StartAsync(default);
        Assert.Equal(256, defaults.Kestrel!.Limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(200, defaults.Kestrel.Limits.MaxConcurrentConnections);

        await using var unbounded = Listener("grpc://.:0 {\n bind 127.0.0.1\n grpc_server {\n  max_streams 0\n  max_connections 0\n }\n whoami\n}\n");
        await unbounded.StartAsync(default);
        Assert.Equal(int.MaxValue, unbounded.Kestrel!.Limits.Http2.MaxStreamsPerConnection);
        Assert.Null(unbounded.Kestrel.Limits.MaxConcurrentConnections);
    }

    [Fact]
    public async Task Grpc_server_max_connections_should_turn_away_a_connection_past_the_cap()
    {
        await using var server = await GrpcTransportSpec.StartAsync(Sys,
            "grpc://.:0 {\n bind 127.0.0.1\n grpc_server {\n  max_connections 1\n }\n whoami\n}\n");
        var ep = First(server, DnsTransport.Grpc);
        var (first, c1) = Client(ep, null);
        using var _ = first;
        var q = new QueryBuilder("example.org.").Build();
        Assert.NotEmpty(await QueryAsync(c1, q));   // holds the one connection allowed
        var (second, c2) = Client(ep, null);
        using var __ = second;
        var e = await Assert.ThrowsAsync<RpcException>(() => QueryAsync(c2, q));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.NotEmpty(await QueryAsync(c1, q));
    }
}
