using Akka.Dns.Wire;

namespace Akka.Dns.Zones;

/// <summary>How a lookup ended (CoreDNS's file.Result).</summary>
public enum LookupOutcome { Success, NoData, NameError, Delegation, ServerFailure }

/// <summary>
/// The sections of an authoritative answer. When <see cref="ChaseTarget"/> is set, the answer ends in a CNAME
/// whose target lies outside the zone: the caller resolves it through the whole server (as CoreDNS does)
/// and appends what it finds.
/// </summary>
public sealed class LookupResult
{
    public LookupOutcome Outcome { get; set; }
    public List<DnsRecord> Answer { get; } = [];
    public List<DnsRecord> Authority { get; } = [];
    public List<DnsRecord> Additional { get; } = [];
    public string? ChaseTarget { get; set; }

    public int Rcode => Outcome switch
    {
        LookupOutcome.NameError => Wire.Rcode.NxDomain,
        LookupOutcome.ServerFailure => Wire.Rcode.ServFail,
        _ => Wire.Rcode.NoError,
    };

    /// <summary>AA: everything but a bare referral (a CNAME chain that ends in a referral is still our data).</summary>
    public bool Authoritative => Outcome != LookupOutcome.Delegation || Answer.Count > 0;
}

/// <summary>
/// The authoritative lookup of the file plugin (CoreDNS's plugin/file/lookup.go, with RFC 4592 wildcards):
/// walk down from the apex to the first zone cut (referral) or DNAME (synthesis); the name itself (CNAME
/// chain, the RRset, or NODATA); an empty non-terminal (NODATA); the wildcard at the closest encloser;
/// otherwise NXDOMAIN. Negative answers carry the SOA, positive ones the apex NS set.
/// </summary>
public static class ZoneLookup
{
    /// <summary>CNAME hops followed inside a zone before giving up (CoreDNS: 8).</summary>
    public const int MaxChain = 8;

    public static LookupResult Lookup(Zone zone, string qname, ushort qtype, bool dnssecOk)
    {
        var result = new LookupResult();
        Resolve(zone, qname, qtype, dnssecOk, result, 0);
        return result;
    }

    private static void Resolve(Zone zone, string qname, ushort qtype, bool dnssecOk, LookupResult r, int depth)
    {
        var name = qname.AsSpan();
        var origin = zone.Origin;
        var apex = name.Length == origin.Length;   // qname is in the zone: equal length means equal

        if (apex && qtype == RrType.SOA)
        {
            r.Answer.Add(zone.Soa);
            AddSignatures(zone, origin, RrType.SOA, dnssecOk, r.Answer);
            r.Authority.AddRange(zone.ApexNs);
            r.Outcome = LookupOutcome.Success;
            return;
        }
        if (apex && qtype == RrType.NS)
        {
            r.Answer.AddRange(zone.ApexNs);
            AddSignatures(zone, origin, RrType.NS, dnssecOk, r.Answer);
            AddAddresses(zone, zone.ApexNs, r.Additional, null);
            r.Outcome = LookupOutcome.Success;
            return;
        }

        // Walk down from the apex: a zone cut or a DNAME above the name decides the answer.
        var start = name.Length - origin.Length;
        Span<int> labelBuffer = stackalloc int[128];
        var labels = LabelStarts(qname, start, labelBuffer);
        Zone.Node? exactNode = null;
        for (var k = labels.Length - 1; k >= 0; k--)
        {
            var at = labels[k];
            var owner = name[at..];
            if (!zone.TryGetNode(owner, out var node)) continue;
            var isQname = at == 0;
            if (isQname) exactNode = node;
            if (node.Get(RrType.DNAME) is { } dname && !isQname)
            {
                Synthesize(zone, qname, qtype, dnssecOk, r, depth, dname[0], at);
                return;
            }
            if (at != name.Length - origin.Length && node.Get(RrType.NS) is { } ns)
            {
                if (isQname && qtype == RrType.DS) continue;   // DS at a cut is the parent's: answered below
                r.Outcome = LookupOutcome.Delegation;
                r.Authority.AddRange(ns);
                if (dnssecOk && node.Get(RrType.DS) is { } ds)
                {
                    r.Authority.AddRange(ds);
                    AddSignatures(zone, node.Name, RrType.DS, true, r.Authority);
                }
                AddAddresses(zone, ns, r.Additional, null);
                return;
            }
        }

        if (exactNode is not null)
        {
            Answer(zone, exactNode, qname, qtype, dnssecOk, r, depth, synthesizedOwner: null);
            return;
        }
        if (zone.IsEmptyNonTerminal(name))
        {
            NoData(zone, r);
            // An empty non-terminal has no NSEC of its own: the one covering it proves there is no data.
            if (dnssecOk && zone.HasNsec)
            {
                AddSignatures(zone, zone.Origin, RrType.SOA, true, r.Authority);
                AddDenial(zone, qname, r);
            }
            return;
        }

        // RFC 4592: the source of synthesis is "*." + the closest encloser (the longest existing ancestor,
        // empty non-terminals included); an existing name below it blocks nothing, we got here because the
        // name itself does not exist.
        string? noWildcard = null;
        for (var k = 1; k < labels.Length; k++)
        {
            var encloser = name[labels[k]..];
            if (!zone.Exists(encloser)) continue;
            var wildcard = string.Concat("*.", encloser);
            if (zone.TryGetNode(wildcard, out var wild))
            {
                Answer(zone, wild, qname, qtype, dnssecOk, r, depth, synthesizedOwner: qname);
                // RFC 4035 §3.1.3.3: a wildcard answer proves that qname itself does not exist.
                if (dnssecOk && r.Outcome is LookupOutcome.Success or LookupOutcome.NoData) AddDenial(zone, qname, r);
                return;
            }
            noWildcard = wildcard;
            break;
        }
        r.Outcome = LookupOutcome.NameError;
        r.Authority.Clear();
        r.Authority.Add(zone.NegativeSoa);
        if (!dnssecOk || !zone.HasNsec) return;
        // RFC 4035 §3.1.3.2: the NSEC covering qname and the one covering the wildcard at the closest encloser.
        AddSignatures(zone, zone.Origin, RrType.SOA, true, r.Authority);
        AddDenial(zone, qname, r);
        if (noWildcard is not null) AddDenial(zone, noWildcard, r);
    }

