using Akka.Dns.Corefile;
using Akka.Dns.Plugins.K8sExternal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.K8sExternal;

/// <summary>The <c>k8s_external</c> directive read as CoreDNS's parse (setup_test.go's cases, and its error texts).</summary>
public sealed class K8sExternalSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private K8sExternalOptions Options(string corefile) =>
        PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<K8sExternalPlugin>().Single().Options;

    /// <summary>k8s_external on line 3, its properties from line 4.</summary>
    private static string Block(string directive, string properties = "") => properties.Length == 0
        ? $". {{\n kubernetes cluster.local\n {directive}\n}}\n"
        : $". {{\n kubernetes cluster.local\n {directive} {{\n  {properties}\n }}\n}}\n";

    private string Error(string corefile) => Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, corefile)).Message;

    public static TheoryData<string, string, string[], string, uint, bool, string?> Valid() => new()
    {
        // directive, properties, zones, apex, ttl, headless, a name that falls through (null: none)
        { "k8s_external", "", ["."], "dns", 5u, false, null },
        { "k8s_external example.org", "", ["example.org."], "dns", 5u, false, null },
        { "k8s_external example.org Example.COM.", "", ["example.org.", "example.com."], "dns", 5u, false, null },
        { "k8s_external example.org", "apex testdns", ["example.org."], "testdns", 5u, false, null },
        { "k8s_external example.org", "headless", ["example.org."], "dns", 5u, true, null },
        { "k8s_external example.org", "ttl 3600", ["example.org."], "dns", 3600u, false, null },
        { "k8s_external example.org", "ttl 0", ["example.org."], "dns", 0u, false, null },
        { "k8s_external example.org", "fallthrough", ["example.org."], "dns", 5u, false, "a.b.example.org." },
        { "k8s_external example.org", "fallthrough ip6.arpa inaddr.arpa foo.com", ["example.org."], "dns", 5u, false, "a.foo.com." },
        { "k8s_external example.org", "apex x\n  ttl 10\n  headless\n  fallthrough", ["example.org."], "x", 10u, true, "a.example.org." },
    };

    [Theory, MemberData(nameof(Valid))]
    public void K8s_external_should_read_a_valid_directive(string directive, string properties, string[] zones, string apex, uint ttl, bool headless, string? fallsThrough)
    {
        var o = Options(Block(directive, properties));
        Assert.Equal(zones, o.Zones.ToArray());
        Assert.Equal(apex, o.Apex);
        Assert.Equal(ttl, o.Ttl);
        Assert.Equal(headless, o.Headless);
        Assert.Equal(fallsThrough is not null, o.Fallthrough.IsSet);
        if (fallsThrough is not null) Assert.True(o.Fallthrough.Through(fallsThrough));
    }

    [Fact]
    public void K8s_external_should_fall_through_only_in_the_zones_given()
    {
        var o = Options(Block("k8s_external example.org", "fallthrough ip6.arpa inaddr.arpa foo.com"));
        Assert.True(o.Fallthrough.Through("1.0.ip6.arpa."));
        Assert.False(o.Fallthrough.Through("a.b.example.org."));
    }

    [Fact]
    public void K8s_external_should_default_to_the_block_zones()
    {
        var o = Options("example.org example.net {\n kubernetes cluster.local\n k8s_external\n}\n");
        Assert.Equal(["example.org.", "example.net."], o.Zones.ToArray());
    }

    [Fact]
    public void K8s_external_should_read_every_occurrence_into_one_plugin_as_coredns_does()
    {
        var o = Options(". {\n kubernetes cluster.local\n k8s_external a.org {\n  ttl 9\n }\n k8s_external b.org {\n  headless\n }\n}\n");
        Assert.Equal(["b.org."], o.Zones.ToArray());
        Assert.Equal(9u, o.Ttl);
        Assert.True(o.Headless);
    }

    public static TheoryData<string, string> Invalid() => new()
    {
        // corefile, the exact message
        { Block("k8s_external example.org", "ttl"), "Corefile:4 - Error during parsing: plugin/k8s_external: Wrong argument count or unexpected line ending after 'ttl'" },
        { Block("k8s_external example.org", "ttl x"), "Corefile:4 - Error during parsing: plugin/k8s_external: strconv.Atoi: parsing \"x\": invalid syntax" },
        { Block("k8s_external example.org", "ttl -1"), "Corefile:4 - Error during parsing: plugin/k8s_external: ttl must be in range [0, 3600]: -1" },
        { Block("k8s_external example.org", "ttl 3601"), "Corefile:4 - Error during parsing: plugin/k8s_external: ttl must be in range [0, 3600]: 3601" },
        { Block("k8s_external example.org", "apex"), "Corefile:4 - Error during parsing: plugin/k8s_external: Wrong argument count or unexpected line ending after 'apex'" },
        { Block("k8s_external example.org", "upstream"), "Corefile:4 - Error during parsing: plugin/k8s_external: unknown property 'upstream'" },
        { Block("k8s_external example.org", "headless yes"), "Corefile:4 - Error during parsing: plugin/k8s_external: unknown property 'yes'" },
        { ". {\n whoami\n k8s_external example.org\n}\n", "Corefile:3 - Error during parsing: plugin/k8s_external: kubernetes plugin not loaded" },
        { ". {\n k8s_external example.org {\n  ttl 10\n }\n}\n", "Corefile:2 - Error during parsing: plugin/k8s_external: kubernetes plugin not loaded" },
        { ". {\n kubernetes cluster.local\n}\nexample.org {\n k8s_external\n}\n", "Corefile:5 - Error during parsing: plugin/k8s_external: kubernetes plugin not loaded" },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void K8s_external_should_refuse_an_invalid_directive_with_corednss_message(string corefile, string message)
    {
        Assert.Equal(message, Error(corefile));
    }
}
