using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Bufsize;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Bufsize;

public sealed class BufsizeSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string, ushort?, int?> Sizes => new()
    {
        // directive, query's EDNS size (null: no EDNS), reply's OPT size (null: no OPT)
        { "bufsize", 4096, 1232 },
        { "bufsize", 1232, 1232 },
        { "bufsize", 1000, 1000 },
        { "bufsize 1500", 4096, 1500 },
        { "bufsize 512", 4096, 512 },
        { "bufsize 4096", 4096, 4096 },
        { "bufsize 1500", 600, 600 },
        { "bufsize", null, null },
    };

    [Theory, MemberData(nameof(Sizes))]
    public async Task Bufsize_should_lower_the_advertised_size_the_reply_mirrors(string directive, ushort? querySize, int? replySize)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {directive}\n whoami\n}}\n");
        var reply = await h.QueryAsync(new QueryBuilder("example.org.") { UdpSize = querySize });
        Assert.Equal(replySize, reply.Message.IsEDnsEnabled ? reply.Message.EDnsOptions!.UdpPayloadSize : null);
    }

    public static TheoryData<string, DnsTransport, bool, int> Truncation => new()
    {
        // directives, transport, truncated, largest reply
        // (the server itself caps UDP replies at akka.dns.server.max-udp-size, 1232)
        { "testanswer", DnsTransport.Udp, true, 1232 },
        { "bufsize 600\n testanswer", DnsTransport.Udp, true, 600 },
        { "bufsize 512\n testanswer", DnsTransport.Udp, true, 512 },
        { "bufsize 512\n testanswer", DnsTransport.Tcp, false, 65535 },
    };

    [Theory, MemberData(nameof(Truncation))]
    public async Task Bufsize_should_make_the_server_size_udp_replies_by_the_lowered_size(string directives, DnsTransport transport, bool truncated, int max)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n", TestAnswerSetup.Catalog);
        var reply = await h.QueryAsync(new QueryBuilder("big.example.org.", RrType.TXT) { UdpSize = 4096 }, transport);
        Assert.Equal(truncated, reply.Message.IsTruncated);
        Assert.InRange(reply.Wire.Length, Math.Min(max, 3000) - 100, max);
        if (!truncated) Assert.Equal(60, reply.Message.AnswerRecords.Count);
    }
}

public sealed class BufsizeSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Theory]
    [InlineData("bufsize", 1232)]
    [InlineData("bufsize 512", 512)]
    [InlineData("bufsize 4096", 4096)]
    [InlineData("bufsize 1500", 1500)]
    public void Bufsize_should_parse_the_size(string directive, int size)
    {
        Assert.Equal(size, PluginPlans.PluginOf<BufsizePlugin>(Sys, directive).Size);
    }

    [Theory]
    [InlineData("bufsize 511", "Corefile:2 - Error during parsing: plugin/bufsize: Wrong argument count or unexpected line ending after '511'")]
    [InlineData("bufsize 4097", "Corefile:2 - Error during parsing: plugin/bufsize: Wrong argument count or unexpected line ending after '4097'")]
    [InlineData("bufsize -1", "Corefile:2 - Error during parsing: plugin/bufsize: Wrong argument count or unexpected line ending after '-1'")]
    [InlineData("bufsize abc", "Corefile:2 - Error during parsing: plugin/bufsize: Wrong argument count or unexpected line ending after 'abc'")]
    [InlineData("bufsize 1232 1500", "Corefile:2 - Error during parsing: plugin/bufsize: Wrong argument count or unexpected line ending after '1500'")]
    [InlineData("bufsize\n bufsize 1500", "Corefile:3 - Error during parsing: plugin/bufsize: this plugin can only be used once per Server Block")]
    public void Bufsize_should_reject_bad_sizes_with_coredns_message(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
