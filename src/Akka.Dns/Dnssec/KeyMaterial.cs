using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Akka.Dns.Dnssec;

/// <summary>The cryptography behind a <see cref="DnssecKey"/>: one subclass per algorithm family.</summary>
internal abstract class KeyMaterial : IDisposable
{
    public abstract int SignatureLength { get; }
    public abstract int Sign(ReadOnlySpan<byte> data, Span<byte> signature);
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
    /// <summary>The DNSKEY public key field this key has (RFC 3110, RFC 6605, RFC 8080).</summary>
    public abstract byte[] PublicKeyBytes();
    /// <summary>BIND Private-key-format v1.3 fields after "Algorithm:", in BIND's order.</summary>
    public abstract IEnumerable<(string Field, byte[] Value)> PrivateFields();
    public virtual void Dispose() { }

    public static KeyMaterial Generate(byte algorithm, int rsaBits) => algorithm switch
    {
        DnssecAlgorithm.RsaSha256 => new RsaMaterial(RSA.Create(rsaBits), true),
        DnssecAlgorithm.EcdsaP256Sha256 => new EcdsaMaterial(ECDsa.Create(ECCurve.NamedCurves.nistP256), true),
        DnssecAlgorithm.Ed25519 => Ed25519Material.FromSeed(RandomNumberGenerator.GetBytes(32)),
        _ => throw new DnssecKeyException(DnssecAlgorithm.Unsupported(algorithm)),
    };

    /// <summary>A verify-only key from a DNSKEY public key field.</summary>
    public static KeyMaterial Public(byte algorithm, byte[] pk)
    {
        switch (algorithm)
        {
            case DnssecAlgorithm.RsaSha256:
            {
                // RFC 3110 §2: exponent length in one octet, or 0 and two octets; exponent; modulus.
                if (pk.Length < 3) throw new DnssecKeyException("RSA public key too short");
                int off = 1, elen = pk[0];
                if (elen == 0)
                {
                    elen = pk[1] << 8 | pk[2];
                    off = 3;
                }
                if (elen == 0 || off + elen >= pk.Length) throw new DnssecKeyException("RSA public key malformed");
                var rsa = RSA.Create();
                rsa.ImportParameters(new RSAParameters { Exponent = pk[off..(off + elen)], Modulus = pk[(off + elen)..] });
                return new RsaMaterial(rsa, false);
            }
            case DnssecAlgorithm.EcdsaP256Sha256:
            {
                if (pk.Length != 64) throw new DnssecKeyException($"ECDSAP256SHA256 public key must be 64 octets, got {pk.Length}");
                var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = pk[..32], Y = pk[32..] } });
                return new EcdsaMaterial(ec, false);
            }
            case DnssecAlgorithm.Ed25519:
                if (pk.Length != 32) throw new DnssecKeyException($"ED25519 public key must be 32 octets, got {pk.Length}");
                return new Ed25519Material(null, pk);
            default:
                throw new DnssecKeyException(DnssecAlgorithm.Unsupported(algorithm));
        }
    }

    internal static byte[] Unsigned(byte[] big)
    {
        var i = 0;
        while (i < big.Length - 1 && big[i] == 0) i++;
        return i == 0 ? big : big[i..];
    }

    internal static byte[] PadLeft(byte[] v, int length)
    {
        if (v.Length == length) return v;
        if (v.Length > length)
        {
            var s = Unsigned(v);
            if (s.Length > length) throw new DnssecKeyException("RSA private key field longer than the modulus allows");
            v = s;
            if (v.Length == length) return v;
        }
        var r = new byte[length];
        v.CopyTo(r, length - v.Length);
        return r;
    }
}

internal sealed class RsaMaterial(RSA rsa, bool hasPrivate) : KeyMaterial
{
    public RSA Rsa { get; } = rsa;
    public bool HasPrivate { get; } = hasPrivate;
    public override int SignatureLength => (Rsa.KeySize + 7) / 8;

