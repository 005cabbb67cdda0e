using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Server;

/// <summary>What the server answers by itself, around the chain (CoreDNS's Server.ServeDNS and ScrubWriter).</summary>
public sealed class ServerAnswersSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Corefile = """
        example.org {
            answer 200
        }
        empty.example {
        }
        pass.example {
            pass
        }
        updates.example {
            fault throw nothing.
            updates
        }
        passing.example {
            fault throw nothing.
            updates pass
        }
        """;

    [Fact]
    public async Task Server_should_answer_an_UPDATE_NOTIMP_without_an_OPT_where_no_plugin_takes_updates()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        foreach (var zone in new[] { "example.org.", "outside.test.", "empty.example." })
        {
            var r = await h.QueryAsync(new QueryBuilder(zone, RrType.SOA) { Opcode = Opcode.Update, Id = 4711, UdpSize = 1232 });
            Assert.Equal(ReturnCode.NotImplemented, r.Rcode);
            Assert.Equal((4711, OperationCode.Update, false), (r.Message.TransactionID, r.Message.OperationCode, r.Message.IsEDnsEnabled));
            Assert.Equal(zone, r.Message.Questions[0].Name.ToString());
            Assert.Empty(r.Message.AnswerRecords);
        }
    }

    [Fact]
    public async Task Server_should_pass_an_UPDATE_only_to_the_plugins_that_see_updates()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        // fault (before updates in the chain) would answer any query with an A record: it must not see the UPDATE.
        var r = await h.QueryAsync(new QueryBuilder("updates.example.", RrType.SOA) { Opcode = Opcode.Update });
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.Empty(r.Message.AnswerRecords);
        Assert.Equal("update-seen", Assert.IsType<TxtRecord>(Assert.Single(r.Message.AdditionalRecords)).TextData);
        // while an ordinary query still goes to fault first
        Assert.IsType<ARecord>(Assert.Single((await h.QueryAsync("a.updates.example.")).Message.AnswerRecords));
    }

    [Fact]
    public async Task Server_should_answer_NOTIMP_when_an_UPDATE_reaches_the_end_of_the_chain()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var r = await h.QueryAsync(new QueryBuilder("passing.example.", RrType.SOA) { Opcode = Opcode.Update });
        Assert.Equal(ReturnCode.NotImplemented, r.Rcode);
    }

    [Fact]
    public async Task Server_should_refuse_names_outside_every_zone_without_a_root_block()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var r = await h.QueryAsync("www.example.com.");
        Assert.Equal(ReturnCode.Refused, r.Rcode);
        Assert.Equal("www.example.com", r.Message.Questions[0].Name.ToString().TrimEnd('.'));
    }

    [Fact]
    public async Task Server_should_refuse_a_block_without_plugins()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("a.empty.example.")).Rcode);
    }

    [Fact]
    public async Task Server_should_answer_servfail_at_the_end_of_the_chain()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("a.pass.example.")).Rcode);
    }

    [Fact]
    public async Task Server_should_refuse_chaos_class_when_no_block_opens_it()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("version.bind.", RrType.TXT, RrClass.CH)).Rcode);
    }

    [Fact]
    public async Task Server_should_answer_badvers_with_an_opt_of_version_zero_for_edns_version_one()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var r = await h.QueryAsync(new QueryBuilder("www.example.org.") { UdpSize = 1232, EdnsVersion = 1 });
        Assert.Equal((ReturnCode)16, r.Message.ReturnCode);
        Assert.True(r.Message.IsEDnsEnabled);
        Assert.Equal(0, r.Message.EDnsOptions!.Version);
        Assert.Empty(r.Message.AnswerRecords);
    }

    [Fact]
    public async Task Server_should_mirror_the_query_opt_keeping_only_supported_options()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n answer 1\n}\n", TestPlugins.Catalog);
        var cookie = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 };
        var r = await h.QueryAsync(new QueryBuilder("www.example.org.")
        {
            UdpSize = 4096, Do = true, Options = [(EdnsOption.Cookie, cookie), (65001, [9, 9])],
        });
        var opt = r.Message.EDnsOptions!;
        Assert.Equal(4096, opt.UdpPayloadSize);
        Assert.True(opt.IsDnsSecOk);
        Assert.Equal(0, opt.Version);
        var c = Assert.Single(opt.Options);
        Assert.Equal(EDnsOptionType.Cookie, c.Type);
    }

    [Fact]
    public async Task Server_should_add_no_opt_when_the_query_had_none()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n answer 1\n}\n", TestPlugins.Catalog);
        var r = await h.QueryAsync("www.example.org.");
        Assert.False(r.Message.IsEDnsEnabled);
        Assert.Equal(0x1234, r.Message.TransactionID);
    }

    [Theory]
    [InlineData(null, 512)]
    [InlineData((ushort)1232, 1232)]
    [InlineData((ushort)4096, 1232)]   // never more than akka.dns.server.max-udp-size
    [InlineData((ushort)100, 512)]     // RFC 6891: below 512 counts as 512
    public async Task Server_should_truncate_udp_replies_to_the_client_buffer_and_set_tc(ushort? udpSize, int limit)
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var r = await h.QueryAsync(new QueryBuilder("www.example.org.") { UdpSize = udpSize });
        Assert.True(r.Wire.Length <= limit, $"{r.Wire.Length} > {limit}");
        Assert.True(r.Message.IsTruncated);
        Assert.InRange(r.Message.AnswerRecords.Count, 1, 199);
        Assert.Equal(udpSize is not null, r.Message.IsEDnsEnabled);
    }

    [Fact]
    public async Task Server_should_not_truncate_over_tcp()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var r = await h.QueryAsync(new QueryBuilder("www.example.org."), DnsTransport.Tcp);
        Assert.False(r.Message.IsTruncated);
        Assert.Equal(200, r.Message.AnswerRecords.Count);
    }
}
