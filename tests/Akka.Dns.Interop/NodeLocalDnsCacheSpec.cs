using System.Net.Http;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// Kubernetes' NodeLocal DNSCache Corefile (errors, cache, reload, loop, bind on two addresses, forward with
/// force_tcp for the cluster zone, health), with loopback addresses for the link-local ones and without the
/// prometheus line, in front of an upstream daemon that plays the cluster DNS; queried with dig and kdig.
/// </summary>
public sealed class NodeLocalDnsCacheSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Local = "127.0.0.77";
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-nodelocal-").FullName;
    private readonly int _health = Ports.Free();
    private Daemon _upstream = null!;
    private Daemon _cache = null!;

    public async Task InitializeAsync()
    {
        var zone = Path.Combine(_dir, "db.cluster.local");
        await File.WriteAllTextAsync(zone, """
            $ORIGIN cluster.local.
            @ 60 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 10
            @ 60 IN NS ns.dns.cluster.local.
            ns.dns 60 IN A 10.96.0.10
            kube-dns.kube-system.svc 60 IN A 10.96.0.10
            web.default.svc 60 IN A 10.96.12.34

            """);
        _upstream = await Daemon.StartAsync($"cluster.local:{{PORT}} {{\n    file {zone}\n}}\n.:{{PORT}} {{\n    whoami\n}}\n");
        var up = _upstream.Port;
        _cache = await Daemon.StartAsync($$"""
            cluster.local:{PORT} {
                errors
                cache {
                    success 9984 30
                    denial 9984 5
                }
                reload
                loop
                bind {{Local}} 127.0.0.1
                forward . 127.0.0.1:{{up}} {
                    force_tcp
                }
                health {{Local}}:{{_health}}
            }
            in-addr.arpa:{PORT} {
                errors
                cache 30
                reload
                loop
                bind {{Local}} 127.0.0.1
                forward . 127.0.0.1:{{up}} {
                    force_tcp
                }
            }
            ip6.arpa:{PORT} {
                errors
                cache 30
                reload
                loop
                bind {{Local}} 127.0.0.1
                forward . 127.0.0.1:{{up}} {
                    force_tcp
                }
            }
            .:{PORT} {
                errors
                cache 30
                reload
                loop
                bind {{Local}} 127.0.0.1
                forward . 127.0.0.1:{{up}}
            }
            """);
    }

    public async Task DisposeAsync()
    {
        await _cache.DisposeAsync();
        await _upstream.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task A_cluster_name_should_be_answered_through_the_cache_with_its_ttl_capped(string proto)
    {
        string[] args = proto == "tcp" ? ["+tcp", "web.default.svc.cluster.local", "A"] : ["web.default.svc.cluster.local", "A"];
        var first = await Dig.QueryAsync(Local, _cache.Port, args);
        Assert.Equal("NOERROR", first.Status);
        var a = Assert.Single(first.Answer, r => r.Type == "A");
        Assert.Equal("10.96.12.34", a.Data);
        Assert.True(a.Ttl <= 30, $"success TTL capped at 30 by the cache, got {a.Ttl}");
        var second = await Dig.QueryAsync(Local, _cache.Port, args);
        Assert.Equal("10.96.12.34", Assert.Single(second.Answer, r => r.Type == "A").Data);
        Assert.True(second.Answer.Single(r => r.Type == "A").Ttl <= a.Ttl);
    }

    [Fact]
    public async Task A_missing_cluster_name_should_be_NXDOMAIN_with_the_denial_ttl_capped()
    {
        var r = await Dig.QueryAsync(Local, _cache.Port, "nope.default.svc.cluster.local", "A");
        Assert.Equal("NXDOMAIN", r.Status);
        var soa = Assert.Single(r.Authority, x => x.Type == "SOA");
        Assert.True(soa.Ttl <= 5, $"denial TTL capped at 5, got {soa.Ttl}");
    }

    [Fact]
    public async Task Kdig_should_get_the_same_answers_over_udp_and_tcp()
    {
        foreach (var tcp in new[] { false, true })
        {
            string[] args = tcp ? ["+tcp", "kube-dns.kube-system.svc.cluster.local", "A"] : ["kube-dns.kube-system.svc.cluster.local", "A"];
            var k = await Kdig.QueryAsync(Local, _cache.Port, args);
            Assert.Equal(0, k.Rcode);
            Assert.Contains(k.Section("answerRRs"), x => x is { Type: "A", Data: "10.96.0.10" });
        }
    }

    [Fact]
    public async Task Other_names_should_be_forwarded_and_health_should_answer_OK()
    {
        var r = await Dig.QueryAsync(Local, _cache.Port, "anything.example", "A");
        Assert.Equal("NOERROR", r.Status);   // the upstream's whoami
        Assert.Contains(r.Additional, x => x.Type == "A" && x.Data == "127.0.0.1");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.Equal("OK", await http.GetStringAsync($"http://{Local}:{_health}/health"));
        output.WriteLine(_cache.Stdout.Text);
    }
}
