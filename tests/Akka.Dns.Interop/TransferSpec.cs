using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The real daemon serving a zone file with <c>file</c> + <c>transfer { to * }</c>, transferred by dig and kdig
/// (AXFR, IXFR with the current and an older serial), a zone large enough for several messages, and the NOTIFY
/// the daemon sends at start to a UDP socket of the spec.
/// </summary>
public sealed class TransferSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const uint Serial = 2024010101;
    private const int LargeHosts = 3000;
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-transfer-").FullName;
    private readonly UdpClient _secondary = new(new IPEndPoint(IPAddress.Loopback, 0));
    private Daemon _daemon = null!;

    private int SecondaryPort => ((IPEndPoint)_secondary.Client.LocalEndPoint!).Port;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "db.example.org"), $"""
            $ORIGIN example.org.
            $TTL 3600
            @       IN SOA  ns1.example.org. hostmaster.example.org. {Serial} 7200 1800 86400 300
            @       IN NS   ns1
            @       IN NS   ns2
            @       IN MX   10 mail
            ns1     IN A    192.0.2.1
            ns2     IN A    192.0.2.2
            mail    IN A    192.0.2.3
            www     IN AAAA 2001:db8::80
            www     IN A    192.0.2.80
            txt     IN TXT  "hello world"

            """);
        var large = new StringBuilder($"$ORIGIN large.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 7 7200 1800 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
        for (var i = 0; i < LargeHosts; i++) large.Append($"host{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "db.large.test"), large.ToString());
        _daemon = await Daemon.StartAsync($$"""
            example.org {
                file {{_dir}}/db.example.org
                transfer {
                    to * 127.0.0.1:{{SecondaryPort}}
                }
            }
            large.test {
                file {{_dir}}/db.large.test
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
        _secondary.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>dig's AXFR output: the records in order (comments and blank lines dropped).</summary>
    private static List<string[]> Records(string stdout) => stdout.Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith(';'))
        .Select(l => l.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries))
        .ToList();

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

    [Fact]
    public async Task Dig_AXFR_should_get_the_zone_SOA_first_and_last()
    {
        var r = await DigAsync("AXFR", "example.org");
        Assert.Equal(0, r.ExitCode);
        var rrs = Records(r.Stdout);
        Assert.Equal(11, rrs.Count);
        Assert.Equal(["example.org.", "SOA"], [rrs[0][0], rrs[0][3]]);
        Assert.Equal(["example.org.", "SOA"], [rrs[^1][0], rrs[^1][3]]);
        Assert.Equal(Serial.ToString(), rrs[0][6]);
        Assert.Contains(rrs, x => x[0] == "txt.example.org." && x[3] == "TXT");
        Assert.Contains(rrs, x => x[0] == "www.example.org." && x[3] == "AAAA" && x[4] == "2001:db8::80");
        Assert.Contains(";; XFR size: 11 records (messages 1,", r.Stdout);
    }

    [Fact]
    public async Task Dig_AXFR_of_a_large_zone_should_come_in_several_messages_with_every_record()
    {
        var r = await DigAsync("AXFR", "large.test");
        Assert.Equal(0, r.ExitCode);
        var rrs = Records(r.Stdout);
        Assert.Equal(LargeHosts + 4, rrs.Count);
        Assert.Equal("SOA", rrs[0][3]);
        Assert.Equal("SOA", rrs[^1][3]);
        Assert.Equal(LargeHosts + 2, rrs.Skip(1).SkipLast(1).Select(x => string.Join(' ', x)).Distinct().Count());
        var size = System.Text.RegularExpressions.Regex.Match(r.Stdout, @";; XFR size: (\d+) records \(messages (\d+),");
        Assert.True(size.Success, r.Stdout);
        Assert.Equal(LargeHosts + 4, int.Parse(size.Groups[1].Value));
        Assert.True(int.Parse(size.Groups[2].Value) >= 2, $"messages {size.Groups[2].Value}");
    }

    [Fact]
    public async Task Kdig_AXFR_should_get_the_whole_zone()
    {
        var r = await KdigAsync("AXFR", "example.org");
        Assert.Equal(0, r.ExitCode);
        var rrs = Records(r.Stdout);
        Assert.Equal(11, rrs.Count);
        Assert.Equal("SOA", rrs[0][3]);
        Assert.Equal("SOA", rrs[^1][3]);
        Assert.Contains(";; Received", r.Stdout);
    }

    [Fact]
    public async Task Kdig_IXFR_with_the_current_serial_should_get_the_SOA_alone()
    {
        var r = await KdigAsync($"IXFR={Serial}", "example.org");
        Assert.Equal(0, r.ExitCode);
        var rrs = Records(r.Stdout);
        var soa = Assert.Single(rrs);
        Assert.Equal(["example.org.", "SOA", Serial.ToString()], [soa[0], soa[3], soa[6]]);
    }

    [Fact]
    public async Task Kdig_IXFR_with_an_older_serial_should_get_the_whole_zone()
    {
        var r = await KdigAsync($"IXFR={Serial - 1}", "example.org");
        Assert.Equal(0, r.ExitCode);
        var rrs = Records(r.Stdout);
        Assert.Equal(11, rrs.Count);
        Assert.Equal("SOA", rrs[0][3]);
        Assert.Equal("SOA", rrs[^1][3]);
    }

    [Fact]
    public async Task Transfer_over_UDP_should_be_refused()
    {
        var r = await KdigAsync("+notcp", $"IXFR={Serial - 1}", "example.org");
        Assert.Contains("REFUSED", r.Stdout + r.Stderr);
    }

    [Fact]
    public async Task Daemon_should_notify_the_to_address_at_start()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var got = await _secondary.ReceiveAsync(cts.Token);
        var b = got.Buffer;
        Assert.Equal(4, (b[2] >> 3) & 0xF);          // opcode NOTIFY
        Assert.NotEqual(0, b[2] & 0x04);             // AA
        Assert.Equal(1, b[5]);                       // one question
        Assert.Equal([7, .. "example"u8, 3, .. "org"u8, 0, 0, 6, 0, 1], b[12..]);
        var reply = (byte[])b.Clone();
        reply[2] |= 0x80;
        await _secondary.SendAsync(reply, got.RemoteEndPoint);
        Assert.True(await _daemon.Stdout.WaitForAsync(l => l.Contains("plugin/transfer: sent notify for zone \"example.org.\""), TimeSpan.FromSeconds(10)),
            _daemon.Log);
    }
}
