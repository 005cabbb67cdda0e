using System.Buffers.Binary;
using System.Security.Cryptography;
using Akka.Dns.Wire;

namespace Akka.Dns.Dnssec;

/// <summary>
/// A DNSSEC key: the DNSKEY (owner, flags, protocol, algorithm, public key) and, when loaded from a key pair, the
/// private key that signs. RSASHA256 and ECDSAP256SHA256 use .NET's RSA and ECDsa; ED25519 uses BouncyCastle's
/// RFC 8032 code (.NET has no Ed25519). Signing works on spans and allocates nothing of its own.
/// Instances are immutable; <see cref="Sign"/> may be called from several threads (see README: thread safety).
/// </summary>
public sealed class DnssecKey : IDisposable
{
    /// <summary>DNSKEY flags: Zone Key (bit 7) and Secure Entry Point (bit 15), RFC 4034 §2.1.1.</summary>
    public const ushort ZoneKeyFlag = 0x0100, SepFlag = 0x0001;
    public const ushort KskFlags = ZoneKeyFlag | SepFlag, ZskFlags = ZoneKeyFlag;

    private readonly KeyMaterial? _private;
    private readonly KeyMaterial _public;
    private bool _borrowed;

    private DnssecKey(string zone, uint ttl, ushort flags, byte protocol, byte algorithm, byte[] publicKey, KeyMaterial pub, KeyMaterial? priv)
    {
        Zone = zone;
        Ttl = ttl;
        Flags = flags;
        Protocol = protocol;
        Algorithm = algorithm;
        PublicKey = publicKey;
        _public = pub;
        _private = priv;
        DnskeyRData = new byte[4 + publicKey.Length];
        BinaryPrimitives.WriteUInt16BigEndian(DnskeyRData, flags);
        DnskeyRData[2] = protocol;
        DnskeyRData[3] = algorithm;
        publicKey.CopyTo(DnskeyRData, 4);
        KeyTag = ComputeKeyTag(DnskeyRData);
    }

    /// <summary>The DNSKEY's owner, fully qualified, as written in the key file.</summary>
    public string Zone { get; }
    /// <summary>The DNSKEY's TTL in the .key file (3600 when it has none, as miekg/dns reads it).</summary>
    public uint Ttl { get; }
    public ushort Flags { get; }
    public byte Protocol { get; }
    public byte Algorithm { get; }
    public byte[] PublicKey { get; }
    /// <summary>DNSKEY RDATA in wire form.</summary>
    public byte[] DnskeyRData { get; }
    /// <summary>RFC 4034 Appendix B key tag.</summary>
    public ushort KeyTag { get; }

    public bool IsZoneKey => (Flags & ZoneKeyFlag) != 0;
    /// <summary>A zone key with the SEP bit (CoreDNS's isKSK).</summary>
    public bool IsKsk => IsZoneKey && (Flags & SepFlag) != 0;
    /// <summary>A zone key without the SEP bit (CoreDNS's isZSK).</summary>
    public bool IsZsk => IsZoneKey && (Flags & SepFlag) == 0;
    public bool HasPrivateKey => _private is not null;

    /// <summary>The most octets a signature of this key takes.</summary>
    public int MaxSignatureLength => _public.SignatureLength;

    /// <summary>Signs <paramref name="data"/>; returns the octets written to <paramref name="signature"/>.</summary>
    public int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        if (_private is null) throw new InvalidOperationException($"key {Zone} (keyid: {KeyTag}) has no private key");
        return _private.Sign(data, signature);
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => _public.Verify(data, signature);

    /// <summary>The DNSKEY record, owned by <see cref="Zone"/> (or <paramref name="owner"/>).</summary>
    public DnsRecord ToDnskey(uint? ttl = null, string? owner = null) => new(owner ?? Zone, RrType.DNSKEY, RrClass.IN, ttl ?? Ttl, DnskeyRData);

    /// <summary>CDNSKEY (RFC 7344): the DNSKEY's RDATA under type 60.</summary>
    public DnsRecord ToCdnskey(uint? ttl = null) => new(Zone, 60, RrClass.IN, ttl ?? Ttl, DnskeyRData);

    /// <summary>DS RDATA (RFC 4034 §5.1.4): digest over the canonical owner name and the DNSKEY RDATA. 2 = SHA-256, 4 = SHA-384, 1 = SHA-1.</summary>
    public byte[] DsRData(byte digestType = 2)
    {
        Span<byte> owner = stackalloc byte[DnsName.MaxWireLength + 2];
        var n = Canonical.WriteName(Zone, owner);
        var input = new byte[n + DnskeyRData.Length];
        owner[..n].CopyTo(input);
        DnskeyRData.CopyTo(input, n);
        var digest = digestType switch
        {
            1 => SHA1.HashData(input),
            2 => SHA256.HashData(input),
            4 => SHA384.HashData(input),
            _ => throw new ArgumentException($"unsupported DS digest type {digestType}", nameof(digestType)),
        };
        var ds = new byte[4 + digest.Length];
        BinaryPrimitives.WriteUInt16BigEndian(ds, KeyTag);
        ds[2] = Algorithm;
        ds[3] = digestType;
        digest.CopyTo(ds, 4);
        return ds;
    }

