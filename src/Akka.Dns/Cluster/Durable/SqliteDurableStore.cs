using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Serialization;
using Microsoft.Data.Sqlite;

namespace Akka.Dns.Cluster.Durable;

/// <summary>
/// Durable store for Akka.DistributedData on SQLite, a stand-in for the LMDB store (whose package does not run
/// against the LightningDB served here). Plugged in with
/// <c>akka.cluster.distributed-data.durable.store-actor-class = "Akka.Dns.Cluster.Durable.SqliteDurableStore, Akka.Dns"</c>;
/// the Replicator creates it as its child "durableStore" with the <c>durable</c> config section.
/// <para>
/// Protocol (Akka.DistributedData.Durable): the first message is <see cref="LoadAll"/>, answered with zero or more
/// <see cref="LoadData"/> batches and one <see cref="LoadAllCompleted"/>; a failure there throws
/// <see cref="LoadFailedException"/>, on which the Replicator stops itself and this store. Afterwards each
/// <see cref="Store"/> is written (at once, or batched when write-behind is on) and its optional
/// <see cref="StoreReply"/> answered with the success or failure message; a failed write also throws, and the
/// Replicator's default decider restarts the store, which reopens the file on the next Store.
/// </para>
/// <para>
/// One table, <c>ddata(key TEXT PRIMARY KEY, value BLOB)</c>, one row per key, upserted. Values are the
/// <see cref="DurableDataEnvelope"/> serialized by the ActorSystem's serializer for it (DData's own), as the
/// LMDB store does. The connection is exclusive (locking_mode=EXCLUSIVE, WAL): a second node pointed at the same
/// file fails at load with a message that says so.
/// </para>
/// </summary>
public sealed class SqliteDurableStore : UntypedActor, IWithTimers
{
    /// <summary>Entries per <see cref="LoadData"/> message.</summary>
    internal const int LoadBatchSize = 500;

    internal const string TableName = "ddata";

    private sealed class WriteBehind : IDeadLetterSuppression
    {
        public static readonly WriteBehind Instance = new();
        private WriteBehind() { }
    }

    private readonly SqliteDurableStoreSettings _settings;
    private readonly SerializerWithStringManifest _serializer;
    private readonly string _manifest;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, DurableDataEnvelope> _pending = new(StringComparer.Ordinal);

    private string _file = "";
    private SqliteConnection? _connection;
    private SqliteCommand? _upsert;
    private SqliteParameter? _upsertKey;
    private SqliteParameter? _upsertValue;
    private bool _loaded;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Called by the Replicator (through <c>store-actor-class</c>) with the <c>durable</c> config section.</summary>
    public SqliteDurableStore(Config config)
    {
        _settings = SqliteDurableStoreSettings.Create(config);
        var serializer = Context.System.Serialization.FindSerializerForType(typeof(DurableDataEnvelope));
        _serializer = serializer as SerializerWithStringManifest
            ?? throw new ConfigurationException(
                $"the serializer bound to DurableDataEnvelope is {serializer.GetType().FullName}, not DData's SerializerWithStringManifest: is Akka.DistributedData's config loaded?");
        _manifest = _serializer.Manifest(new DurableDataEnvelope(GCounter.Empty));
    }

    public static Props Props(Config durableConfig) => Akka.Actor.Props.Create(() => new SqliteDurableStore(durableConfig));

    /// <summary>The database file this store uses (set in PreStart).</summary>
    internal string FilePath => _file;

