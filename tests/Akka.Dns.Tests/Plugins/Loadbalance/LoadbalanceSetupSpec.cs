using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Loadbalance;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Loadbalance;

public sealed class LoadbalanceSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private LoadbalancePlugin Parse(string block, string? root = null) =>
        PluginPlans.Plan(Sys, $". {{\n{(root is null ? "" : $" root {root}\n")} {block}\n}}\n").Blocks[0].Plugins.OfType<LoadbalancePlugin>().Single();

    /// <summary>CoreDNS's TestSetup (oks): policy, weight file, reload.</summary>
    public static TheoryData<string, LoadbalancePolicy, string?, string> Parsed => new()
    {
        { "loadbalance", LoadbalancePolicy.RoundRobin, null, "30s" },
        { "loadbalance round_robin", LoadbalancePolicy.RoundRobin, null, "30s" },
        { "loadbalance weighted wfile", LoadbalancePolicy.Weighted, "wfile", "30s" },
        { "loadbalance weighted wf {\n  reload 10s\n }", LoadbalancePolicy.Weighted, "wf", "10s" },
        { "loadbalance weighted wf {\n  reload 0s\n }", LoadbalancePolicy.Weighted, "wf", "0s" },
        { "loadbalance weighted /abs/wf", LoadbalancePolicy.Weighted, "/abs/wf", "30s" },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Loadbalance_should_parse_policy_weight_file_and_reload_like_coredns(string block, LoadbalancePolicy policy, string? file, string reload)
    {
        var p = Parse(block);
        Assert.Equal(policy, p.Options.Policy);
        Assert.Equal(file, p.Options.WeightFile);
        Assert.Equal(reload, Akka.Dns.Plugins.GoDuration.Format(p.Options.Reload.Ticks * 100));
        Assert.Equal(policy == LoadbalancePolicy.Weighted, p.Weights is not null);
    }

    [Fact]
    public void Loadbalance_should_resolve_a_relative_weight_file_against_root() =>
        Assert.Equal("/srv/dns/db.weights", Parse("loadbalance weighted db.weights", "/srv/dns").Options.WeightFile);

    [Theory]
    [InlineData("loadbalance {\n  prefer 10.9.20.0/24 192.168.1.0/24\n }", new[] { "10.9.20.0/24", "192.168.1.0/24" })]
    [InlineData("loadbalance round_robin {\n  prefer 10.9.20.7/24\n  prefer 2001:db8::/32\n }", new[] { "10.9.20.0/24", "2001:db8::/32" })]
    public void Loadbalance_should_take_prefer_subnets_with_round_robin(string block, string[] cidrs) =>
        Assert.Equal(cidrs, Parse(block).Options.Prefer.Select(n => n.ToString()));

    /// <summary>CoreDNS's TestSetup (fails) and prefer's CIDR check, with CoreDNS's messages.</summary>
    [Theory]
    [InlineData("loadbalance fleeb", 2, "unknown policy: fleeb")]
    [InlineData("loadbalance round_robin a", 2, "unknown property for round_robin")]
    [InlineData("loadbalance weighted", 2, "missing weight file argument")]
    [InlineData("loadbalance weighted a b", 2, "unexpected argument(s)")]
    [InlineData("loadbalance weighted wfile {\n  notreload 1s\n }", 3, "unknown property 'notreload'")]
    [InlineData("loadbalance weighted wfile {\n  reload 123xxx\n }", 3, "invalid reload duration '123xxx'")]
    [InlineData("loadbalance weighted wfile {\n  reload 30s a\n }", 3, "unexpected argument")]
    [InlineData("loadbalance weighted wfile {\n  reload\n }", 3, "reload duration value is missing")]
    [InlineData("loadbalance weighted wfile {\n  prefer 10.0.0.0/8\n }", 3, "unknown property 'prefer'")]
    [InlineData("loadbalance {\n  prefer 10.0.0.0/33\n }", 3, "invalid CIDR \"10.0.0.0/33\": invalid CIDR address: 10.0.0.0/33")]
    [InlineData("loadbalance {\n  prefer 10.0.0.1\n }", 3, "invalid CIDR \"10.0.0.1\": invalid CIDR address: 10.0.0.1")]
    [InlineData("loadbalance {\n  reload 1s\n }", 3, "unknown property 'reload'")]
    public void Loadbalance_should_reject_bad_syntax_with_coredns_messages(string block, int line, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(block));
        Assert.Equal($"Corefile:{line} - Error during parsing: plugin/loadbalance: {message}", e.Message);
    }

    /// <summary>CoreDNS's TestWeightFileUpdate/parseWeights: the file's errors, verbatim.</summary>
    [Theory]
    [InlineData("1.1.1.1 1\n", "missing domain name in weight file wf")]
    [InlineData("www.example.org\n10.0.0.1\n", "wrong domain name:\"10.0.0.1\" in weight file wf. (Maybe a missing weight value?)")]
    [InlineData("www.example.org\n10.0.0.x 2\n", "wrong IP address:\"10.0.0.x\" in weight file wf")]
    [InlineData("www.example.org\n10.0.0.1 0\n", "wrong weight value:\"0\" in weight file wf")]
    [InlineData("www.example.org\n10.0.0.1 256\n", "wrong weight value:\"256\" in weight file wf")]
    [InlineData("www.example.org\n10.0.0.1 2 3\n", "could not parse weight line:\"10.0.0.1 2 3\" in weight file wf")]
    public void Loadbalance_should_reject_bad_weight_files(string text, string message)
    {
        Assert.Null(WeightStore.Parse(text, "wf", out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Loadbalance_should_read_weight_files_with_comments_and_add_the_root()
    {
        var map = WeightStore.Parse("# comment\n\nwww.example.org\n100.64.1.1 3\n  100.64.1.2 1 \nother.example.org.\n::1 255\n", "wf", out var error)!;
        Assert.Null(error);
        Assert.Equal([3, 1], map["www.example.org."].Select(i => (int)i.Weight));
        Assert.Equal(16, map["other.example.org."][0].Address.Length);
    }
}
