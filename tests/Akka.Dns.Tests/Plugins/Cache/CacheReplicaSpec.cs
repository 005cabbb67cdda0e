using Akka.Configuration;
using Akka.Dns.Plugins.Cache;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Cache;

/// <summary>Four replicas of the chain, one cache store.</summary>
public sealed class CacheReplicaSpec(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(ConfigurationFactory.ParseString("akka.dns.server.pipelines = 4"), output: output)
{
    [Fact]
    public async Task Cache_should_share_one_store_and_one_flight_table_across_pipeline_replicas()
    {
        var (h, store, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        Assert.Equal(4, h.Settings.Pipelines);
        b.Hold = true;
        var replies = Enumerable.Range(0, 400).Select(i => Send(h, i)).ToArray();
        AwaitCondition(() => store.Requests == 400, TimeSpan.FromSeconds(10));
        b.Release();
        await Task.WhenAll(replies);
        Assert.Equal(1, b.Calls);
        Assert.Equal(399, store.SharedMisses);

        // Hits land on every replica; none of them asks again.
        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Send(h, i)));
        Assert.Equal(1, b.Calls);
        Assert.Equal(400, store.SuccessHits);
        Assert.Single(h.Plan.Blocks[0].Plugins.OfType<CachePlugin>());
    }

    /// <summary>Dispatches to replica <paramref name="i"/> mod 4 (the harness's QueryAsync always takes replica 0).</summary>
    private static Task<Reply> Send(PipelineHarness h, int i)
    {
        var target = new RecordingTarget(65535);
        var request = PipelineHarness.CreateRequest(new QueryBuilder("www.example.org.") { Id = (ushort)i }.Build(), Akka.Dns.Server.DnsTransport.Tcp, target)!;
        h.Dispatchers.Single().Dispatch(request, i % 4);
        return target.NextAsync(TimeSpan.FromSeconds(10));
    }
}
