using Akka.Dns.TestCertificates;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.Grpc;
using Akka.Dns.Server;
using Akka.Dns.Tests.Plugins.GrpcServer;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Plugins.Grpc;

/// <summary>
/// Two Akka.Dns servers chained over gRPC in one process: the back serves grpc:// over TLS (file + whoami), the
/// front forwards to it with the grpc plugin and answers over UDP.
/// </summary>
public sealed class GrpcSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private Task<DnsServer> BackAsync(TestPki pki) => GrpcTransportSpec.StartAsync(Sys,
        $"grpc://example.org:0 grpc://whoami.test:0 {{\n bind 127.0.0.1\n tls {pki.ServerCertFile} {pki.ServerKeyFile}\n file {GrpcTransportSpec.ZoneFile()} example.org\n whoami\n}}\n");

    private static int GrpcPort(DnsServer s) => s.EndPoints(DnsTransport.Grpc).First().Port;

    private static async Task<DnsMessage> UdpAsync(DnsServer s, string name, ushort type = Akka.Dns.Wire.RrType.A) =>
        DnsMessage.Parse(await UdpRawAsync(s, new QueryBuilder(name, type) { UdpSize = 1232 }.Build()));

    private static async Task<byte[]> UdpRawAsync(DnsServer s, byte[] q)
    {
        using var udp = new System.Net.Sockets.UdpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        await udp.SendAsync(q, new IPEndPoint(IPAddress.Loopback, s.UdpEndPoints.First().Port));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return (await udp.ReceiveAsync(cts.Token)).Buffer;
    }

    private static string[] Section(IEnumerable<DnsRecordBase> rrs) => rrs.Select(r => r.ToString()).ToArray();

    [Fact]
    public async Task Grpc_should_answer_through_the_front_as_the_back_answers()
    {
        using var pki = new TestPki();
        await using var back = await BackAsync(pki);
        await using var front = await GrpcTransportSpec.StartAsync(Sys,
            $". {{\n bind 127.0.0.1\n grpc . 127.0.0.1:{GrpcPort(back)} {{\n  tls {pki.CaFile}\n }}\n}}\n");
        var (channel, client) = GrpcTransportSpec.Client(new IPEndPoint(IPAddress.Loopback, GrpcPort(back)), pki);
        using var _ = channel;
        foreach (var (name, type) in new[] { ("www.example.org.", Akka.Dns.Wire.RrType.A), ("www.example.org.", Akka.Dns.Wire.RrType.AAAA), ("nope.example.org.", Akka.Dns.Wire.RrType.A), ("example.org.", Akka.Dns.Wire.RrType.NS) })
        {
            var q = new QueryBuilder(name, type) { UdpSize = 1232, Id = 0x4242 }.Build();
            var direct = DnsMessage.Parse(await GrpcTransportSpec.QueryAsync(client, q));
            var through = DnsMessage.Parse(await UdpRawAsync(front, q));
            Assert.Equal(0x4242, through.TransactionID);
            Assert.Equal(direct.ReturnCode, through.ReturnCode);
            Assert.Equal(direct.IsAuthoritiveAnswer, through.IsAuthoritiveAnswer);
            Assert.Equal(Section(direct.AnswerRecords), Section(through.AnswerRecords));
            Assert.Equal(Section(direct.AuthorityRecords), Section(through.AuthorityRecords));
        }
        Assert.True(GrpcMetrics.Requests.TryGetValue($"127.0.0.1:{GrpcPort(back)}", out var n) && n.Value >= 4);
        Assert.True(GrpcMetrics.Responses.TryGetValue(($"127.0.0.1:{GrpcPort(back)}", "NXDOMAIN"), out var nx) && nx.Value >= 1);
    }

    [Fact]
    public async Task Grpc_whoami_at_the_back_should_say_grpc_through_the_front()
    {
        using var pki = new TestPki();
        await using var back = await BackAsync(pki);
        await using var front = await GrpcTransportSpec.StartAsync(Sys,
            $". {{\n bind 127.0.0.1\n grpc . 127.0.0.1:{GrpcPort(back)} {{\n  tls {pki.CaFile}\n  tls_servername {TestPki.ServerName}\n }}\n}}\n");
        var m = await UdpAsync(front, "whoami.test.");
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.StartsWith("_grpc.", Assert.Single(m.AdditionalRecords.OfType<SrvRecord>()).Name.ToString());
    }

    [Fact]
    public async Task Grpc_should_fail_over_from_a_dead_upstream_to_the_next()
    {
        using var pki = new TestPki();
        await using var back = await BackAsync(pki);
        var dead = HealthSpec.FreePort();
        await using var front = await GrpcTransportSpec.StartAsync(Sys,
            $". {{\n bind 127.0.0.1\n grpc . 127.0.0.1:{dead} 127.0.0.1:{GrpcPort(back)} {{\n  tls {pki.CaFile}\n  policy sequential\n }}\n}}\n");
        var m = await UdpAsync(front, "www.example.org.");
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.IsType<ARecord>(Assert.Single(m.AnswerRecords)).Address);
    }

    [Fact]
    public async Task Grpc_should_servfail_when_every_upstream_fails()
    {
        var dead = HealthSpec.FreePort();
        await using var front = await GrpcTransportSpec.StartAsync(Sys, $". {{\n bind 127.0.0.1\n grpc . 127.0.0.1:{dead}\n}}\n");
        Assert.Equal(ReturnCode.ServerFailure, (await UdpAsync(front, "www.example.org.")).ReturnCode);
    }

    [Fact]
    public async Task Grpc_should_not_forward_except_names_and_pass_them_on()
    {
        using var pki = new TestPki();
        await using var back = await BackAsync(pki);
        await using var front = await GrpcTransportSpec.StartAsync(Sys,
            $". {{\n bind 127.0.0.1\n grpc . 127.0.0.1:{GrpcPort(back)} {{\n  tls {pki.CaFile}\n  except whoami.test\n }}\n whoami\n}}\n");
        // Forwarded, the back's whoami would say _grpc.; the front's own whoami says _udp.
        var m = await UdpAsync(front, "whoami.test.");
        Assert.StartsWith("_udp.", Assert.Single(m.AdditionalRecords.OfType<SrvRecord>()).Name.ToString());
        var fwd = await UdpAsync(front, "www.example.org.");
        Assert.Equal(IPAddress.Parse("192.0.2.1"), Assert.IsType<ARecord>(Assert.Single(fwd.AnswerRecords)).Address);
    }

    [Fact]
    public async Task Grpc_fallthrough_should_pass_nxdomain_to_the_next_plugin()
    {
        using var pki = new TestPki();
        await using var back = await BackAsync(pki);
        await using var front = await GrpcTransportSpec.StartAsync(Sys,
            $". {{\n bind 127.0.0.1\n grpc . 127.0.0.1:{GrpcPort(back)} {{\n  tls {pki.CaFile}\n  fallthrough\n }}\n whoami\n}}\n");
        var m = await UdpAsync(front, "nope.example.org.");
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.StartsWith("_udp.", Assert.Single(m.AdditionalRecords.OfType<SrvRecord>()).Name.ToString());
    }
}
