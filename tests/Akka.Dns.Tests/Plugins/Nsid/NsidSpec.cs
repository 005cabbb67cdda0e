using System.Text;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Nsid;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Nsid;

public sealed class NsidSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static QueryBuilder AskNsid(string name = "example.org.", ushort size = 4096, bool dnssecOk = false) =>
        new(name) { UdpSize = size, Do = dnssecOk, Options = [(EdnsOption.Nsid, [])] };

    public static TheoryData<string, string, ushort, bool, string, int> Cases => new()
    {
        // corefile directives, qname, query size, DO, expected NSID, expected OPT size
        { "nsid Use The Force\n whoami", "example.org.", 4096, false, "Use The Force", 4096 },
        { "nsid Use The Force\n whoami", "example.org.", 4096, true, "Use The Force", 4096 },
        { "nsid\n whoami", "example.org.", 1232, false, System.Net.Dns.GetHostName(), 1232 },
        { "nsid hello\n bufsize 1000\n whoami", "example.org.", 4096, false, "hello", 1000 },
        { "nsid hello\n testanswer", "opt.example.org.", 4096, false, "hello", 999 },
        { "nsid hello\n testanswer", "servfail.example.org.", 1232, false, "hello", 1232 },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Nsid_should_add_its_data_when_the_query_asks_for_nsid(string directives, string qname, ushort size, bool dnssecOk, string nsid, int optSize)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n", TestAnswerSetup.Catalog);
        var reply = await h.QueryAsync(AskNsid(qname, size, dnssecOk));
        var m = reply.Message;
        Assert.True(m.IsEDnsEnabled);
        var option = Assert.IsType<NsIdOption>(Assert.Single(m.EDnsOptions!.Options, o => o.Type == EDnsOptionType.NsId));
        Assert.Equal(nsid, Encoding.UTF8.GetString(option.Payload));
        Assert.Equal(optSize, m.EDnsOptions!.UdpPayloadSize);
        Assert.Equal(dnssecOk, m.EDnsOptions!.IsDnsSecOk);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Nsid_should_not_add_nsid_when_the_query_does_not_ask(bool edns)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n nsid hello\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("example.org.") { UdpSize = edns ? (ushort)1232 : null });
        Assert.Equal(edns, reply.Message.IsEDnsEnabled);
        if (edns) Assert.DoesNotContain(reply.Message.EDnsOptions!.Options, o => o.Type == EDnsOptionType.NsId);
    }

    [Theory]
    [InlineData("nsid", null)]
    [InlineData("nsid Use The Force", "Use The Force")]
    [InlineData("nsid \"Use  The\" Force", "Use  The Force")]
    public void Nsid_should_join_its_arguments_and_default_to_the_host_name(string directive, string? data)
    {
        Assert.Equal(data ?? System.Net.Dns.GetHostName(), PluginPlans.PluginOf<NsidPlugin>(Sys, directive).Data);
    }

    [Fact]
    public void Nsid_should_be_allowed_once_per_block()
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, ". {\n nsid a\n nsid b\n}\n"));
        Assert.Equal("Corefile:3 - Error during parsing: plugin/nsid: this plugin can only be used once per Server Block", e.Message);
    }
}
