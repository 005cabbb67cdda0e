using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Acl;

/// <summary>Modelled on CoreDNS's plugin/acl/acl_test.go: a config, a query from a source, the answer expected.</summary>
public sealed class AclSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public enum Want { Pass, Blocked, Filtered, Dropped }

    public static TheoryData<string, string, string, ushort, Want> Cases => new()
    {
        // IPv4
        { "acl example.org {\n block type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Blocked },
        { "acl example.org {\n block type A net 192.168.0.0/16\n }", "www.example.org.", "192.167.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n block type * net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.AAAA, Want.Blocked },
        { "acl example.org {\n block type A net *\n }", "www.example.org.", "10.1.0.2", RrType.A, Want.Blocked },
        { "acl example.org {\n block type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.AAAA, Want.Pass },
        { "acl example.org {\n block type A net 192.168.0.1\n }", "www.example.org.", "192.168.0.1", RrType.A, Want.Blocked },
        { "acl example.org {\n block type A net 192.168.0.1\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n allow net 192.168.0.0/24\n block type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n allow net 192.168.0.0/24\n block type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.1.2", RrType.A, Want.Blocked },
        { "acl example.org {\n allow type A net 192.168.0.0/16\n block\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n allow type A net 192.168.0.0/16\n block\n }", "www.example.org.", "192.168.0.2", RrType.AAAA, Want.Blocked },
        { "acl example.org {\n allow type A net 192.168.0.0/16\n block\n }", "www.example.org.", "10.0.0.2", RrType.A, Want.Blocked },
        { "acl a.example.org {\n block type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl a.example.org {\n block type A net 192.168.0.0/16\n }", "www.a.example.org.", "192.168.0.2", RrType.A, Want.Blocked },
        { "acl a.example.org {\n block type A net 192.168.0.0/16\n }\n acl b.example.org {\n block type AAAA net 192.168.0.0/16\n }", "b.example.org.", "192.168.0.2", RrType.AAAA, Want.Blocked },
        { "acl a.example.org {\n block type A net 192.168.0.0/16\n }\n acl b.example.org {\n block type AAAA net 192.168.0.0/16\n }", "b.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n allow net 192.168.0.0/16\n }\n acl example.org {\n block\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n allow net 192.168.0.0/16\n }\n acl example.org {\n block\n }", "www.example.org.", "10.0.0.2", RrType.A, Want.Blocked },
        { "acl example.org {\n filter type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Filtered },
        { "acl example.org {\n filter type A net 192.168.0.0/16\n }", "www.example.org.", "192.167.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n drop type A net 192.168.0.0/16\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Dropped },
        { "acl example.org {\n drop type A net 192.168.0.0/16\n }", "www.example.org.", "192.167.0.2", RrType.A, Want.Pass },
        { "acl {\n block type A\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Blocked },
        // IPv6
        { "acl example.org {\n block type A net 2001:db8:abcd:0012::0/64\n }", "www.example.org.", "2001:db8:abcd:0012::1230", RrType.A, Want.Blocked },
        { "acl example.org {\n block type A net 2001:db8:abcd:0012::0/64\n }", "www.example.org.", "2001:db8:abcd:0013::0", RrType.A, Want.Pass },
        { "acl example.org {\n block type A net 2001:0db8:85a3:0000:0000:8a2e:0370:7334\n }", "www.example.org.", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", RrType.A, Want.Blocked },
        { "acl example.org {\n block type A net 2001:db8::/32\n }", "www.example.org.", "192.168.0.2", RrType.A, Want.Pass },
        { "acl example.org {\n block type A net 192.168.0.0/16\n }", "www.example.org.", "2001:db8::1", RrType.A, Want.Pass },
        { "acl example.org {\n filter type A net 2001:db8:abcd:0012::0/64\n }", "www.example.org.", "2001:db8:abcd:0012::1230", RrType.A, Want.Filtered },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Acl_should_answer_as_coredns(string acl, string qname, string source, ushort qtype, Want want)
    {
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n {acl}\n answer 1\n}}\n", TestPlugins.Catalog);
        var target = new RecordingTarget(512);
        var request = PipelineHarness.CreateRequest(new QueryBuilder(qname, qtype).Build(), DnsTransport.Udp, target,
            new IPEndPoint(IPAddress.Parse(source), 53000))!;
        h.Dispatchers.First().Dispatch(request, 0);
        if (want == Want.Dropped)
        {
            // Dropped: answered (no deadline SERVFAIL will come) and nothing written.
            AwaitCondition(() => request.Answered);
            Assert.Equal(0, target.Count);
            return;
        }
        var reply = await target.NextAsync(TimeSpan.FromSeconds(10));
        var m = reply.Message;
        switch (want)
        {
            case Want.Pass:
                Assert.Equal(ReturnCode.NoError, m.ReturnCode);
                Assert.Single(m.AnswerRecords);
                break;
            case Want.Blocked:
                Assert.Equal(ReturnCode.Refused, m.ReturnCode);
                AssertEde(reply, 15);
                break;
            case Want.Filtered:
                Assert.Equal(ReturnCode.NoError, m.ReturnCode);
                Assert.Empty(m.AnswerRecords);
                AssertEde(reply, 17);
                break;
        }
    }

    [Fact]
    public async Task Acl_should_block_over_tcp_with_edns_4096_and_do_as_coredns()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n acl {\n block\n }\n answer 1\n}\n", TestPlugins.Catalog);
        var reply = await h.QueryAsync(new QueryBuilder("www.example.org."), DnsTransport.Tcp);
        var m = reply.Message;
        Assert.Equal(ReturnCode.Refused, m.ReturnCode);
        Assert.Equal(4096, (int)m.EDnsOptions!.UdpPayloadSize);
        Assert.True(m.EDnsOptions.IsDnsSecOk);
        AssertEde(reply, 15);
    }

    [Fact]
    public async Task Acl_should_count_blocked_requests()
    {
        var before = Akka.Dns.Plugins.Acl.AclMetrics.Blocked.Value;
        await using var h = PipelineHarness.Start(Sys, "example.org {\n acl {\n block\n }\n answer 1\n}\n", TestPlugins.Catalog);
        await h.QueryAsync(new QueryBuilder("www.example.org."));
        Assert.True(Akka.Dns.Plugins.Acl.AclMetrics.Blocked.Value > before);
    }

    private static void AssertEde(Reply reply, ushort code)
    {
        Assert.True(reply.Message.IsEDnsEnabled);
        // The OPT record is the last record and EDE its only option: code 15, length 2, the info code.
        Assert.Equal(new byte[] { 0, 15, 0, 2, (byte)(code >> 8), (byte)code }, reply.Wire[^6..]);
    }
}
