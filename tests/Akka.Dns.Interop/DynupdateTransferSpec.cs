using System.Net;
using System.Net.Sockets;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// A dynupdate zone behind <c>transfer</c>: an UPDATE sends NOTIFY (with the zone) to the configured secondary, and
/// an IXFR from the old serial (answered with the whole new version, as for every zone) and an AXFR carry the change.
/// </summary>
public sealed class DynupdateTransferSpec : IAsyncLifetime
{
    private readonly UdpClient _secondary = new(new IPEndPoint(IPAddress.Loopback, 0));
    private Daemon _daemon = null!;

    private int SecondaryPort => ((IPEndPoint)_secondary.Client.LocalEndPoint!).Port;

    public async Task InitializeAsync() => _daemon = await Daemon.StartAsync($$"""
        {{ClusterUpdateSpec.Zone}} {
            tsig {
                secret {{ClusterUpdateSpec.KeyName}} {{ClusterUpdateSpec.Secret}}
            }
            dynupdate {
                key {{ClusterUpdateSpec.KeyName}}
            }
            transfer {
                to * 127.0.0.1:{{SecondaryPort}}
            }
        }
        """);

    public async Task DisposeAsync()
    {
        _secondary.Dispose();
        await _daemon.DisposeAsync();
    }

    /// <summary>Receives one NOTIFY for dyn.test and acknowledges it; false when none came in time.</summary>
    private async Task<bool> NextNotifyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        UdpReceiveResult got;
        try
        {
            got = await _secondary.ReceiveAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        var b = got.Buffer;
        Assert.Equal(4, (b[2] >> 3) & 0xF);   // opcode NOTIFY
        Assert.Equal([3, .. "dyn"u8, 4, .. "test"u8, 0, 0, 6, 0, 1], b[12..(12 + 14)]);
        var reply = (byte[])b.Clone();
        reply[2] |= 0x80;
        await _secondary.SendAsync(reply, got.RemoteEndPoint);
        return true;
    }

    [Fact]
    public async Task An_update_should_send_NOTIFY_and_be_carried_by_IXFR_and_AXFR()
    {
        // The NOTIFY transfer sends when the server starts: answer it first, so the next one is the update's.
        await NextNotifyAsync(TimeSpan.FromSeconds(5));
        var before = await Dig.QueryAsync("127.0.0.1", _daemon.Port, ClusterUpdateSpec.Zone, "SOA");
        var oldSerial = long.Parse(before.Answer.Single(r => r.Type == "SOA").Data.Split(' ')[2]);
        var r = await ClusterUpdateSpec.NsupdateAsync(_daemon.Port, "update add new.dyn.test. 300 A 192.0.2.200");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(await NextNotifyAsync(TimeSpan.FromSeconds(15)), "no NOTIFY after the update\n" + _daemon.Log);

        var ixfr = await Dig.RunAsync("127.0.0.1", _daemon.Port, $"IXFR={oldSerial}", ClusterUpdateSpec.Zone);
        Assert.Contains("192.0.2.200", ixfr.Stdout);
        var axfr = await Dig.RunAsync("127.0.0.1", _daemon.Port, "AXFR", ClusterUpdateSpec.Zone);
        Assert.Contains("new.dyn.test.", axfr.Stdout);
        Assert.Contains("192.0.2.200", axfr.Stdout);
        Assert.Contains($"{oldSerial + 1}", axfr.Stdout);
    }
}
