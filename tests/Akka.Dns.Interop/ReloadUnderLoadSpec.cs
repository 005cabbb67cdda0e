using System.Diagnostics;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// Issue 7's reload check in the real daemon: a bounded UDP client load runs while the Corefile is rewritten and
/// SIGUSR1'd eight times, valid and broken alternately. Each version answers version.bind CH TXT with its own
/// marker; a broken one has a syntax error and a marker that must never be seen. No query goes unanswered,
/// every valid marker is served, and the failed reloads equal the broken versions.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ReloadUnderLoadSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private const int Versions = 8;            // 4 valid, 4 broken
    private const int Clients = 4;
    private const int QueriesPerClient = 4000; // the loop's bound; it stops earlier once the rewrites are done

    private static string Valid(int v) => $".:{{PORT}} {{\n    prometheus 127.0.0.1:{{METRICS}}\n    chaos valid-{v}\n    whoami\n}}\n";

    private static string Broken(int v) => $".:{{PORT}} {{\n    prometheus 127.0.0.1:{{METRICS}}\n    chaos broken-{v}\n    whoami {{\n}}\n";   // unclosed block

    private sealed class Load
    {
        public int Sent;
        public int Unanswered;
        public readonly List<string> Bad = [];
        public readonly Dictionary<string, int> Markers = new(StringComparer.Ordinal);
    }

    /// <summary>One socket, one query at a time (2 s each), about 200 queries a second, until stopped or the bound.</summary>
    private static async Task ClientAsync(int port, Load load, int client, CancellationToken stop)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Connect(RawDns.Loopback(port));
        var buf = new byte[4096];
        for (var i = 0; i < QueriesPerClient && !stop.IsCancellationRequested; i++)
        {
            var id = (ushort)(client * 10000 + i % 10000);
            await s.SendAsync(new RawQuery("version.bind.", 16, 3) { Id = id }.Build(), SocketFlags.None);
            Interlocked.Increment(ref load.Sent);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            DnsMessage? m = null;
            try
            {
                while (m is null || m.TransactionID != id)   // a late reply to an earlier id is not this one's
                {
                    var n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token);
                    m = DnsMessage.Parse(buf.AsSpan(0, n).ToArray());
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                Interlocked.Increment(ref load.Unanswered);
                continue;
            }
            var text = string.Join(",", m.AnswerRecords.OfType<TxtRecord>().Select(t => t.TextData));
            lock (load.Markers)
            {
                if (m.ReturnCode != ReturnCode.NoError) load.Bad.Add($"{id}: {m.ReturnCode}");
                load.Markers[text] = load.Markers.GetValueOrDefault(text) + 1;
            }
            await Task.Delay(5, CancellationToken.None);
        }
    }

    /// <summary>The daemon's "reload failed" log lines (each step waits for its own; the total is checked against /metrics).</summary>
    private static Task<long> FailedReloadsAsync(Daemon d) =>
        Task.FromResult((long)d.Stderr.Lines.Count(l => l.Contains("reload failed", StringComparison.Ordinal)));

    /// <summary>A counter's value from a Prometheus text exposition (0 when absent).</summary>
    internal static async Task<long> MetricAsync(int port, string name)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] is ' ' or '{'))
                return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return 0;
    }

    private static async Task<string?> VersionAsync(int port)
    {
        try
        {
            var m = await RawDns.UdpQueryAsync(RawDns.Loopback(port), new RawQuery("version.bind.", 16, 3));
            return string.Join(",", m.AnswerRecords.OfType<TxtRecord>().Select(t => t.TextData));
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Reloads_under_load_should_lose_no_query_never_serve_a_broken_config_and_count_each_failure()
    {
        var metrics = Ports.Free();
        await using var d = await Daemon.StartAsync(Valid(0).Replace("{METRICS}", metrics.ToString()));
        try
        {
            Assert.Equal("valid-0", await VersionAsync(d.Port));
            var load = new Load();
            using var stop = new CancellationTokenSource();
            var clients = Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => ClientAsync(d.Port, load, c, stop.Token))));
            var sw = Stopwatch.StartNew();

            var broken = 0;
            for (var v = 1; v <= Versions; v++)
            {
                var ok = v % 2 == 0;
                var completes = d.Stdout.Lines.Count(l => l.Contains("Reloading complete", StringComparison.Ordinal));
                var failures = await FailedReloadsAsync(d);
                await File.WriteAllTextAsync(d.CorefilePath, (ok ? Valid(v) : Broken(v)).Replace("{PORT}", d.Port.ToString()).Replace("{METRICS}", metrics.ToString()));
                d.Signal(Daemon.SIGUSR1);
                if (ok)
                {
                    Assert.True(await d.Stdout.WaitForAsync(_ => d.Stdout.Lines.Count(l => l.Contains("Reloading complete", StringComparison.Ordinal)) > completes, Bound),
                        $"version {v}: no 'Reloading complete'");
                    Assert.Equal($"valid-{v}", await VersionAsync(d.Port));
                }
                else
                {
                    broken++;
                    Assert.True(await d.Stderr.WaitForAsync(_ => d.Stderr.Lines.Count(l => l.Contains("reload failed", StringComparison.Ordinal)) > failures, Bound),
                        $"version {v}: no 'reload failed'");
                    Assert.Equal($"valid-{v - 1}", await VersionAsync(d.Port));
                }
                await Task.Delay(300);   // load on this version
            }
            output.WriteLine($"{Versions} rewrites in {sw.ElapsedMilliseconds} ms");
            await stop.CancelAsync();
            await clients.WaitAsync(Bound);

            string seen;
            lock (load.Markers) seen = string.Join(", ", load.Markers.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"));
            output.WriteLine($"{load.Sent} queries, {load.Unanswered} unanswered; markers: {seen}");
            Assert.Equal(0, load.Unanswered);
            Assert.Empty(load.Bad);
            Assert.DoesNotContain(load.Markers.Keys, k => k.StartsWith("broken-", StringComparison.Ordinal));
            for (var v = 0; v <= Versions; v += 2) Assert.Contains($"valid-{v}", load.Markers.Keys);
            Assert.Equal(broken, await FailedReloadsAsync(d));
            Assert.Equal(broken, await MetricAsync(metrics, "coredns_reload_failed_total"));
            Assert.False(d.HasExited);
        }
        finally
        {
            d.Dump(output);
        }
    }
}
