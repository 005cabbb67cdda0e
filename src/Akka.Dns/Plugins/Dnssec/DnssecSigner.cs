using Akka.Dns.Dnssec;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dnssec;

/// <summary>
/// What CoreDNS's dnssec.go does to a reply on its way out (<c>Sign</c>, <c>sign</c>, black_lies.go <c>nsec</c>,
/// dnskey.go <c>getDNSKEY</c>), shared by every pipeline replica of one plugin instance. Thread-safe: the cache is
/// lock-free to read, signing borrows a private key set from the <see cref="KeyRing"/>.
/// </summary>
public sealed class DnssecSigner
{
    private readonly Dictionary<string, DnsRecord[]> _dnskeys = new(StringComparer.OrdinalIgnoreCase);

    public DnssecSigner(IReadOnlyList<string> zones, KeyRing keys, SignatureCache cache)
    {
        Zones = zones;
        Keys = keys;
        Cache = cache;
        foreach (var z in zones)
        {
            // dnskey.go: each key's DNSKEY (TTL from its .key file) with the zone as owner.
            var rrs = new DnsRecord[keys.Keys.Length];
            for (var i = 0; i < rrs.Length; i++) rrs[i] = keys.Keys[i].ToDnskey(owner: z);
            _dnskeys[z] = rrs;
        }
    }

    public IReadOnlyList<string> Zones { get; }
    public KeyRing Keys { get; }
    public SignatureCache Cache { get; }

    /// <summary>The clock signatures are dated by (the specs drive a manual one).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The zone of ours <paramref name="name"/> is at (one of <see cref="Zones"/> exactly), or null.</summary>
    public string? Apex(string name)
    {
        foreach (var z in Zones)
            if (DnsName.EqualsIgnoreCase(z, name)) return z;
        return null;
    }

    /// <summary>dnskey.go getDNSKEY: the DNSKEY RRset at the apex, authoritative; signed (TTL 3600) when DO is set.</summary>
    public DnsResponse Dnskey(DnsRequest request, string zone)
    {
        var reply = request.CreateReply();
        reply.Aa = true;
        var keys = _dnskeys[zone];
        var answer = reply.Answer;
        answer.AddRange(keys);
        if (request.Query.Do && keys.Length > 0)
        {
            var l = Lifetime.At(Clock.GetUtcNow());
            AppendSignatures(keys, zone, Rrsig.OnlineOriginalTtl, answer, l);
        }
        return reply;
    }

    /// <summary>
    /// dnssec.go Sign, on <paramref name="res"/> (a copy the caller owns) whose question is in
    /// <paramref name="zone"/>: a referral gets its DS signed or an NSEC proving there is none; a NXDOMAIN or NODATA
    /// with exactly its SOA in the authority section becomes NOERROR with the signed SOA and a signed black-lies NSEC
    /// (for a query of type NSEC the NSEC and its RRSIGs are the answer); anything else has every RRset of every
    /// section signed whose owner is in one of the plugin's zones.
    /// </summary>
    public void Sign(DnsResponse res, string zone)
    {
        var now = Clock.GetUtcNow();
        var l = Lifetime.At(now);
        var mt = Responses.Typify(res, now.UtcDateTime);
        if (mt == ResponseType.Delegation)
        {
            if (res.AuthorityCount == 0) return;
            var ns = res.Authority;
            var ttl = ns[0].Ttl;
            List<DnsRecord>? ds = null;
            foreach (var r in ns)
                if (r.Type == RrType.DS) (ds ??= new List<DnsRecord>(2)).Add(r);
            if (ds is null) AppendNsec(res, zone, DenialKind.Delegation, ttl, ns, l);
            else AppendSignatures(ds, zone, ttl, ns, l);
            return;
        }

        if (mt is ResponseType.NameError or ResponseType.NoData)
        {
            if (res.AuthorityCount != 1 || res.Authority[0].Type != RrType.SOA) return;
            var ns = res.Authority;
            var ttl = ns[0].Ttl;
            AppendSignatures([ns[0]], zone, ttl, ns, l);
            var nsecAt = ns.Count;
            AppendNsec(res, zone, mt == ResponseType.NameError ? DenialKind.NameError : DenialKind.NoData, ttl, ns, l);
            if (ns.Count > 1)
            {
                res.Rcode = Rcode.NoError;
                if (res.QType == RrType.NSEC)
                {
                    // The NSEC (and its RRSIGs) answers the question; the SOA goes. CoreDNS takes the last two
                    // records, which drops RRSIGs when more than one key signs.
                    var answer = res.Answer;
                    for (var i = nsecAt; i < ns.Count; i++) answer.Add(ns[i]);
                    ns.Clear();
                }
            }
            return;
        }

        if (res.AnswerCount > 0) SignSection(res.Answer, l);
        if (res.AuthorityCount > 0) SignSection(res.Authority, l);
        if (res.AdditionalCount > 0) SignSection(res.Additional, l);
    }