    /// <summary>The NSEC (and its RRSIGs) matching or covering <paramref name="name"/>, once, into the authority section.</summary>
    private static void AddDenial(Zone zone, string name, LookupResult r)
    {
        if (zone.NsecOwnerCovering(name) is not { } owner || zone.Find(owner, RrType.NSEC) is not { } nsec) return;
        foreach (var rr in r.Authority)
            if (rr.Type == RrType.NSEC && DnsName.EqualsIgnoreCase(rr.Name, nsec[0].Name)) return;
        r.Authority.AddRange(nsec);
        AddSignatures(zone, owner, RrType.NSEC, true, r.Authority);
    }

    private static void Answer(Zone zone, Zone.Node node, string qname, ushort qtype, bool dnssecOk, LookupResult r, int depth, string? synthesizedOwner)
    {
        if (qtype != RrType.CNAME && node.Get(RrType.CNAME) is { } cname)
        {
            var c = synthesizedOwner is null ? cname[0] : cname[0].WithName(synthesizedOwner);
            r.Answer.Add(c);
            AddSignatures(zone, node.Name, RrType.CNAME, dnssecOk, r.Answer, synthesizedOwner);
            Chase(zone, Target(c), qtype, dnssecOk, r, depth);
            return;
        }
        var set = node.Get(qtype);
        if (set is null)
        {
            NoData(zone, r);
            // RFC 4035 §3.1.3.1: NODATA proves with the name's own NSEC (the wildcard's, for a wildcard).
            if (dnssecOk && zone.HasNsec)
            {
                AddSignatures(zone, zone.Origin, RrType.SOA, true, r.Authority);
                AddDenial(zone, node.Name, r);
            }
            return;
        }
        foreach (var rr in set) r.Answer.Add(synthesizedOwner is null ? rr : rr.WithName(synthesizedOwner));
        AddSignatures(zone, node.Name, qtype, dnssecOk, r.Answer, synthesizedOwner);
        r.Authority.Clear();
        r.Authority.AddRange(zone.ApexNs);
        AddAddresses(zone, set, r.Additional, qtype);
        r.Outcome = LookupOutcome.Success;
    }

    /// <summary>Follows a CNAME: inside the zone by lookup (the target's outcome becomes the answer's), outside by asking the caller to.</summary>
    private static void Chase(Zone zone, string target, ushort qtype, bool dnssecOk, LookupResult r, int depth)
    {
        if (!DnsName.IsSubdomain(target, zone.Origin))
        {
            r.ChaseTarget = target;
            r.Authority.Clear();
            r.Authority.AddRange(zone.ApexNs);
            r.Outcome = LookupOutcome.Success;
            return;
        }
        if (depth + 1 > MaxChain || Loops(r.Answer, target))
        {
            // A loop or an over-long chain: answer what we have (Knot and NSD answer NOERROR).
            r.Authority.Clear();
            r.Authority.AddRange(zone.ApexNs);
            r.Outcome = LookupOutcome.Success;
            return;
        }
        r.Authority.Clear();
        Resolve(zone, target, qtype, dnssecOk, r, depth + 1);
    }

