using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Prometheus;

public sealed class PrometheusSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _log;

    public PrometheusSpec(ITestOutputHelper log) : base(output: log) => _log = log;

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private static string Corefile(int dns, int http) => $$$"""
        example.org:{{{dns}}} {
            bind 127.0.0.1
            prometheus 127.0.0.1:{{{http}}}
            template IN A example.org {
                match ^www[.]
                answer "{{ .Name }} 60 IN A 192.0.2.1"
                fallthrough
            }
            template IN AAAA example.org {
                match ^www[.]
                answer "{{ .Name }} 60 IN AAAA 2001:db8::1"
                fallthrough
            }
            template IN ANY example.org {
                match ^nope[.]
                rcode NXDOMAIN
            }
        }
        """;

    internal static async Task<Scrape> ScrapeAsync(int port)
    {
        using var r = await Http.GetAsync($"http://127.0.0.1:{port}/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.StartsWith("text/plain", r.Content.Headers.ContentType?.MediaType);
        return new Scrape(await r.Content.ReadAsStringAsync());
    }

    internal static async Task<byte[]> UdpAsync(int port, QueryBuilder q)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(q.Build(), new IPEndPoint(IPAddress.Loopback, port));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await udp.ReceiveAsync(cts.Token)).Buffer;
    }

    internal static async Task<byte[]> TcpAsync(int port, QueryBuilder q)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var s = tcp.GetStream();
        var packet = q.Build();
        await s.WriteAsync(new[] { (byte)(packet.Length >> 8), (byte)packet.Length });
        await s.WriteAsync(packet);
        var len = new byte[2];
        await s.ReadExactlyAsync(len);
        var reply = new byte[len[0] << 8 | len[1]];
        await s.ReadExactlyAsync(reply);
        return reply;
    }

    [Fact]
    public async Task Prometheus_should_count_known_traffic_exactly_by_server_zone_proto_family_type_rcode_and_plugin()
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys, Corefile(dns, http));
        var label = $"dns://127.0.0.1:{dns}";

        var udpBytes = 0;
        var tcpBytes = 0;
        for (var i = 0; i < 3; i++) udpBytes += (await UdpAsync(dns, new QueryBuilder("www.example.org.") { Id = (ushort)i })).Length;
        udpBytes += (await UdpAsync(dns, new QueryBuilder("www.example.org.") { UdpSize = 1232, Do = true })).Length;
        var nx = 0;
        for (var i = 0; i < 2; i++)
        {
            var reply = await UdpAsync(dns, new QueryBuilder("nope.example.org."));
            Assert.Equal(ReturnCode.NxDomain, DnsMessage.Parse(reply).ReturnCode);
            nx += reply.Length;
        }
        udpBytes += nx;
        for (var i = 0; i < 2; i++)
        {
            var reply = await TcpAsync(dns, new QueryBuilder("www.example.org.", RrType.AAAA));
            _log.WriteLine($"{DnsMessage.Parse(reply).ReturnCode} {DnsMessage.Parse(reply).AnswerRecords.Count} {reply.Length}");
            Assert.Single(DnsMessage.Parse(reply).AnswerRecords);
            tcpBytes += reply.Length;
        }
        var refused = await UdpAsync(dns, new QueryBuilder("www.example.net.", RrType.MX));
        Assert.Equal(ReturnCode.Refused, DnsMessage.Parse(refused).ReturnCode);

        var m = await ScrapeAsync(http);
        _log.WriteLine(string.Join('\n', m.Text.Split('\n').Where(l => l.Contains(label, StringComparison.Ordinal))));
        (string, string)[] Z(params (string, string)[] more) => [("server", label), ("zone", "example.org."), ("view", ""), .. more];
        (string, string)[] D(params (string, string)[] more) => [("server", label), ("zone", "dropped"), ("view", ""), .. more];

        Assert.Equal(6, m.Value("coredns_dns_requests_total", Z(("proto", "udp"), ("family", "1"), ("type", "A"))));
        Assert.Equal(2, m.Value("coredns_dns_requests_total", Z(("proto", "tcp"), ("family", "1"), ("type", "AAAA"))));
        Assert.Equal(2, m.Series("coredns_dns_requests_total", ("server", label), ("zone", "example.org.")).Count);
        Assert.Equal(1, m.Value("coredns_dns_requests_total", D(("proto", "udp"), ("family", "1"), ("type", "MX"))));

        Assert.Equal(6, m.Value("coredns_dns_responses_total", Z(("rcode", "NOERROR"), ("plugin", "template"))));
        Assert.Equal(2, m.Value("coredns_dns_responses_total", Z(("rcode", "NXDOMAIN"), ("plugin", "template"))));
        Assert.Equal(2, m.Series("coredns_dns_responses_total", ("server", label), ("zone", "example.org.")).Count);
        Assert.Equal(1, m.Value("coredns_dns_responses_total", D(("rcode", "REFUSED"), ("plugin", ""))));

        Assert.Equal(1, m.Value("coredns_dns_do_requests_total", Z()));
        Assert.Equal(8, m.Value("coredns_dns_request_duration_seconds_count", Z()));
        Assert.Equal(8, m.Value("coredns_dns_request_duration_seconds_bucket", Z(("le", "+Inf"))));
        Assert.Equal(17, m.Series("coredns_dns_request_duration_seconds_bucket", Z()).Count);
        Assert.Equal(6, m.Value("coredns_dns_request_size_bytes_count", Z(("proto", "udp"))));
        Assert.Equal(2, m.Value("coredns_dns_request_size_bytes_count", Z(("proto", "tcp"))));
        Assert.Equal(udpBytes, m.Value("coredns_dns_response_size_bytes_sum", Z(("proto", "udp"))));
        Assert.Equal(tcpBytes, m.Value("coredns_dns_response_size_bytes_sum", Z(("proto", "tcp"))));
        Assert.Equal(refused.Length, m.Value("coredns_dns_response_size_bytes_sum", D(("proto", "udp"))));

        Assert.Equal(6, m.Value("coredns_template_matches_total", Z(("class", "IN"), ("type", "A"))));
        Assert.Equal(2, m.Value("coredns_template_matches_total", Z(("class", "IN"), ("type", "AAAA"))));
        Assert.Equal(2, m.Series("coredns_template_matches_total", ("server", label)).Count);

        Assert.Equal(1, m.Value("coredns_plugin_enabled", Z(("name", "prometheus"))));
        Assert.Equal(2, m.Series("coredns_plugin_enabled", ("server", label)).Count);
        _log.WriteLine(string.Join("\n", m.Text.Split("\n").Where(l => l.Contains("build_info") || l.Contains("panics") || l.Contains("reload"))));
        Assert.Single(m.Series("coredns_build_info"));
        Assert.NotNull(m.Value("coredns_panics_total"));
        Assert.NotNull(m.Value("coredns_reload_failed_total"));
        Assert.Contains("process_cpu_seconds_total", m.Names);
    }

    [Fact]
    public async Task Prometheus_should_only_count_requests_in_blocks_that_load_it()
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $"a.example:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n whoami\n}}\nb.example:{dns} {{\n bind 127.0.0.1\n whoami\n}}\n");
        await UdpAsync(dns, new QueryBuilder("x.a.example."));
        await UdpAsync(dns, new QueryBuilder("x.b.example."));
        await UdpAsync(dns, new QueryBuilder("x.b.example."));

        var m = await ScrapeAsync(http);
        var label = $"dns://127.0.0.1:{dns}";
        Assert.Equal(1, m.Value("coredns_dns_requests_total", ("server", label), ("zone", "a.example."), ("view", ""), ("proto", "udp"), ("family", "1"), ("type", "A")));
        Assert.Empty(m.Series("coredns_dns_requests_total", ("server", label), ("zone", "b.example.")));
        Assert.Equal(1, m.Value("coredns_dns_responses_total", ("server", label), ("zone", "a.example."), ("view", ""), ("rcode", "NOERROR"), ("plugin", "whoami")));
        Assert.Empty(m.Series("coredns_plugin_enabled", ("server", label), ("zone", "b.example.")));
    }

    [Fact]
    public async Task Prometheus_should_fold_unmonitored_types_into_other_and_count_https_responses_through_its_api()
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys, $".:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n whoami\n}}\n");
        await UdpAsync(dns, new QueryBuilder("x.example.", RrType.HINFO));
        await UdpAsync(dns, new QueryBuilder("x.example.", RrType.SVCB));
        var doh = $"https://127.0.0.1:{dns}";
        PrometheusMetrics.CountHttpsResponse(doh, 200);
        PrometheusMetrics.CountHttpsResponse(doh, 200);
        PrometheusMetrics.CountHttpsResponse(doh, 400);

        var m = await ScrapeAsync(http);
        var label = $"dns://127.0.0.1:{dns}";
        Assert.Equal(1, m.Value("coredns_dns_requests_total", ("server", label), ("zone", "."), ("view", ""), ("proto", "udp"), ("family", "1"), ("type", "other")));
        Assert.Equal(1, m.Value("coredns_dns_requests_total", ("server", label), ("zone", "."), ("view", ""), ("proto", "udp"), ("family", "1"), ("type", "SVCB")));
        Assert.Equal(2, m.Value("coredns_dns_https_responses_total", ("server", doh), ("status", "200")));
        Assert.Equal(1, m.Value("coredns_dns_https_responses_total", ("server", doh), ("status", "400")));
    }

    [Fact]
    public async Task Prometheus_should_export_malformed_packets_and_failed_DoT_handshakes()
    {
        using var pki = new Akka.Dns.TestCertificates.TestPki();
        var dns = HealthSpec.FreePort();
        var dot = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        await using var server = await HealthSpec.StartServerAsync(Sys,
            $".:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n whoami\n}}\n" +
            $"tls://.:{dot} {{\n bind 127.0.0.1\n tls {pki.ServerCertFile} {pki.ServerKeyFile}\n whoami\n}}\n");
        var before = await ScrapeAsync(http);

        // A readable header whose question is cut short: FORMERR, counted as malformed.
        using (var udp = new UdpClient(AddressFamily.InterNetwork))
        {
            await udp.SendAsync(new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w' }, new IPEndPoint(IPAddress.Loopback, dns));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var reply = (await udp.ReceiveAsync(cts.Token)).Buffer;
            Assert.Equal(Rcode.FormErr, reply[3] & 0x0F);
        }
        // Plain DNS bytes to a TLS listener: the handshake fails.
        using (var tcp = new TcpClient(AddressFamily.InterNetwork))
        {
            await tcp.ConnectAsync(IPAddress.Loopback, dot);
            var s = tcp.GetStream();
            var q = new QueryBuilder("x.example.").Build();
            await s.WriteAsync(new[] { (byte)(q.Length >> 8), (byte)q.Length });
            await s.WriteAsync(q);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await s.ReadAsync(new byte[512], cts.Token) > 0)
            {
            }
        }

        var after = await ScrapeAsync(http);
        Assert.True(after.Value("akkadns_malformed_packets_total") >= (before.Value("akkadns_malformed_packets_total") ?? 0) + 1);
        Assert.True(after.Value("akkadns_dot_handshake_failures_total", ("reason", "error")) >=
                    (before.Value("akkadns_dot_handshake_failures_total", ("reason", "error")) ?? 0) + 1);
    }

    [Fact]
    public async Task Prometheus_counters_should_survive_a_reload_and_export_the_reload_failures()
    {
        var dns = HealthSpec.FreePort();
        var http = HealthSpec.FreePort();
        var corefile = $".:{dns} {{\n bind 127.0.0.1\n prometheus 127.0.0.1:{http}\n whoami\n}}\n";
        var server = await HealthSpec.StartServerAsync(Sys, corefile);
        try
        {
            await UdpAsync(dns, new QueryBuilder("a.example."));
            var settings = DnsSettings.Create(Sys);
            var doc = Akka.Dns.Corefile.CorefileParser.Parse(corefile + "example.org:" + dns + " {\n bind 127.0.0.1\n prometheus 127.0.0.1:" + http + "\n whoami\n}\n",
                "Corefile", Path.GetTempPath(), Akka.Dns.Plugins.PluginCatalog.Default.KnownDirectives);
            server = await server.ReloadAsync(Akka.Dns.Server.ServerPlan.Build(doc, Akka.Dns.Plugins.PluginCatalog.Default, settings, 0));
            await UdpAsync(dns, new QueryBuilder("b.example."));
            await UdpAsync(dns, new QueryBuilder("www.example.org."));
            Akka.Dns.Plugins.Reload.ReloadMetrics.Failed.Increment();

            var m = await ScrapeAsync(http);
            var label = $"dns://127.0.0.1:{dns}";
            Assert.Equal(2, m.Value("coredns_dns_requests_total", ("server", label), ("zone", "."), ("view", ""), ("proto", "udp"), ("family", "1"), ("type", "A")));
            Assert.Equal(1, m.Value("coredns_dns_requests_total", ("server", label), ("zone", "example.org."), ("view", ""), ("proto", "udp"), ("family", "1"), ("type", "A")));
            Assert.Equal(1, m.Value("coredns_plugin_enabled", ("server", label), ("zone", "example.org."), ("view", ""), ("name", "whoami")));
            Assert.Equal(Akka.Dns.Plugins.Reload.ReloadMetrics.Failed.Value, m.Value("coredns_reload_failed_total"));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }
}
