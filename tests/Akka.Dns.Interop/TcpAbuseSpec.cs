using System.Diagnostics;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// TCP under idle and slowloris connections, with short timeouts from -hocon: normal TCP queries still answered,
/// idle connections closed by the server, pipelined queries all answered.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class TcpAbuseSpec(TcpAbuseSpec.ShortTimeoutDaemon daemon, ITestOutputHelper output) : IClassFixture<TcpAbuseSpec.ShortTimeoutDaemon>, IDisposable
{
    public sealed class ShortTimeoutDaemon : DaemonFixture
    {
        private readonly string _hocon = Path.Combine(Path.GetTempPath(), $"akka-dns-interop-{Guid.NewGuid():N}.conf");

        protected override string Corefile => ". {\n    whoami\n}\n";
        protected override IEnumerable<string> ExtraArgs => ["-hocon", _hocon];

        public override async Task InitializeAsync()
        {
            await File.WriteAllTextAsync(_hocon, "akka.dns.tcp.idle-timeout = 2s\nakka.dns.tcp.read-timeout = 1s\n");
            await base.InitializeAsync();
        }
    }

    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(3);
    private readonly (int, int) _mark = daemon.Daemon.Mark();

    public void Dispose() => daemon.Daemon.Dump(output, _mark);

    private async Task<List<Socket>> OpenAsync(int count)
    {
        var list = new List<Socket>(count);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var i = 0; i < count; i++)
        {
            var s = new Socket(daemon.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await s.ConnectAsync(daemon.Endpoint, cts.Token);
            list.Add(s);
        }
        return list;
    }

    /// <summary>True when the server closed (or reset) the connection within <paramref name="timeout"/>.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket s, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buf = new byte[512];
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            return true;   // reset
        }
    }

    [Fact]
    public async Task Idle_and_slowloris_connections_should_not_block_queries_and_should_be_closed_by_the_server()
    {
        var idle = await OpenAsync(300);
        var slow = await OpenAsync(50);
        try
        {
            // Slowloris: a length prefix announcing 64 bytes, then garbage, one byte every 500 ms for up to 10 s —
            // longer than the bound below, so only the server's read-timeout can close them in time.
            var opened = Stopwatch.StartNew();
            using var stopSlow = new CancellationTokenSource();
            var slowClosed = new bool[slow.Count];
            var slowDriver = Task.Run(async () =>
            {
                for (var round = 0; round < 20 && !stopSlow.IsCancellationRequested; round++)
                {
                    for (var i = 0; i < slow.Count; i++)
                    {
                        if (slowClosed[i]) continue;
                        try
                        {
                            await slow[i].SendAsync(new[] { round switch { 0 => (byte)0x00, 1 => (byte)0x40, _ => (byte)'x' } }, SocketFlags.None);
                        }
                        catch (SocketException)
                        {
                            slowClosed[i] = true;
                        }
                    }
                    try
                    {
                        await Task.Delay(500, stopSlow.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            });

            // While all of them are open, a normal TCP query is answered promptly (functional bound, not a benchmark).
            var sw = Stopwatch.StartNew();
            var m = await RawDns.TcpQueryAsync(daemon.Endpoint, new RawQuery("during.example.org.") { Id = 0x4242 }, Prompt);
            output.WriteLine($"raw TCP query answered in {sw.ElapsedMilliseconds} ms with 350 connections held open");
            Assert.Equal((0x4242, ReturnCode.NoError), (m.TransactionID, m.ReturnCode));
            sw.Restart();
            var dig = await Dig.QueryAsync("127.0.0.1", daemon.Port, "+tcp", "during.example.org");
            output.WriteLine($"dig +tcp answered in {sw.ElapsedMilliseconds} ms (process included)");
            Assert.Equal(("NOERROR", "TCP"), (dig.Status, dig.Transport));

            // The server closes the idle ones (idle-timeout 2 s) and the trickling ones (read-timeout 1 s).
            var idleClosed = await Task.WhenAll(idle.Select(s => ClosedByServerAsync(s, TimeSpan.FromSeconds(10))));
            var slowClosedByServer = await Task.WhenAll(slow.Select(s => ClosedByServerAsync(s, TimeSpan.FromSeconds(10))));
            stopSlow.Cancel();
            await slowDriver.WaitAsync(TimeSpan.FromSeconds(15));
            output.WriteLine($"all closed {opened.ElapsedMilliseconds} ms after opening; closed by the server: idle {idleClosed.Count(c => c)}/{idle.Count}, slowloris {slowClosedByServer.Count(c => c)}/{slow.Count}");
            Assert.All(idleClosed, Assert.True);
            Assert.All(slowClosedByServer, Assert.True);

            // and it still answers afterwards
            var after = await RawDns.TcpQueryAsync(daemon.Endpoint, new RawQuery("after.example.org.") { Id = 7 }, Prompt);
            Assert.Equal(ReturnCode.NoError, after.ReturnCode);
        }
        finally
        {
            foreach (var s in idle.Concat(slow)) s.Dispose();
        }
    }

    [Fact]
    public async Task An_idle_connection_should_be_closed_after_the_idle_timeout_but_not_before_a_query_is_answered()
    {
        using var s = (await OpenAsync(1))[0];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await s.SendAsync(RawDns.Framed(new RawQuery("first.example.org.") { Id = 1 }.Build()), SocketFlags.None, cts.Token);
        var reply = await RawDns.ReadFramedAsync(s, cts.Token);
        Assert.NotNull(reply);
        Assert.Equal(1, DnsMessage.Parse(reply).TransactionID);
        var sw = Stopwatch.StartNew();
        Assert.True(await ClosedByServerAsync(s, TimeSpan.FromSeconds(10)), "the server kept an idle connection open past 10 s (idle-timeout 2 s)");
        output.WriteLine($"closed {sw.ElapsedMilliseconds} ms after the last reply");
        Assert.True(sw.Elapsed > TimeSpan.FromSeconds(1), $"closed after only {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_hundred_pipelined_queries_on_one_connection_should_all_be_answered()
    {
        using var s = (await OpenAsync(1))[0];
        var ids = Enumerable.Range(1000, 100).Select(i => (ushort)i).ToList();
        var all = ids.SelectMany(id => RawDns.Framed(new RawQuery($"p{id}.example.org.") { Id = id }.Build())).ToArray();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await s.SendAsync(all, SocketFlags.None, cts.Token);   // written back to back before reading anything
        var seen = new HashSet<int>();
        for (var i = 0; i < ids.Count; i++)
        {
            var r = await RawDns.ReadFramedAsync(s, cts.Token) ?? throw new Xunit.Sdk.XunitException($"connection closed after {i} replies");
            var m = DnsMessage.Parse(r);
            Assert.False(m.IsQuery);
            Assert.Equal(ReturnCode.NoError, m.ReturnCode);
            Assert.Equal($"p{m.TransactionID}.example.org.", m.Questions[0].Name.ToString());
            Assert.True(seen.Add(m.TransactionID), $"id {m.TransactionID} answered twice");
        }
        Assert.Equal(ids.Select(i => (int)i).ToHashSet(), seen);
    }
}
