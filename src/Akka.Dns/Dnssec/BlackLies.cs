using Akka.Dns.Wire;

namespace Akka.Dns.Dnssec;

/// <summary>What kind of answer a black-lies NSEC stands in for (CoreDNS's response.Type, the part black_lies.go reads).</summary>
public enum DenialKind
{
    /// <summary>NXDOMAIN: the NSEC turns it into NODATA (the caller flips the rcode to NOERROR).</summary>
    NameError,
    /// <summary>NOERROR with no answer for the type.</summary>
    NoData,
    /// <summary>A referral without DS: the NSEC proves there is no DS.</summary>
    Delegation,
    /// <summary>Anything else (CoreDNS then uses the whole bitmap).</summary>
    Other,
}

/// <summary>
/// NSEC "black lies" (draft-valsorda-dnsop-black-lies, CoreDNS plugin/dnssec/black_lies.go): every denial is
/// answered with an NSEC at the query name whose next name is <c>\000.qname</c>, so it covers nothing but the name
/// itself, and whose bitmap claims other types exist. A name error thereby becomes NODATA, with no zone walking and
/// no chain to compute.
/// </summary>
public static class BlackLies
{
    // The bitmaps of black_lies.go, verbatim.
    /// <summary>Below the apex: A HINFO TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC TLSA HIP OPENPGPKEY SPF.</summary>
    public static readonly ushort[] ZoneBitmap = [RrType.A, RrType.HINFO, RrType.TXT, RrType.AAAA, 29, RrType.SRV, 37, RrType.SSHFP, RrType.RRSIG, RrType.NSEC, RrType.TLSA, 55, 61, 99];
    /// <summary>At the apex: A NS SOA HINFO MX TXT AAAA LOC SRV CERT SSHFP RRSIG NSEC DNSKEY TLSA HIP OPENPGPKEY SPF.</summary>
    public static readonly ushort[] ApexBitmap = [RrType.A, RrType.NS, RrType.SOA, RrType.HINFO, RrType.MX, RrType.TXT, RrType.AAAA, 29, RrType.SRV, 37, RrType.SSHFP, RrType.RRSIG, RrType.NSEC, RrType.DNSKEY, RrType.TLSA, 55, 61, 99];
    /// <summary>At a delegation or for a DS query: the zone bitmap plus NS (no SOA, no DS).</summary>
    public static readonly ushort[] DelegationBitmap = [RrType.A, RrType.NS, RrType.HINFO, RrType.TXT, RrType.AAAA, 29, RrType.SRV, 37, RrType.SSHFP, RrType.RRSIG, RrType.NSEC, RrType.TLSA, 55, 61, 99];

    /// <summary>The TTL CoreDNS gives the NSEC: the authority SOA's TTL (its caller passes req.Ns[0]'s TTL).</summary>
    /// <param name="qname">The query name as asked (case kept).</param>
    /// <param name="qtype">The query type.</param>
    /// <param name="zone">The zone the answer is from.</param>
    /// <param name="kind">What the unsigned answer was.</param>
    /// <param name="ttl">TTL of the NSEC.</param>
    public static DnsRecord Nsec(string qname, ushort qtype, string zone, DenialKind kind, uint ttl)
    {
        string next;
        ushort[] types;
        if (DnsName.EqualsIgnoreCase(DnsName.Normalize(qname), DnsName.Normalize(zone)))
        {
            types = Filter(qtype, ApexBitmap, kind);
            next = NextName(qname);
        }
        else if (kind == DenialKind.Delegation || qtype == RrType.DS)
        {
            types = DelegationBitmap;
            // At a referral the next name is "first-label\000.rest": still only the name itself is covered,
            // but its children (the delegated zone) are not.
            next = kind == DenialKind.Delegation ? DelegationNext(qname) : NextName(qname);
        }
        else
        {
            types = Filter(qtype, ZoneBitmap, kind);
            next = NextName(qname);
        }
        return Record(qname, next, types, ttl);
    }

    /// <summary>
    /// A NODATA NSEC that tells the truth about the types at <paramref name="qname"/>: <paramref name="existing"/>
    /// plus RRSIG and NSEC (for a backend that knows them; CoreDNS always lies with the fixed bitmap).
    /// </summary>
    public static DnsRecord NoDataNsec(string qname, IEnumerable<ushort> existing, uint ttl)
    {
        var types = new List<ushort>(existing) { RrType.RRSIG, RrType.NSEC };
        return Record(qname, NextName(qname), types.ToArray(), ttl);
    }

    /// <summary>"\000.qname" ("\000." at the root).</summary>
    public static string NextName(string qname) => qname == DnsName.Root ? "\\000." : "\\000." + qname;

    private static string DelegationNext(string qname)
    {
        var i = DnsName.NextLabel(qname, 0);
        return i < 0 ? qname.TrimEnd('.') + "\\000." : qname[..(i - 1)] + "\\000." + qname[i..];
    }

    /// <summary>black_lies.go filter14/filter18: for NODATA and NXDOMAIN drop the query type (unless it is NSEC).</summary>
    private static ushort[] Filter(ushort qtype, ushort[] bitmap, DenialKind kind)
    {
        if (kind is not (DenialKind.NoData or DenialKind.NameError) || qtype == RrType.NSEC) return bitmap;
        var i = Array.IndexOf(bitmap, qtype);
        if (i < 0) return bitmap;
        var r = new ushort[bitmap.Length - 1];
        bitmap.AsSpan(0, i).CopyTo(r);
        bitmap.AsSpan(i + 1).CopyTo(r.AsSpan(i));
        return r;
    }

    /// <summary>An NSEC record: next name (wire, case kept: RFC 6840 §5.1) and the type bitmap.</summary>
    public static DnsRecord Record(string owner, string next, ReadOnlySpan<ushort> types, uint ttl)
    {
        var nextWire = DnsRecord.NameBytes(next);
        var rdata = new byte[nextWire.Length + TypeBitmap.Length(types)];
        nextWire.CopyTo(rdata, 0);
        TypeBitmap.Write(types, rdata.AsSpan(nextWire.Length));
        return new DnsRecord(owner, RrType.NSEC, RrClass.IN, ttl, rdata);
    }
}
