using System.Buffers.Binary;

namespace Akka.Dns.Server.Listeners.Https;

/// <summary>
/// The <c>Cache-Control: max-age</c> of a DoH reply, read from its wire form as CoreDNS computes it
/// (response.Typify, then dnsutil.MinimalTTLWithMaximum with a 3600 s cap): the smallest TTL of the answer,
/// authority and additional records (OPT excepted) for NOERROR, NXDOMAIN and NODATA replies; 5 s for any other
/// kind (SERVFAIL, REFUSED, delegations, transfers, UPDATE, NOTIFY, DNSSEC replies with an expired signature)
/// and for a reply with no records but an OPT.
/// </summary>
internal static class DohCacheControl
{
    /// <summary>CoreDNS's MinimalDefaultTTL.</summary>
    public const uint Minimal = 5;
    /// <summary>CoreDNS's MaximumDefaultTTL.</summary>
    public const uint Maximum = 3600;

    private const ushort Soa = 6, Ns = 2, Opt = 41, Rrsig = 46, Axfr = 252, Ixfr = 251;
    private const int OpcodeNotify = 4, OpcodeUpdate = 5;
    private const int NoError = 0, NxDomain = 3;

    /// <summary>Seconds of max-age for <paramref name="reply"/> at <paramref name="nowUnix"/> (RRSIG validity).</summary>
    public static uint MaxAge(ReadOnlySpan<byte> reply, long nowUnix)
    {
        if (reply.Length < 12) return Minimal;
        var opcode = (reply[2] >> 3) & 0xF;
        var rcode = reply[3] & 0xF;
        int qd = BinaryPrimitives.ReadUInt16BigEndian(reply[4..]), an = BinaryPrimitives.ReadUInt16BigEndian(reply[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(reply[8..]), ar = BinaryPrimitives.ReadUInt16BigEndian(reply[10..]);
        if (opcode is OpcodeUpdate or OpcodeNotify) return Minimal;

        var pos = 12;
        ushort qtype = 0;
        for (var i = 0; i < qd; i++)
        {
            if (!SkipName(reply, ref pos) || pos + 4 > reply.Length) return Minimal;
            if (i == 0) qtype = BinaryPrimitives.ReadUInt16BigEndian(reply[pos..]);
            pos += 4;
        }
        if (qd > 0 && qtype is Axfr or Ixfr) return Minimal;

        // One walk over the records: the smallest TTL, what Typify looks at, and the OPT's extended rcode and DO bit.
        uint min = Maximum;
        bool soa = false, opt = false, dnssecOk = false, expired = false;
        var delegations = 0;
        var total = an + ns + ar;
        for (var i = 0; i < total; i++)
        {
            if (!SkipName(reply, ref pos) || pos + 10 > reply.Length) return Minimal;
            var type = BinaryPrimitives.ReadUInt16BigEndian(reply[pos..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(reply[(pos + 4)..]);
            var rdlength = BinaryPrimitives.ReadUInt16BigEndian(reply[(pos + 8)..]);
            var rdata = pos + 10;
            if (rdata + rdlength > reply.Length) return Minimal;
            pos = rdata + rdlength;

            if (type == Opt && i >= an + ns)
            {
                opt = true;
                rcode |= (int)(ttl >> 24) << 4;
                dnssecOk = (ttl & 0x8000) != 0;
                continue;
            }
            if (ttl < min) min = ttl;
            if (i >= an && i < an + ns)
            {
                if (type == Soa) soa = true;
                else if (type == Ns) delegations++;
            }
            if (type == Rrsig && rdlength >= 16 && !SignatureValid(reply.Slice(rdata, rdlength), nowUnix)) expired = true;
        }

        if (dnssecOk && expired) return Minimal;   // Typify's OtherError for expired signatures
        // Typify: NOERROR with answers, NODATA (SOA in authority), NXDOMAIN without answers, NOERROR without
        // answers that is not a delegation. Everything else (SERVFAIL, NOTIMP, REFUSED, ...) is not cached long.
        var cacheable = an > 0
            ? rcode == NoError
            : rcode == NxDomain || (rcode == NoError && (soa || delegations == 0));
        if (!cacheable) return Minimal;
        // No records, or an OPT alone: a short fail-safe.
        if (an + ns == 0 && (ar == 0 || (ar == 1 && opt))) return Minimal;
        return min;
    }

    /// <summary>miekg/dns's RRSIG.ValidityPeriod: inception ≤ now ≤ expiration in RFC 1982 serial arithmetic.</summary>
    private static bool SignatureValid(ReadOnlySpan<byte> rdata, long now)
    {
        const long year68 = 1L << 31;
        long expiration = BinaryPrimitives.ReadUInt32BigEndian(rdata[8..]);
        long inception = BinaryPrimitives.ReadUInt32BigEndian(rdata[12..]);
        var ti = inception + (inception - now) / year68 * year68;
        var te = expiration + (expiration - now) / year68 * year68;
        return ti <= now && now <= te;
    }

    private static bool SkipName(ReadOnlySpan<byte> m, ref int pos)
    {
        while (pos < m.Length)
        {
            var len = m[pos];
            if (len == 0)
            {
                pos++;
                return true;
            }
            if ((len & 0xC0) == 0xC0)
            {
                pos += 2;
                return pos <= m.Length;
            }
            if ((len & 0xC0) != 0) return false;
            pos += 1 + len;
        }
        return false;
    }
}
