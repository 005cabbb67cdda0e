using System.Text.RegularExpressions;
using Akka.Dns.Dnssec;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Dnssec;

public sealed class KeyFileSpec : IDisposable
{
    private readonly string _dir = DnssecTools.TempDir();

    public void Dispose() => Directory.Delete(_dir, true);

    public static TheoryData<string, bool> BindAlgorithms => new()
    {
        { "RSASHA256", true }, { "RSASHA256", false },
        { "ECDSAP256SHA256", true }, { "ECDSAP256SHA256", false },
        { "ED25519", true }, { "ED25519", false },
    };

    private string Keygen(string alg, bool ksk, string zone = "example.org")
    {
        var args = $"-q -K {_dir} -a {alg} {(alg == "RSASHA256" ? "-b 2048 " : "")}{(ksk ? "-f KSK " : "")}{zone}";
        return Path.Combine(_dir, DnssecTools.Ok("dnssec-keygen", args).Trim());
    }

    [ToolTheory("dnssec-keygen", "dnssec-dsfromkey"), MemberData(nameof(BindAlgorithms))]
    public void KeyFile_should_load_dnssec_keygen_keys_with_BINDs_key_tag_flags_and_DS(string alg, bool ksk)
    {
        var b = Keygen(alg, ksk);
        using var key = KeyFile.Read(b + ".key");
        var tag = int.Parse(Regex.Match(Path.GetFileName(b), @"\+(\d{5})$").Groups[1].Value);
        Assert.Equal(tag, key.KeyTag);
        Assert.Equal("example.org.", key.Zone);
        Assert.Equal(ksk, key.IsKsk);
        Assert.Equal(!ksk, key.IsZsk);
        Assert.Equal(ksk ? 257 : 256, key.Flags);
        Assert.Equal(alg, DnssecAlgorithm.Name(key.Algorithm));
        Assert.True(key.HasPrivateKey);

        // DS (SHA-256) equals dnssec-dsfromkey's.
        var ds = DnssecTools.Ok("dnssec-dsfromkey", $"-2 {b}.key").Trim();
        var fields = ds.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var mine = key.DsRData();
        Assert.Equal($"{key.KeyTag} {key.Algorithm} 2 {Convert.ToHexString(mine.AsSpan(4))}",
            $"{fields[^4]} {fields[^3]} {fields[^2]} {fields[^1].ToUpperInvariant()}");

        // And it signs: a signature verifies with the public half only.
        using var pub = KeyFile.ReadPublic(b);
        Span<byte> sig = stackalloc byte[key.MaxSignatureLength];
        var n = key.Sign("data"u8, sig);
        Assert.True(pub.Verify("data"u8, sig[..n]));
        Assert.False(pub.Verify("Data"u8, sig[..n]));
    }

    public static TheoryData<string, bool> KnotAlgorithms => new()
    {
        { "rsasha256", true }, { "ecdsap256sha256", true }, { "ecdsap256sha256", false }, { "ed25519", false }, { "ed25519", true },
    };

    [ToolTheory("keymgr", "dnssec-dsfromkey"), MemberData(nameof(KnotAlgorithms))]
    public void KeyFile_should_load_a_keymgr_key_from_its_dnskey_and_pem(string alg, bool ksk)
    {
        var kasp = Path.Combine(_dir, "kasp");
        Directory.CreateDirectory(kasp);
        var id = DnssecTools.Ok("keymgr", $"-D {kasp} example.org. generate algorithm={alg} ksk={(ksk ? "yes" : "no")}{(alg == "rsasha256" ? " size=2048" : "")}").Trim();
        var list = DnssecTools.Ok("keymgr", $"-D {kasp} example.org. list");
        var tag = int.Parse(Regex.Match(list, id + @"\s+(\d+)").Groups[1].Value);
        var dnskey = DnssecTools.Ok("keymgr", $"-D {kasp} example.org. dnskey {tag}");
        var b = Path.Combine(_dir, $"Kexample.org.+{(alg == "rsasha256" ? 8 : alg == "ed25519" ? 15 : 13):D3}+{tag:D5}");
        File.WriteAllText(b + ".key", dnskey);
        File.Copy(Path.Combine(kasp, "keys", id + ".pem"), b + ".private");

        using var key = KeyFile.Read(b);
        Assert.Equal(tag, key.KeyTag);
        Assert.Equal(ksk, key.IsKsk);
        var ds = DnssecTools.Ok("keymgr", $"-D {kasp} example.org. ds {tag}").Split('\n')
            .First(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, "DS", _, _, "2", _]);
        Assert.EndsWith(Convert.ToHexString(key.DsRData().AsSpan(4)).ToLowerInvariant(), ds.Trim());

