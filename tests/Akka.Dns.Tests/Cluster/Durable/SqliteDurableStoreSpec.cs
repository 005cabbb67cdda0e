using System.Diagnostics;
using Akka.Actor;
using Akka.DistributedData;
using DData = Akka.DistributedData.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Dns.Cluster.Durable;
using Microsoft.Data.Sqlite;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Cluster.Durable;

/// <summary>The store actor alone, spoken to with DData's durable-store protocol as the Replicator does.</summary>
public sealed class SqliteDurableStoreSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir;
    private readonly ITestOutputHelper _output;

    public SqliteDurableStoreSpec(ITestOutputHelper output) : this(DurableTestConfig.NewDir(), output) { }

    private SqliteDurableStoreSpec(string dir, ITestOutputHelper output) : base(DurableTestConfig.For(dir), output: output)
    {
        _dir = dir;
        _output = output;
    }

    private string DbFile => Path.Combine(_dir, SqliteDurableStoreSettings.FileName);

    [Fact]
    public void LoadAll_should_complete_with_no_data_on_an_empty_directory()
    {
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout); // a LoadData first would fail here
        Assert.True(File.Exists(DbFile));
    }

    [Fact]
    public void Store_should_reply_and_a_new_store_should_load_the_last_value_of_each_key()
    {
        var self = global::Akka.Cluster.Cluster.Get(Sys).SelfUniqueAddress;
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);

        var v1 = new DurableDataEnvelope(GCounter.Empty.Increment(self, 1));
        var v2 = new DurableDataEnvelope(GCounter.Empty.Increment(self, 5));
        var set = new DurableDataEnvelope(ORSet<string>.Empty.Add(self, "example.org."));
        store.Tell(new Store("c", v1, new StoreReply("stored-1", "failed-1", TestActor)));
        ExpectMsg("stored-1", Timeout);
        store.Tell(new Store("s", set, null));
        store.Tell(new Store("c", v2, new StoreReply("stored-2", "failed-2", TestActor)));
        ExpectMsg("stored-2", Timeout); // and so the reply-less Store before it is done too
        StopStore(store);

        var again = StartStore();
        again.Tell(LoadAll.Instance);
        var load = ExpectMsg<LoadData>(Timeout);
        ExpectMsg<LoadAllCompleted>(Timeout);
        Assert.Equal(new[] { "c", "s" }, load.Data.Keys.Order().ToArray());
        Assert.Equal(v2, load.Data["c"]);
        Assert.Equal(5UL, ((GCounter)load.Data["c"].Data).Value);
        Assert.Equal(set, load.Data["s"]);
    }

    [Fact]
    public void LoadAll_should_send_the_entries_in_batches_then_complete()
    {
        var self = global::Akka.Cluster.Cluster.Get(Sys).SelfUniqueAddress;
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);
        const int n = SqliteDurableStore.LoadBatchSize * 2 + 1;
        for (var i = 0; i < n; i++)
            store.Tell(new Store($"k{i}", new DurableDataEnvelope(GCounter.Empty.Increment(self, (ulong)i + 1)), null));
        store.Tell(new Store("last", new DurableDataEnvelope(GCounter.Empty), new StoreReply("done", "failed", TestActor)));
        ExpectMsg("done", Timeout);
        StopStore(store);

        var again = StartStore();
        again.Tell(LoadAll.Instance);
        var sizes = new List<int>();
        var values = new Dictionary<string, ulong>();
        while (true)
        {
            var m = ExpectMsg<object>(Timeout);
            if (m is LoadAllCompleted) break;
            var load = Assert.IsType<LoadData>(m);
            sizes.Add(load.Data.Count);
            foreach (var (k, v) in load.Data) values.Add(k, ((GCounter)v.Data).Value);
        }
        Assert.Equal(n + 1, values.Count);
        Assert.All(sizes, s => Assert.InRange(s, 1, SqliteDurableStore.LoadBatchSize));
        Assert.Equal(3, sizes.Count);
        Assert.Equal(42UL, values["k41"]);
        Assert.Equal(0UL, values["last"]);
    }

    [Fact]
    public void Write_behind_should_answer_at_once_and_flush_when_the_store_stops()
    {
        var self = global::Akka.Cluster.Cluster.Get(Sys).SelfUniqueAddress;
        var config = DurableTestConfig.For(_dir, writeBehind: "1 h").GetConfig("akka.cluster.distributed-data.durable");
        var store = StartStore(config);
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);
        store.Tell(new Store("c", new DurableDataEnvelope(GCounter.Empty.Increment(self, 1)), null));
        store.Tell(new Store("c", new DurableDataEnvelope(GCounter.Empty.Increment(self, 2)), new StoreReply("ok", "failed", TestActor)));
        ExpectMsg("ok", Timeout); // answered long before the one-hour interval
        StopStore(store);

        var again = StartStore();
        again.Tell(LoadAll.Instance);
        var load = ExpectMsg<LoadData>(Timeout);
        ExpectMsg<LoadAllCompleted>(Timeout);
        Assert.Equal(2UL, ((GCounter)load.Data["c"].Data).Value);
    }

    [Fact]
    public void Write_behind_should_write_the_batch_when_the_interval_fires()
    {
        var self = global::Akka.Cluster.Cluster.Get(Sys).SelfUniqueAddress;
        var config = DurableTestConfig.For(_dir, writeBehind: "100 ms").GetConfig("akka.cluster.distributed-data.durable");
        var store = StartStore(config);
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);
        var wal = new FileInfo(DbFile + "-wal");
        wal.Refresh();
        var before = wal.Exists ? wal.Length : 0;
        store.Tell(new Store("c", new DurableDataEnvelope(GCounter.Empty.Increment(self, 9)), new StoreReply("ok", "failed", TestActor)));
        ExpectMsg("ok", Timeout);
        // The file is locked while the store runs: the commit shows as a longer WAL, without stopping the store.
        AwaitAssert(() =>
        {
            wal.Refresh();
            Assert.True(wal.Exists && wal.Length > before, $"WAL still {(wal.Exists ? wal.Length : 0)} bytes");
        }, Timeout, TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void LoadAll_should_fail_with_a_message_naming_the_file_when_it_is_not_a_database()
    {
        File.WriteAllText(DbFile, string.Concat(Enumerable.Repeat("not a database; ", 400)));
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        var e = ExpectMsg<LoadFailedException>(Timeout);
        Assert.Equal(
            $"durable distributed-data store [{DbFile}] cannot be loaded: it is not an SQLite database (SQLITE_NOTADB). " +
            $"Stop the node, move [{DbFile}] (and [{DbFile}-wal] if present) out of the way and start again: the node starts " +
            "with no durable data and gets the replicated values back from the other nodes; a sole node loses them " +
            "unless the file is restored from a backup",
            e.Message);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // no LoadAllCompleted after a failure
    }

    [Fact]
    public void LoadAll_should_fail_with_a_message_naming_the_file_when_the_database_is_damaged()
    {
        var self = global::Akka.Cluster.Cluster.Get(Sys).SelfUniqueAddress;
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);
        var big = ORSet<string>.Empty;
        for (var i = 0; i < 200; i++) big = big.Add(self, $"zone{i}.example.org.");
        for (var i = 0; i < 20; i++) store.Tell(new Store($"k{i}", new DurableDataEnvelope(big), null));
        store.Tell(new Store("last", new DurableDataEnvelope(big), new StoreReply("done", "failed", TestActor)));
        ExpectMsg("done", Timeout);
        StopStore(store);

        // Overwrite everything after the first page (the header stays valid): b-tree pages become garbage.
        var bytes = File.ReadAllBytes(DbFile);
        Assert.True(bytes.Length > 3 * 4096, $"the test database is only {bytes.Length} bytes");
        for (var i = 4096; i < bytes.Length; i++) bytes[i] = (byte)(i * 31);
        File.WriteAllBytes(DbFile, bytes);

        var again = StartStore();
        again.Tell(LoadAll.Instance);
        var e = ExpectMsg<LoadFailedException>(Timeout);
        Assert.StartsWith($"durable distributed-data store [{DbFile}] cannot be loaded: the database is corrupt (", e.Message);
        Assert.EndsWith($"Stop the node, move [{DbFile}] (and [{DbFile}-wal] if present) out of the way and start again: the node starts " +
            "with no durable data and gets the replicated values back from the other nodes; a sole node loses them " +
            "unless the file is restored from a backup", e.Message);
    }

    [Fact]
    public void LoadAll_should_fail_naming_the_key_whose_value_cannot_be_read()
    {
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);
        StopStore(store);
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbFile, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO ddata (key, value) VALUES ('broken', x'0102030405')";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }

        var again = StartStore();
        again.Tell(LoadAll.Instance);
        var e = ExpectMsg<LoadFailedException>(Timeout);
        Assert.StartsWith($"durable distributed-data store [{DbFile}]: the value of key [broken] cannot be read (", e.Message);
        Assert.Contains($"move [{DbFile}]", e.Message);
    }

    [Fact]
    public void LoadAll_should_fail_when_another_store_holds_the_file()
    {
        var first = StartStore();
        first.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);

        var second = StartStore();
        second.Tell(LoadAll.Instance);
        var e = ExpectMsg<LoadFailedException>(Timeout);
        Assert.Equal(
            $"durable distributed-data store [{DbFile}] cannot be loaded: it is in use by another process (is another node configured with the same durable.sqlite.dir?). " +
            "Give every node its own durable.sqlite.dir (a dir ending with \"ddata\" gets the node's host and port appended), " +
            "or stop the other process that has the file open",
            e.Message);
    }

    [Fact]
    public void Store_should_report_its_write_latency()
    {
        // A figure for the README, not an assertion: Store → StoreReply round trips with write-behind off (fsync per write).
        var self = global::Akka.Cluster.Cluster.Get(Sys).SelfUniqueAddress;
        var store = StartStore();
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>(Timeout);
        var value = LWWDictionary<string, string>.Empty;
        for (var i = 0; i < 50; i++) value = value.SetItem(self, $"host{i}.example.org.", $"192.0.2.{i}");
        var envelope = new DurableDataEnvelope(value);
        const int n = 200;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            store.Tell(new Store($"k{i % 10}", envelope, new StoreReply(i, -1, TestActor)));
            ExpectMsg(i, Timeout);
        }
        sw.Stop();
        _output.WriteLine($"{n} durable writes (50-entry LWWDictionary): {sw.Elapsed.TotalMilliseconds / n:F2} ms per write");
    }

    private IActorRef StartStore(Akka.Configuration.Config? durableConfig = null)
    {
        var config = durableConfig ?? Sys.Settings.Config.GetConfig("akka.cluster.distributed-data.durable");
        return Sys.ActorOf(Akka.Actor.Props.Create(() => new Parent(SqliteDurableStore.Props(config), TestActor)));
    }

    private void StopStore(IActorRef store)
    {
        Watch(store);
        store.Tell(PoisonPill.Instance);
        ExpectTerminated(store, Timeout);
    }

    /// <summary>Stands in for the Replicator: forwards to the store and reports its failures to the test.</summary>
    private sealed class Parent : UntypedActor
    {
        private readonly IActorRef _store;
        private readonly IActorRef _failures;

        public Parent(Props store, IActorRef failures)
        {
            _failures = failures;
            _store = Context.ActorOf(store, "durableStore");
            Context.Watch(_store);
        }

        protected override void OnReceive(object message)
        {
            if (message is Terminated) Context.Stop(Self);
            else _store.Forward(message);
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
        {
            _failures.Tell(e);
            return Directive.Stop;
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DurableTestConfig.Delete(_dir);
    }
}
