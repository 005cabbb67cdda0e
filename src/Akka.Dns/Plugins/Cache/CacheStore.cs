using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Cache;

/// <summary>
/// The cache key: the question (name compared without case, as CoreDNS lower-cases it), type, class and the DO
/// and CD bits of the query. No allocation: the name is the query's own string.
/// </summary>
public readonly struct CacheKey(string name, ushort type, ushort @class, bool dnssecOk, bool checkingDisabled) : IEquatable<CacheKey>
{
    // Computed once per query: the denial and success lookups (and the shard choice) reuse it.
    private readonly int _hash = HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(name), type, @class, (dnssecOk ? 1 : 0) | (checkingDisabled ? 2 : 0));

    public string Name { get; } = name;
    public ushort Type { get; } = type;
    public ushort Class { get; } = @class;
    public bool Do { get; } = dnssecOk;
    public bool Cd { get; } = checkingDisabled;

    public static CacheKey Of(DnsRequest r) => new(r.Name, r.Type, r.Class, r.Query.Do, r.Query.Cd);

    public bool Equals(CacheKey other) =>
        _hash == other._hash && Type == other.Type && Class == other.Class && Do == other.Do && Cd == other.Cd &&
        string.Equals(Name, other.Name, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => obj is CacheKey k && Equals(k);

    public override int GetHashCode() => _hash;

    public override string ToString() => $"{Name} {RrType.ToString(Type)} {RrClass.ToString(Class)}{(Do ? " do" : "")}{(Cd ? " cd" : "")}";
}

/// <summary>
/// One cached reply (CoreDNS's item): rcode, AD and RA bits, the three sections with every TTL already set to
/// the cached duration (owner names pre-encoded), when it was stored, and its hit frequency for prefetch.
/// Immutable but for the frequency and refresh bookkeeping, which are updated without locks.
/// </summary>
public sealed class CacheEntry
{
    private TtlView? _view;
    private long _lastHit;
    private int _hits;
    private long _refreshing;   // timestamp the running refresh started; 0 = none
    private long _retryAfter;   // timestamp before which a failed stale refresh is not retried; 0 = none

    internal CacheEntry(DnsResponse m, bool answering, uint ttl, long stored)
    {
        Rcode = m.Rcode;
        Ad = m.Ad;
        Ra = m.Ra;
        Answer = Freeze(m.AnswerCount > 0 ? m.Answer : null);
        Authority = Freeze(m.AuthorityCount > 0 ? m.Authority : null);
        Additional = Freeze(m.AdditionalCount > 0 ? m.Additional : null);
        Answering = answering;
        OrigTtl = ttl;
        Stored = stored;
        _lastHit = stored;
    }

    public int Rcode { get; }
    public bool Ad { get; }
    public bool Ra { get; }
    public DnsRecord[] Answer { get; }
    public DnsRecord[] Authority { get; }
    public DnsRecord[] Additional { get; }
    /// <summary>The reply answers its question (the CNAME chain reaches the type asked for).</summary>
    public bool Answering { get; }
    /// <summary>prefer_positive: the answering entry this non-answer replaced.</summary>
    public CacheEntry? LastKnownGood { get; internal set; }
    /// <summary>Seconds the entry is cached for (every record carries it).</summary>
    public uint OrigTtl { get; }
    /// <summary>Clock timestamp when stored.</summary>
    public long Stored { get; }
    public int Hits => Volatile.Read(ref _hits);

    private static DnsRecord[] Freeze(List<DnsRecord>? records)
    {
        if (records is null) return [];
        var a = new DnsRecord[records.Count];
        for (var i = 0; i < a.Length; i++) a[i] = records[i].PreEncode();
        return a;
    }

    /// <summary>Seconds left at <paramref name="now"/> (negative once expired), as CoreDNS's item.ttl.</summary>
    public int Ttl(long now, long frequency) => (int)OrigTtl - (int)((now - Stored) / frequency);

    /// <summary>The sections at <paramref name="ttl"/>: built once per TTL second and shared by the hits of that second.</summary>
    internal TtlView View(uint ttl)
    {
        var v = Volatile.Read(ref _view);
        if (v is not null && v.Ttl == ttl) return v;
        v = new TtlView(ttl, WithTtl(Answer, ttl), WithTtl(Authority, ttl), WithTtl(Additional, ttl));
        Volatile.Write(ref _view, v);
        return v;
    }

