using Akka.Dns.Corefile;
using Akka.Dns.Dnssec;
using Akka.Dns.Plugins.Dnssec;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Dnssec;

/// <summary>CoreDNS's TestSetupDnssec, with every error's exact text.</summary>
public sealed class DnssecSetupSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-dnssec-setup-").FullName;
    private readonly string _zsk;
    private readonly string _ksk;
    private readonly ushort _zskTag;

    public DnssecSetupSpec(ITestOutputHelper output) : base(output: output)
    {
        using var zsk = DnssecKey.Generate("cluster.local.", 13, ksk: false);
        using var ksk = DnssecKey.Generate("cluster.local.", 13, ksk: true);
        _zsk = KeyFile.Write(zsk, _dir);
        _ksk = KeyFile.Write(ksk, _dir);
        _zskTag = zsk.KeyTag;
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        Directory.Delete(_dir, recursive: true);
    }

    private DnssecPlugin Dnssec(string corefile) =>
        PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<DnssecPlugin>().Single();

    private CorefileException Error(string corefile) => Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, corefile));

    [Theory]
    [InlineData("example.org {\n dnssec\n}\n", new[] { "example.org." })]
    [InlineData(". {\n dnssec example.org\n}\n", new[] { "example.org." })]
    [InlineData(". {\n dnssec 10.0.0.0/8\n}\n", new[] { "10.in-addr.arpa." })]
    [InlineData("example.org example.net {\n dnssec\n}\n", new[] { "example.org.", "example.net." })]
    public void Dnssec_should_take_its_zones_from_its_arguments_or_the_block(string corefile, string[] zones)
    {
        var p = Dnssec(corefile);
        Assert.Equal(zones, p.Options.Zones);
        Assert.Empty(p.Keys.Keys);
        Assert.Equal(DnssecOptions.DefaultCapacity, p.Options.Capacity);
    }

    [Fact]
    public void Dnssec_should_read_cache_capacity()
    {
        var p = Dnssec(". {\n dnssec example.org {\n  cache_capacity 100\n }\n}\n");
        Assert.Equal(100, p.Options.Capacity);
        Assert.True(p.Cache.Capacity <= 100);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".key")]
    [InlineData(".private")]
    public void Dnssec_should_read_a_key_by_base_name_or_either_file(string suffix)
    {
        var p = Dnssec($"cluster.local {{\n dnssec {{\n  key file {_zsk}{suffix}\n }}\n}}\n");
        var k = Assert.Single(p.Keys.Keys);
        Assert.Equal(_zskTag, k.KeyTag);
        Assert.True(k.HasPrivateKey);
        Assert.False(p.Keys.SplitKeys);
    }

    [Fact]
    public void Dnssec_should_read_relative_key_names_from_root()
    {
        var p = Dnssec($"cluster.local {{\n root {_dir}\n dnssec {{\n  key file {Path.GetFileName(_zsk)}\n }}\n}}\n");
        Assert.Equal(_zskTag, Assert.Single(p.Keys.Keys).KeyTag);
    }

    [Fact]
    public void Dnssec_should_sign_with_a_key_of_a_parent_zone()
    {
        var p = Dnssec($"svc.cluster.local {{\n dnssec {{\n  key file {_zsk}\n }}\n}}\n");
        Assert.Equal(["svc.cluster.local."], p.Options.Zones);
    }

    [Fact]
    public void Dnssec_should_split_keys_when_given_a_ksk_and_a_zsk()
    {
        var split = Dnssec($"cluster.local {{\n dnssec {{\n  key file {_zsk}\n  key file {_ksk}\n }}\n}}\n").Keys;
        Assert.True(split.SplitKeys);
        Assert.Equal(2, split.Keys.Length);
        var one = Dnssec($"cluster.local {{\n dnssec {{\n  key file {_ksk} {_ksk}.key\n }}\n}}\n").Keys;
        Assert.False(one.SplitKeys);
    }

    [Fact]
    public void Dnssec_should_refuse_a_key_that_cannot_sign_its_zones()
    {
        var e = Error($". {{\n dnssec example.org {{\n  key file {_zsk}\n }}\n}}\n");
        Assert.Equal($"Corefile:3 - Error during parsing: plugin/dnssec: key cluster.local. (keyid: {_zskTag}) can not sign any of the zones", e.Message);
    }

    [Fact]
    public void Dnssec_should_refuse_a_missing_key_file_with_gos_open_error()
    {
        var e = Error($"cluster.local {{\n dnssec {{\n  key file {_dir}/Knope.+013+00001\n }}\n}}\n");
        Assert.Equal($"Corefile:3 - Error during parsing: plugin/dnssec: open {_dir}/Knope.+013+00001.key: no such file or directory", e.Message);
    }

    [Fact]
    public void Dnssec_should_refuse_a_private_key_of_another_key()
    {
        System.IO.File.Copy(_zsk + ".key", Path.Combine(_dir, "Kmixed.key"));
        System.IO.File.Copy(_ksk + ".private", Path.Combine(_dir, "Kmixed.private"));
        var e = Error($"cluster.local {{\n dnssec {{\n  key file {_dir}/Kmixed\n }}\n}}\n");
        Assert.Equal($"Corefile:3 - Error during parsing: plugin/dnssec: private key in \"{_dir}/Kmixed.private\" does not match the public key in \"{_dir}/Kmixed.key\"", e.Message);
    }

    [Theory]
    [InlineData("example.org {\n dnssec {\n  key\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: Wrong argument count or unexpected line ending after 'key'")]
    [InlineData("example.org {\n dnssec {\n  key file\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: Wrong argument count or unexpected line ending after 'file'")]
    [InlineData("example.org {\n dnssec {\n  key aws_secretsmanager Kexample.org.+013+45330\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: key aws_secretsmanager is not supported: use key file with the key's .key and .private files")]
    [InlineData("example.org {\n dnssec {\n  key vault secret\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: unknown key source 'vault': use key file")]
    [InlineData("example.org {\n dnssec {\n  cache_capacity\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: Wrong argument count or unexpected line ending after 'cache_capacity'")]
    [InlineData("example.org {\n dnssec {\n  cache_capacity ten\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: strconv.Atoi: parsing \"ten\": invalid syntax")]
    [InlineData("example.org {\n dnssec {\n  giraffe\n }\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: unknown property 'giraffe'")]
    [InlineData("example.org {\n dnssec\n dnssec\n}\n", "Corefile:3 - Error during parsing: plugin/dnssec: this plugin can only be used once per Server Block")]
    public void Dnssec_should_reject_a_bad_directive_with_the_coredns_message(string corefile, string message) =>
        Assert.Equal(message, Error(corefile).Message);

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 1, 7)]
    [InlineData(10, 2, 5)]
    [InlineData(100, 16, 6)]
    [InlineData(10000, 256, 39)]
    [InlineData(0, 1, 1)]
    public void Signature_cache_should_never_hold_more_than_its_capacity(int capacity, int shards, int perShard)
    {
        var c = new SignatureCache(capacity);
        Assert.Equal((shards, perShard), (c.ShardCount, c.ShardCapacity));
        for (ulong k = 0; k < 50_000; k++) c.Add(k * 0x9E3779B97F4A7C15UL, new SignatureEntry([], long.MaxValue));
        Assert.Equal(c.Capacity, c.Count);
        Assert.True(c.Count <= Math.Max(capacity, 1));
    }
}
