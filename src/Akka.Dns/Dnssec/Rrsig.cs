using System.Buffers;
using System.Buffers.Binary;
using Akka.Dns.Wire;

namespace Akka.Dns.Dnssec;

/// <summary>
/// RRSIG creation and verification (RFC 4034 §3.1.8.1): the signed data is the RRSIG RDATA without the signature
/// (signer's name in canonical form) followed by the RRset in canonical form (§6.2: lower-cased owner, the
/// original TTL, names inside RDATA lower-cased; §6.3: RRs ordered by their canonical RDATA, duplicates dropped).
/// A wildcard-expanded owner with more labels than the RRSIG's Labels field is signed as "*." + its rightmost
/// Labels labels (§3.1.8.1, RFC 4035 §5.3.2). The whole signing data is built in one pooled buffer.
/// </summary>
public static class Rrsig
{
    /// <summary>CoreDNS's dnssec plugin (dnssec.go incepExpir): inception 3 hours before now.</summary>
    public static readonly TimeSpan OnlineInceptionOffset = TimeSpan.FromHours(-3);
    /// <summary>CoreDNS's dnssec plugin (dnssec.go eightDays): expiration 8 days after now.</summary>
    public static readonly TimeSpan OnlineValidity = TimeSpan.FromDays(8);
    /// <summary>CoreDNS's dnssec plugin (dnssec.go twoDays): a cached signature is re-made once it has less than this left.</summary>
    public static readonly TimeSpan OnlineRefresh = TimeSpan.FromDays(2);
    /// <summary>CoreDNS's dnssec plugin (rrsig.go origTTL): the Original TTL field of every on-line signature.</summary>
    public const uint OnlineOriginalTtl = 3600;

    /// <summary>Inception and expiration as CoreDNS's dnssec plugin sets them: now − 3 h, now + 8 days (RFC 1982 32-bit).</summary>
    public static (uint Inception, uint Expiration) OnlineLifetime(DateTimeOffset now) =>
        (Seconds(now + OnlineInceptionOffset), Seconds(now + OnlineValidity));

    /// <summary>Seconds since the epoch, modulo 2^32 (RFC 4034 §3.1.5).</summary>
    public static uint Seconds(DateTimeOffset t) => unchecked((uint)t.ToUnixTimeSeconds());

    /// <summary>RRSIG Labels for an owner: its label count, less one for a leading "*" label.</summary>
    public static byte Labels(string owner)
    {
        var n = DnsName.CountLabels(owner);
        if (owner.StartsWith("*.", StringComparison.Ordinal) || owner == "*") n--;
        return (byte)n;
    }

    /// <summary>
    /// Signs an RRset (all of one owner, type and class) with <paramref name="key"/>. The RRSIG's owner, class and
    /// TTL are those of the RRset (TTL <paramref name="ttl"/> when given); its Original TTL is
    /// <paramref name="originalTtl"/> or the RRset's TTL. <paramref name="signer"/> defaults to the key's owner.
    /// </summary>
    public static DnsRecord Sign(IReadOnlyList<DnsRecord> rrset, DnssecKey key, uint inception, uint expiration,
        string? signer = null, uint? originalTtl = null, uint? ttl = null)
    {
        if (rrset.Count == 0) throw new ArgumentException("empty RRset", nameof(rrset));
        var first = rrset[0];
        signer ??= key.Zone;
        var origTtl = originalTtl ?? first.Ttl;
        Span<byte> signerWire = stackalloc byte[DnsName.MaxWireLength + 2];
        var sn = Canonical.WriteName(signer, signerWire);
        if (sn < 0) throw new ArgumentException($"not a valid domain name: {signer}", nameof(signer));

        var head = 18 + sn;
        var buf = ArrayPool<byte>.Shared.Rent(head + SignedLength(rrset));
        var sig = ArrayPool<byte>.Shared.Rent(key.MaxSignatureLength);
        try
        {
            var h = buf.AsSpan(0, head);
            BinaryPrimitives.WriteUInt16BigEndian(h, first.Type);
            h[2] = key.Algorithm;
            h[3] = Labels(first.Name);
            BinaryPrimitives.WriteUInt32BigEndian(h[4..], origTtl);
            BinaryPrimitives.WriteUInt32BigEndian(h[8..], expiration);
            BinaryPrimitives.WriteUInt32BigEndian(h[12..], inception);
            BinaryPrimitives.WriteUInt16BigEndian(h[16..], key.KeyTag);
            signerWire[..sn].CopyTo(h[18..]);
            var len = head + WriteRrset(rrset, h[3], origTtl, buf.AsSpan(head));
            var n = key.Sign(buf.AsSpan(0, len), sig);
            var rdata = new byte[head + n];
            h.CopyTo(rdata);
            sig.AsSpan(0, n).CopyTo(rdata.AsSpan(head));
            return new DnsRecord(first.Name, RrType.RRSIG, first.Class, ttl ?? first.Ttl, rdata);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
            ArrayPool<byte>.Shared.Return(sig);
        }
    }

