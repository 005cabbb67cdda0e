using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Erratic;

public sealed class ErraticSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string NoDrop = "example.org {\n erratic {\n  drop 0\n }\n}\n";

    [Theory]
    [InlineData(RrType.A, "192.0.2.53")]
    [InlineData(RrType.AAAA, "2001:db8::53")]
    public async Task Erratic_should_answer_a_and_aaaa_with_the_documentation_addresses(ushort type, string address)
    {
        await using var h = PipelineHarness.Start(Sys, NoDrop);
        var m = (await h.QueryAsync("www.Example.org.", type)).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.False(m.IsTruncated);
        var rr = Assert.Single(m.AnswerRecords);
        Assert.Equal(IPAddress.Parse(address), rr switch { ARecord a => a.Address, AaaaRecord a => a.Address, _ => null });
        Assert.Equal("www.Example.org", rr.Name.ToString().TrimEnd('.'));
        Assert.Equal(0, rr.TimeToLive);
    }

    [Theory]
    [InlineData(RrType.HINFO)]
    [InlineData(RrType.MX)]
    [InlineData(RrType.TXT)]
    public async Task Erratic_should_answer_other_types_servfail(ushort type)
    {
        await using var h = PipelineHarness.Start(Sys, NoDrop);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("example.org.", type)).Rcode);
    }

    /// <summary>CoreDNS's TestErraticDrop: with drop 2, queries 0, 2, 4... are dropped (the deadline answers SERVFAIL), 1, 3... answered.</summary>
    [Fact]
    public async Task Erratic_should_drop_one_in_amount_queries_starting_with_the_first()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n erratic {\n  drop 2\n }\n}\n");
        var dropped = await h.QueryAsync("example.org.");
        Assert.Equal(ReturnCode.ServerFailure, dropped.Rcode);
        Assert.Empty(dropped.Message.AnswerRecords);
        var answered = await h.QueryAsync("example.org.");
        Assert.Equal(ReturnCode.NoError, answered.Rcode);
        Assert.Single(answered.Message.AnswerRecords);
    }

    /// <summary>CoreDNS's TestErraticTruncate: with truncate 2, query 0 has TC set, query 1 not; both carry the answer.</summary>
    [Fact]
    public async Task Erratic_should_truncate_one_in_amount_queries()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n erratic {\n  truncate 3\n }\n}\n");
        var tc = new List<bool>();
        for (var i = 0; i < 6; i++) tc.Add((await h.QueryAsync("example.org.")).Message.IsTruncated);
        Assert.Equal([true, false, false, true, false, false], tc);
    }

    [Fact]
    public async Task Erratic_should_answer_a_delayed_query_later_with_the_same_answer()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n erratic {\n  delay 1 20ms\n }\n}\n");
        var m = (await h.QueryAsync("example.org.")).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Equal(IPAddress.Parse("192.0.2.53"), Assert.IsType<ARecord>(Assert.Single(m.AnswerRecords)).Address);
    }

    /// <summary>CoreDNS's TestAxfr: a small zone opening (and, unless truncated, closing) with its SOA.</summary>
    [Theory]
    [InlineData("drop 0", 6, true)]
    [InlineData("truncate 1", 5, false)]
    public async Task Erratic_should_answer_axfr_with_a_small_zone(string property, int count, bool closed)
    {
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n erratic {{\n  {property}\n }}\n}}\n");
        var m = (await h.QueryAsync(new QueryBuilder("example.org.", RrType.AXFR), DnsTransport.Tcp)).Message;
        Assert.Equal(count, m.AnswerRecords.Count);
        Assert.IsType<SoaRecord>(m.AnswerRecords[0]);
        Assert.Equal(closed, m.AnswerRecords[^1] is SoaRecord);
        Assert.Contains(m.AnswerRecords, r => r is NsRecord ns && ns.NameServer.ToString() == "a.example.org.");
    }

    [Fact]
    public async Task Erratic_should_send_29_more_a_records_with_large()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n erratic {\n  drop 0\n  large\n }\n}\n");
        var m = (await h.QueryAsync(new QueryBuilder("example.org.") { UdpSize = 4096 }, DnsTransport.Tcp)).Message;
        Assert.Equal(30, m.AnswerRecords.Count);
    }
}
