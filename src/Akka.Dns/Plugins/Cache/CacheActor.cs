using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Listeners;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Cache;

/// <summary>
/// The cache in one pipeline replica. A hit is answered from the shared <see cref="CacheStore"/> (AA set, TTLs
/// aged unless keepttl); the first miss for a key goes down the chain with <see cref="CacheWriter"/> pushed, and
/// identical misses arriving meanwhile wait for its reply (single-flight). Prefetch and serve_stale refresh by
/// sending a query of their own to the next plugin; the reply is stored on its way back.
/// </summary>
public sealed class CacheActor : PluginActor
{
    private const ushort AdFlag = 0x0020;
    private readonly CacheStore _store;
    private readonly ChainLink? _next;
    private readonly CacheWriter _writer;
    private readonly IScheduler _scheduler;

    public static Props Props(CacheStore store, ChainLink? next) => Akka.Actor.Props.Create(() => new CacheActor(store, next));

    public CacheActor(CacheStore store, ChainLink? next) : base("cache", next)
    {
        _store = store;
        _next = next;
        _writer = new CacheWriter(store);
        _scheduler = Context.System.Scheduler;
    }

    protected override void Handle(DnsRequest request)
    {
        var o = _store.Options;
        if (request.Query.Opcode != Opcode.Query || request.Type is RrType.AXFR or RrType.IXFR ||
            ZoneMatch.Longest(o.Zones, request.Name) is null)
        {
            Next(request);
            return;
        }
        var key = CacheKey.Of(request);
        var now = _store.Now;
        var e = _store.Get(key, now);
        if (e is null)
        {
            Miss(request, key);
            return;
        }
        var ttl = e.Ttl(now, _store.Frequency);
        if (ttl <= 0)
        {
            if (o.VerifyStale)
            {
                VerifyStale(request, key, e, now);
                return;
            }
            TryRefresh(request, key, e, now, stale: true);
            _store.ServedStaleCount.Increment();
        }
        else if (ShouldPrefetch(e, now, ttl))
        {
            TryRefresh(request, key, e, now, stale: false);
        }
        request.Respond(BuildReply(request, e, ReplyTtl(_store, e, ttl)));
    }

    /// <summary>The TTL a reply from <paramref name="e"/> carries: stale TTL, the stored TTL (keepttl) or what is left.</summary>
    internal static uint ReplyTtl(CacheStore store, CacheEntry e, int ttl)
    {
        var o = store.Options;
        if (ttl <= 0 && o.StaleTtl > TimeSpan.Zero) return (uint)o.StaleTtl.TotalSeconds;
        if (o.KeepTtl) return e.OrigTtl;
        return ttl <= 0 ? 0u : (uint)ttl;
    }

    /// <summary>CoreDNS's item.toMsg: AA=1, RA as stored, AD only when DO or AD was asked, every TTL <paramref name="ttl"/>.</summary>
    internal static DnsResponse BuildReply(DnsRequest request, CacheEntry e, uint ttl)
    {
        var v = e.View(ttl);
        var reply = request.CreateReply(e.Rcode);
        reply.Aa = true;
        reply.Ra = e.Ra;
        reply.Ad = e.Ad && (request.Query.Do || request.Query.Ad);
        reply.Plugin = "cache";
        if (v.Answer.Length > 0) reply.Answer.AddRange(v.Answer);
        if (v.Authority.Length > 0) reply.Authority.AddRange(v.Authority);
        if (v.Additional.Length > 0) reply.Additional.AddRange(v.Additional);
        return reply;
    }

    private void Miss(DnsRequest request, CacheKey key)
    {
        if (request.Depth > 0 || request.Type == RrType.HINFO)
        {
            // Not shared: a server re-entry may be what its own leader waits for, and the loop plugin's HINFO
            // probe must reach the loop plugin every time it comes round.
            request.Flags |= AdFlag;
            request.PushWriter(_writer);
            Next(request);
            return;
        }
        if (request.Answered) return;   // the deadline was quicker than our mailbox
        Flight? mine = null;
        var spin = new SpinWait();
        while (true)
        {
            if (_store.Flights.TryGetValue(key, out var f))
            {
                if (f.Leader.Answered || f.Leader.Elapsed > _store.RefreshTimeout * 2)
                {
                    // A leader answered before it reached us (the deadline, say) never brings a reply back through
                    // the writer: take its place rather than wait behind it for ever.
                    mine ??= new Flight(request);
                    if (_store.Flights.TryUpdate(key, mine, f)) break;
                    continue;
                }
                if (f.Join(request))
                {
                    _store.SharedMissCount.Increment();
                    return;
                }
                // Its reply is being handed out: the entry is (or is not) in the store by now.
                var e = _store.Peek(key);
                var now = _store.Now;
                if (e is not null && e.Ttl(now, _store.Frequency) > 0)
                {
                    request.Respond(BuildReply(request, e, ReplyTtl(_store, e, e.Ttl(now, _store.Frequency))));
                    return;
                }
                spin.SpinOnce();
                continue;
            }
            mine ??= new Flight(request);
            if (_store.Flights.TryAdd(key, mine)) break;
        }
        // CoreDNS asks with AD set so the cached AD bit serves every later asker.
        request.Flags |= AdFlag;
        request.PushWriter(_writer);
        Next(request);
    }

    private bool ShouldPrefetch(CacheEntry e, long now, int ttl)
    {
        var o = _store.Options;
        if (o.Prefetch <= 0) return false;
        var hits = e.Hit(now, _store.Ticks(o.PrefetchDuration));
        var threshold = (int)Math.Ceiling(o.PrefetchPercentage / 100.0 * e.OrigTtl);
        return hits >= o.Prefetch && ttl <= threshold;
    }