    /// <summary>
    /// Checks <paramref name="rrsig"/> over <paramref name="rrset"/> with <paramref name="key"/>: type covered,
    /// algorithm, key tag and signer match the key, and the signature verifies. Time validity is checked only when
    /// <paramref name="now"/> is given.
    /// </summary>
    public static bool Verify(IReadOnlyList<DnsRecord> rrset, DnsRecord rrsig, DnssecKey key, DateTimeOffset? now = null)
    {
        if (rrset.Count == 0 || rrsig.Type != RrType.RRSIG) return false;
        var r = rrsig.RData;
        if (r.Length < 19) return false;
        var o = 18;
        if (!DnsName.TryRead(r, ref o, out var signer)) return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(r) != rrset[0].Type || r[2] != key.Algorithm
            || BinaryPrimitives.ReadUInt16BigEndian(r.AsSpan(16)) != key.KeyTag || !DnsName.EqualsIgnoreCase(signer, key.Zone)
            || !key.IsZoneKey || key.Protocol != 3)
            return false;
        if (now is { } t)
        {
            var s = Seconds(t);
            var exp = BinaryPrimitives.ReadUInt32BigEndian(r.AsSpan(8));
            var inc = BinaryPrimitives.ReadUInt32BigEndian(r.AsSpan(12));
            if ((int)(s - inc) < 0 || (int)(exp - s) < 0) return false; // RFC 1982 serial arithmetic
        }
        var labels = r[3];
        var origTtl = BinaryPrimitives.ReadUInt32BigEndian(r.AsSpan(4));
        var head = o; // RDATA up to the signature
        var buf = ArrayPool<byte>.Shared.Rent(head + SignedLength(rrset));
        try
        {
            r.AsSpan(0, head).CopyTo(buf);
            Canonical.LowerName(buf.AsSpan(0, head), 18);
            var len = WriteRrset(rrset, labels, origTtl, buf.AsSpan(head));
            if (len < 0) return false;
            return key.Verify(buf.AsSpan(0, head + len), r.AsSpan(head));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// A signature-cache key for an RRset (64-bit FNV-1a, allocation-free): owner as written (the RRSIG carries it),
    /// type, class and each RDATA in the order given, but not the TTL. CoreDNS hashes <c>rr.String()</c>, TTL
    /// included, so a TTL counting down in a cache in front of it misses; on-line signatures sign Original TTL 3600
    /// whatever the served TTL, so the TTL need not be in the key: re-stamp a cached RRSIG with
    /// <see cref="DnsRecord.WithTtl"/> instead.
    /// </summary>
    public static ulong CacheKey(IReadOnlyList<DnsRecord> rrset)
    {
        const ulong prime = 1099511628211;
        var h = 14695981039346656037;
        if (rrset.Count == 0) return h;
        foreach (var c in rrset[0].Name) h = (h ^ c) * prime;
        h = (h ^ rrset[0].Type) * prime;
        h = (h ^ rrset[0].Class) * prime;
        for (var i = 0; i < rrset.Count; i++)
        {
            var rd = rrset[i].RData;
            h = (h ^ (uint)rd.Length) * prime;
            foreach (var b in rd) h = (h ^ b) * prime;
        }
        return h;
    }

    /// <summary>Upper bound of the canonical RRset's length.</summary>
    private static int SignedLength(IReadOnlyList<DnsRecord> rrset)
    {
        var n = 0;
        for (var i = 0; i < rrset.Count; i++) n += DnsName.MaxWireLength + 10 + rrset[i].RData.Length;
        return n;
    }

    /// <summary>Writes the RRset in canonical form and order; returns octets written, or -1 if an owner has too few labels.</summary>
    private static int WriteRrset(IReadOnlyList<DnsRecord> rrset, byte labels, uint origTtl, Span<byte> dest)
    {
        var first = rrset[0];
        // Owner: one for the whole set (§6.2 lower-cased; wildcard form when the owner has more labels than Labels).
        Span<byte> owner = stackalloc byte[DnsName.MaxWireLength + 2];
        var on = Canonical.WriteName(first.Name, owner);
        if (on < 0) return -1;
        var ownerLabels = 0;
        for (var p = 0; owner[p] != 0; p += owner[p] + 1) ownerLabels++;
        if (ownerLabels < labels) return -1;
        if (ownerLabels > labels)
        {
            var p = 0;
            for (var skip = ownerLabels - labels; skip > 0; skip--) p += owner[p] + 1;
            Span<byte> wild = stackalloc byte[DnsName.MaxWireLength + 2];
            wild[0] = 1;
            wild[1] = (byte)'*';
            owner[p..on].CopyTo(wild[2..]);
            on = on - p + 2;
            wild[..on].CopyTo(owner);
        }

        // Canonical RDATA of each RR into a pooled scratch buffer, then the RRs sorted by it (§6.3).
        var count = rrset.Count;
        var total = 0;
        for (var i = 0; i < count; i++) total += rrset[i].RData.Length;
        Span<int> offs = count <= 64 ? stackalloc int[count] : new int[count];
        Span<int> lens = count <= 64 ? stackalloc int[count] : new int[count];
        Span<int> order = count <= 64 ? stackalloc int[count] : new int[count];
        var scratchArray = ArrayPool<byte>.Shared.Rent(Math.Max(total, 1));
        try
        {
            var scratch = scratchArray.AsSpan();
            var at = 0;
            for (var i = 0; i < count; i++)
            {
                offs[i] = at;
                lens[i] = Canonical.WriteRData(first.Type, rrset[i].RData, scratch[at..]);
                at += lens[i];
                order[i] = i;
            }
            for (var i = 1; i < count; i++) // insertion sort: RRsets are small
            {
                var x = order[i];
                var j = i - 1;
                while (j >= 0 && scratch.Slice(offs[order[j]], lens[order[j]]).SequenceCompareTo(scratch.Slice(offs[x], lens[x])) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = x;
            }
            var pos = 0;
            var prev = -1;
            for (var k = 0; k < count; k++)
            {
                var i = order[k];
                var rd = scratch.Slice(offs[i], lens[i]);
                if (prev >= 0 && rd.SequenceEqual(scratch.Slice(offs[prev], lens[prev]))) continue; // §6.3: duplicates once
                prev = i;
                owner[..on].CopyTo(dest[pos..]);
                pos += on;
                BinaryPrimitives.WriteUInt16BigEndian(dest[pos..], first.Type);
                BinaryPrimitives.WriteUInt16BigEndian(dest[(pos + 2)..], first.Class);
                BinaryPrimitives.WriteUInt32BigEndian(dest[(pos + 4)..], origTtl);
                BinaryPrimitives.WriteUInt16BigEndian(dest[(pos + 8)..], (ushort)rd.Length);
                pos += 10;
                rd.CopyTo(dest[pos..]);
                pos += rd.Length;
            }
            return pos;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratchArray);
        }
    }
}
