using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Whoami;

public sealed class WhoamiSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Theory]
    [InlineData("example.org.", RrType.A, DnsTransport.Udp, "_udp.example.org.")]
    [InlineData("Example.ORG.", RrType.MX, DnsTransport.Tcp, "_tcp.Example.ORG.")]
    [InlineData(".", RrType.A, DnsTransport.Udp, "_udp.")]
    public async Task Whoami_should_answer_every_query_with_the_client_address_and_port(string qname, ushort qtype, DnsTransport transport, string srvOwner)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder(qname, qtype), transport, client: new IPEndPoint(IPAddress.Parse("192.0.2.7"), 40212));
        var m = reply.Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.Empty(m.AnswerRecords);
        var a = Assert.IsType<ARecord>(m.AdditionalRecords[0]);
        Assert.Equal(IPAddress.Parse("192.0.2.7"), a.Address);
        Assert.Equal(qname.TrimEnd('.'), a.Name.ToString().TrimEnd('.'), ignoreCase: true);
        Assert.Equal(0, a.TimeToLive);
        var srv = Assert.IsType<SrvRecord>(m.AdditionalRecords[1]);
        Assert.Equal(40212, srv.Port);
        Assert.Equal(srvOwner.TrimEnd('.'), srv.Name.ToString().TrimEnd('.'), ignoreCase: true);
    }

    [Fact]
    public async Task Whoami_should_answer_aaaa_for_an_ipv6_client()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("a.example."), DnsTransport.Udp, client: new IPEndPoint(IPAddress.IPv6Loopback, 5353));
        var aaaa = Assert.IsType<AaaaRecord>(reply.Message.AdditionalRecords[0]);
        Assert.Equal(IPAddress.IPv6Loopback, aaaa.Address);
    }

    [Fact]
    public void Whoami_should_reject_arguments()
    {
        var e = Assert.Throws<Akka.Dns.Corefile.CorefileException>(() => PipelineHarness.Start(Sys, ". {\n whoami foo\n}\n"));
        Assert.Equal("Corefile:2 - Error during parsing: plugin/whoami: Wrong argument count or unexpected line ending after 'foo'", e.Message);
    }
}
