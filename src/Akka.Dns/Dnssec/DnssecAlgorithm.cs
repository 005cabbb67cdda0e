namespace Akka.Dns.Dnssec;

/// <summary>The DNSSEC algorithm numbers we sign with (IANA "DNS Security Algorithm Numbers").</summary>
public static class DnssecAlgorithm
{
    public const byte RsaSha256 = 8, EcdsaP256Sha256 = 13, Ed25519 = 15;

    public static bool IsSupported(byte algorithm) => algorithm is RsaSha256 or EcdsaP256Sha256 or Ed25519;

    /// <summary>BIND's mnemonic (the one in a .private file's "Algorithm: 13 (ECDSAP256SHA256)").</summary>
    public static string Name(byte algorithm) => algorithm switch
    {
        1 => "RSAMD5",
        3 => "DSA",
        5 => "RSASHA1",
        6 => "NSEC3DSA",
        7 => "NSEC3RSASHA1",
        RsaSha256 => "RSASHA256",
        10 => "RSASHA512",
        12 => "ECCGOST",
        EcdsaP256Sha256 => "ECDSAP256SHA256",
        14 => "ECDSAP384SHA384",
        Ed25519 => "ED25519",
        16 => "ED448",
        _ => algorithm.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>"unsupported algorithm 5 (RSASHA1)": CoreDNS's sign plugin says "unsupported algorithm"; we add which.</summary>
    internal static string Unsupported(byte algorithm) =>
        $"unsupported algorithm {algorithm} ({Name(algorithm)}): supported are 8 (RSASHA256), 13 (ECDSAP256SHA256) and 15 (ED25519)";
}
