using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The real daemon with <c>sign</c> + <c>file db.&lt;zone&gt;.signed</c> per zone, keys made by BIND's dnssec-keygen:
/// a CSK of ECDSAP256SHA256 (example.org), a CSK of RSASHA256 (example.com) and a KSK + ZSK of ED25519 (example.net).
/// At start the zones are signed before the server answers; over real UDP a DO query gets RRSIGs (dig, kdig), and
/// delv, given only the zone's KSK as trust anchor, validates positive and negative answers. A second start finds the signatures valid
/// and does not sign again.
/// </summary>
public sealed class SignSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly (string Zone, string Alg, bool Split)[] Zones =
    [
        ("example.org", "ECDSAP256SHA256", false),
        ("example.com", "RSASHA256", false),
        ("example.net", "ED25519", true),
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-sign-").FullName;
    private readonly Dictionary<string, string> _ksk = [];
    private readonly Dictionary<string, string> _sourceText = [];
    private string _corefile = "";
    private Daemon _daemon = null!;

    private static bool HasTools => File.Exists("/usr/bin/dnssec-keygen") || File.Exists("/usr/sbin/dnssec-keygen");

    public async Task InitializeAsync()
    {
        if (!HasTools) return;
        var blocks = new System.Text.StringBuilder();
        foreach (var (zone, alg, split) in Zones)
        {
            var keys = new List<string> { await KeygenAsync(zone, alg, ksk: true) };
            _ksk[zone] = keys[0];
            if (split) keys.Add(await KeygenAsync(zone, alg, ksk: false));
            var source = $"""
                $ORIGIN {zone}.
                $TTL 3600
                @       IN SOA  ns1.{zone}. hostmaster.{zone}. 1 7200 1800 86400 300
                @       IN NS   ns1
                @       IN MX   10 mail
                ns1     IN A    192.0.2.1
                mail    IN A    192.0.2.25
                www     IN A    192.0.2.80
                www     IN AAAA 2001:db8::80
                sub     IN NS   ns.sub
                ns.sub  IN A    192.0.2.53
                a.b     IN A    192.0.2.7
                *.wild  IN A    192.0.2.99

                """;
            _sourceText[zone] = source;
            await File.WriteAllTextAsync(Path.Combine(_dir, $"db.{zone}"), source);
            blocks.Append($$"""
                {{zone}}:{PORT} {
                    root {{_dir}}
                    file db.{{zone}}.signed
                    sign db.{{zone}} {
                        key file {{string.Join(' ', keys.Select(Path.GetFileName))}}
                        directory .
                    }
                }

                """);
        }
        _corefile = blocks.ToString();
        _daemon = await Daemon.StartAsync(_corefile);
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            _daemon.Dump(output);
            await _daemon.DisposeAsync();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<string> KeygenAsync(string zone, string alg, bool ksk)
    {
        var args = new List<string> { "-K", _dir, "-a", alg, "-n", "ZONE" };
        if (ksk) args.AddRange(["-f", "KSK"]);
        if (alg == "RSASHA256") args.AddRange(["-b", "2048"]);
        args.Add(zone);
        var r = await Proc.RunAsync("dnssec-keygen", args, TimeSpan.FromSeconds(60), workDir: _dir);
        Assert.True(r.ExitCode == 0, r.ToString());
        return Path.Combine(_dir, r.Stdout.Trim());
    }

    /// <summary>delv's trust-anchors clause for the zone's KSK (from its .key file).</summary>
    private async Task<string> AnchorFileAsync(string zone)
    {
        var rr = (await File.ReadAllLinesAsync(_ksk[zone] + ".key")).Single(l => l.Length > 0 && l[0] != ';');
        var f = rr.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(f, "DNSKEY");
        var path = Path.Combine(_dir, $"anchor.{zone}");
        await File.WriteAllTextAsync(path,
            $"trust-anchors {{\n    {zone}. static-key {f[i + 1]} {f[i + 2]} {f[i + 3]} \"{string.Concat(f[(i + 4)..])}\";\n}};\n");
        return path;
    }

    [Fact]
    public async Task Sign_should_sign_every_zone_at_start_and_leave_the_sources_alone()
    {
        if (!HasTools) return;
        foreach (var (zone, _, _) in Zones)
        {
            Assert.Contains($"[INFO] plugin/sign: Signing \"{zone}.\" because open {_dir}/db.{zone}.signed: no such file or directory", _daemon.Stdout.Text);
            Assert.Contains($"[INFO] plugin/sign: Successfully signed zone \"{zone}.\" in \"{_dir}/db.{zone}.signed\"", _daemon.Stdout.Text);
            Assert.True(File.Exists(Path.Combine(_dir, $"db.{zone}.signed")));
            Assert.Equal(_sourceText[zone], await File.ReadAllTextAsync(Path.Combine(_dir, $"db.{zone}")));
        }
    }

    [Fact]
    public async Task Dig_and_kdig_DO_queries_should_get_RRSIGs_over_udp()
    {
        if (!HasTools) return;
        foreach (var (zone, _, _) in Zones)
        {
            var d = await Dig.QueryAsync("127.0.0.1", _daemon.Port, "+dnssec", "+notcp", $"www.{zone}", "A");
            output.WriteLine(d.ToString());
            Assert.Equal("NOERROR", d.Status);
            Assert.Contains(d.Answer, r => r.Type == "A" && r.Data == "192.0.2.80");
            Assert.Contains(d.Answer, r => r.Type == "RRSIG" && r.Data.StartsWith("A ", StringComparison.Ordinal));

            var k = await Kdig.QueryAsync("127.0.0.1", _daemon.Port, "+dnssec", "+notcp", $"{zone}", "DNSKEY");
            output.WriteLine(k.ToString());
            Assert.Equal(0, k.Rcode);
            Assert.Contains(k.Section("answerRRs"), r => r.Type == "DNSKEY");
            Assert.Contains(k.Section("answerRRs"), r => r.Type == "RRSIG");
        }
    }

    [Fact]
    public async Task Delv_with_the_zones_KSK_as_trust_anchor_should_fully_validate_answers()
    {
        if (!HasTools) return;
        foreach (var (zone, _, _) in Zones)
        {
            var anchor = await AnchorFileAsync(zone);
            // Positive answers, NXDOMAIN (NSEC covering the name and the wildcard), NODATA (the name's NSEC), an empty
            // non-terminal (a.b exists: b is one) and a wildcard answer (its NSEC proves the name itself does not exist).
            foreach (var (name, type, negative) in new[]
            {
                ($"www.{zone}", "A", false), ($"www.{zone}", "AAAA", false), (zone, "MX", false), ($"nope.{zone}", "A", true),
                ($"zzz.{zone}", "A", true), ($"www.{zone}", "TXT", true), ($"b.{zone}", "A", true), ($"x.wild.{zone}", "A", false),
                ($"x.wild.{zone}", "MX", true),
            })
            {
                var r = await Proc.RunAsync("delv", ["@127.0.0.1", "-p", _daemon.Port.ToString(), "-a", anchor, $"+root={zone}", name, type],
                    TimeSpan.FromSeconds(30));
                output.WriteLine(r.ToString());
                Assert.Equal(0, r.ExitCode);
                Assert.StartsWith(negative ? "; negative response, fully validated\n" : "; fully validated\n", r.Stdout);
            }
        }
    }

    [Fact]
    public async Task A_second_start_should_find_the_signatures_valid_and_not_sign_again()
    {
        if (!HasTools) return;
        var before = await File.ReadAllTextAsync(Path.Combine(_dir, "db.example.org.signed"));
        await using var again = await Daemon.StartAsync(_corefile);
        try
        {
            foreach (var (zone, _, _) in Zones)
                Assert.Contains($"[INFO] plugin/sign: Skipping signing zone \"{zone}.\" in \"{_dir}/db.{zone}.signed\": signatures are valid", again.Stdout.Text);
            Assert.DoesNotContain("plugin/sign: Signing", again.Stdout.Text);
            Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(_dir, "db.example.org.signed")));
            var d = await Dig.QueryAsync("127.0.0.1", again.Port, "+dnssec", "www.example.org", "A");
            Assert.Contains(d.Answer, r => r.Type == "RRSIG");
        }
        finally
        {
            again.Dump(output);
        }
    }
}
