using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The real daemon with <c>dnssec</c> in front of <c>file</c>, its keys made by BIND's <c>dnssec-keygen</c>, checked by
/// independent validators: <c>delv</c> with the zone's KSK as its only trust anchor says "fully validated" for an
/// answer and for each kind of denial (every algorithm); <c>kdig +dnssec</c> shows the RRSIGs; a reply whose RRSIG is
/// altered on the way (a UDP relay flips one octet of the signature) is rejected by delv; and Unbound, validating in
/// front of us with the same anchor, sets AD.
/// </summary>
public sealed class DnssecSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Zone = """
        $ORIGIN example.org.
        $TTL 1800
        @        IN SOA  ns1 hostmaster 2024010101 7200 1800 86400 300
        @        IN NS   ns1
        ns1      IN A    192.0.2.1
        www      IN A    192.0.2.80
        www      IN A    192.0.2.81
        alias    IN CNAME www
        txtonly  IN TXT  "only text here"

        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-dnssec-interop-").FullName;
    private readonly List<IAsyncDisposable> _running = [];
    private string _anchor = "";
    private string _kskDnskey = "";

    public Task InitializeAsync() => Task.CompletedTask;

    // xUnit 2 disposes a test class through IAsyncLifetime, not IAsyncDisposable: the daemons must not outlive the spec.
    public async Task DisposeAsync()
    {
        foreach (var r in _running)
        {
            if (r is Daemon d) d.Dump(output);
            await r.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> KeygenAsync(string algorithm, bool ksk)
    {
        var args = new List<string> { "-q", "-K", _dir, "-a", algorithm };
        if (algorithm == "RSASHA256") args.AddRange(["-b", "2048"]);
        if (ksk) args.AddRange(["-f", "KSK"]);
        args.Add("example.org");
        var r = await Proc.RunAsync("dnssec-keygen", args, TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        return Path.Combine(_dir, r.Stdout.Trim());
    }

    /// <summary>A KSK and a ZSK of <paramref name="algorithm"/>; the daemon signs example.org with both (split mode).</summary>
    private async Task<Daemon> StartAsync(string algorithm = "ECDSAP256SHA256")
    {
        var ksk = await KeygenAsync(algorithm, ksk: true);
        var zsk = await KeygenAsync(algorithm, ksk: false);
        await File.WriteAllTextAsync(Path.Combine(_dir, "db.example.org"), Zone);
        // The KSK's DNSKEY RR, for delv's static-key and Unbound's trust-anchor.
        var rr = File.ReadAllLines(ksk + ".key").Single(l => !l.StartsWith(';') && l.Contains("DNSKEY"));
        var f = rr.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(f, "DNSKEY");
        var key = string.Concat(f[(i + 4)..]);
        _kskDnskey = $"example.org. DNSKEY {f[i + 1]} {f[i + 2]} {f[i + 3]} {key}";
        _anchor = Path.Combine(_dir, "anchor.conf");
        await File.WriteAllTextAsync(_anchor, $"trust-anchors {{\n    example.org. static-key {f[i + 1]} {f[i + 2]} {f[i + 3]} \"{key}\";\n}};\n");
        var d = await Daemon.StartAsync($$"""
            example.org {
                bind 127.0.0.1
                dnssec {
                    key file {{ksk}} {{zsk}}
                }
                file {{_dir}}/db.example.org
            }
            """);
        _running.Add(d);
        return d;
    }

    private async Task<ProcResult> DelvAsync(int port, string name, string type)
    {
        var r = await Proc.RunAsync("delv", ["@127.0.0.1", "-p", port.ToString(), "-a", _anchor, "+root=example.org", name, type],
            TimeSpan.FromSeconds(30));
        output.WriteLine(r.ToString());
        return r;
    }

    [DnssecToolsFact]
    public async Task Delv_should_fully_validate_a_signed_answer()
    {
        var d = await StartAsync();
        var r = await DelvAsync(d.Port, "www.example.org", "A");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("; fully validated", r.Stdout);
        Assert.Contains("www.example.org.\t1800\tIN\tA\t192.0.2.80", r.Stdout);
        Assert.Contains("RRSIG\tA 13 3 3600", r.Stdout);
        var c = await DelvAsync(d.Port, "alias.example.org", "A");
        Assert.Contains("; fully validated", c.Stdout);
        Assert.Contains("CNAME", c.Stdout);
    }

    [DnssecToolsTheory]
    [InlineData("nope.example.org", "A")]
    [InlineData("deep.nope.example.org", "AAAA")]
    [InlineData("txtonly.example.org", "A")]
    [InlineData("www.example.org", "TXT")]
    [InlineData("example.org", "HINFO")]
    public async Task Delv_should_fully_validate_a_black_lies_denial(string name, string type)
    {
        var d = await StartAsync();
        var r = await DelvAsync(d.Port, name, type);
        Assert.Contains("; negative response, fully validated", r.Stdout);
        Assert.Contains($"NSEC \\000.{name}.", r.Stdout);
    }

    [DnssecToolsTheory]
    [InlineData("ED25519")]
    [InlineData("RSASHA256")]
    public async Task Delv_should_fully_validate_answers_and_denials_signed_with_each_algorithm(string algorithm)
    {
        var d = await StartAsync(algorithm);
        Assert.Contains("; fully validated", (await DelvAsync(d.Port, "www.example.org", "A")).Stdout);
        Assert.Contains("; negative response, fully validated", (await DelvAsync(d.Port, "nope.example.org", "A")).Stdout);
    }

    [DnssecToolsFact]
    public async Task Kdig_dnssec_should_show_the_RRSIGs_and_no_dnssec_none()
    {
        var d = await StartAsync();
        var signed = await Kdig.RunAsync("127.0.0.1", d.Port, "+dnssec", "www.example.org", "A");
        output.WriteLine(signed.ToString());
        Assert.Contains("status: NOERROR", signed.Stdout);
        Assert.Matches(@"www\.example\.org\.\s+1800\s+IN\s+RRSIG\s+A 13 3 3600 \d{14} \d{14} \d+ example\.org\. ", signed.Stdout);
        Assert.Matches(@"example\.org\.\s+1800\s+IN\s+RRSIG\s+NS 13 2 3600 ", signed.Stdout);
        var nx = await Kdig.RunAsync("127.0.0.1", d.Port, "+dnssec", "nope.example.org", "A");
        output.WriteLine(nx.ToString());
        Assert.Contains("status: NOERROR", nx.Stdout);
        Assert.Matches(@"nope\.example\.org\.\s+300\s+IN\s+NSEC\s+\\000\.nope\.example\.org\. ", nx.Stdout);
        Assert.Matches(@"nope\.example\.org\.\s+300\s+IN\s+RRSIG\s+NSEC 13 3 3600 ", nx.Stdout);
        var plain = await Kdig.RunAsync("127.0.0.1", d.Port, "www.example.org", "A");
        output.WriteLine(plain.ToString());
        Assert.DoesNotContain("RRSIG", plain.Stdout);
        var plainNx = await Kdig.RunAsync("127.0.0.1", d.Port, "nope.example.org", "A");
        Assert.Contains("status: NXDOMAIN", plainNx.Stdout);
    }

    [DnssecToolsFact]
    public async Task Delv_should_reject_an_answer_whose_signature_was_altered()
    {
        var d = await StartAsync();
        await using var relay = new TamperingRelay(d.Port, RecordType.A);
        var honest = await DelvAsync(d.Port, "www.example.org", "A");
        Assert.Contains("; fully validated", honest.Stdout);
        var r = await DelvAsync(relay.Port, "www.example.org", "A");
        Assert.True(relay.Tampered > 0, "the relay altered no RRSIG");
        Assert.DoesNotContain("fully validated", r.Stdout + r.Stderr);
        Assert.Contains("resolution failed: RRSIG failed to verify", r.Stdout + r.Stderr);
        // The DNSKEY passed through untouched, so the key itself still validates through the relay.
        Assert.Contains("; fully validated", (await DelvAsync(relay.Port, "example.org", "DNSKEY")).Stdout);
    }

    [DnssecToolsFact]
    public async Task Unbound_validating_in_front_should_set_AD_for_answers_and_denials()
    {
        var unboundBin = File.Exists("/usr/sbin/unbound") ? "/usr/sbin/unbound" : "unbound";
        var d = await StartAsync();
        var port = Ports.Free();
        var conf = Path.Combine(_dir, "unbound.conf");
        await File.WriteAllTextAsync(conf, $"""
            server:
                interface: 127.0.0.1@{port}
                do-ip6: no
                do-daemonize: no
                username: ""
                chroot: ""
                directory: "{_dir}"
                pidfile: "{_dir}/unbound.pid"
                use-syslog: no
                logfile: ""
                verbosity: 1
                module-config: "validator iterator"
                trust-anchor: "{_kskDnskey}"
                do-not-query-localhost: no
                access-control: 127.0.0.0/8 allow
                val-log-level: 2
            stub-zone:
                name: "example.org."
                stub-addr: 127.0.0.1@{d.Port}

            """);
        await using var unbound = await Resolver.StartAsync(unboundBin, ["-d", "-c", conf], port, output);
        var a = await Dig.RunAsync("127.0.0.1", port, "+dnssec", "www.example.org", "A");
        output.WriteLine(a.ToString());
        Assert.Matches(@"flags: qr rd ra ad;", a.Stdout);
        Assert.Contains("status: NOERROR", a.Stdout);
        var nx = await Dig.RunAsync("127.0.0.1", port, "+dnssec", "nope.example.org", "A");
        output.WriteLine(nx.ToString());
        Assert.Matches(@"flags: qr rd ra ad;", nx.Stdout);
        var nodata = await Dig.RunAsync("127.0.0.1", port, "+dnssec", "www.example.org", "TXT");
        output.WriteLine(nodata.ToString());
        Assert.Matches(@"flags: qr rd ra ad;", nodata.Stdout);
    }

    /// <summary>A validating resolver process started for one spec and stopped by its own pid.</summary>
    private sealed class Resolver(System.Diagnostics.Process process, ITestOutputHelper output) : IAsyncDisposable
    {
        private readonly System.Text.StringBuilder _log = new();

        public static async Task<Resolver> StartAsync(string file, string[] args, int port, ITestOutputHelper output)
        {
            var psi = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            var p = System.Diagnostics.Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
            var r = new Resolver(p, output);
            p.OutputDataReceived += (_, e) => { lock (r._log) r._log.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { lock (r._log) r._log.AppendLine(e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            for (var i = 0; i < 100; i++)
            {
                if (p.HasExited) break;
                var probe = await Dig.RunAsync("127.0.0.1", port, "+time=1", "+tries=1", "example.org", "SOA");
                if (probe.Stdout.Contains("status: NOERROR")) return r;
                await Task.Delay(200);
            }
            await r.DisposeAsync();
            throw new InvalidOperationException($"{file} did not answer on {port}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            lock (_log) output.WriteLine($"--- resolver log\n{_log}");
            process.Dispose();
        }
    }

    /// <summary>
    /// A UDP relay on loopback in front of the daemon that flips one octet of the signature of every RRSIG covering
    /// <paramref name="covered"/> in the replies it passes back (found in the raw reply by its bytes).
    /// </summary>
    private sealed class TamperingRelay : IAsyncDisposable
    {
        private readonly UdpClient _front = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _loop;
        private int _tampered;

        public TamperingRelay(int upstream, RecordType covered)
        {
            _loop = Task.Run(async () =>
            {
                while (!_cts.IsCancellationRequested)
                {
                    UdpReceiveResult q;
                    try
                    {
                        q = await _front.ReceiveAsync(_cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    using var back = new UdpClient(AddressFamily.InterNetwork);
                    await back.SendAsync(q.Buffer, new IPEndPoint(IPAddress.Loopback, upstream));
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
                    wait.CancelAfter(TimeSpan.FromSeconds(5));
                    byte[] reply;
                    try
                    {
                        reply = (await back.ReceiveAsync(wait.Token)).Buffer;
                    }
                    catch (OperationCanceledException)
                    {
                        continue;
                    }
                    foreach (var sig in DnsMessage.Parse(reply).AnswerRecords.OfType<RrSigRecord>())
                    {
                        if (sig.TypeCovered != covered) continue;
                        var at = reply.AsSpan().IndexOf(sig.Signature);
                        if (at < 0) continue;
                        reply[at + sig.Signature.Length / 2] ^= 0x01;
                        Interlocked.Increment(ref _tampered);
                    }
                    await _front.SendAsync(reply, q.RemoteEndPoint);
                }
            });
        }

        public int Port => ((IPEndPoint)_front.Client.LocalEndPoint!).Port;
        public int Tampered => Volatile.Read(ref _tampered);

        public async ValueTask DisposeAsync()
        {
            _cts.Cancel();
            await _loop.WaitAsync(TimeSpan.FromSeconds(10));
            _front.Dispose();
            _cts.Dispose();
        }
    }
}

/// <summary>Needs delv (bind9-dnsutils), dnssec-keygen (bind9-utils), kdig and unbound; skipped with the package to install.</summary>
public sealed class DnssecToolsFactAttribute : FactAttribute
{
    public DnssecToolsFactAttribute()
    {
        if (DnssecTools.Missing() is { } m) Skip = m;
    }
}

public sealed class DnssecToolsTheoryAttribute : TheoryAttribute
{
    public DnssecToolsTheoryAttribute()
    {
        if (DnssecTools.Missing() is { } m) Skip = m;
    }
}

internal static class DnssecTools
{
    public static string? Missing()
    {
        foreach (var (tool, package) in new[] { ("delv", "bind9-dnsutils"), ("dnssec-keygen", "bind9-utils"), ("kdig", "knot-dnsutils"), ("unbound", "unbound") })
        {
            var found = false;
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin"))
                if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool))) found = true;
            if (!found) return $"needs {tool} ({package}; ./run.sh test installs it)";
        }
        return null;
    }
}
