using System.Collections.Concurrent;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dnssec;

/// <summary>
/// The RRSIGs made for one RRset (every signing key's), and the moment (Unix seconds) after which they are made
/// again: CoreDNS re-signs once less than two days of the eight are left (dnssec.go <c>get</c>, <c>twoDays</c>).
/// </summary>
public sealed class SignatureEntry(DnsRecord[] signatures, long refreshAt)
{
    public DnsRecord[] Signatures { get; } = signatures;
    public long RefreshAt { get; } = refreshAt;
}

/// <summary>
/// The signature cache: keyed by <see cref="Akka.Dns.Dnssec.Rrsig.CacheKey"/> (the RRset without its TTL), sharded
/// like CoreDNS's plugin/pkg/cache (up to 256 shards, each a <see cref="ConcurrentDictionary{TKey,TValue}"/> read
/// without locks). A write takes its shard's lock; a write into a full shard evicts an arbitrary entry. The bound is
/// never above <c>cache_capacity</c>: there are fewer shards when the capacity is small (CoreDNS gives every one of
/// its 256 shards at least 4 entries, so a small capacity holds up to 1,024).
/// </summary>
public sealed class SignatureCache
{
    public const int MaxShards = 256;
    private readonly Shard[] _shards;
    private readonly int _mask;

    internal readonly Counter HitCount = new();
    internal readonly Counter MissCount = new();

    public SignatureCache(int capacity)
    {
        capacity = Math.Max(capacity, 1);
        // The most shards (a power of two, at most 256) that still leave at least 4 entries each.
        var shards = 1;
        while (shards < MaxShards && capacity / (shards * 2) >= 4) shards *= 2;
        _shards = new Shard[shards];
        _mask = shards - 1;
        ShardCapacity = capacity / shards;
        for (var i = 0; i < shards; i++) _shards[i] = new Shard(ShardCapacity);
    }

    public int ShardCount => _shards.Length;
    public int ShardCapacity { get; }
    /// <summary>The most entries the cache holds (≤ cache_capacity).</summary>
    public int Capacity => ShardCapacity * _shards.Length;
    public long Hits => HitCount.Value;
    public long Misses => MissCount.Value;

    public int Count
    {
        get
        {
            var n = 0;
            foreach (var s in _shards) n += Volatile.Read(ref s.Count);
            return n;
        }
    }

    private Shard ShardOf(ulong key) => _shards[(int)(key ^ key >> 32) & _mask];

    /// <summary>A fresh entry (not yet due for refresh at <paramref name="now"/>, Unix seconds); counts a hit or a miss.</summary>
    public bool TryGet(ulong key, long now, out SignatureEntry entry)
    {
        if (ShardOf(key).Items.TryGetValue(key, out entry!) && now < entry.RefreshAt)
        {
            HitCount.Increment();
            return true;
        }
        MissCount.Increment();
        return false;
    }

    public void Add(ulong key, SignatureEntry entry)
    {
        var s = ShardOf(key);
        lock (s)
        {
            if (s.Count >= s.Capacity && !s.Items.ContainsKey(key))
            {
                foreach (var kv in s.Items)
                {
                    if (s.Items.TryRemove(kv.Key, out _)) s.Count--;
                    break;
                }
            }
            if (s.Items.TryAdd(key, entry)) s.Count++;
            else s.Items[key] = entry;
        }
    }

    /// <summary>Drops every entry due for refresh at <paramref name="now"/> (CoreDNS's periodicClean, every 8 hours).</summary>
    public int Clean(long now)
    {
        var removed = 0;
        foreach (var s in _shards)
        {
            lock (s)
            {
                foreach (var kv in s.Items)
                {
                    if (now >= kv.Value.RefreshAt && s.Items.TryRemove(kv.Key, out _))
                    {
                        s.Count--;
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    private sealed class Shard(int capacity)
    {
        public readonly ConcurrentDictionary<ulong, SignatureEntry> Items = new(1, Math.Min(capacity, 31));
        public readonly int Capacity = capacity;
        public int Count;
    }
}
