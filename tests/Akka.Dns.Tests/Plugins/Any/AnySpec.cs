using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Any;

public sealed class AnySpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Theory]
    [InlineData("example.org.")]
    [InlineData("WWW.Example.org.")]
    [InlineData(".")]
    public async Task Any_should_answer_qtype_any_with_the_rfc_8482_hinfo(string qname)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n any\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder(qname, RrType.ANY));
        var m = reply.Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.False(m.IsAuthoritiveAnswer);
        Assert.Empty(m.AdditionalRecords);
        var hinfo = Assert.IsType<HInfoRecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal(qname, hinfo.Name.ToString(), StringComparer.Ordinal);
        Assert.Equal(8482, hinfo.TimeToLive);
        Assert.Equal(RecordClass.INet, hinfo.RecordClass);
        Assert.Equal("ANY obsoleted", hinfo.Cpu);
        Assert.Equal("See RFC 8482", hinfo.OperatingSystem);
    }

    [Theory]
    [InlineData(RrType.A)]
    [InlineData(RrType.TXT)]
    [InlineData(RrType.AXFR)]
    public async Task Any_should_pass_other_types_to_the_next_plugin(ushort qtype)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n any\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("example.org.", qtype));
        Assert.True(reply.Message.IsAuthoritiveAnswer);
        Assert.Empty(reply.Message.AnswerRecords);
        Assert.Equal(2, reply.Message.AdditionalRecords.Count);
    }

    [Theory]
    [InlineData("any foo", "Corefile:2 - Error during parsing: plugin/any: Wrong argument count or unexpected line ending after 'foo'")]
    [InlineData("any {\n foo\n }", "Corefile:3 - Error during parsing: plugin/any: unknown property 'foo'")]
    [InlineData("any\n any", "Corefile:3 - Error during parsing: plugin/any: this plugin can only be used once per Server Block")]
    public void Any_should_reject_bad_configuration(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
