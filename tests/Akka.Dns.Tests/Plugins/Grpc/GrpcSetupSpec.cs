using Akka.Dns.TestCertificates;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Forward;
using Akka.Dns.Plugins.Grpc;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Grpc;

/// <summary>CoreDNS's plugin/grpc setup tests (TestSetup, TestSetupTLS, TestSetupResolvconf, policy), exact messages.</summary>
public sealed class GrpcSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private GrpcOptions One(string directive) => PluginPlans.PluginOf<GrpcPlugin>(Sys, directive).Options;

    public static TheoryData<string, string, string[], string[]> Parsed => new()
    {
        { "grpc . 127.0.0.1", ".", ["127.0.0.1:53"], [] },
        { "grpc . 127.0.0.1:5353", ".", ["127.0.0.1:5353"], [] },
        { "grpc . grpc://127.0.0.1", ".", ["127.0.0.1:443"], [] },
        { "grpc . [::1]:53 ::2", ".", ["[::1]:53", "[::2]:53"], [] },
        { "grpc Example.ORG 127.0.0.1 127.0.0.2:9005", "example.org.", ["127.0.0.1:53", "127.0.0.2:9005"], [] },
        { "grpc 10.0.0.0/8 127.0.0.1", "10.in-addr.arpa.", ["127.0.0.1:53"], [] },
        { "grpc . 127.0.0.1 {\n except miek.nl Example.COM\n }", ".", ["127.0.0.1:53"], ["miek.nl.", "example.com."] },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Grpc_should_parse_from_to_and_except_like_coredns(string directive, string from, string[] to, string[] except)
    {
        var o = One(directive);
        Assert.Equal(from, o.From);
        Assert.Equal(to, o.Upstreams.Select(u => u.ToString()).ToArray());
        Assert.Equal(except, o.Ignored);
    }

    [Fact]
    public void Grpc_should_default_to_random_h2c_without_fallthrough()
    {
        var o = One("grpc . 127.0.0.1");
        Assert.Equal(ForwardPolicy.Random, o.Policy);
        Assert.False(o.UsesTls);
        Assert.False(o.Fall.IsSet);
    }

    [Theory]
    [InlineData("random", ForwardPolicy.Random)]
    [InlineData("round_robin", ForwardPolicy.RoundRobin)]
    [InlineData("sequential", ForwardPolicy.Sequential)]
    public void Grpc_should_parse_each_policy(string name, ForwardPolicy policy) =>
        Assert.Equal(policy, One($"grpc . 127.0.0.1 {{\n policy {name}\n }}").Policy);

    [Fact]
    public void Grpc_should_read_fallthrough_zones()
    {
        var o = One("grpc . 127.0.0.1 {\n fallthrough example.org\n }");
        Assert.True(o.Fall.Through("a.example.org."));
        Assert.False(o.Fall.Through("a.example.net."));
        Assert.True(One("grpc . 127.0.0.1 {\n fallthrough\n }").Fall.Through("a.example.net."));
    }

    [Fact]
    public void Grpc_should_use_tls_with_any_tls_property_or_a_server_name()
    {
        using var pki = new TestPki();
        var none = One("grpc . 127.0.0.1 {\n tls\n }");
        Assert.True(none.UsesTls);
        Assert.Null(none.Tls!.Roots);
        var ca = One($"grpc . 127.0.0.1 {{\n tls {pki.CaFile}\n }}");
        Assert.Single(ca.Tls!.Roots!);
        Assert.Null(ca.Tls.ClientCertificate);
        var full = One($"grpc . 127.0.0.1 {{\n tls {pki.ClientCertFile} {pki.ClientKeyFile} {pki.CaFile}\n tls_servername dns.akka.test\n }}");
        Assert.NotNull(full.Tls!.ClientCertificate);
        Assert.Equal("dns.akka.test", full.TlsServerName);
        var nameOnly = One("grpc . 127.0.0.1 {\n tls_servername dns.quad9.net\n }");
        Assert.True(nameOnly.UsesTls);
    }

    [Fact]
    public void Grpc_should_read_nameservers_from_a_resolv_conf()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("grpc-resolv-").FullName, "resolv.conf");
        System.IO.File.WriteAllText(file, "nameserver 10.10.255.252\nnameserver 10.10.255.253\n");
        Assert.Equal(["10.10.255.252:53", "10.10.255.253:53"], One($"grpc . {file}").Upstreams.Select(u => u.ToString()).ToArray());
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "grpc", "Corefile:2 - Error during parsing: plugin/grpc: Wrong argument count or unexpected line ending after 'grpc'" },
        { "grpc .", "Corefile:2 - Error during parsing: plugin/grpc: Wrong argument count or unexpected line ending after '.'" },
        { "grpc . 127.0.0.1 {\n except\n }", "Corefile:3 - Error during parsing: plugin/grpc: Wrong argument count or unexpected line ending after 'except'" },
        { "grpc . 127.0.0.1 {\n tls a b c d\n }", "Corefile:3 - Error during parsing: plugin/grpc: Wrong argument count or unexpected line ending after 'd'" },
        { "grpc . 127.0.0.1 {\n tls_servername\n }", "Corefile:3 - Error during parsing: plugin/grpc: Wrong argument count or unexpected line ending after 'tls_servername'" },
        { "grpc . 127.0.0.1 {\n policy\n }", "Corefile:3 - Error during parsing: plugin/grpc: Wrong argument count or unexpected line ending after 'policy'" },
        { "grpc . 127.0.0.1 {\n policy random_robin\n }", "Corefile:3 - Error during parsing: plugin/grpc: unknown policy 'random_robin'" },
        { "grpc . 127.0.0.1 {\n blaatl\n }", "Corefile:3 - Error during parsing: plugin/grpc: unknown property 'blaatl'" },
        { "grpc . /no/such/resolv.conf", "Corefile:2 - Error during parsing: plugin/grpc: not an IP address or file \"/no/such/resolv.conf\": failed to open file \"/no/such/resolv.conf\": \"open /no/such/resolv.conf: no such file or directory\"" },
        { "grpc . 127.0.0.1\n grpc . 127.0.0.2", "Corefile:3 - Error during parsing: plugin/grpc: this plugin can only be used once per Server Block" },
        { "grpc . " + string.Join(' ', Enumerable.Range(1, 16).Select(i => $"127.0.0.{i}")), "Corefile:2 - Error during parsing: plugin/grpc: more than 15 TOs configured: 16" },
        { "grpc . 127.0.0.1 {\n tls /no/cert.pem /no/key.pem\n }", "" },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Grpc_should_refuse_bad_input_with_coredns_messages(string directive, string error)
    {
        var e = Assert.Throws<CorefileException>(() => One(directive));
        if (error.Length == 0) Assert.StartsWith("Corefile:3 - Error during parsing: plugin/grpc: could not load TLS cert: ", e.Message);
        else Assert.Equal(error, e.Message);
    }
}
