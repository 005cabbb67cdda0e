using System.Text;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The real daemon with a <c>tsig</c> block in front of <c>file</c> + <c>transfer</c>: dig and kdig sign their queries
/// with <c>-y</c> and verify our signed replies (every algorithm, UDP and TCP), a wrong secret gets NOTAUTH/BADSIG, an
/// unknown key NOTAUTH/BADKEY, an unsigned AXFR is refused, and a signed AXFR of a zone that takes several messages
/// verifies message by message in dig and kdig.
/// </summary>
public sealed class TsigSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string KeyName = "tsig-key.";
    private const string Secret = "NoTCJU+DMqFWywaPyxSijrDEA/eC3nK0xi3AMEZuPVk=";
    private const string WrongSecret = "X28hl0BOfAL5G0jsmJWSacrwn7YRm2f6U5brnzwWEus=";
    private const int LargeHosts = 3000;
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-tsig-").FullName;
    private Daemon _daemon = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "db.example.org"), """
            $ORIGIN example.org.
            $TTL 3600
            @       IN SOA  ns1.example.org. hostmaster.example.org. 2024010101 7200 1800 86400 300
            @       IN NS   ns1
            ns1     IN A    192.0.2.1
            www     IN A    192.0.2.80

            """);
        var large = new StringBuilder("$ORIGIN large.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 7 7200 1800 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
        for (var i = 0; i < LargeHosts; i++) large.Append($"host{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "db.large.test"), large.ToString());
        _daemon = await Daemon.StartAsync($$"""
            example.org large.test {
                tsig {
                    secret {{KeyName}} {{Secret}}
                    require AXFR IXFR
                }
                file {{_dir}}/db.example.org example.org
                file {{_dir}}/db.large.test large.test
                transfer {
                    to *
                }
            }
            """);
    }

    public async Task DisposeAsync()
    {
        _daemon.Dump(output);
        await _daemon.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<ProcResult> DigAsync(params string[] args)
    {
        var r = await Dig.RunAsync("127.0.0.1", _daemon.Port, args);
        output.WriteLine(r.ToString());
        return r;
    }

    private async Task<ProcResult> KdigAsync(params string[] args)
    {
        var r = await Kdig.RunAsync("127.0.0.1", _daemon.Port, args);
        output.WriteLine(r.ToString());
        return r;
    }

    /// <summary>The record lines of the TSIG pseudosection dig/kdig print (one per signed message).</summary>
    private static List<string> TsigLines(string stdout) => stdout.Split('\n')
        .Select(l => l.TrimStart(';', ' '))
        .Where(l => l.StartsWith(KeyName, StringComparison.Ordinal) && l.Contains("TSIG", StringComparison.Ordinal))
        .ToList();

    private static void AssertVerified(ProcResult r)
    {
        Assert.DoesNotContain("Couldn't verify", r.Stdout + r.Stderr);
        Assert.DoesNotContain("could not be validated", r.Stdout + r.Stderr);
        Assert.DoesNotContain("tsig verify failure", r.Stdout + r.Stderr);
        Assert.DoesNotContain("reply verification", r.Stdout + r.Stderr);
    }

    [Theory]
    [InlineData("hmac-md5", "hmac-md5.sig-alg.reg.int.", "+notcp")]
    [InlineData("hmac-sha1", "hmac-sha1.", "+notcp")]
    [InlineData("hmac-sha224", "hmac-sha224.", "+tcp")]
    [InlineData("hmac-sha256", "hmac-sha256.", "+notcp")]
    [InlineData("hmac-sha256", "hmac-sha256.", "+tcp")]
    [InlineData("hmac-sha384", "hmac-sha384.", "+notcp")]
    [InlineData("hmac-sha512", "hmac-sha512.", "+tcp")]
    public async Task Dig_should_verify_the_signed_reply_to_a_signed_query(string algorithm, string canonical, string transport)
    {
        var r = await DigAsync("-y", $"{algorithm}:{KeyName}:{Secret}", transport, "www.example.org", "A");
        Assert.Equal(0, r.ExitCode);
        var answer = Dig.Parse(r)!;
        Assert.Equal("NOERROR", answer.Status);
        Assert.Contains(answer.Answer, x => x.Type == "A" && x.Data == "192.0.2.80");
        var tsig = Assert.Single(TsigLines(r.Stdout));
        Assert.Contains($"TSIG\t{canonical} ", tsig);
        Assert.Contains(" NOERROR ", tsig);
        AssertVerified(r);
    }

    [Theory]
    [InlineData("hmac-md5", "+notcp")]
    [InlineData("hmac-sha1", "+tcp")]
    [InlineData("hmac-sha224", "+notcp")]
    [InlineData("hmac-sha256", "+notcp")]
    [InlineData("hmac-sha384", "+tcp")]
    [InlineData("hmac-sha512", "+notcp")]
    public async Task Kdig_should_verify_the_signed_reply_to_a_signed_query(string algorithm, string transport)
    {
        var r = await KdigAsync("-y", $"{algorithm}:{KeyName}:{Secret}", transport, "www.example.org", "A");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("status: NOERROR", r.Stdout);
        Assert.Contains("192.0.2.80", r.Stdout);
        Assert.Contains(";; TSIG PSEUDOSECTION:", r.Stdout);
        Assert.Single(TsigLines(r.Stdout));
        AssertVerified(r);
    }

    [Fact]
    public async Task Dig_with_a_wrong_secret_should_get_notauth_badsig()
    {
        var r = await DigAsync("-y", $"hmac-sha256:{KeyName}:{WrongSecret}", "www.example.org", "A");
        var answer = Dig.Parse(r)!;
        Assert.Equal("NOTAUTH", answer.Status);
        Assert.Empty(answer.Answer);
        Assert.Contains(" BADSIG ", Assert.Single(TsigLines(r.Stdout)));
    }

    [Fact]
    public async Task Kdig_with_an_unknown_key_should_get_notauth_badkey()
    {
        var r = await KdigAsync("-y", $"hmac-sha256:other-key.:{Secret}", "www.example.org", "A");
        Assert.Contains("status: BADKEY", r.Stdout);   // kdig folds the TSIG error into the status
        Assert.Contains(" BADKEY", r.Stdout.Split('\n').Single(l => l.StartsWith("other-key.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Dig_AXFR_without_a_key_should_be_refused()
    {
        var r = await DigAsync("AXFR", "example.org");
        Assert.Contains("Transfer failed.", r.Stdout);
        Assert.Empty(TsigLines(r.Stdout));
    }

    [Fact]
    public async Task Dig_signed_AXFR_of_a_large_zone_should_verify_every_message()
    {
        var r = await DigAsync("-y", $"hmac-sha256:{KeyName}:{Secret}", "AXFR", "large.test");
        Assert.Equal(0, r.ExitCode);
        AssertVerified(r);
        var records = r.Stdout.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';') && !l.Contains("\tTSIG\t", StringComparison.Ordinal)).ToList();
        Assert.Equal(LargeHosts + 4, records.Count);
        var tsigs = r.Stdout.Split('\n').Count(l => l.StartsWith(KeyName, StringComparison.Ordinal) && l.Contains("TSIG", StringComparison.Ordinal));
        Assert.True(tsigs > 1, $"{tsigs} signed messages");
        Assert.Matches(@";; XFR size: \d+ records \(messages [2-9]", r.Stdout);
    }

    [Fact]
    public async Task Kdig_signed_AXFR_of_a_large_zone_should_verify_every_message()
    {
        var r = await KdigAsync("-y", $"hmac-sha512:{KeyName}:{Secret}", "AXFR", "large.test");
        Assert.Equal(0, r.ExitCode);
        AssertVerified(r);
        Assert.DoesNotContain("failed", r.Stdout + r.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"host{LargeHosts - 1}.large.test.", r.Stdout);
        Assert.Matches(@"Received \d+ B \([2-9]\d* messages, " + (LargeHosts + 4) + " records\\)", r.Stdout);
    }
}
