using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Forward;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Forward;

public sealed class ForwardSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ForwardPlugin Forward(string corefile) =>
        PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<ForwardPlugin>().Single();

    private ForwardOptions One(string directive) => Forward($". {{\n {directive}\n}}\n").Options.Single();

    /// <summary>CoreDNS's TestSetup: FROM, the upstreams, the except list.</summary>
    public static TheoryData<string, string, string[], string[]> Parsed => new()
    {
        { "forward . 127.0.0.1", ".", ["127.0.0.1:53"], [] },
        { "forward . 127.0.0.1:5353", ".", ["127.0.0.1:5353"], [] },
        { "forward . dns://127.0.0.1", ".", ["127.0.0.1:53"], [] },
        { "forward . tls://127.0.0.1", ".", ["tls://127.0.0.1:853"], [] },
        { "forward . tls://127.0.0.1:8853", ".", ["tls://127.0.0.1:8853"], [] },
        { "forward . [::1]:53 ::2", ".", ["[::1]:53", "[::2]:53"], [] },
        { "forward Example.ORG 127.0.0.1 127.0.0.1:53 127.0.0.2", "example.org.", ["127.0.0.1:53", "127.0.0.2:53"], [] },
        { "forward dns://. 127.0.0.1", ".", ["127.0.0.1:53"], [] },
        { "forward 10.0.0.0/8 127.0.0.1", "10.in-addr.arpa.", ["127.0.0.1:53"], [] },
        { "forward . 127.0.0.1 {\n except miek.nl Example.COM\n }", ".", ["127.0.0.1:53"], ["miek.nl.", "example.com."] },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Forward_should_parse_from_to_and_except_like_coredns(string directive, string from, string[] to, string[] except)
    {
        var o = One(directive);
        Assert.Equal(from, o.From);
        Assert.Equal(to, o.Upstreams.Select(u => u.Text).ToArray());
        Assert.Equal(except, o.Ignored);
    }

    [Fact]
    public void Forward_should_default_like_coredns()
    {
        var o = One("forward . 127.0.0.1");
        Assert.Equal(2u, o.MaxFails);
        Assert.Equal(TimeSpan.FromSeconds(10), o.Expire);
        Assert.Equal(TimeSpan.FromSeconds(2), o.ReadTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), o.HealthCheckInterval);
        Assert.True(o.HealthCheckRecursionDesired);
        Assert.Equal(".", o.HealthCheckDomain);
        Assert.Equal(ForwardPolicy.Random, o.Policy);
        Assert.False(o.ForceTcp || o.PreferUdp || o.FailfastAllUnhealthy);
        Assert.Equal(0, o.MaxConcurrent);
        Assert.Equal(2, Forward(". {\n forward . 127.0.0.1\n}\n").Stanzas[0].ConnectAttempts);
    }

    [Fact]
    public void Forward_should_parse_every_property()
    {
        var o = One("forward . 127.0.0.1 127.0.0.2 {\n force_tcp\n prefer_udp\n expire 5s\n max_age 30s\n max_idle_conns 4\n read_timeout 300ms\n"
                    + " max_fails 3\n max_connect_attempts 7\n tls_servername dns.example\n policy round_robin\n health_check 1s no_rec domain Example.org\n"
                    + " max_concurrent 100\n next NXDOMAIN servfail\n next_on_nodata\n failfast_all_unhealthy_upstreams\n failover SERVFAIL REFUSED\n source_address 127.0.0.1\n }");
        Assert.True(o.ForceTcp);
        Assert.True(o.PreferUdp);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Expire);
        Assert.Equal(TimeSpan.FromSeconds(30), o.MaxAge);
        Assert.Equal(4, o.MaxIdleConns);
        Assert.Equal(TimeSpan.FromMilliseconds(300), o.ReadTimeout);
        Assert.Equal(3u, o.MaxFails);
        Assert.Equal(7u, o.MaxConnectAttempts);
        Assert.Equal("dns.example", o.TlsServerName);
        Assert.Equal(ForwardPolicy.RoundRobin, o.Policy);
        Assert.Equal(TimeSpan.FromSeconds(1), o.HealthCheckInterval);
        Assert.False(o.HealthCheckRecursionDesired);
        Assert.Equal("example.org.", o.HealthCheckDomain);
        Assert.Equal(100, o.MaxConcurrent);
        Assert.Equal([3, 2], o.NextRcodes);
        Assert.True(o.NextOnNoData);
        Assert.True(o.FailfastAllUnhealthy);
        Assert.Equal([2, 5], o.FailoverRcodes);
        Assert.Equal("127.0.0.1", o.SourceAddress!.ToString());
    }

    [Theory]
    [InlineData("policy random", ForwardPolicy.Random)]
    [InlineData("policy round_robin", ForwardPolicy.RoundRobin)]
    [InlineData("policy sequential", ForwardPolicy.Sequential)]
    public void Forward_should_parse_each_policy(string property, ForwardPolicy policy) =>
        Assert.Equal(policy, One($"forward . 127.0.0.1 {{\n {property}\n }}").Policy);

    [Fact]
    public void Forward_should_keep_several_stanzas_in_order()
    {
        var f = Forward(". {\n forward lab.example.local 10.20.0.1\n forward example.local 10.0.0.1\n forward . 10.0.0.2 {\n  next NXDOMAIN\n }\n}\n");
        Assert.Equal(["lab.example.local.", "example.local.", "."], f.Options.Select(o => o.From).ToArray());
    }

    [Fact]
    public void Forward_should_read_nameservers_from_a_resolv_conf_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"forward-resolv-{Guid.NewGuid():N}.conf");
        System.IO.File.WriteAllText(path, "# comment\nsearch example.org\nnameserver 10.10.255.252\nnameserver 10.10.255.253\nnameserver fe80::1%eth0\noptions ndots:5\n");
        try
        {
            var o = One($"forward . {path}");
            Assert.Equal(["10.10.255.252:53", "10.10.255.253:53", "[fe80::1]:53"], o.Upstreams.Select(u => u.Text).ToArray());
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    [Fact]
    public void Forward_should_take_a_per_upstream_tls_server_name()
    {
        var o = One("forward . tls://127.0.0.1%dns.example:8853 tls://127.0.0.2%other.example");
        Assert.Equal("dns.example", o.Upstreams[0].ServerName);
        Assert.Equal(8853, o.Upstreams[0].EndPoint.Port);
        Assert.Equal("other.example", o.Upstreams[1].ServerName);
        Assert.Equal(853, o.Upstreams[1].EndPoint.Port);
    }

    /// <summary>CoreDNS's setup errors, word for word.</summary>
    [Theory]
    [InlineData("forward", "Corefile:2 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'forward'")]
    [InlineData("forward .", "Corefile:2 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after '.'")]
    [InlineData("forward . 127.0.0.1 {\n blaatl\n }", "Corefile:3 - Error during parsing: plugin/forward: unknown property 'blaatl'")]
    [InlineData("forward . 127.0.0.1 {\n policy bogus\n }", "Corefile:3 - Error during parsing: plugin/forward: unknown policy 'bogus'")]
    [InlineData("forward . 127.0.0.1 {\n policy\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'policy'")]
    [InlineData("forward . 127.0.0.1 {\n except\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'except'")]
    [InlineData("forward . 127.0.0.1 {\n force_tcp yes\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'yes'")]
    [InlineData("forward . 127.0.0.1 {\n prefer_udp yes\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'yes'")]
    [InlineData("forward . 127.0.0.1 {\n max_fails x\n }", "Corefile:3 - Error during parsing: plugin/forward: strconv.ParseUint: parsing \"x\": invalid syntax")]
    [InlineData("forward . 127.0.0.1 {\n max_fails -1\n }", "Corefile:3 - Error during parsing: plugin/forward: strconv.ParseUint: parsing \"-1\": invalid syntax")]
    [InlineData("forward . 127.0.0.1 {\n max_concurrent -2\n }", "Corefile:3 - Error during parsing: plugin/forward: max_concurrent can't be negative: -2")]
    [InlineData("forward . 127.0.0.1 {\n max_concurrent many\n }", "Corefile:3 - Error during parsing: plugin/forward: strconv.Atoi: parsing \"many\": invalid syntax")]
    [InlineData("forward . 127.0.0.1 {\n health_check 0.5\n }", "Corefile:3 - Error during parsing: plugin/forward: time: missing unit in duration \"0.5\"")]
    [InlineData("forward . 127.0.0.1 {\n health_check -1s\n }", "Corefile:3 - Error during parsing: plugin/forward: health_check can't be negative: -1000000000")]
    [InlineData("forward . 127.0.0.1 {\n health_check 1s bogus\n }", "Corefile:3 - Error during parsing: plugin/forward: health_check: unknown option bogus")]
    [InlineData("forward . 127.0.0.1 {\n health_check 1s domain\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'domain'")]
    [InlineData("forward . 127.0.0.1 {\n health_check 1s domain a..b\n }", "Corefile:3 - Error during parsing: plugin/forward: health_check: invalid domain name a..b")]
    [InlineData("forward . 127.0.0.1 {\n expire -1s\n }", "Corefile:3 - Error during parsing: plugin/forward: expire can't be negative: -1s")]
    [InlineData("forward . 127.0.0.1 {\n expire 1\n }", "Corefile:3 - Error during parsing: plugin/forward: time: missing unit in duration \"1\"")]
    [InlineData("forward . 127.0.0.1 {\n read_timeout 0s\n }", "Corefile:3 - Error during parsing: plugin/forward: read_timeout must be positive: 0s")]
    [InlineData("forward . 127.0.0.1 {\n max_idle_conns -1\n }", "Corefile:3 - Error during parsing: plugin/forward: max_idle_conns can't be negative: -1")]
    [InlineData("forward . 127.0.0.1 {\n max_age 1s\n }", "Corefile:4 - Error during parsing: plugin/forward: max_age (1s) must not be less than expire (10s)")]
    [InlineData("forward . 127.0.0.1 {\n next NOTARCODE\n }", "Corefile:3 - Error during parsing: plugin/forward: NOTARCODE is not a valid rcode")]
    [InlineData("forward . 127.0.0.1 {\n next\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'next'")]
    [InlineData("forward . 127.0.0.1 {\n failover NOERROR\n }", "Corefile:3 - Error during parsing: plugin/forward: NoError cannot be used in failover")]
    [InlineData("forward . 127.0.0.1 {\n failover bogus\n }", "Corefile:3 - Error during parsing: plugin/forward: bogus is not a valid rcode")]
    [InlineData("forward . 127.0.0.1 {\n failfast_all_unhealthy_upstreams true\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'true'")]
    [InlineData("forward . 127.0.0.1 {\n tls a b c d\n }", "Corefile:3 - Error during parsing: plugin/forward: Wrong argument count or unexpected line ending after 'd'")]
    [InlineData("forward . 127.0.0.1 {\n source_address nope\n }", "Corefile:3 - Error during parsing: plugin/forward: invalid IP address: nope")]
    [InlineData("forward . tls://127.0.0.1%dns.example {\n tls_servername other.example\n }", "Corefile:4 - Error during parsing: plugin/forward: both forward ('other.example') and proxy level ('dns.example') TLS servernames are set for upstream proxy 'tls://127.0.0.1%dns.example'")]
    [InlineData("forward . https://127.0.0.1", "Corefile:2 - Error during parsing: plugin/forward: 'https' is not supported as a destination protocol in forward: https://127.0.0.1")]
    [InlineData("forward . grpc://127.0.0.1", "Corefile:2 - Error during parsing: plugin/forward: 'grpc' is not supported as a destination protocol in forward: grpc://127.0.0.1")]
    [InlineData("forward . /no/such/resolv.conf", "Corefile:2 - Error during parsing: plugin/forward: not an IP address or file \"/no/such/resolv.conf\": failed to open file \"/no/such/resolv.conf\": \"open /no/such/resolv.conf: no such file or directory\"")]
    [InlineData("forward . 1.1.1.1 1.1.1.2 1.1.1.3 1.1.1.4 1.1.1.5 1.1.1.6 1.1.1.7 1.1.1.8 1.1.1.9 1.1.1.10 1.1.1.11 1.1.1.12 1.1.1.13 1.1.1.14 1.1.1.15 1.1.1.16",
        "Corefile:2 - Error during parsing: plugin/forward: more than 15 TOs configured: 16")]
    public void Forward_should_reject_bad_syntax_with_coredns_messages(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Forward($". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
