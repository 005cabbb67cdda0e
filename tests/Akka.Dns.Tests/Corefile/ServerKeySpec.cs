using Akka.Dns.Corefile;
using Xunit;

namespace Akka.Dns.Tests.Corefile;

public class ServerKeySpec
{
    private static ServerKey Key(string text) => ServerKey.Parse(text, "Corefile", 3);

    public static TheoryData<string, Transport, string[], int?> Keys => new()
    {
        { ".", Transport.Dns, ["."], null },
        { ".:53", Transport.Dns, ["."], 53 },
        { "Example.ORG", Transport.Dns, ["example.org."], null },
        { "example.org.:1053", Transport.Dns, ["example.org."], 1053 },
        { "dns://example.org", Transport.Dns, ["example.org."], null },
        { "tls://example.org:8853", Transport.Tls, ["example.org."], 8853 },
        { "https://.", Transport.Https, ["."], null },
        { "grpc://example.org", Transport.Grpc, ["example.org."], null },
        { "10.0.0.0/24", Transport.Dns, ["0.0.10.in-addr.arpa."], null },
        { "10.0.0.0/8:53", Transport.Dns, ["10.in-addr.arpa."], 53 },
        { "10.0.0.0/15", Transport.Dns, ["0.10.in-addr.arpa.", "1.10.in-addr.arpa."], null },
        { "10.1.2.3/16", Transport.Dns, ["1.10.in-addr.arpa."], null },
        { "0.0.0.0/0", Transport.Dns, ["in-addr.arpa."], null },
        { "2001:db8::/32", Transport.Dns, ["8.b.d.0.1.0.0.2.ip6.arpa."], null },
        { "2001:db8::/32:5353", Transport.Dns, ["8.b.d.0.1.0.0.2.ip6.arpa."], 5353 },
        { "tls://10.0.0.0/24:853", Transport.Tls, ["0.0.10.in-addr.arpa."], 853 },
        { "0/25.1.168.192.in-addr.arpa", Transport.Dns, ["0/25.1.168.192.in-addr.arpa."], null },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void Key_should_parse_scheme_zone_and_port(string text, Transport transport, string[] zones, int? port)
    {
        var key = Key(text);
        Assert.Equal(text, key.Original);
        Assert.Equal(transport, key.Transport);
        Assert.Equal(zones, key.Zones);
        Assert.Equal(port, key.Port);
        Assert.Equal("Corefile", key.File);
        Assert.Equal(3, key.Line);
    }

    [Fact]
    public void Key_should_expand_a_slash_25_into_128_reverse_zones()
    {
        var zones = Key("192.168.1.0/25").Zones;
        Assert.Equal(128, zones.Count);
        Assert.Equal(Enumerable.Range(0, 128).Select(i => $"{i}.1.168.192.in-addr.arpa."), zones);
        Assert.DoesNotContain("128.1.168.192.in-addr.arpa.", zones);
    }

    [Fact]
    public void Key_should_expand_an_off_boundary_ipv6_cidr_into_eight_zones()
    {
        var zones = Key("2001:db8::/29").Zones;
        Assert.Equal(
            ["8", "9", "a", "b", "c", "d", "e", "f"],
            zones.Select(z => z[..z.IndexOf('.')]));
        Assert.All(zones, z => Assert.EndsWith(".b.d.0.1.0.0.2.ip6.arpa.", z));
        Assert.Equal("8.b.d.0.1.0.0.2.ip6.arpa.", zones[0]);
    }

    [Fact]
    public void Key_should_mask_host_bits_of_a_cidr()
    {
        Assert.Equal(["0.10.in-addr.arpa.", "1.10.in-addr.arpa."], Key("10.1.255.255/15").Zones);
    }

    public static TheoryData<string, string> BadKeys => new()
    {
        { "quic://example.org", "scheme 'quic://' in 'quic://example.org' is not supported by Akka.Dns (supported: dns://, tls://, https://, grpc://)" },
        { "https3://.", "scheme 'https3://' in 'https3://.' is not supported by Akka.Dns (supported: dns://, tls://, https://, grpc://)" },
        { "foo://example.org", "unknown scheme 'foo://' in 'foo://example.org': expected dns://, tls://, https:// or grpc://" },
        { "unix://example.org", "unknown scheme 'unix://' in 'unix://example.org': expected dns://, tls://, https:// or grpc://" },
        { "example.org:", "expecting data after last colon: \"example.org:\"" },
        { "example.org:0", "invalid port '0' in 'example.org:0': must be a number between 1 and 65535" },
        { "example.org:65536", "invalid port '65536' in 'example.org:65536': must be a number between 1 and 65535" },
        { "example.org:99999999999", "invalid port '99999999999' in 'example.org:99999999999': must be a number between 1 and 65535" },
        { "tls://example.org:abc", "invalid port 'abc' in 'tls://example.org:abc': must be a number between 1 and 65535" },
        { "example..org", "zone is not a valid domain name: example..org" },
        { "exa mple.org", "zone is not a valid domain name: exa mple.org" },
        { "(snip) ", "zone is not a valid domain name: (snip) " },
        { "a.org,b.org", "zone is not a valid domain name: a.org,b.org" },
        { "[2001:db8::]/32", "zone is not a valid domain name: [2001:db8::]/32" },
        { ":53", "zone is not a valid domain name: " },
        { new string('a', 64) + ".org", $"zone is not a valid domain name: {new string('a', 64)}.org" },
        { string.Join(".", Enumerable.Repeat("abcdefgh", 28)) + ".abc", "zone is not a valid domain name: " + string.Join(".", Enumerable.Repeat("abcdefgh", 28)) + ".abc" },
        { string.Join(".", Enumerable.Repeat("abcdefgh", 29)) + ".abcdefghijklmnopqrst", "specified zone is too long: 281 > 255" },
        { "::/0", "invalid CIDR ::/0" },
        { "::1/128", "invalid CIDR ::1/128" },
        { "2001:db8::1", "zone is not a valid domain name: 2001:db8:" },
        { "0:db8::/32", "invalid CIDR 0:db8::/32" },
        { "10.0.0.0/33", "invalid CIDR 10.0.0.0/33" },
        { "2001:db8::/129", "invalid CIDR 2001:db8::/129" },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Key_should_reject_invalid_keys_with_a_located_message(string text, string detail)
    {
        var e = Assert.Throws<CorefileException>(() => Key(text));
        Assert.Equal($"Corefile:3 - Error during parsing: {detail}", e.Message);
        Assert.Equal("Corefile", e.File);
        Assert.Equal(3, e.Line);
    }

    [Theory]
    [InlineData("example.org", 53, 53)]
    [InlineData("example.org", 1053, 1053)]
    [InlineData("dns://example.org", 1053, 1053)]
    [InlineData("example.org:5300", 1053, 5300)]
    [InlineData("tls://example.org", 1053, 853)]
    [InlineData("tls://example.org:8853", 1053, 8853)]
    [InlineData("https://example.org", 1053, 443)]
    [InlineData("https://example.org:8443", 1053, 8443)]
    [InlineData("grpc://example.org", 1053, 443)]
    [InlineData("grpc://example.org:9000", 1053, 9000)]
    public void ResolvePort_should_prefer_the_explicit_port_else_the_scheme_default(string text, int dnsPort, int expected)
    {
        Assert.Equal(expected, Key(text).ResolvePort(dnsPort));
    }

    [Theory]
    [InlineData(Transport.Quic, 853)]
    [InlineData(Transport.Https3, 443)]
    public void ResolvePort_should_know_the_defaults_of_unsupported_transports(Transport transport, int expected)
    {
        var key = new ServerKey("x", transport, ["x."], null, "Corefile", 1);
        Assert.Equal(expected, key.ResolvePort(53));
    }

    [Theory]
    [InlineData(Transport.Dns, "dns://")]
    [InlineData(Transport.Tls, "tls://")]
    [InlineData(Transport.Https, "https://")]
    [InlineData(Transport.Grpc, "grpc://")]
    [InlineData(Transport.Quic, "quic://")]
    [InlineData(Transport.Https3, "https3://")]
    public void SchemePrefix_should_name_each_transport(Transport transport, string prefix)
    {
        Assert.Equal(prefix, ServerKey.SchemePrefix(transport));
    }
}
