using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Acl;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Acl;

public sealed class AclSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Prefix = "Corefile:3 - Error during parsing: plugin/acl: ";

    public static TheoryData<string> Valid => new()
    {
        "acl {\n block\n }",
        "acl {\n block type A\n }",
        "acl {\n block net 192.168.0.0/16\n }",
        "acl {\n block type A net 192.168.0.0/16\n }",
        "acl {\n drop type A net 192.168.0.0/16\n }",
        "acl {\n filter type A net 192.168.0.0/16\n }",
        "acl {\n allow net 192.168.1.0/24\n block net 192.168.0.0/16\n }",
        "acl a.example.org {\n block type * net 192.168.1.0/24\n }",
        "acl a.example.org {\n block type A\n }\n acl b.example.org {\n block type AAAA\n }",
        "acl example.org {\n block type A net 192.168.0.2\n }",
        "acl example.org {\n block net *\n }",
        "acl {\n ALLOW TYPE A NET 10.0.0.0/8\n }",
        "acl {\n block type A net 2001:0db8:85a3:0000:0000:8a2e:0370:7334\n }",
        "acl {\n block type A net 2001:db8:abcd:0012::0/64\n }",
        "acl {\n block type A net 2001:db8:abcd:0012::0/64 192.168.1.0/24\n }",
        "acl {\n block type A net 192.168.1.1/16\n }",
    };

    [Theory, MemberData(nameof(Valid))]
    public void Acl_should_accept_coredns_syntax(string directive)
    {
        var plan = PipelineHarness.Start(Sys, $"example.org {{\n {directive}\n}}\n");
        Assert.IsType<AclPlugin>(plan.Plan.Blocks[0].Plugins[0]);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "block A net 192.168.0.0/16", "unexpected token \"A\"; expect 'type | net'" },
        { "block type net 192.168.0.0/16", "no token specified in \"type\" section" },
        { "block type A net", "no token specified in \"net\" section" },
        { "block type ABC net 192.168.0.0/16", "unexpected token \"ABC\"; expect legal QTYPE" },
        { "block type a", "unexpected token \"a\"; expect legal QTYPE" },
        { "blck type A net 192.168.0.0/16", "unexpected token \"blck\"; expect 'allow', 'block', 'filter' or 'drop'" },
        { "block type A net 192.168.0/16", "illegal CIDR notation \"192.168.0/16\"" },
        { "block type A net 192.168.0.0/33", "illegal CIDR notation \"192.168.0.0/33\"" },
        { "block type A net 192.168.0.1", "" },
        { "block type A net 2001::85a3::8a2e:370:7334", "illegal CIDR notation \"2001::85a3::8a2e:370:7334/128\"" },
        { "block type A net 2001:db8:85a3:::8a2e:370:7334", "illegal CIDR notation \"2001:db8:85a3:::8a2e:370:7334/128\"" },
        { "block type A net 10.0.0.0/8 foo", "illegal CIDR notation \"foo/32\"" },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Acl_should_reject_bad_configuration_with_corefile_messages(string line, string message)
    {
        var corefile = $"example.org {{\n acl {{\n {line}\n }}\n}}\n";
        if (message.Length == 0)
        {
            PipelineHarness.Start(Sys, corefile);   // a single address is a /32
            return;
        }
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, corefile));
        Assert.Equal(Prefix + message, e.Message);
    }

    [Theory]
    [InlineData("192.168.0.0/16", "192.168.0.0/16")]
    [InlineData("192.168.0.1", "192.168.0.1/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    public void Acl_should_normalize_bare_addresses_as_coredns(string raw, string want) =>
        Assert.Equal(want, AclSetup.Normalize(raw));

    [Theory]
    [InlineData("192.168.1.1/16", "192.168.0.0/16")]
    [InlineData("2001:db8:abcd:12::1/64", "2001:db8:abcd:12::/64")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void Acl_should_mask_host_bits_as_go_parsecidr(string text, string network)
    {
        Assert.True(AclSetup.TryParseCidr(text, out var n));
        Assert.Equal(network, n.ToString());
    }
}
