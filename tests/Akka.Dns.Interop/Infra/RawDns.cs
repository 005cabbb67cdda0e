using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ARSoft.Tools.Net.Dns;

namespace Akka.Dns.Interop.Infra;

/// <summary>Builds query packets byte by byte, with every knob an attacker has (independent of the server's codec).</summary>
public sealed record RawQuery(string Name, ushort Type = 1, ushort Class = 1)
{
    public ushort Id { get; init; } = 0x1234;
    public bool Qr { get; init; }
    public int Opcode { get; init; }
    public bool Rd { get; init; } = true;
    /// <summary>Header counts as written (null = what the body holds).</summary>
    public ushort? QdCount { get; init; }
    public ushort? ArCount { get; init; }
    /// <summary>Adds an OPT record with this UDP size (null = no EDNS).</summary>
    public ushort? UdpSize { get; init; }
    public byte EdnsVersion { get; init; }
    /// <summary>Raw OPT RDATA (options); null = empty.</summary>
    public byte[]? OptRdata { get; init; }
    /// <summary>Declared OPT RDLENGTH (null = the real length) — lies make a bad OPT.</summary>
    public ushort? OptRdLength { get; init; }

    public byte[] Build()
    {
        var b = new List<byte>(64);
        var flags = (ushort)(((Opcode & 0xF) << 11) | (Qr ? 0x8000 : 0) | (Rd ? 0x0100 : 0));
        U16(b, Id);
        U16(b, flags);
        U16(b, QdCount ?? 1);
        U16(b, 0);
        U16(b, 0);
        U16(b, ArCount ?? (ushort)(UdpSize is null ? 0 : 1));
        b.AddRange(NameBytes(Name));
        U16(b, Type);
        U16(b, Class);
        if (UdpSize is { } size)
        {
            var rdata = OptRdata ?? [];
            b.Add(0);
            U16(b, 41);
            U16(b, size);
            b.Add(0);
            b.Add(EdnsVersion);
            U16(b, 0);
            U16(b, OptRdLength ?? (ushort)rdata.Length);
            b.AddRange(rdata);
        }
        return [.. b];
    }

    public static byte[] NameBytes(string name)
    {
        var b = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            b.Add((byte)bytes.Length);
            b.AddRange(bytes);
        }
        b.Add(0);
        return [.. b];
    }

    private static void U16(List<byte> b, ushort v)
    {
        b.Add((byte)(v >> 8));
        b.Add((byte)v);
    }
}

/// <summary>One-shot UDP/TCP exchanges with bounded waits; replies parsed by ARSoft (the independent oracle).</summary>
public static class RawDns
{
    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);

    /// <summary>Sends one datagram and waits for one reply; null if none came within <paramref name="timeout"/>.</summary>
    public static async Task<byte[]?> UdpAsync(IPEndPoint server, byte[] packet, TimeSpan timeout)
    {
        using var s = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        s.Connect(server);
        await s.SendAsync(packet, SocketFlags.None);
        var buf = new byte[65535];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var n = await s.ReceiveAsync(buf, SocketFlags.None, cts.Token);
            return buf[..n];
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            return null;   // ICMP port unreachable: nothing listening (yet)
        }
    }

    public static async Task<DnsMessage> UdpQueryAsync(IPEndPoint server, RawQuery q, TimeSpan? timeout = null)
    {
        var reply = await UdpAsync(server, q.Build(), timeout ?? TimeSpan.FromSeconds(3))
            ?? throw new TimeoutException($"no UDP reply from {server} to {q.Name}");
        return DnsMessage.Parse(reply);
    }

    public static async Task<DnsMessage> TcpQueryAsync(IPEndPoint server, RawQuery q, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(3));
        using var s = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(server, cts.Token);
        await s.SendAsync(Framed(q.Build()), SocketFlags.None, cts.Token);
        var reply = await ReadFramedAsync(s, cts.Token) ?? throw new IOException("the server closed the connection before replying");
        return DnsMessage.Parse(reply);
    }

    public static byte[] Framed(byte[] packet)
    {
        var f = new byte[packet.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(f, (ushort)packet.Length);
        packet.CopyTo(f, 2);
        return f;
    }

    /// <summary>Reads one length-prefixed message; null when the peer closed cleanly before its first byte.</summary>
    public static async Task<byte[]?> ReadFramedAsync(Socket s, CancellationToken ct)
    {
        var len = new byte[2];
        if (!await ReadExactAsync(s, len, ct)) return null;
        var msg = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
        if (!await ReadExactAsync(s, msg, ct)) throw new IOException("connection closed inside a message");
        return msg;
    }

    private static async Task<bool> ReadExactAsync(Socket s, Memory<byte> buf, CancellationToken ct)
    {
        var got = 0;
        while (got < buf.Length)
        {
            var n = await s.ReceiveAsync(buf[got..], SocketFlags.None, ct);
            if (n == 0) return got == 0 ? false : throw new IOException("connection closed inside a message");
            got += n;
        }
        return true;
    }
}
