using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Minimal;

public sealed class MinimalSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string, ReturnCode, int, int, int> Cases => new()
    {
        // qname (testanswer picks the reply by its first label), rcode, answer, authority, additional counts after minimal
        { "answer.example.org.", ReturnCode.NoError, 1, 0, 0 },
        { "opt.example.org.", ReturnCode.NoError, 1, 0, 0 },
        { "nodata.example.org.", ReturnCode.NoError, 0, 1, 1 },
        { "nxdomain.example.org.", ReturnCode.NxDomain, 0, 1, 1 },
        { "referral.example.org.", ReturnCode.NoError, 0, 1, 1 },
        { "empty.example.org.", ReturnCode.NoError, 0, 0, 0 },
        { "servfail.example.org.", ReturnCode.ServerFailure, 0, 0, 0 },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Minimal_should_strip_authority_and_additional_only_from_positive_replies(string qname, ReturnCode rcode, int answer, int authority, int additional)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n minimal\n testanswer\n}\n", TestAnswerSetup.Catalog);
        var m = (await h.QueryAsync(new QueryBuilder(qname))).Message;
        Assert.Equal(rcode, m.ReturnCode);
        Assert.Equal(answer, m.AnswerRecords.Count);
        Assert.Equal(authority, m.AuthorityRecords.Count);
        Assert.Equal(additional, m.AdditionalRecords.Count(r => r is not OptRecord));
    }

    [Fact]
    public async Task Minimal_should_leave_the_sections_untouched_without_the_plugin()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n testanswer\n}\n", TestAnswerSetup.Catalog);
        var m = (await h.QueryAsync(new QueryBuilder("answer.example.org."))).Message;
        Assert.Equal((1, 1, 1), (m.AnswerRecords.Count, m.AuthorityRecords.Count, m.AdditionalRecords.Count));
    }

    [Theory]
    [InlineData(null)]
    [InlineData((ushort)1232)]
    public async Task Minimal_should_keep_the_opt_record(ushort? size)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n minimal\n testanswer\n}\n", TestAnswerSetup.Catalog);
        var m = (await h.QueryAsync(new QueryBuilder("answer.example.org.") { UdpSize = size, Do = size is not null })).Message;
        Assert.Equal(size is not null, m.IsEDnsEnabled);
        if (size is not null)
        {
            Assert.Equal(size, (ushort)m.EDnsOptions!.UdpPayloadSize);
            Assert.True(m.EDnsOptions!.IsDnsSecOk);
        }
    }

    [Fact]
    public async Task Minimal_should_empty_whoami_replies_like_coredns()
    {
        // whoami's NOERROR reply has no answer and no SOA/NS: Typify calls it NOERROR, so only the (empty) answer is kept.
        await using var h = PipelineHarness.Start(Sys, ". {\n minimal\n whoami\n}\n");
        var m = (await h.QueryAsync(new QueryBuilder("example.org."))).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.Empty(m.AdditionalRecords);
    }

    [Theory]
    [InlineData("minimal foo", "Corefile:2 - Error during parsing: plugin/minimal: Wrong argument count or unexpected line ending after 'foo'")]
    [InlineData("minimal\n minimal", "Corefile:3 - Error during parsing: plugin/minimal: this plugin can only be used once per Server Block")]
    public void Minimal_should_reject_bad_configuration(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