        // Written back in BIND's format, BIND reads it and computes the same DS.
        var written = KeyFile.Write(key, _dir + "/");
        Assert.Contains(Convert.ToHexString(key.DsRData().AsSpan(4)), DnssecTools.Ok("dnssec-dsfromkey", $"-2 {written}.key").ToUpperInvariant());
    }

    [Theory]
    [InlineData(DnssecAlgorithm.RsaSha256)]
    [InlineData(DnssecAlgorithm.EcdsaP256Sha256)]
    [InlineData(DnssecAlgorithm.Ed25519)]
    public void KeyFile_should_round_trip_a_generated_key_through_write_and_read(byte alg)
    {
        using var key = DnssecKey.Generate("Example.ORG.", alg, ksk: alg != DnssecAlgorithm.Ed25519);
        var b = KeyFile.Write(key, _dir);
        Assert.Equal(KeyFile.FileBase(key), Path.GetFileName(b));
        Assert.Matches(@"^Kexample\.org\.\+0(08|13|15)\+\d{5}$", Path.GetFileName(b));
        using var back = KeyFile.Read(b + ".private");
        Assert.Equal(key.DnskeyRData, back.DnskeyRData);
        Assert.Equal(key.KeyTag, back.KeyTag);
        Assert.Equal(KeyFile.PrivateText(key, DateTime.UnixEpoch), KeyFile.PrivateText(back, DateTime.UnixEpoch));
        Span<byte> sig = stackalloc byte[back.MaxSignatureLength];
        var n = back.Sign("x"u8, sig);
        Assert.True(key.Verify("x"u8, sig[..n]));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(b + ".private"));
        if (DnssecTools.Has("dnssec-dsfromkey"))
        {
            // BIND's tools read what we wrote and agree on the key tag.
            Assert.Contains($" DS {key.KeyTag} {alg} 2 ", DnssecTools.Ok("dnssec-dsfromkey", $"-2 {b}.key"));
        }
    }

    [Fact]
    public void KeyFile_should_compute_the_key_tag_and_DS_of_RFC_4034s_example()
    {
        // RFC 4034 §5.4: dskey.example.com. DNSKEY 256 3 5 ... has key tag 60485 and this SHA-1 DS.
        const string b64 = "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
        var pk = Convert.FromBase64String(b64);
        var rdata = new byte[4 + pk.Length];
        rdata[0] = 1; rdata[2] = 3; rdata[3] = 5;
        pk.CopyTo(rdata, 4);
        Assert.Equal(60485, DnssecKey.ComputeKeyTag(rdata));
    }

    [Fact]
    public void KeyFile_should_say_which_file_is_missing()
    {
        using var key = DnssecKey.Generate("example.org.", DnssecAlgorithm.EcdsaP256Sha256, true);
        var b = KeyFile.Write(key, _dir);
        File.Delete(b + ".private");
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.Read(b));
        Assert.Equal($"open {b}.private: no such file or directory", e.Message);
        e = Assert.Throws<DnssecKeyException>(() => KeyFile.Read(Path.Combine(_dir, "Knope.+013+00001.key")));
        Assert.Equal($"open {_dir}/Knope.+013+00001.key: no such file or directory", e.Message);
    }

    [Theory]
    [InlineData(DnssecAlgorithm.RsaSha256)]
    [InlineData(DnssecAlgorithm.EcdsaP256Sha256)]
    [InlineData(DnssecAlgorithm.Ed25519)]
    public void KeyFile_should_refuse_a_private_key_of_another_pair(byte alg)
    {
        using var a = DnssecKey.Generate("example.org.", alg, true);
        using var b = DnssecKey.Generate("example.org.", alg, true);
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse(KeyFile.PublicText(a), KeyFile.PrivateText(b), "A.key", "B.private"));
        Assert.Equal("private key in \"B.private\" does not match the public key in \"A.key\"", e.Message);
    }

    [Fact]
    public void KeyFile_should_refuse_a_private_key_of_another_algorithm()
    {
        using var a = DnssecKey.Generate("example.org.", DnssecAlgorithm.EcdsaP256Sha256, true);
        using var b = DnssecKey.Generate("example.org.", DnssecAlgorithm.Ed25519, true);
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse(KeyFile.PublicText(a), KeyFile.PrivateText(b), "A.key", "B.private"));
        Assert.Equal("algorithm 15 (ED25519) in \"B.private\" does not match algorithm 13 (ECDSAP256SHA256) of its public key", e.Message);
    }

    [Fact]
    public void KeyFile_should_refuse_an_unsupported_algorithm()
    {
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse(
            "example.org. IN DNSKEY 257 3 5 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=",
            "Private-key-format: v1.3\nAlgorithm: 5 (RSASHA1)\n", "K.key", "K.private"));
        Assert.Equal("unsupported algorithm 5 (RSASHA1): supported are 8 (RSASHA256), 13 (ECDSAP256SHA256) and 15 (ED25519): \"K.key\"", e.Message);
    }

    [Fact]
    public void KeyFile_should_refuse_a_key_file_without_a_DNSKEY()
    {
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse("; nothing\nexample.org. 3600 IN A 192.0.2.1\n", "", "K.key", "K.private"));
        Assert.Equal("RR in \"K.key\" is not a DNSKEY: 1", e.Message);
        e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse("example.org. IN DNSKEY 0 3 15 lyt3yvMgkCUf3WdU1TrsMP9NIyNzAoCOcvaPxKdpPl0=", "", "K.key", "K.private"));
        Assert.Equal("DNSKEY in \"K.key\" is not a zone key: flags 0", e.Message);
        e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse("; only a comment\n", "", "K.key", "K.private"));
        Assert.Equal("no public key found in \"K.key\"", e.Message);
    }

    [Fact]
    public void KeyFile_should_refuse_a_private_file_that_is_not_a_BIND_private_key()
    {
        using var a = DnssecKey.Generate("example.org.", DnssecAlgorithm.Ed25519, true);
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse(KeyFile.PublicText(a), "Algorithm: 15 (ED25519)\nPrivateKey: AAAA\n", "K.key", "K.private"));
        Assert.Equal("bad private key in \"K.private\": not Private-key-format v1.x", e.Message);
        e = Assert.Throws<DnssecKeyException>(() => KeyFile.Parse(KeyFile.PublicText(a), "Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\n", "K.key", "K.private"));
        Assert.Equal("bad private key in \"K.private\": no PrivateKey", e.Message);
    }

    [Fact]
    public void KeyFile_should_refuse_a_key_that_can_not_sign_any_of_the_zones_in_CoreDNSs_words()
    {
        using var a = DnssecKey.Generate("example.org.", DnssecAlgorithm.Ed25519, true);
        KeyFile.CheckZones([a], ["example.org.", "example.net."]);
        KeyFile.CheckZones([a], ["sub.example.org."]);
        var e = Assert.Throws<DnssecKeyException>(() => KeyFile.CheckZones([a], ["example.net."]));
        Assert.Equal($"key example.org. (keyid: {a.KeyTag}) can not sign any of the zones", e.Message);
    }

    [Fact]
    public void KeyFile_should_take_the_ttl_from_the_key_file_or_3600()
    {
        using var a = DnssecKey.Generate("example.org.", DnssecAlgorithm.Ed25519, true, ttl: 300);
        var text = KeyFile.PublicText(a);
        Assert.Contains("example.org. 300 IN DNSKEY 257 3 15 ", text);
        using var back = KeyFile.Parse(text, KeyFile.PrivateText(a));
        Assert.Equal(300u, back.Ttl);
        using var noTtl = KeyFile.Parse(text.Replace(" 300 IN ", " IN "), KeyFile.PrivateText(a));
        Assert.Equal(3600u, noTtl.Ttl);
        Assert.Equal(RrType.DNSKEY, noTtl.ToDnskey().Type);
    }
}
