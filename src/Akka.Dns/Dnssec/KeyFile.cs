using System.Globalization;
using System.Text;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;

namespace Akka.Dns.Dnssec;

/// <summary>
/// BIND's key files: <c>K&lt;zone&gt;+&lt;alg&gt;+&lt;tag&gt;.key</c> (the DNSKEY RR, <c>;</c> comments) and <c>.private</c>
/// (Private-key-format v1.2/v1.3). The .private may instead hold a PKCS#8 PEM private key, which is what Knot's
/// <c>keymgr</c> keeps in its key store (<c>keys/&lt;id&gt;.pem</c>), so a keymgr key is used as
/// <c>keymgr ZONE dnskey TAG &gt; K….key</c> plus its PEM as <c>K….private</c>.
/// </summary>
public static class KeyFile
{
    /// <summary>
    /// Reads a key pair. <paramref name="path"/> is the base name, or either file of the pair: as CoreDNS,
    /// "Kexample.org.+013+12345", "….key" and "….private" all name the same pair.
    /// </summary>
    public static DnssecKey Read(string path)
    {
        var b = BaseName(path);
        var pub = b + ".key";
        var priv = b + ".private";
        return Parse(ReadText(pub), ReadText(priv), pub, priv);
    }

    /// <summary>Only the .key file: a key that verifies but cannot sign.</summary>
    public static DnssecKey ReadPublic(string path)
    {
        var pub = BaseName(path) + ".key";
        var (owner, ttl, rdata) = ParseDnskey(ReadText(pub), pub);
        return DnssecKey.FromDnskey(owner, ttl, rdata);
    }

    /// <summary>"Kx.+013+1.key" → "Kx.+013+1"; CoreDNS's keyParse trims ".key" and ".private".</summary>
    public static string BaseName(string path) =>
        path.EndsWith(".key", StringComparison.Ordinal) ? path[..^4]
        : path.EndsWith(".private", StringComparison.Ordinal) ? path[..^8]
        : path;