    public DnsRecord ToDs(uint? ttl = null, byte digestType = 2) => new(Zone, RrType.DS, RrClass.IN, ttl ?? Ttl, DsRData(digestType));

    /// <summary>CDS (RFC 7344): a DS under type 59.</summary>
    public DnsRecord ToCds(uint? ttl = null, byte digestType = 2) => new(Zone, 59, RrClass.IN, ttl ?? Ttl, DsRData(digestType));

    /// <summary>RFC 4034 Appendix B over DNSKEY RDATA (algorithm 1 is not supported, as we never sign with it).</summary>
    public static ushort ComputeKeyTag(ReadOnlySpan<byte> dnskeyRData)
    {
        uint ac = 0;
        for (var i = 0; i < dnskeyRData.Length; i++) ac += (i & 1) != 0 ? dnskeyRData[i] : (uint)dnskeyRData[i] << 8;
        ac += ac >> 16 & 0xFFFF;
        return (ushort)(ac & 0xFFFF);
    }

    /// <summary>A key that can only verify (no private part), e.g. from a zone's DNSKEY record.</summary>
    public static DnssecKey FromDnskey(string owner, uint ttl, ReadOnlySpan<byte> rdata)
    {
        if (rdata.Length < 5) throw new DnssecKeyException("DNSKEY RDATA too short");
        var alg = rdata[3];
        if (!DnssecAlgorithm.IsSupported(alg)) throw new DnssecKeyException(DnssecAlgorithm.Unsupported(alg));
        var pk = rdata[4..].ToArray();
        return new DnssecKey(Zones.ZoneNames.Fqdn(owner), ttl,
            BinaryPrimitives.ReadUInt16BigEndian(rdata), rdata[2], alg, pk, KeyMaterial.Public(alg, pk), null);
    }

    /// <summary>A new key pair (what dnssec-keygen does), KSK (flags 257) or ZSK (256).</summary>
    public static DnssecKey Generate(string zone, byte algorithm, bool ksk, int rsaBits = 2048, uint ttl = 3600)
    {
        var priv = KeyMaterial.Generate(algorithm, rsaBits);
        return Create(zone, ttl, ksk ? KskFlags : ZskFlags, algorithm, priv);
    }

    internal static DnssecKey Create(string zone, uint ttl, ushort flags, byte algorithm, KeyMaterial priv)
    {
        var pk = priv.PublicKeyBytes();
        return new DnssecKey(zone, ttl, flags, 3, algorithm, pk, KeyMaterial.Public(algorithm, pk), priv);
    }

    /// <summary>Joins a DNSKEY with a private key; the pair is checked by signing and verifying a probe.</summary>
    internal static DnssecKey Pair(string zone, uint ttl, ushort flags, byte protocol, byte algorithm, byte[] publicKey, KeyMaterial priv, string mismatch)
    {
        var pub = KeyMaterial.Public(algorithm, publicKey);
        if (!priv.PublicKeyBytes().AsSpan().SequenceEqual(publicKey)) throw new DnssecKeyException(mismatch);
        ReadOnlySpan<byte> probe = "akka.dns key pair check"u8;
        Span<byte> sig = stackalloc byte[pub.SignatureLength];
        var n = priv.Sign(probe, sig);
        if (!pub.Verify(probe, sig[..n])) throw new DnssecKeyException(mismatch);
        return new DnssecKey(zone, ttl, flags, protocol, algorithm, publicKey, pub, priv);
    }

    internal KeyMaterial? PrivateMaterial => _private;

    /// <summary>
    /// The same key (flags, key tag, private key) with the DNSKEY owned by <paramref name="zone"/>: CoreDNS's sign
    /// plugin sets each key's owner to the zone it signs. It borrows this key's material: disposing it does nothing,
    /// dispose the original.
    /// </summary>
    public DnssecKey WithZone(string zone) =>
        new(Zones.ZoneNames.Fqdn(zone), Ttl, Flags, Protocol, Algorithm, PublicKey, _public, _private) { _borrowed = true };

    public override string ToString() => $"{Zone} DNSKEY {Flags} {Protocol} {Algorithm} (keyid: {KeyTag})";

    public void Dispose()
    {
        if (_borrowed) return;
        _private?.Dispose();
        _public.Dispose();
    }
}

/// <summary>A key file or key pair that cannot be used; the message says which file and why.</summary>
public sealed class DnssecKeyException(string message) : Exception(message);
