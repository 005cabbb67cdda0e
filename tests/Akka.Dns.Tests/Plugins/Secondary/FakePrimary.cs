using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.Plugins.Secondary;

/// <summary>
/// An in-process primary on 127.0.0.1:0 (TCP): answers AXFR with <see cref="Records"/> (SOA first, the SOA again last,
/// in messages of <see cref="PerMessage"/> records) and a SOA query with the SOA; <see cref="Rcode"/> other than NOERROR
/// answers every query with that rcode instead. Counts what it was asked.
/// </summary>
public sealed class FakePrimary : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private int _axfrs;
    private int _soas;

    public FakePrimary(IReadOnlyList<DnsRecord> records, int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        Records = records;
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public volatile IReadOnlyList<DnsRecord> Records;
    public volatile int Rcode = Akka.Dns.Wire.Rcode.NoError;
    public int PerMessage { get; set; } = 1000;
    /// <summary>Rewrites each AXFR message's bytes before it is sent (to break it on purpose).</summary>
    public Func<byte[], byte[]>? Mangle { get; set; }
    public int Axfrs => Volatile.Read(ref _axfrs);
    public int SoaQueries => Volatile.Read(ref _soas);

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Serve(s));
        }
    }

    private async Task Serve(Socket s)
    {
        using var _ = s;
        try
        {
            var len = new byte[2];
            await s.ReceiveAsync(len, SocketFlags.None);
            var packet = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            var got = 0;
            while (got < packet.Length) got += await s.ReceiveAsync(packet.AsMemory(got), SocketFlags.None);
            if (DnsReader.TryRead(packet, packet.Length, out var q) != QueryVerdict.Ok) return;
            var records = Records;
            var messages = new List<DnsResponse>();
            if (Rcode != Akka.Dns.Wire.Rcode.NoError)
            {
                messages.Add(DnsResponse.ReplyTo(q, Rcode));
            }
            else if (q.Type == RrType.SOA)
            {
                Interlocked.Increment(ref _soas);
                var m = DnsResponse.ReplyTo(q);
                m.Aa = true;
                m.Answer.Add(records[0]);
                messages.Add(m);
            }
            else
            {
                Interlocked.Increment(ref _axfrs);
                var all = records.Append(records[0]).ToList();
                for (var i = 0; i < all.Count; i += PerMessage)
                {
                    var m = DnsResponse.ReplyTo(q);
                    if (i > 0) m.QName = null;   // later messages without the question, as RFC 5936 allows
                    m.Aa = true;
                    m.Answer.AddRange(all.Skip(i).Take(PerMessage));
                    messages.Add(m);
                }
            }
            foreach (var m in messages)
            {
                var buffer = new byte[65535];
                var n = DnsWriter.Encode(m, buffer, buffer.Length);
                var bytes = buffer[..n];
                if (Mangle is { } mangle) bytes = mangle(bytes);
                var framed = new byte[2 + bytes.Length];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)bytes.Length);
                bytes.CopyTo(framed, 2);
                await s.SendAsync(framed, SocketFlags.None);
            }
        }
        catch (Exception)
        {
            // a client that went away
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