    /// <summary>black_lies.go nsec: the NSEC for the question, its RRSIGs before it.</summary>
    private void AppendNsec(DnsResponse res, string zone, DenialKind kind, uint ttl, List<DnsRecord> dest, in Lifetime l)
    {
        var nsec = BlackLies.Nsec(res.QName ?? zone, res.QType, zone, kind, ttl);
        AppendSignatures([nsec], zone, ttl, dest, l);
        dest.Add(nsec);
    }

    /// <summary>
    /// Signs each RRset of a section (records grouped by owner as written and type, RRSIG and OPT skipped, as
    /// rrsig.go rrSets) whose owner is in one of the zones, appending the RRSIGs to the section.
    /// </summary>
    private void SignSection(List<DnsRecord> section, in Lifetime l)
    {
        var count = section.Count;
        List<DnsRecord>? rrset = null;
        for (var i = 0; i < count; i++)
        {
            var r = section[i];
            if (r.Type is RrType.RRSIG or RrType.OPT) continue;
            var seen = false;
            for (var j = 0; j < i && !seen; j++)
                seen = section[j].Type == r.Type && string.Equals(section[j].Name, r.Name, StringComparison.Ordinal);
            if (seen) continue;
            var signer = ZoneMatch.Longest(Zones, r.Name);
            if (signer is null) continue; // e.g. a CNAME target outside our zones
            rrset ??= new List<DnsRecord>(4);
            rrset.Clear();
            rrset.Add(r);
            for (var j = i + 1; j < count; j++)
                if (section[j].Type == r.Type && string.Equals(section[j].Name, r.Name, StringComparison.Ordinal)) rrset.Add(section[j]);
            AppendSignatures(rrset, signer, r.Ttl, section, l);
        }
    }

    /// <summary>
    /// dnssec.go sign: the RRSIGs of <paramref name="rrset"/> by signer <paramref name="signer"/>, from the cache
    /// when fresh (re-stamped with <paramref name="ttl"/>), else made by every key that signs this type (Original
    /// TTL 3600, inception now − 3 h, expiration now + 8 days) and cached.
    /// </summary>
    private void AppendSignatures(IReadOnlyList<DnsRecord> rrset, string signer, uint ttl, List<DnsRecord> dest, in Lifetime l)
    {
        var key = Rrsig.CacheKey(rrset);
        if (Cache.TryGet(key, l.Now, out var hit))
        {
            foreach (var s in hit.Signatures) dest.Add(s.WithTtl(ttl));
            return;
        }
        var keys = Keys.Keys;
        if (keys.Length == 0) return;
        var type = rrset[0].Type;
        var n = 0;
        for (var i = 0; i < keys.Length; i++)
            if (Keys.Signs(i, type)) n++;
        if (n == 0) return;
        var sigs = new DnsRecord[n];
        var set = Keys.Rent();
        try
        {
            var k = 0;
            for (var i = 0; i < set.Length; i++)
                if (Keys.Signs(i, type)) sigs[k++] = Rrsig.Sign(rrset, set[i], l.Inception, l.Expiration, signer, Rrsig.OnlineOriginalTtl, ttl);
        }
        finally
        {
            Keys.Return(set);
        }
        Cache.Add(key, new SignatureEntry(sigs, l.RefreshAt));
        dest.AddRange(sigs);
    }

    /// <summary>One reply's signature times: now (Unix seconds), inception, expiration, and when a cached one is re-made.</summary>
    private readonly struct Lifetime(long now, uint inception, uint expiration, long refreshAt)
    {
        public long Now { get; } = now;
        public uint Inception { get; } = inception;
        public uint Expiration { get; } = expiration;
        public long RefreshAt { get; } = refreshAt;

        public static Lifetime At(DateTimeOffset now)
        {
            var (inc, exp) = Rrsig.OnlineLifetime(now);
            var s = now.ToUnixTimeSeconds();
            // dnssec.go get: a signature with less than twoDays of its eightDays left is made again.
            return new Lifetime(s, inc, exp, s + (long)(Rrsig.OnlineValidity - Rrsig.OnlineRefresh).TotalSeconds);
        }
    }
}
