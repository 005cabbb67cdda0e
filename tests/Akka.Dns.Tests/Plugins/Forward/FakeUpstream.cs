using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Akka.Dns.Tests.Plugins.Forward;

/// <summary>What a <see cref="FakeUpstream"/> does with the next queries.</summary>
public enum Misbehaviour
{
    /// <summary>Answers A queries with its own address record (NOERROR).</summary>
    Answer,
    /// <summary>Never answers.</summary>
    Drop,
    /// <summary>Answers after <see cref="FakeUpstream.Delay"/>.</summary>
    Delay,
    /// <summary>Over UDP: an empty answer with TC set; over TCP: the full answer.</summary>
    Truncate,
    /// <summary>Answers with another id (and a bogus address).</summary>
    WrongId,
    /// <summary>Answers with the right id for another question (and a bogus address).</summary>
    WrongQuestion,
    /// <summary>A wrong-id and a wrong-question reply first (bogus address), then the right answer.</summary>
    SpoofThenAnswer,
    /// <summary>Answers with <see cref="FakeUpstream.Rcode"/> and no records.</summary>
    Rcode,
    /// <summary>Answers NOERROR with an empty answer section (NODATA).</summary>
    NoData,
}

/// <summary>
/// A misbehaving DNS upstream for forward's specs: UDP and TCP on one ephemeral 127.0.0.1 port. It answers A
/// queries with <see cref="Address"/> (so a spec sees which upstream answered) or misbehaves as told; every bogus
/// reply carries <see cref="Bogus"/>, which a client must never see.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    public static readonly IPAddress Bogus = IPAddress.Parse("6.6.6.6");

    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _udpQueries, _tcpQueries, _tcpConnections, _dataQueries;

    public FakeUpstream(IPAddress address)
    {
        Address = address;
        for (var tries = 0; ; tries++)
        {
            var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            var tcp = new TcpListener(IPAddress.Loopback, port);
            try
            {
                tcp.Start();
            }
            catch (SocketException) when (tries < 20)
            {
                udp.Dispose();
                continue;
            }
            _udp = udp;
            _tcp = tcp;
            Port = port;
            break;
        }
        _loops.Add(Task.Run(UdpLoop));
        _loops.Add(Task.Run(AcceptLoop));
    }

    public IPAddress Address { get; }
    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";
    public volatile Misbehaviour Mode = Misbehaviour.Answer;
    public TimeSpan Delay = TimeSpan.FromMilliseconds(300);
    public int Rcode = 2;
    /// <summary>Close each TCP connection after one answer (an upstream that does not keep connections open).</summary>
    public volatile bool CloseAfterAnswer;
    public int UdpQueries => Volatile.Read(ref _udpQueries);
    public int TcpQueries => Volatile.Read(ref _tcpQueries);
    public int Queries => UdpQueries + TcpQueries;
    public int TcpConnections => Volatile.Read(ref _tcpConnections);

    /// <summary>Queries other than NS (health checks ask NS): the forwarded client queries.</summary>
    public int DataQueries => Volatile.Read(ref _dataQueries);

    /// <summary>The last query received (as sent by the forwarder).</summary>
    public byte[]? LastQuery { get; private set; }

    private async Task UdpLoop()
    {
        var buf = new byte[65535];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult res;
            try
            {
                res = await _udp.ReceiveFromAsync(buf, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            var q = buf.AsSpan(0, res.ReceivedBytes).ToArray();
            Interlocked.Increment(ref _udpQueries);
            LastQuery = q;
            var peer = res.RemoteEndPoint;
            _ = Task.Run(async () =>
            {
                foreach (var reply in await Replies(q, udp: true))
                {
                    try
                    {
                        await _udp.SendToAsync(reply, SocketFlags.None, peer);
                    }
                    catch (Exception)
                    {
                        // stopped
                    }
                }
            });
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient c;
            try
            {
                c = await _tcp.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _tcpConnections);
            _ = Task.Run(() => Serve(c));
        }
    }

    private async Task Serve(TcpClient c)
    {
        using var _ = c;
        var s = c.GetStream();
        var len = new byte[2];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await s.ReadExactlyAsync(len, _stop.Token);
                var q = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
                await s.ReadExactlyAsync(q, _stop.Token);
                Interlocked.Increment(ref _tcpQueries);
                LastQuery = q;
                foreach (var reply in await Replies(q, udp: false))
                {
                    var framed = new byte[reply.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                    reply.CopyTo(framed, 2);
                    await s.WriteAsync(framed, _stop.Token);
                }
                if (CloseAfterAnswer) return;
            }
        }
        catch (Exception)
        {
            // closed
        }
    }

    private async Task<List<byte[]>> Replies(byte[] q, bool udp)
    {
        var off = 12;
        while (q[off] != 0) off += q[off] + 1;
        if (BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(off + 1)) != 2) Interlocked.Increment(ref _dataQueries);
        var mode = Mode;
        switch (mode)
        {
            case Misbehaviour.Drop:
                return [];
            case Misbehaviour.Delay:
                await Task.Delay(Delay);
                return [Build(q, Address)];
            case Misbehaviour.Truncate:
                return [udp ? Build(q, null, tc: true) : Build(q, Address)];
            case Misbehaviour.WrongId:
                return [Build(q, Bogus, idDelta: 1)];
            case Misbehaviour.WrongQuestion:
                return [Build(q, Bogus, otherQuestion: true)];
            case Misbehaviour.SpoofThenAnswer:
                return [Build(q, Bogus, idDelta: 1), Build(q, Bogus, otherQuestion: true), Build(q, Address)];
            case Misbehaviour.Rcode:
                return [Build(q, null, rcode: Rcode)];
            case Misbehaviour.NoData:
                return [Build(q, null)];
            default:
                return [Build(q, Address)];
        }
    }

    /// <summary>A reply to <paramref name="q"/>: its header and question, QR and RA set, an A record when <paramref name="a"/> is given.</summary>
    public static byte[] Build(byte[] q, IPAddress? a, bool tc = false, int idDelta = 0, bool otherQuestion = false, int rcode = 0)
    {
        var off = 12;
        while (q[off] != 0) off += q[off] + 1;
        var qend = off + 5;
        var question = q.AsSpan(12, qend - 12).ToArray();
        if (otherQuestion) question = [.. new byte[] { 5, (byte)'e', (byte)'v', (byte)'i', (byte)'l', (byte)'x' }, .. question];
        var ms = new MemoryStream();
        var h = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(h, (ushort)(BinaryPrimitives.ReadUInt16BigEndian(q) + idDelta));
        var flags = (ushort)(0x8000 | 0x0080 | (q[2] << 8 & 0x0100) | (tc ? 0x0200 : 0) | rcode);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), 1);
        var qtype = BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(qend - 4));
        var answer = a is not null && qtype == 1;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), (ushort)(answer ? 1 : 0));
        ms.Write(h);
        ms.Write(question);
        if (answer)
        {
            ms.Write([0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            ms.Write(a!.GetAddressBytes());
        }
        return ms.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Stop();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception)
        {
            // stopped
        }
    }
}
