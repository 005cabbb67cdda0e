using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Chaos;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Chaos;

public sealed class ChaosSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string, string, string[]> Answers => new()
    {
        { "chaos v1", "version.bind.", ["v1"] },
        { "chaos v1", "VERSION.Server.", ["v1"] },
        { "chaos", "version.bind.", [ChaosSetup.DefaultVersion] },
        { "chaos v1 bob alice", "version.server.", ["v1"] },
        { "chaos v1", "hostname.bind.", [System.Net.Dns.GetHostName()] },
        { "chaos v1", "id.server.", [System.Net.Dns.GetHostName()] },
    };

    [Theory, MemberData(nameof(Answers))]
    public async Task Chaos_should_answer_the_special_names_with_one_txt_in_class_ch_ttl_0_without_aa(string directive, string qname, string[] txt)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {directive}\n}}\n");
        var reply = await h.QueryAsync(new QueryBuilder(qname, RrType.TXT, RrClass.CH) { UdpSize = 1232 });
        var m = reply.Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.False(m.IsAuthoritiveAnswer);
        var rr = Assert.IsType<TxtRecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal(RecordClass.Chaos, rr.RecordClass);
        Assert.Equal(0, rr.TimeToLive);
        Assert.Equal(qname, rr.Name.ToString(), StringComparer.Ordinal);
        Assert.Equal(txt, rr.TextParts);
    }

    [Fact]
    public async Task Chaos_should_answer_authors_bind_with_one_txt_per_author()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n chaos v1 carol alice bob alice\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("authors.bind.", RrType.TXT, RrClass.CH));
        var authors = reply.Message.AnswerRecords.Cast<TxtRecord>().Select(t => Assert.Single(t.TextParts)).Order(StringComparer.Ordinal);
        Assert.Equal(["alice", "bob", "carol"], authors);
        Assert.All(reply.Message.AnswerRecords, r => Assert.Equal(RecordClass.Chaos, r.RecordClass));
    }

    [Fact]
    public async Task Chaos_should_shuffle_the_authors()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n chaos v1 a b c d e f g h\n}\n");
        var orders = new HashSet<string>();
        for (var i = 0; i < 40 && orders.Count < 2; i++)
        {
            var reply = await h.QueryAsync(new QueryBuilder("authors.bind.", RrType.TXT, RrClass.CH));
            orders.Add(string.Join(",", reply.Message.AnswerRecords.Cast<TxtRecord>().Select(t => t.TextParts.Single())));
        }
        Assert.True(orders.Count > 1, "40 replies all had the same author order");
    }

    [Fact]
    public async Task Chaos_should_answer_authors_bind_with_no_records_by_default()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n chaos\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("authors.bind.", RrType.TXT, RrClass.CH));
        Assert.Equal(ReturnCode.NoError, reply.Rcode);
        Assert.Empty(reply.Message.AnswerRecords);
    }

    public static TheoryData<string, ushort, ushort> PassedOn => new()
    {
        { "version.bind.", RrType.A, RrClass.CH },
        { "version.bind.", RrType.TXT, RrClass.IN },
        { "example.org.", RrType.TXT, RrClass.CH },
        { "bind.", RrType.TXT, RrClass.CH },
    };

    [Theory, MemberData(nameof(PassedOn))]
    public async Task Chaos_should_pass_every_other_query_to_the_next_plugin(string qname, ushort qtype, ushort qclass)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n chaos v1\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder(qname, qtype, qclass));
        Assert.True(reply.Message.IsAuthoritiveAnswer, "whoami (AA set) should have answered");
        Assert.Empty(reply.Message.AnswerRecords);
        Assert.Equal(2, reply.Message.AdditionalRecords.Count);
    }

    [Fact]
    public async Task Chaos_should_answer_servfail_for_other_ch_names_when_it_is_last()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n chaos v1\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("example.org.", RrType.TXT, RrClass.CH));
        Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
    }

    [Fact]
    public async Task Chaos_should_be_the_only_way_ch_class_gets_through()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n whoami\n}\n");
        var reply = await h.QueryAsync(new QueryBuilder("version.bind.", RrType.TXT, RrClass.CH));
        Assert.Equal(ReturnCode.Refused, reply.Rcode);
    }
}

public sealed class ChaosSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Theory]
    [InlineData("chaos v1 {\n unknown\n }", "Corefile:3 - Error during parsing: plugin/chaos: unknown property 'unknown'")]
    [InlineData("chaos\n chaos v2", "Corefile:3 - Error during parsing: plugin/chaos: this plugin can only be used once per Server Block")]
    public void Chaos_should_reject_bad_configuration_with_coredns_message(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("chaos", null, new string[0])]
    [InlineData("chaos v2", "v2", new string[0])]
    [InlineData("chaos v3 \"Miek Gieben\" bob bob", "v3", new[] { "Miek Gieben", "bob" })]
    public void Chaos_should_parse_version_and_sorted_unique_authors(string directive, string? version, string[] authors)
    {
        var o = ChaosOptionsOf(directive);
        Assert.Equal(version ?? ChaosSetup.DefaultVersion, o.Version);
        Assert.Equal(authors, o.Authors);
    }

    [Fact]
    public void Chaos_should_cut_a_lone_version_to_255_octets_but_not_one_followed_by_authors()
    {
        var longVersion = new string('v', 300);
        Assert.Equal(255, ChaosOptionsOf($"chaos {longVersion}").Version.Length);
        Assert.Equal(300, ChaosOptionsOf($"chaos {longVersion} bob").Version.Length);
        Assert.Equal(255, Assert.Single(ChaosOptionsOf($"chaos v {longVersion}").Authors).Length);
    }

    [Fact]
    public void Chaos_should_open_the_ch_class()
    {
        Assert.True(new ChaosPlugin(new ChaosOptions("v", [])).OpensNonInClasses);
    }

    private ChaosOptions ChaosOptionsOf(string directive) => PluginPlans.PluginOf<ChaosPlugin>(Sys, directive).Options;
}
