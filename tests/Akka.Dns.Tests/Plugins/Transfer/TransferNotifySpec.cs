using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Http;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.File;
using Akka.Dns.Plugins.Transfer;
using Akka.Dns.Tests.Logging;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Transfer;

[Collection(LineLogCollection.Name)]
public sealed class TransferNotifySpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const uint Serial = 2024010101;

    /// <summary>A UDP socket on 127.0.0.1:0 that answers every NOTIFY with <paramref name="rcode"/> and queues what it got.</summary>
    private sealed class Secondary : IDisposable
    {
        private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource _stop = new();
        private readonly BlockingCollection<DnsMessage> _received = new();

        public Secondary(ReturnCode rcode)
        {
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    UdpReceiveResult r;
                    try
                    {
                        r = await _udp.ReceiveAsync(_stop.Token);
                    }
                    catch (Exception)
                    {
                        return;
                    }
                    _received.Add(DnsMessage.Parse(r.Buffer));
                    var reply = (byte[])r.Buffer.Clone();
                    reply[2] |= 0x80;
                    reply[3] = (byte)((reply[3] & 0xF0) | (int)rcode);
                    await _udp.SendAsync(reply, r.RemoteEndPoint);
                }
            });
        }

        public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

        public DnsMessage Next()
        {
            Assert.True(_received.TryTake(out var m, TimeSpan.FromSeconds(15)), "no NOTIFY arrived");
            return m!;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _udp.Dispose();
        }
    }

    private async Task<PipelineHarness> StartAsync(TestTransferer zones, string corefile)
    {
        var h = PipelineHarness.Start(Sys, corefile, zones.Catalog);
        await h.StartPluginsAsync(Sys);
        return h;
    }

    private static void AssertNotify(DnsMessage m, string zone)
    {
        Assert.Equal(OperationCode.Notify, m.OperationCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.True(m.IsQuery);
        var q = Assert.Single(m.Questions);
        Assert.Equal(zone, q.Name.ToString());
        Assert.Equal(RecordType.Soa, q.RecordType);
        Assert.Equal(RecordClass.INet, q.RecordClass);
        Assert.Empty(m.AnswerRecords);
    }

    [Fact]
    public async Task Transfer_should_notify_at_start_and_whenever_a_transferred_zone_loads_with_a_new_serial()
    {
        using var secondary = new Secondary(ReturnCode.NoError);
        var zones = new TestTransferer();
        zones.Zones["example.org."] = TestTransferer.Build("example.org.", Serial);
        var lines = new BlockingCollection<string>();
        using var log = LineLog.Subscribe(l => { if (l.Contains("plugin/transfer: sent notify")) lines.Add(l); });
        await using var h = await StartAsync(zones,
            $"example.org example.net {{\n transfer {{\n to * 127.0.0.1:{secondary.Port}\n }}\n testzone example.org example.net\n}}\n");

        AssertNotify(secondary.Next(), "example.org.");
        Assert.True(lines.TryTake(out var line, TimeSpan.FromSeconds(15)));
        Assert.Equal($"[INFO] plugin/transfer: sent notify for zone \"example.org.\" to 127.0.0.1:{secondary.Port} for {Serial} SOA serial", line);

        // Same serial again and a zone the block does not transfer: nothing; then example.net's first load.
        Sys.EventStream.Publish(new ZoneLoaded("example.org.", TestTransferer.Build("example.org.", Serial)));
        Sys.EventStream.Publish(new ZoneLoaded("other.test.", TestTransferer.Build("other.test.", 1)));
        Sys.EventStream.Publish(new ZoneLoaded("example.net.", TestTransferer.Build("example.net.", 7)));
        AssertNotify(secondary.Next(), "example.net.");

        Sys.EventStream.Publish(new ZoneLoaded("example.org.", TestTransferer.Build("example.org.", Serial + 1)));
        AssertNotify(secondary.Next(), "example.org.");
    }

    [Fact]
    public async Task Transfer_should_try_a_notify_three_times_and_log_the_rcode_when_it_is_not_accepted()
    {
        using var secondary = new Secondary(ReturnCode.Refused);
        var zones = new TestTransferer();
        var lines = new BlockingCollection<string>();
        using var log = LineLog.Subscribe(l => { if (l.Contains("plugin/transfer: Failed")) lines.Add(l); });
        await using var h = await StartAsync(zones,
            $"example.org {{\n transfer {{\n to 127.0.0.1:{secondary.Port}\n }}\n testzone example.org\n}}\n");

        Sys.EventStream.Publish(new ZoneLoaded("example.org.", TestTransferer.Build("example.org.", Serial)));
        var first = secondary.Next();
        AssertNotify(first, "example.org.");
        Assert.Equal(first.TransactionID, secondary.Next().TransactionID);
        Assert.Equal(first.TransactionID, secondary.Next().TransactionID);
        Assert.True(lines.TryTake(out var line, TimeSpan.FromSeconds(15)));
        Assert.Equal($"[WARNING] plugin/transfer: Failed sending notifies: notify for zone \"example.org.\" was not accepted by \"127.0.0.1:{secondary.Port}\": rcode was \"REFUSED\"", line);
    }

    [Fact]
    public void Notify_should_be_opcode_NOTIFY_with_AA_and_one_SOA_question()
    {
        var packet = NotifyActor.Build("example.org.", 0xBEEF);
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(packet));
        var m = DnsMessage.Parse(packet);
        AssertNotify(m, "example.org.");
        Assert.False(m.IsRecursionDesired);
        Assert.Empty(m.AdditionalRecords);
    }
}
