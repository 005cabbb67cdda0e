using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// forward to a tls:// upstream that is a real DNS-over-TLS server: Unbound with <c>tls-port</c> (peer.sh has no TLS
/// mode, so the spec writes Unbound's configuration itself) caching in front of Knot from peer.sh, with a
/// certificate issued by a CA the spec makes and hands to forward's <c>tls</c> property.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ForwardTlsSpec(ITestOutputHelper output)
{
    private static string PeerSh => Path.Combine(SharedBench.Dir, "peer.sh");

    [SharedBenchFact]
    public async Task Forward_should_answer_through_unbound_over_dns_over_tls()
    {
        var runDir = Directory.CreateTempSubdirectory("akka-dns-fwd-tls-").FullName;
        var env = $"BENCH_RUNDIR={runDir}";
        var knot = Ports.Free();
        var tlsPort = Ports.Free();
        var start = await Proc.RunAsync("env", [env, PeerSh, "knot", knot.ToString()], TimeSpan.FromMinutes(1));
        Assert.True(start.ExitCode == 0, $"knot did not start:\n{start}");
        Process? unbound = null;
        try
        {
            var (caPem, certPem, keyPem) = Pki(runDir);
            var conf = Path.Combine(runDir, "unbound-tls.conf");
            await File.WriteAllTextAsync(conf, $"""
                server:
                    interface: 127.0.0.1@{tlsPort}
                    tls-port: {tlsPort}
                    tls-service-key: "{keyPem}"
                    tls-service-pem: "{certPem}"
                    do-ip6: no
                    do-daemonize: no
                    username: ""
                    chroot: ""
                    directory: "{runDir}"
                    pidfile: "{runDir}/unbound-tls.pid"
                    use-syslog: no
                    logfile: "{runDir}/unbound-tls.log"
                    verbosity: 1
                    module-config: "iterator"
                    do-not-query-localhost: no
                    access-control: 127.0.0.0/8 allow
                forward-zone:
                    name: "."
                    forward-addr: 127.0.0.1@{knot}

                """);
            unbound = Process.Start(new ProcessStartInfo("unbound", ["-d", "-c", conf]) { UseShellExecute = false })!;
            await WaitListening(tlsPort, unbound, Path.Combine(runDir, "unbound-tls.log"));

            await using var d = await Daemon.StartAsync(
                $".:{{PORT}} {{\n    bind 127.0.0.1\n    forward . tls://127.0.0.1:{tlsPort} {{\n        tls {caPem}\n        tls_servername dns.test\n    }}\n    errors\n}}\n");
            foreach (var tcp in new[] { "+notcp", "+tcp" })
            {
                var a = await Dig.QueryAsync("127.0.0.1", d.Port, "example.org", "A", tcp);
                output.WriteLine(a.ToString());
                Assert.Equal("NOERROR", a.Status);
                Assert.Contains(a.Answer, r => r is { Type: "A", Data: "192.0.2.1" });
            }
            var mx = await Dig.QueryAsync("127.0.0.1", d.Port, "example.org", "MX");
            Assert.Equal(2, mx.Answer.Count(r => r.Type == "MX"));
            var nx = await Dig.QueryAsync("127.0.0.1", d.Port, "nonexistent.example.org", "A");
            Assert.Equal("NXDOMAIN", nx.Status);
        }
        finally
        {
            if (unbound is { HasExited: false })
            {
                unbound.Kill();
                await unbound.WaitForExitAsync();
            }
            unbound?.Dispose();
            await Proc.RunAsync("env", [env, PeerSh, "stop", "knot", knot.ToString()], TimeSpan.FromSeconds(30));
            try { Directory.Delete(runDir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task WaitListening(int port, Process p, string log)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (p.HasExited) Assert.Fail($"unbound exited: {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        Assert.Fail("unbound did not listen on its TLS port");
    }

    /// <summary>A CA (ca.pem) and a server certificate for dns.test and 127.0.0.1 it signed (server.pem, server.key).</summary>
    private static (string Ca, string Cert, string Key) Pki(string dir)
    {
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest("CN=Akka.Dns interop CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=dns.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("dns.test");
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = req.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), [1, 2, 3, 4, 5, 6, 7, 8]);
        var caPem = Path.Combine(dir, "ca.pem");
        var certPem = Path.Combine(dir, "server.pem");
        var keyPem = Path.Combine(dir, "server.key");
        File.WriteAllText(caPem, ca.ExportCertificatePem());
        File.WriteAllText(certPem, cert.ExportCertificatePem());
        File.WriteAllText(keyPem, key.ExportPkcs8PrivateKeyPem());
        return (caPem, certPem, keyPem);
    }
}
