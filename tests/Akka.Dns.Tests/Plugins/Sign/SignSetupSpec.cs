using Akka.Dns.Corefile;
using Akka.Dns.Dnssec;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Sign;
using Akka.Dns.Server;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Sign;

public sealed class SignSetupSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "akka-dns-sign-setup-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _ksk;
    private readonly string _zsk;

    public SignSetupSpec(ITestOutputHelper output) : base(output: output)
    {
        Directory.CreateDirectory(_dir);
        Directory.CreateDirectory(Path.Combine(_dir, "keys"));
        using var ksk = DnssecKey.Generate("miek.nl.", DnssecAlgorithm.EcdsaP256Sha256, true);
        using var zsk = DnssecKey.Generate("miek.nl.", DnssecAlgorithm.Ed25519, false);
        _ksk = KeyFile.Write(ksk, _dir);
        _zsk = KeyFile.Write(zsk, _dir);
        // A key directory: two keys of example.org (KSK + ZSK), one of example.net, one of another zone.
        foreach (var (zone, isKsk) in new[] { ("example.org.", true), ("example.org.", false), ("example.net.", true), ("other.test.", true) })
        {
            using var k = DnssecKey.Generate(zone, DnssecAlgorithm.EcdsaP256Sha256, isKsk);
            KeyFile.Write(k, Path.Combine(_dir, "keys"));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Directory.Delete(_dir, true);
    }

    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", _dir, PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    private SignPlugin Sign(string corefile) =>
        Assert.IsType<SignPlugin>(Assert.Single(Plan(corefile).Blocks[0].Plugins, p => p is SignPlugin));

    [Fact]
    public void Sign_should_take_the_dbfile_zone_and_key_with_CoreDNSs_defaults()
    {
        var sign = Sign($"miek.nl {{\n sign testdata/db.miek.nl miek.nl {{\n  key file {_ksk}\n }}\n}}\n");
        var s = Assert.Single(sign.Signers);
        Assert.Equal(("miek.nl.", "testdata/db.miek.nl", "/var/lib/coredns", "db.miek.nl.signed"), (s.Origin, s.DbFile, s.Directory, s.SignedFileName));
        Assert.Equal("/var/lib/coredns/db.miek.nl.signed", s.SignedFile);
        var key = Assert.Single(s.Keys);
        Assert.True(key.IsKsk);
        Assert.InRange(s.InceptionJitter, TimeSpan.Zero, TimeSpan.FromHours(18));
        Assert.InRange(s.ExpirationJitter, TimeSpan.Zero, TimeSpan.FromDays(5));
        Assert.False(sign.IsHandler);
    }

    [Fact]
    public void Sign_should_sign_a_zone_given_as_argument_with_the_key_re_owned_and_write_into_directory()
    {
        // setup_test.go: a miek.nl key signing example.org, output into testdata.
        var sign = Sign($". {{\n sign testdata/db.miek.nl example.org {{\n  key file {_ksk}.key\n  directory testdata\n }}\n}}\n");
        var s = Assert.Single(sign.Signers);
        Assert.Equal(("example.org.", "testdata", "db.example.org.signed"), (s.Origin, s.Directory, s.SignedFileName));
        Assert.Equal("example.org.", Assert.Single(s.Keys).Zone);
    }

    [Fact]
    public void Sign_should_resolve_dbfile_keys_and_directory_against_root()
    {
        var sign = Sign($"example.org {{\n root {_dir}\n sign db.example.org {{\n  key file {Path.GetFileName(_ksk)}.private\n  directory out\n }}\n}}\n");
        var s = Assert.Single(sign.Signers);
        Assert.Equal(Path.Combine(_dir, "db.example.org"), s.DbFile);
        Assert.Equal(Path.Combine(_dir, "out"), s.Directory);
    }

    [Fact]
    public void Sign_should_make_one_signer_per_block_zone_when_no_zones_are_given()
    {
        var sign = Sign($"example.org example.net {{\n sign db.example.org {{\n  key file {_ksk}\n }}\n}}\n");
        Assert.Equal(["example.org.", "example.net."], sign.Signers.Select(s => s.Origin));
        Assert.Equal(["db.example.org.signed", "db.example.net.signed"], sign.Signers.Select(s => s.SignedFileName));
    }

    [Fact]
    public void Sign_should_take_a_KSK_and_a_ZSK()
    {
        var sign = Sign($"miek.nl {{\n sign db.miek.nl {{\n  key file {_ksk} {_zsk}\n }}\n}}\n");
        Assert.Equal([true, false], Assert.Single(sign.Signers).Keys.Select(k => k.IsKsk));
    }

    [Fact]
    public void Sign_key_directory_should_give_each_zone_all_of_its_own_keys()
    {
        var sign = Sign(". {\n sign db.example.org example.org example.net {\n  key directory keys\n }\n}\n".Replace("keys", Path.Combine(_dir, "keys")));
        Assert.Equal(2, sign.Signers.Count);
        var org = sign.Signers[0];
        Assert.Equal(2, org.Keys.Count);
        Assert.All(org.Keys, k => Assert.Equal("example.org.", k.Zone));
        Assert.Equal(1, org.Keys.Count(k => k.IsKsk));
        var net = sign.Signers[1];
        Assert.Equal("example.net.", Assert.Single(net.Keys).Zone);
    }

    [Fact]
    public void Sign_should_allow_several_directives_in_a_block()
    {
        var sign = Sign($". {{\n sign db.a example.org {{\n  key file {_ksk}\n }}\n sign db.b example.net {{\n  key file {_ksk}\n }}\n}}\n");
        Assert.Equal(["example.org.", "example.net."], sign.Signers.Select(s => s.Origin));
        Assert.Equal(["db.a", "db.b"], sign.Signers.Select(s => s.DbFile));
    }

    public static TheoryData<string, string> BadCorefiles => new()
    {
        { "example.org {\n sign\n}\n", "Corefile:2 - Error during parsing: plugin/sign: Wrong argument count or unexpected line ending after 'sign'" },
        { "example.org {\n sign db {\n  key file $K\n  directory a b\n }\n}\n", "Corefile:4 - Error during parsing: plugin/sign: can only be one argument after \"directory\"" },
        { "example.org {\n sign db {\n  key file $K\n  directory\n }\n}\n", "Corefile:4 - Error during parsing: plugin/sign: can only be one argument after \"directory\"" },
        { "example.org {\n sign db {\n  key file $K\n  bogus\n }\n}\n", "Corefile:4 - Error during parsing: plugin/sign: unknown property 'bogus'" },
        { "example.org {\n sign db {\n  key\n }\n}\n", "Corefile:3 - Error during parsing: plugin/sign: Wrong argument count or unexpected line ending after 'key'" },
        { "example.org {\n sign db {\n  key file\n }\n}\n", "Corefile:3 - Error during parsing: plugin/sign: Wrong argument count or unexpected line ending after 'file'" },
        { "example.org {\n sign db {\n  key aws KSK\n }\n}\n", "Corefile:3 - Error during parsing: plugin/sign: unknown key source 'aws': want file or directory" },
        { "example.org {\n sign db\n}\n", "Corefile:2 - Error during parsing: plugin/sign: no keys to sign \"example.org.\" with: add 'key file KEY' or 'key directory DIR'" },
        { "example.org {\n sign db {\n  key file $D/Kexample.org.+013+00001\n }\n}\n", "Corefile:3 - Error during parsing: plugin/sign: open $D/Kexample.org.+013+00001.key: no such file or directory" },
        { "example.org {\n sign db {\n  key file $Z\n }\n}\n", "Corefile:4 - Error during parsing: plugin/sign: DNSKEY in \"$Z.key\" is not a CSK/KSK" },
        { "example.org {\n sign db {\n  key directory $D/nope\n }\n}\n", "Corefile:3 - Error during parsing: plugin/sign: open $D/nope: no such file or directory" },
        { "example.com {\n sign db {\n  key directory $D/keys\n }\n}\n", "Corefile:3 - Error during parsing: plugin/sign: no keys for \"example.com.\" in $D/keys: want files named Kexample.com.+<alg>+<id>.key and .private" },
        { "example.org {\n sign \"db\uFFFD\" {\n  key file $K\n }\n}\n", "Corefile:2 - Error during parsing: plugin/sign: dbfile \"db\uFFFD\" contains invalid characters" },
    };

    [Theory, MemberData(nameof(BadCorefiles))]
    public void Sign_should_reject_a_bad_directive_with_CoreDNSs_message(string corefile, string message)
    {
        string Fill(string s) => s.Replace("$Z", _zsk).Replace("$K", _ksk).Replace("$D", _dir);
        var e = Assert.Throws<CorefileException>(() => Plan(Fill(corefile)));
        Assert.Equal(Fill(message), e.Message);
    }
}