    private static bool Loops(List<DnsRecord> answer, string target)
    {
        foreach (var rr in answer)
            if (rr.Type == RrType.CNAME && DnsName.EqualsIgnoreCase(rr.Name, target)) return true;
        return false;
    }

    /// <summary>RFC 6672: qname below a DNAME owner becomes qname with that suffix replaced; answered as the DNAME plus a synthesized CNAME (the DNAME's TTL).</summary>
    private static void Synthesize(Zone zone, string qname, ushort qtype, bool dnssecOk, LookupResult r, int depth, DnsRecord dname, int ownerAt)
    {
        r.Answer.Add(dname);
        AddSignatures(zone, dname.Name, RrType.DNAME, dnssecOk, r.Answer);
        var o = 0;
        DnsName.TryRead(dname.RData, ref o, out var dnameTarget);
        var prefix = qname[..ownerAt];
        var target = prefix + (dnameTarget == DnsName.Root ? "" : dnameTarget);
        if (!DnsName.IsValid(target))
        {
            r.Answer.Clear();
            r.Outcome = LookupOutcome.NameError;   // YXDOMAIN in RFC 6672; reported as a name error here
            r.Authority.Add(zone.NegativeSoa);
            return;
        }
        var cname = DnsRecord.Cname(qname, dname.Ttl, target, dname.Class);
        r.Answer.Add(cname);
        if (qtype == RrType.CNAME)
        {
            r.Authority.AddRange(zone.ApexNs);
            r.Outcome = LookupOutcome.Success;
            return;
        }
        Chase(zone, target, qtype, dnssecOk, r, depth);
    }

    private static void NoData(Zone zone, LookupResult r)
    {
        r.Authority.Clear();
        r.Authority.Add(zone.NegativeSoa);
        r.Outcome = LookupOutcome.NoData;
    }

    /// <summary>A/AAAA of in-zone names an answer points to (NS glue, MX/SRV/SVCB/HTTPS targets), deduplicated.</summary>
    private static void AddAddresses(Zone zone, DnsRecord[] set, List<DnsRecord> additional, ushort? qtype)
    {
        foreach (var rr in set)
        {
            var target = rr.Type switch
            {
                RrType.NS => Name(rr.RData, 0),
                RrType.MX => Name(rr.RData, 2),
                RrType.SRV => Name(rr.RData, 6),
                RrType.SVCB or RrType.HTTPS => Name(rr.RData, 2),
                _ => null,
            };
            if (target is null || target == DnsName.Root || !DnsName.IsSubdomain(target, zone.Origin)) continue;
            foreach (var type in AddressTypes)
            {
                if (zone.Find(target, type) is not { } addresses) continue;
                foreach (var a in addresses)
                    if (!additional.Contains(a)) additional.Add(a);
            }
        }
    }

    private static readonly ushort[] AddressTypes = [RrType.A, RrType.AAAA];

    private static string? Name(byte[] rdata, int at)
    {
        var o = at;
        return at < rdata.Length && DnsName.TryRead(rdata, ref o, out var n) ? n : null;
    }

    private static string Target(DnsRecord cname) => Name(cname.RData, 0) ?? DnsName.Root;

    private static void AddSignatures(Zone zone, string owner, ushort covered, bool dnssecOk, List<DnsRecord> section, string? synthesizedOwner = null)
    {
        if (!dnssecOk || zone.Find(owner, RrType.RRSIG) is not { } sigs) return;
        foreach (var sig in sigs)
            if (sig.RData.Length >= 2 && (sig.RData[0] << 8 | sig.RData[1]) == covered)
                section.Add(synthesizedOwner is null ? sig : sig.WithName(synthesizedOwner));
    }

    /// <summary>Start offsets of qname's labels from qname itself (0) up to, not including, the apex at <paramref name="apexAt"/>, plus the apex.</summary>
    private static Span<int> LabelStarts(string qname, int apexAt, Span<int> buffer)
    {
        var n = 0;
        for (var i = 0; i >= 0 && i <= apexAt && n < buffer.Length - 1; i = DnsName.NextLabel(qname, i))
        {
            buffer[n++] = i;
            if (i == apexAt) break;
        }
        if (buffer[n - 1] != apexAt) buffer[n++] = apexAt;
        return buffer[..n];
    }
}