    protected override void PreStart()
    {
        var self = global::Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        var dir = _settings.ResolveDirectory(Context.System.Name, Self.Path.Parent.Name, self);
        _file = Path.Combine(dir, SqliteDurableStoreSettings.FileName);
        _log.Info("Using durable data in SQLite file [{0}]", _file);
    }

    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        // Loading happens once per Replicator; after a restart (a failed write) go straight to storing.
        _loaded = true;
    }

    protected override void PostStop()
    {
        try
        {
            Flush();
        }
        finally
        {
            Close();
            base.PostStop();
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case LoadAll when !_loaded:
                LoadAllEntries();
                break;
            case Store store when _loaded:
                OnStore(store);
                break;
            case WriteBehind:
                Flush();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void LoadAllEntries()
    {
        var t0 = Stopwatch.StartNew();
        var count = 0;
        try
        {
            var connection = Open();
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT key, value FROM {TableName}";
            using var reader = select.ExecuteReader();
            var batch = ImmutableDictionary.CreateBuilder<string, DurableDataEnvelope>(StringComparer.Ordinal);
            while (reader.Read())
            {
                var key = reader.GetString(0);
                var bytes = (byte[])reader.GetValue(1);
                DurableDataEnvelope envelope;
                try
                {
                    envelope = (DurableDataEnvelope)_serializer.FromBinary(bytes, _manifest);
                }
                catch (Exception e)
                {
                    throw new LoadFailedException(
                        $"durable distributed-data store [{_file}]: the value of key [{key}] cannot be read ({e.Message}). {WhatToDo()}", e);
                }
                batch[key] = envelope;
                count++;
                if (batch.Count == LoadBatchSize)
                {
                    Sender.Tell(new LoadData(batch.ToImmutable()));
                    batch.Clear();
                }
            }
            if (batch.Count > 0) Sender.Tell(new LoadData(batch.ToImmutable()));
        }
        catch (LoadFailedException)
        {
            Close();
            throw;
        }
        catch (Exception e)
        {
            Close();
            throw new LoadFailedException(Describe(e), e);
        }

        Sender.Tell(LoadAllCompleted.Instance);
        _loaded = true;
        _log.Debug("Load all of [{0}] entries from [{1}] took [{2} ms]", count, _file, t0.ElapsedMilliseconds);
    }

    private void OnStore(Store store)
    {
        if (_settings.WriteBehindInterval == TimeSpan.Zero)
        {
            try
            {
                Open();
                _upsertKey!.Value = store.Key;
                _upsertValue!.Value = _serializer.ToBinary(store.Data);
                _upsert!.ExecuteNonQuery();
            }
            catch (Exception e)
            {
                _log.Error(e, "Failed to store [{0}] in [{1}]", store.Key, _file);
                store.Reply?.ReplyTo.Tell(store.Reply.FailureMessage);
                throw;
            }
        }
        else
        {
            if (_pending.Count == 0)
                Timers.StartSingleTimer("write-behind", WriteBehind.Instance, _settings.WriteBehindInterval);
            _pending[store.Key] = store.Data;
        }
        store.Reply?.ReplyTo.Tell(store.Reply.SuccessMessage);
    }

    /// <summary>Writes the write-behind batch in one transaction (the last value per key only).</summary>
    private void Flush()
    {
        if (_pending.Count == 0) return;
        var t0 = Stopwatch.StartNew();
        try
        {
            var connection = Open();
            using var tx = connection.BeginTransaction();
            _upsert!.Transaction = tx;
            foreach (var (key, data) in _pending)
            {
                _upsertKey!.Value = key;
                _upsertValue!.Value = _serializer.ToBinary(data);
                _upsert.ExecuteNonQuery();
            }
            tx.Commit();
            _log.Debug("Store and commit of [{0}] entries took [{1} ms]", _pending.Count, t0.ElapsedMilliseconds);
        }
        catch (Exception e)
        {
            _log.Error(e, "Failed to store [{0}] in [{1}]", string.Join(", ", _pending.Keys), _file);
            throw;
        }
        finally
        {
            if (_upsert is not null) _upsert.Transaction = null;
            _pending.Clear();
        }
    }

    /// <summary>Opens (once) the database: directory, exclusive WAL, the table, a quick integrity check.</summary>
    private SqliteConnection Open()
    {
        if (_connection is not null) return _connection;

        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = _file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // a pooled handle would keep the exclusive lock after Close
            DefaultTimeout = 5, // seconds of SQLITE_BUSY retries: another node holding the file fails fast
        }.ToString();
        var connection = new SqliteConnection(cs);
        try
        {
            connection.Open();
            Exec(connection, "PRAGMA locking_mode = EXCLUSIVE");
            var mode = Scalar(connection, "PRAGMA journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"journal_mode is '{mode}', WAL could not be set");
            Exec(connection, "PRAGMA synchronous = FULL");
            var check = Scalar(connection, "PRAGMA quick_check");
            if (!string.Equals(check, "ok", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"integrity check failed: {check}");
            Exec(connection, $"CREATE TABLE IF NOT EXISTS {TableName} (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)");

            var upsert = connection.CreateCommand();
            upsert.CommandText =
                $"INSERT INTO {TableName} (key, value) VALUES ($key, $value) ON CONFLICT(key) DO UPDATE SET value = excluded.value";
            _upsertKey = upsert.Parameters.Add("$key", SqliteType.Text);
            _upsertValue = upsert.Parameters.Add("$value", SqliteType.Blob);
            upsert.Prepare();
            _upsert = upsert;
        }
        catch
        {
            _upsert?.Dispose();
            _upsert = null;
            connection.Dispose();
            throw;
        }
        _connection = connection;
        return connection;
    }

    private void Close()
    {
        _upsert?.Dispose();
        _upsert = null;
        _upsertKey = _upsertValue = null;
        _connection?.Dispose();
        _connection = null;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static string? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The load-failure message: names the file, says why and what to do about it.</summary>
    private string Describe(Exception e)
    {
        var (why, todo) = e switch
        {
            SqliteException { SqliteErrorCode: 26 } => ("it is not an SQLite database (SQLITE_NOTADB)", WhatToDo()),
            SqliteException { SqliteErrorCode: 11 } => ("the database is corrupt (SQLITE_CORRUPT)", WhatToDo()),
            InvalidOperationException when e.Message.StartsWith("integrity check failed", StringComparison.Ordinal) =>
                ($"the database is corrupt ({e.Message})", WhatToDo()),
            SqliteException { SqliteErrorCode: 5 or 6 } =>
                ("it is in use by another process (is another node configured with the same durable.sqlite.dir?)",
                 "Give every node its own durable.sqlite.dir (a dir ending with \"ddata\" gets the node's host and port " +
                 "appended), or stop the other process that has the file open"),
            SqliteException { SqliteErrorCode: 3 or 8 or 10 or 13 or 14 } or IOException or UnauthorizedAccessException =>
                (e.Message, "Check that the directory exists or can be created, that this process may write there and that the disk is not full"),
            _ => (e.Message, WhatToDo()),
        };
        return $"durable distributed-data store [{_file}] cannot be loaded: {why}. {todo}";
    }

    private string WhatToDo() =>
        $"Stop the node, move [{_file}] (and [{_file}-wal] if present) out of the way and start again: the node starts " +
        "with no durable data and gets the replicated values back from the other nodes; a sole node loses them " +
        "unless the file is restored from a backup";
}
