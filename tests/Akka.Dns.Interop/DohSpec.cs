using Akka.Dns.Interop.Infra;
using Akka.Dns.TestCertificates;

namespace Akka.Dns.Interop;

/// <summary>
/// One daemon serving a zone and whoami over UDP, over DoH with TLS (HTTP/2 and HTTP/1.1) and over plain-HTTP DoH,
/// with the test PKI's certificate.
/// </summary>
public sealed class DohDaemon : DaemonFixture, IAsyncLifetime
{
    public TestPki Pki { get; } = new();
    public int TlsPort { get; } = Ports.Free();
    public int PlainPort { get; } = Ports.Free();

    public string ZoneFile => Path.Combine(Pki.Directory, "example.org.zone");

    protected override string Corefile
    {
        get
        {
            File.WriteAllText(ZoneFile, """
                $ORIGIN example.org.
                @      3600 IN SOA ns.example.org. admin.example.org. 1 7200 3600 1209600 900
                @      3600 IN NS  ns.example.org.
                ns     1800 IN A   192.0.2.53
                www     120 IN A   192.0.2.1
                www     300 IN AAAA 2001:db8::1
                alias   600 IN CNAME www.example.org.

                """);
            var body = $"    bind 127.0.0.1\n    file {ZoneFile} example.org\n    whoami\n}}\n";
            return $".:{{PORT}} {{\n{body}" +
                   $"https://.:{TlsPort} {{\n    tls {Pki.ServerCertFile} {Pki.ServerKeyFile}\n{body}" +
                   $"https://.:{PlainPort} {{\n{body}";
        }
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Pki.Dispose();
    }
}

/// <summary>Real DoH clients (dig, kdig, curl) against the daemon: what they get equals the UDP answer.</summary>
public sealed class DohSpec(DohDaemon daemon, ITestOutputHelper output) : IClassFixture<DohDaemon>
{
    public static TheoryData<string, string> Names => new()
    {
        { "www.example.org", "A" },
        { "alias.example.org", "AAAA" },
        { "nothere.example.org", "A" },
        { "example.org", "MX" },
    };

    private async Task<DigAnswer> DigAsync(params string[] args)
    {
        var a = await Dig.QueryAsync("127.0.0.1", daemon.Port, args);
        output.WriteLine(a.Raw.ToString());
        return a;
    }

    private static void SameAnswer(DigAnswer udp, DigAnswer doh)
    {
        Assert.Equal(udp.Status, doh.Status);
        Assert.Equal(udp.Answer, doh.Answer);
        Assert.Equal(udp.Authority, doh.Authority);
        Assert.Equal(udp.Flags.Order(), doh.Flags.Order());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Dig_over_https_post_and_get_should_answer_as_udp(string name, string type)
    {
        var udp = await DigAsync(name, type, "+notcp");
        var ca = $"+tls-ca={daemon.Pki.CaFile}";
        foreach (var mode in new[] { new[] { "+https", ca }, ["+https", "+https-get", ca] })
        {
            var doh = await Dig.QueryAsync("127.0.0.1", daemon.TlsPort, [name, type, .. mode]);
            output.WriteLine(doh.Raw.ToString());
            Assert.Contains("HTTPS", doh.Transport ?? doh.Raw.Stdout);
            SameAnswer(udp, doh);
        }
        foreach (var mode in new[] { new[] { "+http-plain" }, ["+http-plain", "+http-plain-get"] })
        {
            var doh = await Dig.QueryAsync("127.0.0.1", daemon.PlainPort, [name, type, .. mode]);
            output.WriteLine(doh.Raw.ToString());
            SameAnswer(udp, doh);
        }
    }

    [Fact]
    public async Task Dig_over_https_should_see_whoami_report_https_and_the_client_address()
    {
        var a = await Dig.QueryAsync("127.0.0.1", daemon.TlsPort, "whoami.test", "A", "+https", $"+tls-ca={daemon.Pki.CaFile}");
        output.WriteLine(a.Raw.ToString());
        Assert.Contains(a.Additional, r => r is { Type: "A", Data: "127.0.0.1", Name: "whoami.test." });
        Assert.Contains(a.Additional, r => r.Type == "SRV" && r.Name == "_https.whoami.test.");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Kdig_over_https_should_answer_as_udp(string name, string type)
    {
        var udp = await Kdig.QueryAsync("127.0.0.1", daemon.Port, "+notcp", name, type);
        foreach (var get in new[] { false, true })
        {
            string[] args = ["+https", $"+tls-ca={daemon.Pki.CaFile}", $"+tls-hostname={TestPki.ServerName}", name, type];
            var doh = await Kdig.QueryAsync("127.0.0.1", daemon.TlsPort, get ? ["+https-get", .. args] : args);
            output.WriteLine(doh.Raw.ToString());
            Assert.Equal(udp.Rcode, doh.Rcode);
            Assert.Equal(udp.Section("answerRRs"), doh.Section("answerRRs"));
            Assert.Equal(udp.Section("authorityRRs"), doh.Section("authorityRRs"));
        }
    }

    [Theory]
    [InlineData("--http2", true, "POST", "2")]
    [InlineData("--http2", true, "GET", "2")]
    [InlineData("--http1.1", true, "POST", "1.1")]
    [InlineData("--http1.1", true, "GET", "1.1")]
    [InlineData("--http1.1", false, "POST", "1.1")]
    [InlineData("--http1.1", false, "GET", "1.1")]
    public async Task Curl_should_get_the_udp_answer_bytes(string version, bool tls, string method, string httpVersion)
    {
        var query = new RawQuery("alias.example.org.") { Id = 0x4242, UdpSize = 1232 }.Build();
        var udp = await RawDns.UdpAsync(daemon.Endpoint, query, TimeSpan.FromSeconds(5));
        Assert.NotNull(udp);

        var dir = Directory.CreateTempSubdirectory("akka-dns-doh-curl-").FullName;
        try
        {
            var body = Path.Combine(dir, "query.bin");
            var reply = Path.Combine(dir, "reply.bin");
            await File.WriteAllBytesAsync(body, query);
            var url = $"{(tls ? "https" : "http")}://127.0.0.1:{(tls ? daemon.TlsPort : daemon.PlainPort)}/dns-query";
            List<string> args = ["-sS", version, "-o", reply, "-w", "%{http_code} %{http_version} %{content_type}", "--max-time", "10"];
            if (tls) args.AddRange(["--cacert", daemon.Pki.CaFile]);
            if (method == "POST")
                args.AddRange(["-H", "Content-Type: application/dns-message", "--data-binary", "@" + body, url]);
            else
                args.Add(url + "?dns=" + Convert.ToBase64String(query).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
            var r = await Proc.RunAsync("curl", args, TimeSpan.FromSeconds(15));
            output.WriteLine(r.ToString());
            Assert.Equal($"200 {httpVersion} application/dns-message", r.Stdout);
            Assert.Equal(udp, await File.ReadAllBytesAsync(reply));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
