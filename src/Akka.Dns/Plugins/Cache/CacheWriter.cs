using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Cache;

/// <summary>
/// Sees the reply to a miss (or to the cache's own refresh query) on its way out, as CoreDNS's cache
/// ResponseWriter: every TTL of the reply becomes the cached duration, the reply is stored when cacheable, and
/// the identical misses that waited for it are answered. One instance per actor; state per request comes from
/// the request itself (its key, or the <see cref="RefreshSink"/> it targets).
/// </summary>
internal sealed class CacheWriter(CacheStore store) : IResponseWriter
{
    public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
    {
        var key = CacheKey.Of(request);
        var refresh = request.Target as RefreshSink;
        var res = Store(request, key, response, refresh);
        if (refresh is null && store.Flights.TryGetValue(key, out var f) && f.Leader == request)
        {
            var waiters = f.Close();
            store.Flights.TryRemove(KeyValuePair.Create(key, f));
            if (waiters is not null)
            {
                foreach (var w in waiters)
                {
                    var c = res.Copy();
                    c.Id = w.Query.Id;
                    c.QName = w.Name;
                    w.Respond(c);
                }
            }
        }
        return res;
    }

    private DnsResponse Store(DnsRequest request, CacheKey key, DnsResponse response, RefreshSink? refresh)
    {
        // A reply the chain did not write (no plugin answered, the deadline passed): not a reply to cache.
        if (response.Error is not null) return response;
        var o = store.Options;
        var now = store.Now;
        var utcNow = DateTime.UtcNow;
        var mt = CacheRules.ResponseType(response, utcNow);
        var matches = CacheRules.Matches(request, response);

        if (refresh is { Stale: true })
        {
            // RFC 8767 §4: only a NOERROR or NXDOMAIN answer replaces a stale entry (prefer_positive: an answer).
            bool accepted;
            if (response.Tc || !matches) accepted = false;
            else if (o.PreferPositive) accepted = mt == ResponseType.NoError && CacheRules.AnswersQuestion(response);
            else accepted = mt is not (ResponseType.OtherError or ResponseType.Meta or ResponseType.Update)
                && response.Rcode is Rcode.NoError or Rcode.NxDomain;
            refresh.Refreshed = accepted;
            if (!accepted && (!o.PreferPositive || response.Tc || !matches)) return response;
        }

        var cacheable = CacheRules.Cacheable(response, mt);
        TimeSpan duration;
        switch (mt)
        {
            case ResponseType.NameError:
            case ResponseType.NoData:
                duration = Clamp(CacheRules.MinimalTtl(response, mt, o.DenialTtl), o.DenialMinTtl, o.DenialTtl);
                break;
            case ResponseType.ServerError:
                duration = o.ServfailTtl;
                break;
            default:
                duration = Clamp(CacheRules.MinimalTtl(response, mt, o.SuccessTtl), o.SuccessMinTtl, o.SuccessTtl);
                break;
        }

        // Every record gets the cached TTL, on this reply too (no 1799 → 8 jump on the next hit).
        var ttl = (uint)duration.TotalSeconds;
        var res = response.Copy();
        SetTtl(res.AnswerCount > 0 ? res.Answer : null, ttl);
        SetTtl(res.AuthorityCount > 0 ? res.Authority : null, ttl);
        SetTtl(res.AdditionalCount > 0 ? res.Additional : null, ttl);

        if (cacheable && duration > TimeSpan.Zero)
        {
            if (matches) Set(request, key, res, mt, ttl, now, refresh);
            else store.DropCount.Increment();
        }
        var ad = refresh is not null || request.Query.Ad;
        if (!request.Query.Do && !ad) res.Ad = false;
        return res;
    }

