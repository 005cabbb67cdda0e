using Akka.Actor;
using Akka.DistributedData;
using DData = Akka.DistributedData.DistributedData;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Cluster.Durable;

/// <summary>
/// The store under a real Replicator: a single-node cluster writes with WriteLocal, is stopped, and a new
/// ActorSystem on the same directory reads the values back.
/// </summary>
public sealed class SqliteDurableReplicatorSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly LWWDictionaryKey<string, string> Records = new("durable-records");
    private static readonly ORSetKey<string> Zones = new("durable-zones");
    private static readonly GCounterKey Counter = new("counter");
    private static readonly GCounterKey Volatile = new("volatile-counter");

    private readonly string _dir = DurableTestConfig.NewDir();

    [Theory]
    [InlineData("off")]
    [InlineData("200 ms")]
    public async Task Durable_data_should_be_loaded_by_a_new_system_on_the_same_directory(string writeBehind)
    {
        var first = await StartAsync("first", writeBehind);
        try
        {
            var replicator = DData.Get(first).Replicator;
            var self = global::Akka.Cluster.Cluster.Get(first).SelfUniqueAddress;
            await UpdateAsync(replicator, Dsl.Update(Records, LWWDictionary<string, string>.Empty, WriteLocal.Instance,
                d => d.SetItem(self, "www.example.org.", "192.0.2.1").SetItem(self, "mail.example.org.", "192.0.2.25")));
            await UpdateAsync(replicator, Dsl.Update(Records, LWWDictionary<string, string>.Empty, WriteLocal.Instance,
                d => d.SetItem(self, "www.example.org.", "192.0.2.2")));
            await UpdateAsync(replicator, Dsl.Update(Zones, ORSet<string>.Empty, WriteLocal.Instance,
                s => s.Add(self, "example.org.").Add(self, "example.net.").Remove(self, "example.net.")));
            await UpdateAsync(replicator, Dsl.Update(Counter, GCounter.Empty, WriteLocal.Instance, c => c.Increment(self, 3)));
            await UpdateAsync(replicator, Dsl.Update(Counter, GCounter.Empty, WriteLocal.Instance, c => c.Increment(self, 4)));
            await UpdateAsync(replicator, Dsl.Update(Volatile, GCounter.Empty, WriteLocal.Instance, c => c.Increment(self, 1)));
        }
        finally
        {
            await first.Terminate();
        }

        var second = await StartAsync("second", writeBehind);
        try
        {
            var replicator = DData.Get(second).Replicator;

            var records = await GetAsync(replicator, Records);
            Assert.Equal("192.0.2.2", records["www.example.org."]);
            Assert.Equal("192.0.2.25", records["mail.example.org."]);
            Assert.Equal(2, records.Count);

            var zones = await GetAsync(replicator, Zones);
            Assert.Equal(new[] { "example.org." }, zones.Elements.ToArray());

            var counter = await GetAsync(replicator, Counter);
            Assert.Equal(7UL, counter.Value);

            var notDurable = await replicator.Ask<IGetResponse>(Dsl.Get(Volatile, ReadLocal.Instance), Timeout);
            Assert.IsType<NotFound>(notDurable);
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public async Task Durable_data_should_be_empty_for_a_new_directory()
    {
        var system = await StartAsync("empty", "off");
        try
        {
            var replicator = DData.Get(system).Replicator;
            var r = await replicator.Ask<IGetResponse>(Dsl.Get(Records, ReadLocal.Instance), Timeout);
            Assert.IsType<NotFound>(r);
            Assert.True(File.Exists(Path.Combine(_dir, "ddata.db")), "the store creates its file in the configured dir");
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Replicator_should_stop_when_the_durable_file_is_not_a_database()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "ddata.db"), string.Concat(Enumerable.Repeat("not a database; ", 400)));
        var system = ActorSystem.Create("corrupt", DurableTestConfig.For(_dir));
        try
        {
            await DurableTestConfig.JoinSelfAsync(system);
            var replicator = DData.Get(system).Replicator;
            var probe = CreateTestProbe(system);
            probe.Watch(replicator);
            probe.ExpectTerminated(replicator, Timeout);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private async Task<ActorSystem> StartAsync(string name, string writeBehind)
    {
        var system = ActorSystem.Create(name, DurableTestConfig.For(_dir, writeBehind));
        await DurableTestConfig.JoinSelfAsync(system);
        return system;
    }

    private static async Task UpdateAsync(IActorRef replicator, Update update)
    {
        var r = await replicator.Ask<IUpdateResponse>(update, Timeout);
        Assert.IsType<UpdateSuccess>(r);
    }

    private static async Task<T> GetAsync<T>(IActorRef replicator, IKey<T> key) where T : IReplicatedData
    {
        var r = await replicator.Ask<IGetResponse>(Dsl.Get(key, ReadLocal.Instance), Timeout);
        var ok = Assert.IsType<GetSuccess>(r);
        return ok.Get(key);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DurableTestConfig.Delete(_dir);
    }
}