    public override int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        if (!Rsa.TrySignData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out var n))
            throw new ArgumentException("signature buffer too small", nameof(signature));
        return n;
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        Rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public override byte[] PublicKeyBytes()
    {
        var p = Rsa.ExportParameters(false);
        var e = Unsigned(p.Exponent!);
        var m = Unsigned(p.Modulus!);
        var head = e.Length <= 255 ? 1 : 3;
        var pk = new byte[head + e.Length + m.Length];
        if (head == 1) pk[0] = (byte)e.Length;
        else
        {
            pk[1] = (byte)(e.Length >> 8);
            pk[2] = (byte)e.Length;
        }
        e.CopyTo(pk, head);
        m.CopyTo(pk, head + e.Length);
        return pk;
    }

    public override IEnumerable<(string, byte[])> PrivateFields()
    {
        var p = Rsa.ExportParameters(true);
        yield return ("Modulus", Unsigned(p.Modulus!));
        yield return ("PublicExponent", Unsigned(p.Exponent!));
        yield return ("PrivateExponent", Unsigned(p.D!));
        yield return ("Prime1", Unsigned(p.P!));
        yield return ("Prime2", Unsigned(p.Q!));
        yield return ("Exponent1", Unsigned(p.DP!));
        yield return ("Exponent2", Unsigned(p.DQ!));
        yield return ("Coefficient", Unsigned(p.InverseQ!));
    }

    /// <summary>From BIND's fields; .NET wants D as long as the modulus and the CRT fields half as long.</summary>
    public static RsaMaterial FromFields(byte[] n, byte[] e, byte[] d, byte[] p, byte[] q, byte[] dp, byte[] dq, byte[] qi)
    {
        n = Unsigned(n);
        var half = (n.Length + 1) / 2;
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = n, Exponent = Unsigned(e), D = PadLeft(d, n.Length), P = PadLeft(p, half), Q = PadLeft(q, half),
            DP = PadLeft(dp, half), DQ = PadLeft(dq, half), InverseQ = PadLeft(qi, half),
        });
        return new RsaMaterial(rsa, true);
    }

    public override void Dispose() => Rsa.Dispose();
}

internal sealed class EcdsaMaterial(ECDsa ec, bool hasPrivate) : KeyMaterial
{
    public ECDsa Ec { get; } = ec;
    public bool HasPrivate { get; } = hasPrivate;
    public override int SignatureLength => 64;

    public override int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        // r || s, each left-padded to 32 octets (RFC 6605 §4): IEEE P1363 is exactly that.
        if (!Ec.TrySignData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var n))
            throw new ArgumentException("signature buffer too small", nameof(signature));
        return n;
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == 64 && Ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public override byte[] PublicKeyBytes()
    {
        var p = Ec.ExportParameters(false);
        var pk = new byte[64];
        PadLeft(p.Q.X!, 32).CopyTo(pk, 0);
        PadLeft(p.Q.Y!, 32).CopyTo(pk, 32);
        return pk;
    }

    public override IEnumerable<(string, byte[])> PrivateFields()
    {
        yield return ("PrivateKey", PadLeft(Ec.ExportParameters(true).D!, 32));
    }

    /// <summary>BIND stores only the private scalar; the public point comes from the DNSKEY.</summary>
    public static EcdsaMaterial FromScalar(byte[] d, byte[] publicKey)
    {
        if (publicKey.Length != 64) throw new DnssecKeyException($"ECDSAP256SHA256 public key must be 64 octets, got {publicKey.Length}");
        var ec = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = PadLeft(d, 32),
            Q = new ECPoint { X = publicKey[..32], Y = publicKey[32..] },
        });
        return new EcdsaMaterial(ec, true);
    }

    public override void Dispose() => Ec.Dispose();
}

/// <summary>Ed25519 through BouncyCastle's RFC 8032 code (span overloads: no allocation per signature).</summary>
internal sealed class Ed25519Material(byte[]? seed, byte[] publicKey) : KeyMaterial
{
    private readonly byte[]? _seed = seed;
    private readonly byte[] _public = publicKey;

    public override int SignatureLength => 64;

    public static Ed25519Material FromSeed(byte[] seed)
    {
        if (seed.Length != 32) throw new DnssecKeyException($"ED25519 private key must be 32 octets, got {seed.Length}");
        var pk = new byte[32];
        BcEd25519.GeneratePublicKey(seed, pk);
        return new Ed25519Material(seed, pk);
    }

    public static Ed25519Material FromBouncyCastle(Ed25519PrivateKeyParameters p) => FromSeed(p.GetEncoded());

    public override int Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        if (_seed is null) throw new InvalidOperationException("no private key");
        // The span overload with the public key; (sk, byte[] ctx, m, sig) would be Ed25519ctx, not what RFC 8080 uses.
        BcEd25519.Sign((ReadOnlySpan<byte>)_seed, (ReadOnlySpan<byte>)_public, data, signature[..64]);
        return 64;
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == 64 && BcEd25519.Verify(signature, (ReadOnlySpan<byte>)_public, data);

    public override byte[] PublicKeyBytes() => (byte[])_public.Clone();

    public override IEnumerable<(string, byte[])> PrivateFields()
    {
        yield return ("PrivateKey", _seed ?? throw new InvalidOperationException("no private key"));
    }
}
