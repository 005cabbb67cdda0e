using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Server.Listeners.Https;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.TestCertificates;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Server.Https;

public sealed class DohListenerSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Zone = """
        $ORIGIN example.org.
        @      3600 IN SOA ns.example.org. admin.example.org. 1 7200 3600 1209600 900
        @      3600 IN NS  ns.example.org.
        ns     1800 IN A   192.0.2.53
        www     120 IN A   192.0.2.1
        alias   600 IN CNAME www.example.org.
        """;

    private readonly TestPki _pki = new();

    private string ZoneFile()
    {
        var path = Path.Combine(_pki.Directory, "example.org.zone");
        File.WriteAllText(path, Zone.Replace("\r", ""));
        return path;
    }

    /// <summary>The same zone on UDP and on https:// (with the test PKI's certificate when <paramref name="tls"/>).</summary>
    private Task<DnsServer> StartAsync(bool tls, string extra = "")
    {
        var zone = ZoneFile();
        var tlsLine = tls ? $" tls {_pki.ServerCertFile} {_pki.ServerKeyFile}\n" : "";
        var port = HealthSpec.FreePort();
        return HealthSpec.StartServerAsync(Sys,
            // A port free for TCP now, rather than an ephemeral UDP port whose number TCP may hold (client connections).
            $"example.org:{HealthSpec.FreePort()} {{\n bind 127.0.0.1\n file {zone}\n}}\n" +
            $"https://example.org:{port} {{\n bind 127.0.0.1\n{tlsLine}{extra} file {zone}\n}}\n" +
            $"https://whoami.test:{port} {{\n bind 127.0.0.1\n{tlsLine}{extra} whoami\n}}\n");
    }

    private HttpClient Client(Version version, bool tls)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        if (tls)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && _pki.ValidateServer(X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
        return new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    private static Uri Url(DnsServer server, bool tls, string pathAndQuery = "/dns-query") =>
        new($"{(tls ? "https" : "http")}://127.0.0.1:{server.EndPoints(DnsTransport.Https)[0].Port}{pathAndQuery}");

    private static string B64(byte[] packet) => Convert.ToBase64String(packet).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<byte[]> UdpAsync(DnsServer server, byte[] packet)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(packet, server.UdpEndPoints[0]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await udp.ReceiveAsync(cts.Token)).Buffer;
    }

    private static HttpRequestMessage Post(Uri url, byte[] body, string contentType = DohListener.MimeType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
    }

    /// <summary>Sends with the client's default version, exactly (HttpClient applies it only to its own helpers).</summary>
    private static Task<HttpResponseMessage> Send(HttpClient http, HttpRequestMessage request)
    {
        request.Version = http.DefaultRequestVersion;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return http.SendAsync(request);
    }

    private static HttpRequestMessage Get(Uri url, byte[] packet) => new(HttpMethod.Get, url + "?dns=" + B64(packet));

    [Theory]
    [InlineData(true, "2.0", "GET")]
    [InlineData(true, "2.0", "POST")]
    [InlineData(true, "1.1", "GET")]
    [InlineData(true, "1.1", "POST")]
    [InlineData(false, "1.1", "GET")]
    [InlineData(false, "1.1", "POST")]
    [InlineData(false, "2.0", "GET")]
    [InlineData(false, "2.0", "POST")]
    public async Task Doh_should_answer_GET_and_POST_as_UDP_answers_the_same_query(bool tls, string version, string method)
    {
        await using var server = await StartAsync(tls);
        using var http = Client(Version.Parse(version), tls);
        foreach (var query in new[] { new QueryBuilder("alias.example.org."), new QueryBuilder("nothere.example.org.", RrType.AAAA) { UdpSize = 1232 } })
        {
            var packet = query.Build();
            var url = Url(server, tls);
            using var response = await Send(http, method == "GET" ? Get(url, packet) : Post(url, packet));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Version.Parse(version), response.Version);
            Assert.Equal(DohListener.MimeType, response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            Assert.Equal(await UdpAsync(server, packet), body);
        }
    }

    [Fact]
    public async Task Doh_should_set_max_age_to_the_smallest_ttl_and_5s_for_refusals()
    {
        await using var server = await StartAsync(tls: false);
        using var http = Client(HttpVersion.Version11, tls: false);

        async Task<(TimeSpan? MaxAge, DnsMessage Reply)> Ask(QueryBuilder q)
        {
            using var r = await Send(http, Get(Url(server, false), q.Build()));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return (r.Headers.CacheControl?.MaxAge, DnsMessage.Parse(await r.Content.ReadAsByteArrayAsync()));
        }

        var (alias, reply) = await Ask(new QueryBuilder("alias.example.org."));
        Assert.Equal(2, reply.AnswerRecords.Count);   // CNAME 600, A 120
        Assert.Equal(TimeSpan.FromSeconds(120), alias);
        Assert.Equal(reply.AnswerRecords.Concat(reply.AuthorityRecords).Concat(reply.AdditionalRecords)
            .Where(r => r.RecordType != RecordType.Opt).Min(r => r.TimeToLive), (int)alias!.Value.TotalSeconds);

        var (negative, nx) = await Ask(new QueryBuilder("nothere.example.org."));
        Assert.Equal(ReturnCode.NxDomain, nx.ReturnCode);
        Assert.Equal(nx.AuthorityRecords.Min(r => r.TimeToLive), (int)negative!.Value.TotalSeconds);

        var (refused, other) = await Ask(new QueryBuilder("www.example.net."));
        Assert.Equal(ReturnCode.Refused, other.ReturnCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused);
    }

    [Fact]
    public async Task Doh_should_answer_whoami_with_the_https_owner_and_the_client_address()
    {
        await using var server = await StartAsync(tls: true);
        using var http = Client(HttpVersion.Version20, tls: true);
        using var r = await Send(http, Post(Url(server, true), new QueryBuilder("whoami.test.").Build()));
        var reply = DnsMessage.Parse(await r.Content.ReadAsByteArrayAsync());
        var a = Assert.IsType<ARecord>(reply.AdditionalRecords.Single(x => x.RecordType == RecordType.A));
        Assert.Equal(IPAddress.Loopback, a.Address);
        var srv = Assert.IsType<SrvRecord>(reply.AdditionalRecords.Single(x => x.RecordType == RecordType.Srv));
        Assert.Equal("_https.whoami.test", srv.Name.ToString().TrimEnd('.'));
    }

    [Fact]
    public async Task Doh_should_answer_404_for_any_other_path()
    {
        await using var server = await StartAsync(tls: false);
        using var http = Client(HttpVersion.Version11, tls: false);
        var packet = new QueryBuilder("www.example.org.").Build();
        foreach (var path in new[] { "/other", "/", "/dns-query/", "/DNS-QUERY" })
        {
            using var r = await Send(http, Get(Url(server, false, path), packet));
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }
    }

    public static TheoryData<string, string> BadGets => new()
    {
        { "no dns parameter", "" },
        { "an empty dns parameter", "?dns=" },
        { "two dns parameters", "?dns=" + B64(new QueryBuilder("www.example.org.").Build()) + "&dns=" + B64(new QueryBuilder("www.example.org.").Build()) },
        { "padding", "?dns=" + Convert.ToBase64String(new QueryBuilder("www.example.org.") { UdpSize = 1232 }.Build()).Replace('+', '-').Replace('/', '_') },
        { "the standard alphabet", "?dns=" + Convert.ToBase64String([0xfb, 0xff, .. new QueryBuilder("www.example.org.").Build()]).TrimEnd('=') },
        { "not base64", "?dns=not*base64" },
        { "not a DNS message", "?dns=" + B64(Encoding.ASCII.GetBytes("hello")) },
        { "a response, not a query", "?dns=" + B64(Response()) },
        { "longer than CoreDNS takes", "?dns=" + new string('A', DohListener.MaxBase64Length + 4) },
    };

    private static byte[] Response()
    {
        var p = new QueryBuilder("www.example.org.").Build();
        p[2] |= 0x80;
        return p;
    }

    [Theory]
    [MemberData(nameof(BadGets))]
    public async Task Doh_should_answer_400_to_a_GET_without_one_valid_dns_parameter(string what, string query)
    {
        await using var server = await StartAsync(tls: false);
        using var http = Client(HttpVersion.Version11, tls: false);
        using var r = await http.GetAsync(Url(server, false, "/dns-query" + query));
        Assert.True(r.StatusCode == HttpStatusCode.BadRequest, $"{what}: {r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData(true, "2.0")]
    [InlineData(false, "1.1")]
    public async Task Doh_should_answer_400_413_415_and_405_to_bad_posts(bool tls, string version)
    {
        await using var server = await StartAsync(tls);
        using var http = Client(Version.Parse(version), tls);
        var url = Url(server, tls);
        var packet = new QueryBuilder("www.example.org.").Build();

        using (var r = await Send(http, Post(url, Encoding.ASCII.GetBytes("hello, not DNS"))))
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        using (var r = await Send(http, Post(url, new byte[70_000])))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        using (var r = await Send(http, Post(url, packet, "text/plain")))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        using (var r = await Send(http, new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(packet) }))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, r.StatusCode);
        using (var r = await Send(http, new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(packet) }))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
            Assert.Equal(["GET", "POST"], r.Content.Headers.Allow.Order());
        }
        // Parameters of the media type do not matter.
        using (var r = await Send(http, Post(url, packet, "application/dns-message; charset=binary")))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Theory]
    [InlineData(true, "2.0")]
    [InlineData(false, "1.1")]
    public async Task Doh_should_take_a_GET_as_long_as_CoreDNS_does(bool tls, string version)
    {
        await using var server = await StartAsync(tls);
        using var http = Client(Version.Parse(version), tls);
        // A query made 60,000 octets long by EDNS padding: its base64url is 80,000 characters.
        var packet = new QueryBuilder("www.example.org.") { UdpSize = 1232, Options = [(EdnsOption.Padding, new byte[59_950])] }.Build();
        using var r = await Send(http, Get(Url(server, tls), packet));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var reply = DnsMessage.Parse(await r.Content.ReadAsByteArrayAsync());
        Assert.Equal(ReturnCode.NoError, reply.ReturnCode);
    }

    [Fact]
    public async Task Doh_should_count_responses_by_listener_and_status()
    {
        await using var server = await StartAsync(tls: false);
        var counters = DohMetrics.For($"https://127.0.0.1:{server.EndPoints(DnsTransport.Https)[0].Port}");
        using var http = Client(HttpVersion.Version11, tls: false);
        using (await Send(http, Get(Url(server, false), new QueryBuilder("www.example.org.").Build()))) { }
        using (await http.GetAsync(Url(server, false, "/other"))) { }
        using (await http.GetAsync(Url(server, false, "/other"))) { }
        Assert.Equal(1, counters[200]);
        Assert.Equal(2, counters[404]);
        Assert.Contains(DohMetrics.Snapshot(), s => s.Server == counters.Server && s.Status == 404 && s.Count == 2);
    }

    [Fact]
    public async Task Doh_should_close_connections_past_max_connections_until_one_closes()
    {
        await using var server = await StartAsync(tls: false, extra: " https {\n  max_connections 2\n }\n");
        var ep = server.EndPoints(DnsTransport.Https)[0];
        var request = Encoding.ASCII.GetBytes($"GET /dns-query?dns={B64(new QueryBuilder("www.example.org.").Build())} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        async Task<(TcpClient Client, bool Answered)> Open()
        {
            var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, ep.Port);
            var s = c.GetStream();
            try
            {
                await s.WriteAsync(request);
                var buf = new byte[4096];
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var n = await s.ReadAsync(buf, cts.Token);
                return (c, n > 0 && Encoding.ASCII.GetString(buf, 0, n).StartsWith("HTTP/1.1 200"));
            }
            catch (IOException)
            {
                return (c, false);   // reset by the server
            }
        }

        var (first, a1) = await Open();
        var (second, a2) = await Open();
        Assert.True(a1 && a2);
        // Kestrel accepts the third connection and closes it at once, without an HTTP response.
        var (third, a3) = await Open();
        Assert.False(a3);
        third.Dispose();

        // Once a connection closes, a new one is served (Kestrel frees the slot when it sees the close).
        first.Dispose();
        var served = false;
        for (var i = 0; i < 50 && !served; i++)
        {
            var (c, ok) = await Open();
            c.Dispose();
            served = ok;
            if (!ok) await Task.Delay(100);
        }
        Assert.True(served);
        second.Dispose();
    }

    [Fact]
    public async Task Doh_should_answer_200_with_the_deadline_servfail_and_500_when_the_chain_drops_the_query()
    {
        var port = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $"https://stall.test:{port} {{\n bind 127.0.0.1\n fault stall slow.stall.test.\n}}\n" +
            $"https://drop.test:{port} {{\n bind 127.0.0.1\n acl {{\n  drop\n }}\n whoami\n}}\n", TestPlugins.Catalog);
        using var http = Client(HttpVersion.Version11, tls: false);

        using (var r = await Send(http, Get(Url(server, false), new QueryBuilder("slow.stall.test.").Build())))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(ReturnCode.ServerFailure, DnsMessage.Parse(await r.Content.ReadAsByteArrayAsync()).ReturnCode);
            Assert.Equal(TimeSpan.FromSeconds(5), r.Headers.CacheControl?.MaxAge);
        }
        using (var r = await Send(http, Get(Url(server, false), new QueryBuilder("x.drop.test.").Build())))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
            Assert.Equal("No response\n", await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Doh_should_listen_on_both_families_without_bind()
    {
        var zone = ZoneFile();
        await using var server = await HealthSpec.StartServerAsync(Sys, $"https://example.org:{HealthSpec.FreePort()} {{\n file {zone}\n}}\n");
        var ep = Assert.Single(server.EndPoints(DnsTransport.Https));
        using var http = Client(HttpVersion.Version11, tls: false);
        using var r = await Send(http, Get(new Uri($"http://127.0.0.1:{ep.Port}/dns-query"), new QueryBuilder("www.example.org.").Build()));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    protected override void Dispose(bool disposing)
    {
        _pki.Dispose();
        base.Dispose(disposing);
    }
}
