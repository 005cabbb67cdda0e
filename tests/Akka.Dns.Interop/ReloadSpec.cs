using System.Diagnostics;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The reload plugin in the real daemon: the Corefile is rewritten under a stream of UDP queries and queries on one
/// open TCP connection; the new config serves, every query of the stream is answered NOERROR (none lost, none
/// SERVFAIL), the TCP connection survives, and a broken Corefile keeps the old config serving.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ReloadSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private const string Old = ".:{PORT} {\n    reload 2s 0s\n    whoami\n}\n";
    private const string New = ".:{PORT} {\n    reload 2s 0s\n    chaos AkkaReloaded\n    whoami\n}\n";

    private sealed class Stream
    {
        public int Sent;
        public readonly List<string> Failures = [];
    }

    /// <summary>UDP queries back to back, each with its own socket and a 2 s wait, until <paramref name="stop"/>.</summary>
    private static async Task RunStreamAsync(int port, Stream stream, CancellationToken stop)
    {
        var ep = RawDns.Loopback(port);
        var i = 0;
        while (!stop.IsCancellationRequested)
        {
            var name = $"q{i++}.stream.example";
            Interlocked.Increment(ref stream.Sent);
            var reply = await RawDns.UdpAsync(ep, new RawQuery(name) { Id = (ushort)i }.Build(), TimeSpan.FromSeconds(2));
            if (reply is null)
            {
                lock (stream.Failures) stream.Failures.Add($"{name}: no reply");
                continue;
            }
            var m = DnsMessage.Parse(reply);
            if (m.ReturnCode != ReturnCode.NoError)
                lock (stream.Failures) stream.Failures.Add($"{name}: {m.ReturnCode}");
        }
    }

    private static async Task<string?> VersionAsync(int port)
    {
        try
        {
            var m = await RawDns.UdpQueryAsync(RawDns.Loopback(port), new RawQuery("version.bind.", 16, 3));
            return m.ReturnCode == ReturnCode.NoError ? string.Join("", m.AnswerRecords.OfType<TxtRecord>().Select(t => t.TextData)) : m.ReturnCode.ToString();
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private static async Task<DnsMessage> TcpOnAsync(Socket s, string name, ushort id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await s.SendAsync(RawDns.Framed(new RawQuery(name) { Id = id }.Build()), SocketFlags.None, cts.Token);
        var reply = await RawDns.ReadFramedAsync(s, cts.Token) ?? throw new IOException("the server closed the TCP connection");
        return DnsMessage.Parse(reply);
    }

    [Fact]
    public async Task Reload_should_serve_a_changed_corefile_without_losing_a_query_or_a_listener()
    {
        await using var d = await Daemon.StartAsync(Old);
        try
        {
            Assert.Equal("Refused", await VersionAsync(d.Port));   // no chaos yet: CH is refused
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(RawDns.Loopback(d.Port));
            Assert.Equal(ReturnCode.NoError, (await TcpOnAsync(tcp, "before.tcp.example", 1)).ReturnCode);

            var stream = new Stream();
            using var stop = new CancellationTokenSource();
            var running = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => RunStreamAsync(d.Port, stream, stop.Token))));

            await File.WriteAllTextAsync(d.CorefilePath, New.Replace("{PORT}", d.Port.ToString()));
            var sw = Stopwatch.StartNew();
            string? version = null;
            while (sw.Elapsed < Bound && (version = await VersionAsync(d.Port)) != "AkkaReloaded") await Task.Delay(100);
            Assert.Equal("AkkaReloaded", version);
            output.WriteLine($"new config served {sw.ElapsedMilliseconds} ms after the write");
            await Task.Delay(TimeSpan.FromSeconds(6));   // past the old blocks' drain (request-timeout 5 s + two sweeps)
            await stop.CancelAsync();
            await running;

            output.WriteLine($"{stream.Sent} queries across the reload, {stream.Failures.Count} failed");
            Assert.True(stream.Sent > 50, $"only {stream.Sent} queries sent");
            Assert.Empty(stream.Failures);
            Assert.Contains(d.Stdout.Lines, l => l.Contains("Reloading complete", StringComparison.Ordinal));
            // The TCP connection opened before the reload still answers.
            Assert.Equal(ReturnCode.NoError, (await TcpOnAsync(tcp, "after.tcp.example", 2)).ReturnCode);
            Assert.False(d.HasExited);
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task Reload_should_keep_the_old_config_serving_when_the_changed_corefile_is_broken()
    {
        await using var d = await Daemon.StartAsync(New);
        try
        {
            Assert.Equal("AkkaReloaded", await VersionAsync(d.Port));
            await File.WriteAllTextAsync(d.CorefilePath, ".:" + d.Port + " {\n    reload 2s 0s\n    chaos Broken\n    nosuchdirective\n}\n");
            Assert.True(await d.Stderr.WaitForAsync(l => l.Contains("reload failed", StringComparison.Ordinal), Bound), "no reload error reported");
            Assert.Contains(d.Stderr.Lines, l => l.Contains("Unknown directive 'nosuchdirective'", StringComparison.Ordinal));
            Assert.Equal("AkkaReloaded", await VersionAsync(d.Port));

            // Fixing the file is noticed by the next poll.
            await File.WriteAllTextAsync(d.CorefilePath, ".:" + d.Port + " {\n    reload 2s 0s\n    chaos Fixed\n}\n");
            var sw = Stopwatch.StartNew();
            string? version = null;
            while (sw.Elapsed < Bound && (version = await VersionAsync(d.Port)) != "Fixed") await Task.Delay(100);
            Assert.Equal("Fixed", version);
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task Reload_should_notice_a_change_in_an_imported_file()
    {
        var dir = Directory.CreateTempSubdirectory("akka-dns-reload-import-").FullName;
        var extra = Path.Combine(dir, "extra.conf");
        await File.WriteAllTextAsync(extra, "chaos Before\n");
        await using var d = await Daemon.StartAsync(".:{PORT} {\n    reload 2s 0s\n    import " + extra + "\n    whoami\n}\n");
        try
        {
            Assert.Equal("Before", await VersionAsync(d.Port));
            await File.WriteAllTextAsync(extra, "chaos After\n");
            var sw = Stopwatch.StartNew();
            string? version = null;
            while (sw.Elapsed < Bound && (version = await VersionAsync(d.Port)) != "After") await Task.Delay(100);
            Assert.Equal("After", version);
        }
        finally
        {
            d.Dump(output);
            Directory.Delete(dir, recursive: true);
        }
    }
}
