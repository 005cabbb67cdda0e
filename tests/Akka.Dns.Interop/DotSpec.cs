using Akka.Dns.Interop.Infra;
using Akka.Dns.TestCertificates;

namespace Akka.Dns.Interop;

/// <summary>
/// DNS over TLS against the real daemon with real clients: BIND's <c>dig +tls</c> (validating the server by its IP
/// SAN) and Knot's <c>kdig +tls</c> (by the name dns.akka.test), both trusting the test CA. A tls:// block and a
/// dns:// block serve the same zone file: every answer over TLS equals the UDP answer.
/// </summary>
public sealed class DotSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 3600
        @       IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
                IN NS  ns1
                IN MX  10 mail
                IN MX  20 mail2
        ns1     IN A   192.0.2.53
        www     IN A   192.0.2.1
                IN AAAA 2001:db8::1
        mail    IN A   192.0.2.25
        mail2   IN A   192.0.2.26
        txt     IN TXT "v=spf1 -all" "second string"
        alias   IN CNAME www

        """;

    private readonly TestPki _pki = new();
    private Daemon? _daemon;
    private int _tlsPort;

    public async Task InitializeAsync()
    {
        var zone = Path.Combine(_pki.Directory, "example.org.zone");
        await File.WriteAllTextAsync(zone, Zone);
        _tlsPort = Ports.Free();
        _daemon = await Daemon.StartAsync($$"""
            example.org:{PORT} {
                bind 127.0.0.1
                file {{zone}}
            }
            tls://example.org:{{_tlsPort}} {
                bind 127.0.0.1
                tls {{_pki.ServerCertFile}} {{_pki.ServerKeyFile}}
                file {{zone}}
            }

            """);
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            output.WriteLine(_daemon.Log);
            await _daemon.DisposeAsync();
        }
        _pki.Dispose();
    }

    public static TheoryData<string, string> Questions => new()
    {
        { "www.example.org", "A" },
        { "www.example.org", "AAAA" },
        { "example.org", "MX" },
        { "txt.example.org", "TXT" },
        { "alias.example.org", "A" },
        { "nothere.example.org", "A" },
        { "www.example.org", "MX" },
        { "example.org", "SOA" },
    };

    private static string Show(IEnumerable<DigRecord> rrs) => string.Join("\n", rrs.Select(r => $"{r.Name} {r.Ttl} {r.Class} {r.Type} {r.Data}").Order());

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Dig_over_tls_should_get_the_UDP_answer(string name, string type)
    {
        var udp = await Dig.QueryAsync("127.0.0.1", _daemon!.Port, name, type, "+notcp");
        // No +tls-hostname: dig checks the certificate against the address it connects to (IP SAN 127.0.0.1).
        var tls = await Dig.QueryAsync("127.0.0.1", _tlsPort, name, type, "+tls", $"+tls-ca={_pki.CaFile}");
        output.WriteLine(tls.ToString());
        Assert.Equal("TLS", tls.Transport);
        Assert.Equal((udp.Status, string.Join(" ", udp.Flags.Order())), (tls.Status, string.Join(" ", tls.Flags.Order())));
        Assert.Equal(Show(udp.Answer), Show(tls.Answer));
        Assert.Equal(Show(udp.Authority), Show(tls.Authority));
        Assert.Equal(Show(udp.Additional), Show(tls.Additional));
    }

    [Theory]
    [MemberData(nameof(Questions))]
    public async Task Kdig_over_tls_should_get_the_UDP_answer(string name, string type)
    {
        var udp = await Kdig.QueryAsync("127.0.0.1", _daemon!.Port, name, type, "+notcp");
        var tls = await Kdig.QueryAsync("127.0.0.1", _tlsPort, name, type, "+tls", $"+tls-ca={_pki.CaFile}", $"+tls-hostname={TestPki.ServerName}");
        output.WriteLine(tls.Raw.ToString());
        Assert.Equal((udp.Rcode, udp.Aa), (tls.Rcode, tls.Aa));
        foreach (var section in new[] { "answerRRs", "authorityRRs" })
            Assert.Equal(udp.Section(section).Order(), tls.Section(section).Order());
    }

    [Fact]
    public async Task Kdig_should_fail_against_a_certificate_for_another_name()
    {
        var r = await Kdig.RunAsync("127.0.0.1", _tlsPort, "+tls", $"+tls-ca={_pki.CaFile}", "+tls-hostname=other.example", "www.example.org");
        output.WriteLine(r.ToString());
        Assert.DoesNotContain("status: NOERROR", r.Stdout);
    }
}