    private void Set(DnsRequest request, CacheKey key, DnsResponse m, ResponseType mt, uint ttl, long now, RefreshSink? refresh)
    {
        var o = store.Options;
        switch (mt)
        {
            case ResponseType.NoError:
            case ResponseType.Delegation:
            {
                if (ZoneMatch.Longest(o.SuccessExcept, request.Name) is not null) return;
                var e = new CacheEntry(m, CacheRules.AnswersQuestion(m), ttl, now);
                if (o.PreferPositive && !e.Answering && store.Success.TryGet(key, out var previous))
                    e.LastKnownGood = previous.Answering ? previous : previous.LastKnownGood;
                store.Success.Add(key, e);
                if (refresh is not null) refresh.StoredEntry = e;
                // A positive refresh is the newest state of the key (prefer_positive: only a real answer).
                if ((!o.PreferPositive && refresh is not null) || (o.PreferPositive && e.Answering)) store.Denial.Remove(key);
                break;
            }
            case ResponseType.NameError:
            case ResponseType.NoData:
            case ResponseType.ServerError:
            {
                if (ZoneMatch.Longest(o.DenialExcept, request.Name) is not null) return;
                var e = new CacheEntry(m, false, ttl, now);
                store.Denial.Add(key, e);
                if (refresh is not null) refresh.StoredEntry = e;
                break;
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan ttl, TimeSpan min, TimeSpan max) => ttl < min ? (min > max ? max : min) : ttl > max ? max : ttl;

    private static void SetTtl(List<DnsRecord>? records, uint ttl)
    {
        if (records is null) return;
        for (var i = 0; i < records.Count; i++) records[i] = records[i].WithTtl(ttl);
    }
}

/// <summary>CoreDNS's cache rules over a reply: what is cached, for how long, and whether it answers its question.</summary>
internal static class CacheRules
{
    /// <summary>Typify, with a NOERROR whose CNAME chain does not reach the type and that has a SOA called NODATA.</summary>
    public static ResponseType ResponseType(DnsResponse m, DateTime utcNow)
    {
        var t = Responses.Typify(m, utcNow);
        if (t == Plugins.ResponseType.NoError && HasSoa(m) && IsNoData(m)) return Plugins.ResponseType.NoData;
        return t;
    }

    /// <summary>CoreDNS's key(): not truncated replies, errors, meta, updates, NXDOMAIN without SOA, SOA-less NODATA.</summary>
    public static bool Cacheable(DnsResponse m, ResponseType t)
    {
        if (m.Tc) return false;
        if (t is Plugins.ResponseType.OtherError or Plugins.ResponseType.Meta or Plugins.ResponseType.Update) return false;
        if (t == Plugins.ResponseType.NameError && !HasSoa(m)) return false;
        if (t == Plugins.ResponseType.NoError && !HasSoa(m) && IsNoData(m)) return false;
        return true;
    }

    /// <summary>The reply's question is the request's (CoreDNS's request.Match).</summary>
    public static bool Matches(DnsRequest request, DnsResponse m) =>
        m.QName is not null && m.QType == request.Type && m.QClass == request.Class &&
        string.Equals(m.QName, request.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// dnsutil.MinimalTTLWithMaximum: the lowest TTL of the reply's records, at most <paramref name="max"/>; 5 s for
    /// other types and record-less replies. For a denial the SOA's MINIMUM also bounds it (RFC 2308 §5).
    /// </summary>
    public static TimeSpan MinimalTtl(DnsResponse m, ResponseType t, TimeSpan max)
    {
        if (t is not (Plugins.ResponseType.NoError or Plugins.ResponseType.NameError or Plugins.ResponseType.NoData))
            return CacheOptions.MinTtl;
        if (m.AnswerCount + m.AuthorityCount + m.AdditionalCount == 0) return CacheOptions.MinTtl;
        var min = (long)max.TotalSeconds;
        if (m.AnswerCount > 0) foreach (var r in m.Answer) min = Math.Min(min, r.Ttl);
        if (m.AuthorityCount > 0)
        {
            foreach (var r in m.Authority)
            {
                min = Math.Min(min, r.Ttl);
                if (t != Plugins.ResponseType.NoError && r.Type == RrType.SOA && r.RData.Length >= 22)
                    min = Math.Min(min, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(r.RData.AsSpan(r.RData.Length - 4)));
            }
        }
        if (m.AdditionalCount > 0) foreach (var r in m.Additional) min = Math.Min(min, r.Ttl);
        return TimeSpan.FromSeconds(min);
    }

    public static bool HasSoa(DnsResponse m)
    {
        if (m.AuthorityCount == 0) return false;
        foreach (var r in m.Authority)
            if (r.Type == RrType.SOA) return true;
        return false;
    }

    /// <summary>A non-empty answer that does not answer the question (the CNAME chain stops short of the type).</summary>
    public static bool IsNoData(DnsResponse m) => m.AnswerCount > 0 && !AnswersQuestion(m);

    /// <summary>CoreDNS's answersQuestion: NOERROR with the asked type at the end of the CNAME chain from QNAME.</summary>
    public static bool AnswersQuestion(DnsResponse m)
    {
        if (m.Rcode != Rcode.NoError || m.QName is null || m.AnswerCount == 0) return false;
        var answer = m.Answer;
        var name = m.QName;
        if (m.QType == RrType.ANY)
        {
            foreach (var r in answer)
                if (ClassMatches(r.Class, m.QClass) && DnsName.EqualsIgnoreCase(r.Name, name)) return true;
            return false;
        }
        if (m.QType == RrType.CNAME) return UniqueTarget(answer, name, m.QClass, out var t) && t is not null;
        var visited = new List<string>(2);
        while (true)
        {
            foreach (var v in visited)
                if (DnsName.EqualsIgnoreCase(v, name)) return false;   // a CNAME loop
            visited.Add(name);
            if (!UniqueTarget(answer, name, m.QClass, out var target)) return false;
            if (target is null) break;
            name = target;
        }
        foreach (var r in answer)
            if (r.Type == m.QType && ClassMatches(r.Class, m.QClass) && DnsName.EqualsIgnoreCase(r.Name, name)) return true;
        return false;
    }

    private static bool UniqueTarget(List<DnsRecord> answer, string owner, ushort qclass, out string? target)
    {
        target = null;
        foreach (var r in answer)
        {
            if (r.Type != RrType.CNAME || !ClassMatches(r.Class, qclass) || !DnsName.EqualsIgnoreCase(r.Name, owner)) continue;
            var o = 0;
            if (!DnsName.TryRead(r.RData, ref o, out var t)) return false;
            if (target is not null && !DnsName.EqualsIgnoreCase(target, t)) return false;
            target = t;
        }
        return true;
    }

    private static bool ClassMatches(ushort rrClass, ushort qclass) => qclass == RrClass.ANY || rrClass == qclass;
}