    /// <summary>A background refresh of <paramref name="e"/> (prefetch, or serve_stale immediate), at most one at a time.</summary>
    private void TryRefresh(DnsRequest origin, CacheKey key, CacheEntry e, long now, bool stale)
    {
        if (_next is null) return;
        var recheck = stale ? _store.Ticks(_store.Options.StaleRecheck) : 0;
        if (!e.BeginRefresh(now, _store.Ticks(_store.RefreshTimeout), recheck > 0)) return;
        _store.PrefetchCount.Increment();
        SendRefresh(origin, new RefreshSink(_store, e, now, stale, recheck, client: null));
    }

    /// <summary>serve_stale verify: ask the chain first; serve the stale entry if the refresh fails (or is too slow).</summary>
    private void VerifyStale(DnsRequest request, CacheKey key, CacheEntry e, long now)
    {
        var o = _store.Options;
        var recheck = _store.Ticks(o.StaleRecheck);
        if (_next is not null && (recheck == 0 || e.BeginRefresh(now, _store.Ticks(_store.RefreshTimeout), true)))
        {
            var sink = new RefreshSink(_store, e, now, stale: true, recheck, client: request);
            SendRefresh(request, sink);
            // Without a verify timeout, wait for the chain, but serve stale rather than let the request deadline
            // answer SERVFAIL (the refresh is not under the deadline; CoreDNS waits for the upstream's own timeout).
            var wait = o.VerifyStaleTimeout > TimeSpan.Zero
                ? o.VerifyStaleTimeout
                : _store.RefreshTimeout * 0.75 - request.Elapsed;
            _scheduler.Advanced.ScheduleOnce(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, sink.ServeStale);
            return;
        }
        _store.ServedStaleCount.Increment();
        request.Respond(BuildReply(request, e, ReplyTtl(_store, e, e.Ttl(now, _store.Frequency))));
    }

    /// <summary>Sends the cache's own query for <paramref name="origin"/>'s question to the next plugin; the reply goes to <paramref name="sink"/>.</summary>
    private void SendRefresh(DnsRequest origin, RefreshSink sink)
    {
        var q = origin.Query;
        var m = new DnsResponse
        {
            Id = (ushort)Random.Shared.Next(),
            QName = q.Name,
            QType = q.Type,
            QClass = q.Class,
            Rd = q.Rd,
            Cd = q.Cd,
            Ad = true,
        };
        if (q.Do) m.Edns = new EdnsRecord { UdpSize = 4096, Do = true };
        var buf = new byte[DnsName.MaxWireLength + 64];
        var len = DnsWriter.Encode(m, buf, buf.Length);
        buf[2] &= 0x7F;   // a query, not a response
        var query = len > 0 ? PacketHandler.Accept(buf, len, out _) : null;
        if (query is null)
        {
            sink.Abandon();
            return;
        }
        // Over "TCP", as CoreDNS's prefetch does: nothing downstream sizes the reply for UDP.
        var refresh = new DnsRequest(query, DnsTransport.Tcp, sink, origin.Server, origin.ClientAddress,
            origin.ClientAddress is null ? origin.Client : null, origin.Local)
        {
            Depth = origin.Depth,
        };
        refresh.Zone = origin.Zone;
        refresh.Dispatcher = origin.Dispatcher;
        refresh.PushWriter(_writer);
        _next!.Tell(refresh);
    }
}

/// <summary>Where the reply to one of the cache's own refresh queries lands.</summary>
internal sealed class RefreshSink(CacheStore store, CacheEntry entry, long started, bool stale, long recheck, DnsRequest? client) : IResponseSink
{
    /// <summary>serve_stale: the reply may replace the stale entry (set by the writer).</summary>
    public bool Refreshed { get; set; }
    public bool Stale { get; } = stale;
    /// <summary>The entry the writer stored from the reply, if any.</summary>
    public CacheEntry? StoredEntry { get; set; }

    public int MaxReplySize(DnsRequest request) => 65535;
    public void Send(DnsRequest request, ReadOnlySpan<byte> reply) { }

    public void Deliver(DnsRequest request, DnsResponse response)
    {
        var refreshed = !Stale || Refreshed;
        if (refreshed && StoredEntry is { } fresh && fresh != entry)
            fresh.ResetHits(started, entry.Hits);   // keep the popularity gathered so far (CoreDNS's i1.Reset)
        entry.EndRefresh(store.Now, recheck, refreshed);
        if (client is null) return;
        if (!refreshed)
        {
            ServeStale();
            return;
        }
        var e = StoredEntry;
        if (e is not null)
        {
            var ttl = e.Ttl(store.Now, store.Frequency);
            client.Respond(CacheActor.BuildReply(client, e, CacheActor.ReplyTtl(store, e, ttl)));
            return;
        }
        var c = response.Copy();
        c.Id = client.Query.Id;
        c.QName = client.Name;
        c.Edns = null;
        client.Respond(c);
    }

    /// <summary>The refresh could not even be sent.</summary>
    public void Abandon()
    {
        entry.EndRefresh(store.Now, recheck, false);
        if (client is not null) ServeStale();
    }

    /// <summary>verify: answers the waiting client from the stale entry, unless it was answered already.</summary>
    public void ServeStale()
    {
        if (client is null || client.Answered) return;
        var ttl = entry.Ttl(store.Now, store.Frequency);
        if (client.Respond(CacheActor.BuildReply(client, entry, CacheActor.ReplyTtl(store, entry, ttl))))
            store.ServedStaleCount.Increment();
    }
}
