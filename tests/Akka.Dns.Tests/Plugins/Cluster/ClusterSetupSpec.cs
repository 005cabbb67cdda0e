using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Cluster;

public sealed class ClusterSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ClusterOptions Options(string corefile) =>
        PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<ClusterPlugin>().Single().Options;

    /// <summary>corefile, zones, ttl, a name that falls through (or null), a name that does not.</summary>
    public static TheoryData<string, string[], uint, string?, string?> Parsed => new()
    {
        { "akka.dns {\n cluster\n}\n", ["akka.dns."], 5, null, "x.akka.dns." },
        { "akka.dns example.org {\n cluster\n}\n", ["akka.dns.", "example.org."], 5, null, "x.example.org." },
        { ". {\n cluster Akka.DNS. other.test\n}\n", ["akka.dns.", "other.test."], 5, null, "x.akka.dns." },
        { "akka.dns {\n cluster {\n  ttl 0\n }\n}\n", ["akka.dns."], 0, null, "x.akka.dns." },
        { "akka.dns {\n cluster {\n  ttl 3600\n }\n}\n", ["akka.dns."], 3600, null, "x.akka.dns." },
        { "akka.dns {\n cluster {\n  fallthrough\n }\n}\n", ["akka.dns."], 5, "x.akka.dns.", null },
        { "akka.dns {\n cluster {\n  ttl 30\n  fallthrough sub.akka.dns\n }\n}\n", ["akka.dns."], 30, "a.sub.akka.dns.", "x.akka.dns." },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Cluster_should_parse_zones_ttl_and_fallthrough(string corefile, string[] zones, uint ttl, string? through, string? notThrough)
    {
        var o = Options(corefile);
        Assert.Equal(zones, o.Zones);
        Assert.Equal(ttl, o.Ttl);
        if (through is not null) Assert.True(o.Fallthrough.Through(through));
        if (notThrough is not null) Assert.False(o.Fallthrough.Through(notThrough));
        Assert.Equal(through is not null, o.Fallthrough.IsSet);
    }

    public static TheoryData<string, string> Errors => new()
    {
        { "akka.dns {\n cluster {\n  ttl\n }\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: Wrong argument count or unexpected line ending after 'ttl'" },
        { "akka.dns {\n cluster {\n  ttl 1 2\n }\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: Wrong argument count or unexpected line ending after '2'" },
        { "akka.dns {\n cluster {\n  ttl five\n }\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: strconv.Atoi: parsing \"five\": invalid syntax" },
        { "akka.dns {\n cluster {\n  ttl 3601\n }\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: ttl must be in range [0, 3600]: 3601" },
        { "akka.dns {\n cluster {\n  ttl -1\n }\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: ttl must be in range [0, 3600]: -1" },
        { "akka.dns {\n cluster {\n  members 3\n }\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: unknown property 'members'" },
        { "akka.dns {\n cluster\n cluster\n}\n", "Corefile:3 - Error during parsing: plugin/cluster: this plugin can only be used once per Server Block" },
    };

    [Theory, MemberData(nameof(Errors))]
    public void Cluster_should_refuse_a_bad_directive_with_its_line(string corefile, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Options(corefile));
        Assert.Equal(message, e.Message);
    }
}
