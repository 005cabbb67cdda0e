using Akka.Dns.Wire;

namespace Akka.Dns.Dnssec;

/// <summary>
/// Signs a whole zone the way CoreDNS's sign plugin does (plugin/sign/signer.go): DNSKEYs (and, when asked, CDS and
/// CDNSKEY) added at the apex with the SOA's TTL, an NSEC chain over the authoritative names in canonical order
/// (TTL = SOA MINIMUM, bitmap = the types at the name + RRSIG + NSEC; NS + DS at a delegation), and an RRSIG by
/// every key over every authoritative RRset; delegation NS RRsets and glue are not signed. With both KSKs and ZSKs
/// the DNSKEY RRset is signed by the KSKs and the rest by the ZSKs; otherwise every key signs everything (CSK).
/// </summary>
public static class ZoneSigner
{
    /// <summary>CoreDNS's sign plugin (sign.go): inception 3 hours before now.</summary>
    public static readonly TimeSpan OfflineInceptionOffset = TimeSpan.FromHours(-3);
    /// <summary>CoreDNS's sign plugin (sign.go durationSignatureExpireDays): expiration 32 days after now.</summary>
    public static readonly TimeSpan OfflineValidity = TimeSpan.FromDays(32);

    public static (uint Inception, uint Expiration) OfflineLifetime(DateTimeOffset now) =>
        (Rrsig.Seconds(now + OfflineInceptionOffset), Rrsig.Seconds(now + OfflineValidity));

    /// <summary>
    /// <paramref name="cdsDigestTypes"/> are the CDS digest types (SHA-256 alone by default; CoreDNS's sign adds
    /// SHA-1 and SHA-256: <c>[1, 2]</c>).
    /// Returns the signed zone: the input records, the added DNSKEY/CDS/CDNSKEY, NSECs and RRSIGs, each name's
    /// records together, names in canonical order (apex first). Input RRSIG/NSEC records are dropped.
    /// </summary>
    public static List<DnsRecord> Sign(IEnumerable<DnsRecord> records, string origin, IReadOnlyList<DnssecKey> keys,
        uint inception, uint expiration, bool cdsAndCdnskey = false, IReadOnlyList<byte>? cdsDigestTypes = null)
    {
        if (keys.Count == 0) throw new ArgumentException("no keys", nameof(keys));
        origin = DnsName.Normalize(origin);
        foreach (var k in keys)
        {
            if (DnsName.Normalize(k.Zone) != origin)
                throw new DnssecKeyException($"key {DnsName.Normalize(k.Zone)} (keyid: {k.KeyTag}) is not a key of zone {origin}");
            if (!k.HasPrivateKey) throw new DnssecKeyException($"key {origin} (keyid: {k.KeyTag}) has no private key");
        }
        var byName = new SortedDictionary<string, List<DnsRecord>>(Canonical.NameOrder);
        foreach (var r in records)
        {
            if (r.Type is RrType.RRSIG or RrType.NSEC) continue;
            if (!DnsName.IsSubdomain(r.Name, origin)) throw new ArgumentException($"{r.Name} is not in zone {origin}", nameof(records));
            Add(byName, r);
        }
        if (!byName.TryGetValue(origin, out var apex) || apex.Find(r => r.Type == RrType.SOA) is not { } soa)
            throw new ArgumentException($"zone {origin} has no SOA", nameof(records));
        var minimum = (uint)(soa.RData[^4] << 24 | soa.RData[^3] << 16 | soa.RData[^2] << 8 | soa.RData[^1]);
        foreach (var k in keys)
        {
            Add(byName, k.ToDnskey(soa.Ttl, origin));
            if (cdsAndCdnskey)
            {
                foreach (var digest in cdsDigestTypes ?? [2])
                    Add(byName, new DnsRecord(origin, 59, RrClass.IN, soa.Ttl, k.DsRData(digest)));
                Add(byName, new DnsRecord(origin, 60, RrClass.IN, soa.Ttl, k.DnskeyRData));
            }
        }

        // Delegation points and the names below them (glue, occluded data): not authoritative.
        var cuts = new List<string>();
        foreach (var (name, rrs) in byName)
        {
            if (name != origin && rrs.Exists(r => r.Type == RrType.NS)) cuts.Add(name);
        }
        bool Below(string n) => cuts.Exists(c => n != c && DnsName.IsSubdomain(n, c));
        var auth = new List<string>();
        foreach (var name in byName.Keys)
        {
            if (!Below(name)) auth.Add(name);
        }

        var split = keys.Any(k => k.IsKsk) && keys.Any(k => k.IsZsk);
        var output = new List<DnsRecord>();
        for (var i = 0; i < auth.Count; i++)
        {
            var name = auth[i];
            var rrs = byName[name];
            var isCut = cuts.Contains(name);
            var types = new SortedSet<ushort> { RrType.RRSIG, RrType.NSEC };
            foreach (var r in rrs)
            {
                if (!isCut || r.Type is RrType.NS or RrType.DS) types.Add(r.Type);
            }
            var nsec = BlackLies.Record(name, auth[(i + 1) % auth.Count], types.ToArray(), minimum);
            output.AddRange(rrs);
            output.Add(nsec);
            foreach (var set in rrs.GroupBy(r => r.Type).Select(g => g.ToList()).Append([nsec]))
            {
                var t = set[0].Type;
                if (isCut && t != RrType.DS && t != RrType.NSEC) continue; // the child's NS and glue are not ours
                foreach (var k in keys)
                {
                    if (split && (t == RrType.DNSKEY ? !k.IsKsk : !k.IsZsk)) continue;
                    output.Add(Rrsig.Sign(set, k, inception, expiration, origin));
                }
            }
        }
        foreach (var (name, rrs) in byName)
        {
            if (Below(name)) output.AddRange(rrs);
        }
        return output;
    }

    private static void Add(SortedDictionary<string, List<DnsRecord>> byName, DnsRecord r)
    {
        var key = DnsName.Normalize(r.Name);
        if (!byName.TryGetValue(key, out var list)) byName[key] = list = [];
        list.Add(r);
    }
}