    private static DnsRecord[] WithTtl(DnsRecord[] records, uint ttl)
    {
        if (records.Length == 0) return records;
        var a = new DnsRecord[records.Length];
        for (var i = 0; i < a.Length; i++) a[i] = records[i].WithTtl(ttl);
        return a;
    }

    /// <summary>CoreDNS's freq.Update: a hit more, or the first of a new run when the last was longer than <paramref name="window"/> ago.</summary>
    internal int Hit(long now, long window)
    {
        var last = Interlocked.Exchange(ref _lastHit, now);
        if (now - last > window)
        {
            Volatile.Write(ref _hits, 1);
            return 1;
        }
        return Interlocked.Increment(ref _hits);
    }

    internal void ResetHits(long now, int hits)
    {
        Volatile.Write(ref _lastHit, now);
        Volatile.Write(ref _hits, hits);
    }

    /// <summary>One refresh at a time per entry; a refresh older than <paramref name="stuckAfter"/> counts as lost.</summary>
    internal bool BeginRefresh(long now, long stuckAfter, bool honourRecheck)
    {
        if (honourRecheck)
        {
            var retry = Volatile.Read(ref _retryAfter);
            if (retry != 0 && now < retry) return false;
        }
        var running = Volatile.Read(ref _refreshing);
        if (running != 0 && now - running < stuckAfter) return false;
        return Interlocked.CompareExchange(ref _refreshing, now == 0 ? 1 : now, running) == running;
    }

    internal void EndRefresh(long now, long recheck, bool refreshed)
    {
        Volatile.Write(ref _retryAfter, recheck > 0 && !refreshed ? now + recheck : 0);
        Volatile.Write(ref _refreshing, 0);
    }

    internal sealed class TtlView(uint ttl, DnsRecord[] answer, DnsRecord[] authority, DnsRecord[] additional)
    {
        public uint Ttl { get; } = ttl;
        public DnsRecord[] Answer { get; } = answer;
        public DnsRecord[] Authority { get; } = authority;
        public DnsRecord[] Additional { get; } = additional;
    }
}

/// <summary>
/// The success or the denial cache: 256 shards (CoreDNS's plugin/pkg/cache), each a
/// <see cref="ConcurrentDictionary{TKey,TValue}"/> read without locks; writes to a shard take that shard's
/// lock, and a write into a full shard evicts an arbitrary entry (CoreDNS: random) and counts it.
/// </summary>
public sealed class CacheShards
{
    public const int ShardCount = 256;
    private readonly Shard[] _shards = new Shard[ShardCount];
    private readonly Counter _evictions = new();

    public CacheShards(int capacity)
    {
        // CoreDNS: max(size/256, 4) per shard.
        ShardCapacity = Math.Max(capacity / ShardCount, 4);
        for (var i = 0; i < _shards.Length; i++) _shards[i] = new Shard(ShardCapacity);
    }

    public int ShardCapacity { get; }
    public int Capacity => ShardCapacity * ShardCount;
    public long Evictions => _evictions.Value;

