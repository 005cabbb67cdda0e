using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// Malformed UDP from raw sockets: the daemon must survive, keep answering, reply only with well-formed
/// messages carrying the query's ID, never reply to a packet with QR set, and keep its memory bounded.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class UdpAbuseSpec(UdpAbuseSpec.RootDaemon daemon, ITestOutputHelper output) : IClassFixture<UdpAbuseSpec.RootDaemon>, IDisposable
{
    public sealed class RootDaemon : DaemonFixture
    {
        protected override string Corefile => ". {\n    whoami\n}\n";
    }

    private readonly (int, int) _mark = daemon.Daemon.Mark();

    public void Dispose() => daemon.Daemon.Dump(output, _mark);

    private const int MaxUdpPayload = 65507;

    /// <summary>Every abusive packet, each stamped with its own ID (bytes 0-1) where it is long enough to have one.</summary>
    private static List<(string Kind, byte[] Packet, bool ExpectSilence)> Packets()
    {
        var list = new List<(string, byte[], bool)>();
        var rnd = new Random(20240607);
        var valid = new RawQuery("abuse.example.org.", 1) { UdpSize = 1232 }.Build();

        for (var i = 0; i < 3000; i++)
        {
            var p = new byte[rnd.Next(0, 700)];
            rnd.NextBytes(p);
            list.Add(("random", p, false));
        }
        for (var len = 0; len < valid.Length; len++) list.Add(("truncation", valid[..len], false));
        for (var i = 0; i < 300; i++)
        {
            // a valid query with one byte flipped
            var p = (byte[])valid.Clone();
            p[rnd.Next(2, p.Length)] ^= (byte)rnd.Next(1, 256);
            list.Add(("bitflip", p, false));
        }

        var header = new RawQuery("x.") { }.Build()[..12];
        byte[] Q(params byte[] body) => [.. header, .. body];
        list.Add(("pointer to itself", Q(0xC0, 0x0C, 0, 1, 0, 1), false));
        list.Add(("pointer loop a<->b", Q(1, (byte)'a', 0xC0, 0x0E, 0, 1, 0, 1), false));   // label 'a' then pointer back to the label
        list.Add(("two pointers", Q(0xC0, 0x0E, 0xC0, 0x0C, 0, 1, 0, 1), false));
        list.Add(("forward pointer", Q(0xC0, 0x40, 0, 1, 0, 1), false));
        list.Add(("pointer past the end", Q(0xFF, 0xFF, 0, 1, 0, 1), false));
        list.Add(("label past the end", Q(63, (byte)'a', 0, 1), false));
        list.Add(("bad label type 0x40", Q(0x41, (byte)'a', 0, 0, 1, 0, 1), false));
        var longName = new List<byte>();
        for (var i = 0; i < 5; i++)
        {
            longName.Add(63);
            longName.AddRange(Enumerable.Repeat((byte)'a', 63));
        }
        longName.AddRange([0, 0, 1, 0, 1]);
        list.Add(("name over 255", Q([.. longName]), false));

        list.Add(("qdcount 0", new RawQuery("a.example.org.") { QdCount = 0 }.Build()[..12], false));
        list.Add(("qdcount 0 with question", new RawQuery("a.example.org.") { QdCount = 0 }.Build(), false));
        list.Add(("qdcount 2", new RawQuery("a.example.org.") { QdCount = 2 }.Build(), false));
        list.Add(("qdcount 65535", new RawQuery("a.example.org.") { QdCount = 65535 }.Build(), false));
        for (var op = 1; op < 16; op++) list.Add(($"opcode {op}", new RawQuery("a.example.org.") { Opcode = op }.Build(), false));
        for (var i = 0; i < 50; i++) list.Add(("qr=1", new RawQuery("a.example.org.") { Qr = true, UdpSize = (ushort)(i % 2 == 0 ? 1232 : 512) }.Build(), true));
        list.Add(("qr=1 garbage", [.. header[..2], 0x80, 0, .. new byte[20]], true));

        list.Add(("opt rdlength too long", new RawQuery("a.example.org.") { UdpSize = 1232, OptRdLength = 100 }.Build(), false));
        list.Add(("opt option overflows", new RawQuery("a.example.org.") { UdpSize = 1232, OptRdata = [0, 3, 0, 50, 1, 2] }.Build(), false));
        list.Add(("opt truncated option header", new RawQuery("a.example.org.") { UdpSize = 1232, OptRdata = [0, 10, 0] }.Build(), false));
        list.Add(("arcount 2, one opt", new RawQuery("a.example.org.") { UdpSize = 1232, ArCount = 2 }.Build(), false));
        var twoOpts = new RawQuery("a.example.org.") { UdpSize = 1232, ArCount = 2 }.Build();
        list.Add(("two opts", [.. twoOpts, .. twoOpts[^11..]], false));
        list.Add(("opt udp size 0", new RawQuery("a.example.org.") { UdpSize = 0 }.Build(), false));
        list.Add(("opt udp size 65535", new RawQuery("a.example.org.") { UdpSize = 65535 }.Build(), false));
        list.Add(("edns version 255", new RawQuery("a.example.org.") { UdpSize = 1232, EdnsVersion = 255 }.Build(), false));
        list.Add(("arcount 3", new RawQuery("a.example.org.") { UdpSize = 1232, ArCount = 3 }.Build(), false));

        var big = new byte[MaxUdpPayload];
        rnd.NextBytes(big);
        list.Add(("64k random", big, false));
        var bigValid = new byte[MaxUdpPayload];
        valid.CopyTo(bigValid, 0);
        list.Add(("64k valid query + trailing garbage", bigValid, false));
        var bigOpt = new RawQuery("a.example.org.") { UdpSize = 65535, OptRdata = [0, 65, .. BitConverter.GetBytes((ushort)0), .. new byte[MaxUdpPayload - 60]] }.Build();
        BinaryPrimitives.WriteUInt16BigEndian(bigOpt.AsSpan(bigOpt.Length - (MaxUdpPayload - 60) - 2), (ushort)(MaxUdpPayload - 60));
        list.Add(("64k opt option", bigOpt[..Math.Min(bigOpt.Length, MaxUdpPayload)], false));
        for (var i = 0; i < 10; i++) list.Add(("64k copies", (byte[])big.Clone(), false));

        // Stamp unique IDs (1..n) so every reply maps to its query.
        for (var i = 0; i < list.Count; i++)
        {
            var p = list[i].Item2;
            if (p.Length >= 2) BinaryPrimitives.WriteUInt16BigEndian(p, (ushort)(i + 1));
        }
        return list;
    }

    [Fact]
    public async Task A_flood_of_malformed_datagrams_should_leave_the_daemon_answering_with_well_formed_replies_and_bounded_memory()
    {
        var d = daemon.Daemon;
        // Warm up the normal path first so the RSS baseline includes the JIT'd query path.
        for (var i = 0; i < 20; i++) await RawDns.UdpQueryAsync(daemon.Endpoint, new RawQuery("warm.example.org.") { Id = (ushort)i });
        var rssBefore = d.RssKb();

        var packets = Packets();
        using var s = new Socket(daemon.Endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.ReceiveBufferSize = 4 << 20;
        s.Connect(daemon.Endpoint);
        var replies = new List<byte[]>();
        using var stop = new CancellationTokenSource();
        var receiver = Task.Run(async () =>
        {
            var buf = new byte[65535];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var n = await s.ReceiveAsync(buf, SocketFlags.None, stop.Token);
                    lock (replies) replies.Add(buf[..n]);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException)
                {
                    // ICMP errors surface here; keep reading
                }
            }
        });

        var sw = Stopwatch.StartNew();
        var sent = 0;
        for (var i = 0; i < packets.Count && sw.Elapsed < TimeSpan.FromSeconds(30); i++)
        {
            await s.SendAsync(packets[i].Packet, SocketFlags.None);
            sent++;
            if (i % 100 == 99) await Task.Delay(2);   // pace a little: drops under load are not what this tests
        }
        output.WriteLine($"sent {sent} of {packets.Count} packets in {sw.ElapsedMilliseconds} ms");

        // Collect late replies: stop once nothing arrived for 1 s (bounded by 10 s).
        var quietSince = DateTime.UtcNow;
        var last = -1;
        for (var t = 0; t < 100; t++)
        {
            int now;
            lock (replies) now = replies.Count;
            if (now != last)
            {
                last = now;
                quietSince = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1))
            {
                break;
            }
            await Task.Delay(100);
        }
        stop.Cancel();
        await receiver.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(d.HasExited, $"the daemon died during the flood\n{d.Log}");
        output.WriteLine($"{replies.Count} replies");
        var byId = new Dictionary<int, (string Kind, byte[] Packet, bool ExpectSilence)>();
        for (var i = 0; i < packets.Count; i++) byId[i + 1] = packets[i];
        var kinds = new Dictionary<string, int>();
        foreach (var r in replies)
        {
            DnsMessage m;
            try
            {
                m = DnsMessage.Parse(r);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"a reply did not parse ({e.Message}): {Convert.ToHexString(r)}");
            }
            Assert.False(m.IsQuery, $"reply without QR: {Convert.ToHexString(r)}");
            Assert.True(byId.TryGetValue(m.TransactionID, out var q), $"reply id {m.TransactionID} matches no query sent");
            Assert.False(q.ExpectSilence, $"the server replied to a QR=1 packet ({q.Kind}): {Convert.ToHexString(r)}");
            Assert.True(r.Length <= 65535);
            kinds[q.Kind] = kinds.GetValueOrDefault(q.Kind) + 1;
        }
        foreach (var (k, n) in kinds.OrderBy(kv => kv.Key, StringComparer.Ordinal)) output.WriteLine($"  {k}: {n} replies");
        Assert.True(kinds.GetValueOrDefault("truncation") > 0, "no truncation of a valid query was answered (FORMERR expected for some)");
        Assert.True(kinds.GetValueOrDefault("qdcount 2") == 1, "QDCOUNT 2 should get FORMERR");
        Assert.True(kinds.GetValueOrDefault("opcode 5") == 1, "UPDATE should get NOTIMP");

        // Still answering, to an independent client, over both transports.
        var dig = await Dig.QueryAsync("127.0.0.1", daemon.Port, "after.flood.example.org");
        Assert.Equal("NOERROR", dig.Status);
        var digTcp = await Dig.QueryAsync("127.0.0.1", daemon.Port, "+tcp", "after.flood.example.org");
        Assert.Equal("NOERROR", digTcp.Status);

        var rssAfter = d.RssKb();
        output.WriteLine($"VmRSS before the flood {rssBefore} kB, after {rssAfter} kB");
        Assert.True(rssAfter < 2 * rssBefore + 100 * 1024, $"RSS grew from {rssBefore} kB to {rssAfter} kB");
    }

    [Theory]
    [InlineData(1, "FormatError")]   // QDCOUNT 2
    [InlineData(2, "NotImplemented")] // UPDATE
    [InlineData(3, "BadVersion")]     // EDNS version 1
    public async Task The_server_should_answer_bad_queries_itself_with_the_querys_id(int which, string rcode)
    {
        var q = which switch
        {
            1 => new RawQuery("a.example.org.") { Id = 0xBEEF, QdCount = 2 },
            2 => new RawQuery("a.example.org.") { Id = 0xBEEF, Opcode = 5 },
            _ => new RawQuery("a.example.org.") { Id = 0xBEEF, UdpSize = 1232, EdnsVersion = 1 },
        };
        var m = await RawDns.UdpQueryAsync(daemon.Endpoint, q);
        Assert.Equal((0xBEEF, false), (m.TransactionID, m.IsQuery));
        Assert.Equal(rcode, m.ReturnCode.ToString());
    }

    [Fact]
    public async Task A_datagram_with_QR_set_should_get_no_reply()
    {
        var reply = await RawDns.UdpAsync(daemon.Endpoint, new RawQuery("a.example.org.") { Qr = true }.Build(), TimeSpan.FromSeconds(1));
        Assert.Null(reply);
        // and the same socket still gets answers to a real query (so silence above was not a dead server)
        Assert.NotNull(await RawDns.UdpAsync(daemon.Endpoint, new RawQuery("a.example.org.").Build(), TimeSpan.FromSeconds(3)));
    }
}
