using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// SIGTERM in the real daemon with <c>health { lameduck 2s }</c> and <c>ready</c>: during the lameduck queries are
/// still answered over UDP and TCP, /health says 200 and /ready 503 "Shutting down"; then the process exits 0 and
/// every port it held is closed.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class LameduckSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(3) };

    /// <summary>GET on a fresh connection: (status, body), or null when refused.</summary>
    private static async Task<(HttpStatusCode Status, string Body)?> GetAsync(int port, string path)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        req.Headers.ConnectionClose = true;
        try
        {
            using var resp = await Http.SendAsync(req);
            return (resp.StatusCode, await resp.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<bool> TcpRefusedAsync(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await s.ConnectAsync(RawDns.Loopback(port), cts.Token);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    [Fact]
    public async Task SIGTERM_should_run_the_lameduck_answering_queries_with_ready_503_then_exit_0_and_close_every_port()
    {
        var health = Ports.Free();
        var ready = Ports.Free();
        await using var d = await Daemon.StartAsync(
            $".:{{PORT}} {{\n    whoami\n    health 127.0.0.1:{health} {{\n        lameduck 2s\n    }}\n    ready 127.0.0.1:{ready}\n}}\n");
        try
        {
            Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(ready, "/ready"));
            d.Signal(Daemon.SIGTERM);

            // Bounded in count: /ready turns 503 within the lameduck.
            (HttpStatusCode, string)? seen = null;
            for (var i = 0; i < 200 && seen is not (HttpStatusCode.ServiceUnavailable, _); i++)
            {
                seen = await GetAsync(ready, "/ready");
                if (seen is not (HttpStatusCode.ServiceUnavailable, _)) await Task.Delay(10);
            }
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Shutting down"), seen);
            // Still serving: DNS over UDP and TCP, and /health.
            Assert.Equal(ReturnCode.NoError, (await RawDns.UdpQueryAsync(RawDns.Loopback(d.Port), new RawQuery("a.lameduck.example"))).ReturnCode);
            Assert.Equal(ReturnCode.NoError, (await RawDns.TcpQueryAsync(RawDns.Loopback(d.Port), new RawQuery("b.lameduck.example"))).ReturnCode);
            Assert.Equal((HttpStatusCode.OK, "OK"), await GetAsync(health, "/health"));
            Assert.False(d.HasExited);

            Assert.True(await d.WaitForExitAsync(Bound), $"still running {Bound} after SIGTERM");
            Assert.Equal(0, d.ExitCode);
            Assert.Null(await RawDns.UdpAsync(RawDns.Loopback(d.Port), new RawQuery("c.lameduck.example").Build(), TimeSpan.FromSeconds(1)));
            Assert.True(await TcpRefusedAsync(d.Port), "the DNS TCP port is still open");
            Assert.Null(await GetAsync(health, "/health"));
            Assert.Null(await GetAsync(ready, "/ready"));
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task A_lameduck_longer_than_the_default_shutdown_phase_timeout_should_be_waited_in_full()
    {
        var health = Ports.Free();
        var ready = Ports.Free();
        await using var d = await Daemon.StartAsync(
            $".:{{PORT}} {{\n    whoami\n    health 127.0.0.1:{health} {{\n        lameduck 10s\n    }}\n    ready 127.0.0.1:{ready}\n}}\n");
        try
        {
            d.Signal(Daemon.SIGTERM);
            (HttpStatusCode, string)? seen = null;
            for (var i = 0; i < 200 && seen is not (HttpStatusCode.ServiceUnavailable, _); i++)
            {
                seen = await GetAsync(ready, "/ready");
                if (seen is not (HttpStatusCode.ServiceUnavailable, _)) await Task.Delay(10);
            }
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Shutting down"), seen);
            // Akka's default phase timeout (5 s) used to end the daemon here, halfway through the lameduck.
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.False(d.HasExited, "the daemon stopped before its 10 s lameduck ended");
            Assert.Equal(ReturnCode.NoError, (await RawDns.UdpQueryAsync(RawDns.Loopback(d.Port), new RawQuery("late.lameduck.example"))).ReturnCode);
            Assert.True(await d.WaitForExitAsync(Bound), $"still running {Bound} after SIGTERM");
            Assert.Equal(0, d.ExitCode);
        }
        finally
        {
            d.Dump(output);
        }
    }
}
