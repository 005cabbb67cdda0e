using ARSoft.Tools.Net.Dns;
using Akka.Configuration;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Server;

public sealed class ServerBlockSupervisionSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(
    ConfigurationFactory.ParseString("""
        akka.dns.server.request-timeout = 1s
        akka.dns.server.pipelines = 2
        akka.dns.supervision { max-nr-of-retries = 3, within-time-range = 1h, min-backoff = 300ms, max-backoff = 1s }
        akka.loglevel = WARNING
        """), output: output)
{
    private const string Corefile = "example.org {\n fault throw boom.example.org\n fault stall slow.example.org\n}\n";

    [Fact]
    public async Task A_plugin_that_throws_should_cost_that_query_one_servfail_while_other_queries_are_answered()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var created = TestPlugins.FaultPlugin.Instances;
        var boom = h.QueryAsync("boom.example.org.");
        var others = Enumerable.Range(0, 50).Select(i => h.QueryAsync($"ok{i}.example.org.")).ToList();
        Assert.Equal(ReturnCode.ServerFailure, (await boom).Rcode);
        foreach (var o in others)
        {
            var r = await o;
            Assert.Equal(ReturnCode.NoError, r.Rcode);
            Assert.Single(r.Message.AnswerRecords);
        }
        // The supervisor restarted the actor (a new instance) and it answers again.
        var after = await h.QueryAsync("again.example.org.");
        Assert.Equal(ReturnCode.NoError, after.Rcode);
        Assert.True(TestPlugins.FaultPlugin.Instances > created, "the fault actor was not re-created");
    }

    [Fact]
    public async Task A_plugin_that_stalls_should_give_servfail_at_the_request_deadline_and_not_block_other_queries()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        var slow = h.QueryAsync("slow.example.org.");
        var fast = await h.QueryAsync("fast.example.org.");
        Assert.Equal(ReturnCode.NoError, fast.Rcode);
        Assert.False(slow.IsCompleted, "the stalled query was answered before its deadline");
        Assert.Equal(ReturnCode.ServerFailure, (await slow).Rcode);
    }

    [Fact]
    public async Task A_plugin_that_keeps_failing_should_be_stopped_and_recreated_after_a_backoff()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile, TestPlugins.Catalog);
        // Exceed max-nr-of-retries (3) on replica 0: the supervisor stops the actor, its link answers SERVFAIL.
        for (var i = 0; i < 6; i++) Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("boom.example.org.")).Rcode);
        // After the backoff the actor is re-created and answers normally again.
        await AwaitAssertAsync(async () =>
        {
            var r = await h.QueryAsync("back.example.org.");
            Assert.Equal(ReturnCode.NoError, r.Rcode);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
    }
}
