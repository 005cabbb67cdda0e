using System.Net;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Plugins.Prometheus;

public sealed class RequestMetricsSpec
{
    [Fact]
    public void Counting_an_answered_query_should_allocate_nothing_once_its_series_exist()
    {
        var metrics = new RequestMetrics(new BlockOptions());
        var target = new RecordingTarget(1232);
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5300);
        var udp = PipelineHarness.CreateRequest(new QueryBuilder("www.example.org.") { UdpSize = 1232, Do = true }.Build(), DnsTransport.Udp, target, client)!;
        var tcp = PipelineHarness.CreateRequest(new QueryBuilder("www.example.org.", RrType.TXT).Build(), DnsTransport.Tcp, target, client)!;
        var reply = udp.CreateReply(Rcode.NxDomain);
        var other = tcp.CreateReply(Rcode.NoError);
        metrics.OnReplied(udp, reply, 100);
        metrics.OnReplied(tcp, other, 200);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            metrics.OnReplied(udp, reply, 100);
            metrics.OnReplied(tcp, other, 200);
            metrics.OnReplied(udp, null, 0);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Family_should_be_1_for_ipv4_and_ipv4_mapped_clients_and_2_for_ipv6()
    {
        var metrics = new RequestMetrics(new BlockOptions());
        var target = new RecordingTarget(1232);
        // A server label of its own: the registry is process-wide.
        var name = "family.test.";
        foreach (var (ip, transport) in new[] { ("192.0.2.1", DnsTransport.Udp), ("::ffff:192.0.2.1", DnsTransport.Udp), ("2001:db8::1", DnsTransport.Udp), ("2001:db8::1", DnsTransport.Tcp) })
        {
            var r = PipelineHarness.CreateRequest(new QueryBuilder(name, RrType.MX).Build(), transport, target, new IPEndPoint(IPAddress.Parse(ip), 5300))!;
            metrics.OnReplied(r, r.CreateReply(), 50);
        }
        using var ms = new MemoryStream();
        await PrometheusRegistry.WriteAsync(ms, CancellationToken.None);
        var m = new Scrape(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
        // PipelineHarness.CreateRequest's listener is dns://127.0.0.1:1053, zone "." (many specs share it: compare with at least).
        var label = "dns://127.0.0.1:1053";
        Assert.True(m.Value("coredns_dns_requests_total", ("server", label), ("zone", "."), ("view", ""), ("proto", "udp"), ("family", "1"), ("type", "MX")) >= 2);
        Assert.True(m.Value("coredns_dns_requests_total", ("server", label), ("zone", "."), ("view", ""), ("proto", "udp"), ("family", "2"), ("type", "MX")) >= 1);
        Assert.True(m.Value("coredns_dns_requests_total", ("server", label), ("zone", "."), ("view", ""), ("proto", "tcp"), ("family", "2"), ("type", "MX")) >= 1);
    }
}