    public int Count
    {
        get
        {
            var n = 0;
            foreach (var s in _shards) n += Volatile.Read(ref s.Count);
            return n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Shard ShardOf(in CacheKey key, out int hash)
    {
        hash = key.GetHashCode();
        return _shards[hash & (ShardCount - 1)];
    }

    public bool TryGet(in CacheKey key, out CacheEntry entry)
    {
        var s = ShardOf(key, out _);
        return s.Items.TryGetValue(key, out entry!);
    }

    /// <summary>Adds or replaces; true when an entry was evicted to make room.</summary>
    public bool Add(in CacheKey key, CacheEntry entry)
    {
        var s = ShardOf(key, out _);
        var evicted = false;
        lock (s)
        {
            if (s.Count >= s.Capacity && !s.Items.ContainsKey(key))
            {
                // Go's map iteration order is random: take one of the first few in ours, at random.
                var skip = Random.Shared.Next(Math.Min(s.Count, 16));
                foreach (var kv in s.Items)
                {
                    if (skip-- > 0) continue;
                    if (s.Items.TryRemove(kv.Key, out _))
                    {
                        s.Count--;
                        evicted = true;
                    }
                    break;
                }
            }
            if (s.Items.TryAdd(key, entry)) s.Count++;
            else s.Items[key] = entry;
        }
        if (evicted) _evictions.Increment();
        return evicted;
    }

    public void Remove(in CacheKey key)
    {
        var s = ShardOf(key, out _);
        lock (s)
        {
            if (s.Items.TryRemove(key, out _)) s.Count--;
        }
    }

    private sealed class Shard(int capacity)
    {
        public readonly ConcurrentDictionary<CacheKey, CacheEntry> Items = new(1, 31);
        public readonly int Capacity = capacity;
        public int Count;
    }
}

/// <summary>
/// One <c>cache</c> instance's state, shared by the actors of every pipeline replica: the success and denial
/// caches, the misses in flight (single-flight), the counters behind CoreDNS's cache metrics and the clock.
/// </summary>
public sealed class CacheStore
{
    public CacheStore(CacheOptions options)
    {
        Options = options;
        Success = new CacheShards(options.SuccessCapacity);
        Denial = new CacheShards(options.DenialCapacity);
    }

    public CacheOptions Options { get; }
    public CacheShards Success { get; }
    public CacheShards Denial { get; }

    /// <summary>The clock TTLs are measured with (tests drive a manual one).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>How long a refresh may run before another may start (the request deadline).</summary>
    public TimeSpan RefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal readonly ConcurrentDictionary<CacheKey, Flight> Flights = new();

    // coredns_cache_* counters.
    internal readonly Counter RequestCount = new();
    internal readonly Counter SuccessHitCount = new();
    internal readonly Counter DenialHitCount = new();
    internal readonly Counter MissCount = new();
    internal readonly Counter PrefetchCount = new();
    internal readonly Counter DropCount = new();
    internal readonly Counter ServedStaleCount = new();
    internal readonly Counter SharedMissCount = new();

    public long Requests => RequestCount.Value;
    public long SuccessHits => SuccessHitCount.Value;
    public long DenialHits => DenialHitCount.Value;
    public long Misses => MissCount.Value;
    public long Prefetches => PrefetchCount.Value;
    public long Drops => DropCount.Value;
    public long ServedStale => ServedStaleCount.Value;
    /// <summary>Misses answered by another identical miss's downstream query (single-flight).</summary>
    public long SharedMisses => SharedMissCount.Value;

    public long Now => Clock.GetTimestamp();
    public long Frequency => Clock.TimestampFrequency;
    public long Ticks(TimeSpan d) => (long)(d.TotalSeconds * Clock.TimestampFrequency);

    /// <summary>An entry that is fresh, or stale within serve_stale (CoreDNS's getIfNotStale); counts requests, hits and misses.</summary>
    public CacheEntry? Get(in CacheKey key, long now)
    {
        RequestCount.Increment();
        var o = Options;
        var staleUpTo = (long)o.StaleUpTo.TotalSeconds;
        CacheEntry? p;
        if (o.PreferPositive && staleUpTo > 0 && Success.TryGet(key, out p))
        {
            var a = p.Answering ? p : p.LastKnownGood is { Answering: true } g ? g : null;
            if (a is not null && Usable(a, now, staleUpTo))
            {
                SuccessHitCount.Increment();
                return a;
            }
        }
        if (Denial.TryGet(key, out var n) && Usable(n, now, staleUpTo))
        {
            // SERVFAIL is transient: a usable positive answer is preferred to it.
            if (n.Rcode == Rcode.ServFail && Success.TryGet(key, out p) && Usable(p, now, staleUpTo))
            {
                SuccessHitCount.Increment();
                return p;
            }
            DenialHitCount.Increment();
            return n;
        }
        if (Success.TryGet(key, out p) && Usable(p, now, staleUpTo))
        {
            SuccessHitCount.Increment();
            return p;
        }
        MissCount.Increment();
        return null;
    }

    private bool Usable(CacheEntry e, long now, long staleUpTo)
    {
        var ttl = e.Ttl(now, Frequency);
        return ttl > 0 || (staleUpTo > 0 && -ttl < staleUpTo);
    }

    /// <summary>The entry for <paramref name="key"/>, fresh or not (CoreDNS's exists).</summary>
    public CacheEntry? Peek(in CacheKey key) =>
        Denial.TryGet(key, out var n) ? n : Success.TryGet(key, out var p) ? p : null;
}

/// <summary>A miss on its way down the chain, and the identical misses waiting for its reply.</summary>
internal sealed class Flight(DnsRequest leader)
{
    public DnsRequest Leader { get; } = leader;
    public List<DnsRequest>? Waiters;
    public bool Closed;

    /// <summary>Adds a waiter; false once the leader's reply has been handed out (look again).</summary>
    public bool Join(DnsRequest r)
    {
        lock (this)
        {
            if (Closed) return false;
            (Waiters ??= []).Add(r);
            return true;
        }
    }

    public List<DnsRequest>? Close()
    {
        lock (this)
        {
            Closed = true;
            return Waiters;
        }
    }
}