    /// <summary>Parses a pair from the texts of the .key and .private files (names are for messages).</summary>
    public static DnssecKey Parse(string publicText, string privateText, string publicName = "public key", string privateName = "private key")
    {
        var (owner, ttl, rdata) = ParseDnskey(publicText, publicName);
        var flags = (ushort)(rdata[0] << 8 | rdata[1]);
        var protocol = rdata[2];
        var alg = rdata[3];
        var pk = rdata[4..];
        if ((flags & DnssecKey.ZoneKeyFlag) == 0) throw new DnssecKeyException($"DNSKEY in \"{publicName}\" is not a zone key: flags {flags}");
        if (protocol != 3) throw new DnssecKeyException($"DNSKEY in \"{publicName}\" has protocol {protocol}, not 3");
        if (!DnssecAlgorithm.IsSupported(alg)) throw new DnssecKeyException($"{DnssecAlgorithm.Unsupported(alg)}: \"{publicName}\"");
        var mismatch = $"private key in \"{privateName}\" does not match the public key in \"{publicName}\"";
        var material = privateText.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal)
            ? ParsePem(privateText, privateName, alg)
            : ParsePrivate(privateText, privateName, alg, pk, mismatch);
        try
        {
            return DnssecKey.Pair(owner, ttl, flags, protocol, alg, pk, material, mismatch);
        }
        catch (DnssecKeyException)
        {
            material.Dispose();
            throw;
        }
    }

    /// <summary>A file's text; a missing or unreadable file is a <see cref="DnssecKeyException"/> in Go's wording ("open PATH: no such file or directory").</summary>
    internal static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new DnssecKeyException($"open {path}: no such file or directory");
        }
        catch (DirectoryNotFoundException)
        {
            throw new DnssecKeyException($"open {path}: no such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw new DnssecKeyException($"open {path}: permission denied");
        }
    }

    /// <summary>The one RR of a .key file; a missing TTL reads as 3600 (miekg/dns's default, what CoreDNS gets).</summary>
    private static (string Owner, uint Ttl, byte[] RData) ParseDnskey(string text, string name)
    {
        IReadOnlyList<DnsRecord> rrs;
        try
        {
            rrs = MasterFile.Parse("$TTL 3600\n" + text, ".", name);
        }
        catch (MasterFileException e)
        {
            throw new DnssecKeyException($"bad public key in \"{name}\": {e.Message}");
        }
        if (rrs.Count == 0) throw new DnssecKeyException($"no public key found in \"{name}\"");
        var rr = rrs[0];
        // CoreDNS (plugin/sign keys.go): "RR in %q is not a DNSKEY: %d".
        if (rr.Type != RrType.DNSKEY) throw new DnssecKeyException($"RR in \"{name}\" is not a DNSKEY: {rr.Type}");
        if (rrs.Count > 1) throw new DnssecKeyException($"more than one RR in \"{name}\"");
        if (rr.RData.Length < 5) throw new DnssecKeyException($"bad public key in \"{name}\": empty key");
        return (rr.Name, rr.Ttl, rr.RData);
    }

    private static KeyMaterial ParsePrivate(string text, string name, byte alg, byte[] publicKey, string mismatch)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == ';') continue;
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new DnssecKeyException($"bad private key in \"{name}\": line '{line}' is not 'Field: value'");
            fields[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        if (!fields.TryGetValue("Private-key-format", out var fmt) || !fmt.StartsWith("v1.", StringComparison.Ordinal))
            throw new DnssecKeyException($"bad private key in \"{name}\": not Private-key-format v1.x");
        if (!fields.TryGetValue("Algorithm", out var algText))
            throw new DnssecKeyException($"bad private key in \"{name}\": no Algorithm");
        var algNumber = algText.Split(' ', 2)[0];
        if (!byte.TryParse(algNumber, NumberStyles.None, CultureInfo.InvariantCulture, out var palg))
            throw new DnssecKeyException($"bad private key in \"{name}\": Algorithm '{algText}'");
        if (palg != alg)
            throw new DnssecKeyException($"algorithm {palg} ({DnssecAlgorithm.Name(palg)}) in \"{name}\" does not match algorithm {alg} ({DnssecAlgorithm.Name(alg)}) of its public key");

        byte[] F(string f)
        {
            if (!fields.TryGetValue(f, out var v)) throw new DnssecKeyException($"bad private key in \"{name}\": no {f}");
            try
            {
                return Convert.FromBase64String(v);
            }
            catch (FormatException)
            {
                throw new DnssecKeyException($"bad private key in \"{name}\": {f} is not base64");
            }
        }

        try
        {
            return alg switch
            {
                DnssecAlgorithm.RsaSha256 => RsaMaterial.FromFields(F("Modulus"), F("PublicExponent"), F("PrivateExponent"),
                    F("Prime1"), F("Prime2"), F("Exponent1"), F("Exponent2"), F("Coefficient")),
                DnssecAlgorithm.EcdsaP256Sha256 => EcdsaMaterial.FromScalar(F("PrivateKey"), publicKey),
                _ => Ed25519Material.FromSeed(F("PrivateKey")),
            };
        }
        catch (System.Security.Cryptography.CryptographicException) when (alg == DnssecAlgorithm.EcdsaP256Sha256)
        {
            // OpenSSL refuses a scalar that is not the DNSKEY's point's: the pair does not match.
            throw new DnssecKeyException(mismatch);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new DnssecKeyException($"bad private key in \"{name}\": {e.Message}");
        }
    }

    private static KeyMaterial ParsePem(string text, string name, byte alg)
    {
        object o;
        try
        {
            o = new PemReader(new StringReader(text)).ReadObject();
        }
        catch (Exception e) when (e is IOException or PemException or ArgumentException or InvalidCastException)
        {
            throw new DnssecKeyException($"bad private key in \"{name}\": {e.Message}");
        }
        if (o is Org.BouncyCastle.Crypto.AsymmetricCipherKeyPair pair) o = pair.Private;
        try
        {
            switch (o)
            {
                case RsaPrivateCrtKeyParameters r when alg == DnssecAlgorithm.RsaSha256:
                    return RsaMaterial.FromFields(r.Modulus.ToByteArrayUnsigned(), r.PublicExponent.ToByteArrayUnsigned(),
                        r.Exponent.ToByteArrayUnsigned(), r.P.ToByteArrayUnsigned(), r.Q.ToByteArrayUnsigned(),
                        r.DP.ToByteArrayUnsigned(), r.DQ.ToByteArrayUnsigned(), r.QInv.ToByteArrayUnsigned());
                case ECPrivateKeyParameters ec when alg == DnssecAlgorithm.EcdsaP256Sha256:
                {
                    var q = ec.Parameters.G.Multiply(ec.D).Normalize();
                    var pk = new byte[64];
                    KeyMaterial.PadLeft(q.AffineXCoord.ToBigInteger().ToByteArrayUnsigned(), 32).CopyTo(pk, 0);
                    KeyMaterial.PadLeft(q.AffineYCoord.ToBigInteger().ToByteArrayUnsigned(), 32).CopyTo(pk, 32);
                    return EcdsaMaterial.FromScalar(ec.D.ToByteArrayUnsigned(), pk);
                }
                case Ed25519PrivateKeyParameters ed when alg == DnssecAlgorithm.Ed25519:
                    return Ed25519Material.FromBouncyCastle(ed);
                case null:
                    throw new DnssecKeyException($"bad private key in \"{name}\": no PEM private key");
                default:
                    throw new DnssecKeyException($"PEM private key in \"{name}\" is not a key of algorithm {alg} ({DnssecAlgorithm.Name(alg)})");
            }
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new DnssecKeyException($"bad private key in \"{name}\": {e.Message}");
        }
    }

    /// <summary>"Kexample.org.+013+05678" (BIND's name: tag zero-padded to five digits).</summary>
    public static string FileBase(DnssecKey key) =>
        $"K{DnsName.Normalize(key.Zone)}+{key.Algorithm:D3}+{key.KeyTag:D5}";

    /// <summary>The .key text as dnssec-keygen writes it: comment lines, then the DNSKEY RR.</summary>
    public static string PublicText(DnssecKey key, DateTime? created = null)
    {
        var c = (created ?? DateTime.UtcNow).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var kind = key.IsKsk ? "key-signing" : "zone-signing";
        var sb = new StringBuilder();
        sb.Append("; This is a ").Append(kind).Append(" key, keyid ").Append(key.KeyTag).Append(", for ").Append(key.Zone).Append('\n');
        sb.Append("; Created: ").Append(c).Append('\n');
        sb.Append(key.Zone).Append(' ').Append(key.Ttl).Append(" IN DNSKEY ").Append(key.Flags).Append(' ').Append(key.Protocol)
            .Append(' ').Append(key.Algorithm).Append(' ').Append(Convert.ToBase64String(key.PublicKey)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The .private text, Private-key-format v1.3.</summary>
    public static string PrivateText(DnssecKey key, DateTime? created = null)
    {
        var m = key.PrivateMaterial ?? throw new InvalidOperationException($"key {key.Zone} (keyid: {key.KeyTag}) has no private key");
        var c = (created ?? DateTime.UtcNow).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("Private-key-format: v1.3\n");
        sb.Append("Algorithm: ").Append(key.Algorithm).Append(" (").Append(DnssecAlgorithm.Name(key.Algorithm)).Append(")\n");
        foreach (var (f, v) in m.PrivateFields()) sb.Append(f).Append(": ").Append(Convert.ToBase64String(v)).Append('\n');
        sb.Append("Created: ").Append(c).Append('\n');
        sb.Append("Publish: ").Append(c).Append('\n');
        sb.Append("Activate: ").Append(c).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes both files into <paramref name="directory"/> (the .private mode 0600); returns the base path.</summary>
    public static string Write(DnssecKey key, string directory)
    {
        var b = Path.Combine(directory, FileBase(key));
        File.WriteAllText(b + ".key", PublicText(key));
        var priv = b + ".private";
        File.WriteAllText(priv, PrivateText(key));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(priv, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return b;
    }

    /// <summary>
    /// CoreDNS's dnssec setup check: every key's owner must be one of (or, as CoreDNS's plugin.Name.Matches, a
    /// parent of) the zones. Message: "key example.org. (keyid: 12345) can not sign any of the zones".
    /// </summary>
    public static void CheckZones(IEnumerable<DnssecKey> keys, IReadOnlyList<string> zones)
    {
        foreach (var k in keys)
        {
            var ok = false;
            foreach (var z in zones)
            {
                if (DnsName.IsSubdomain(z, k.Zone)) ok = true;
            }
            if (!ok) throw new DnssecKeyException($"key {DnsName.Normalize(k.Zone)} (keyid: {k.KeyTag}) can not sign any of the zones");
        }
    }
}
