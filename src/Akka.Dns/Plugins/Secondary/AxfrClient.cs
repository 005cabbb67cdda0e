using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Secondary;

/// <summary>
/// The secondary's side of a zone transfer, over TCP with 2-byte length framing: an AXFR (RFC 5936) read until the
/// second SOA, and the SOA query CoreDNS's shouldTransfer sends before it. Every message is checked (id, QR, rcode,
/// the question when present) and every record decoded (owner with <see cref="DnsName.TryRead"/>, RDATA with
/// <see cref="RData.TryReadFromMessage"/>); any failure is a <see cref="TransferException"/> with a miekg-like text.
/// </summary>
public static class AxfrClient
{
    /// <summary>miekg's dial timeout for a transfer.</summary>
    public static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(2);
    /// <summary>How long one message may take to arrive (miekg's read timeout is 2 s; a busy primary gets more).</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    /// <summary>An upper bound on a whole transfer.</summary>
    public static readonly TimeSpan TransferTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Transfers <paramref name="origin"/> from <paramref name="primary"/>: the records in the order received, the SOA first (the closing SOA left out).</summary>
    public static async Task<List<DnsRecord>> TransferAsync(IPEndPoint primary, string origin, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TransferTimeout);
        using var socket = await ConnectAsync(primary, cts.Token);
        var id = (ushort)Random.Shared.Next(0, 65536);
        await SendAsync(socket, BuildQuery(id, origin, RrType.AXFR), cts.Token);
        var records = new List<DnsRecord>();
        var soas = 0;
        var first = true;
        while (soas < 2)
        {
            var message = await ReceiveAsync(socket, primary, cts.Token);
            soas = ReadAxfrMessage(message, id, origin, first, records, soas);
            first = false;
        }
        return records;
    }

    /// <summary>The serial of the SOA the primary answers for <paramref name="origin"/> (over TCP, as CoreDNS does "to minimize spoofing").</summary>
    public static async Task<uint> QuerySerialAsync(IPEndPoint primary, string origin, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(DialTimeout + ReadTimeout);
        using var socket = await ConnectAsync(primary, cts.Token);
        var id = (ushort)Random.Shared.Next(0, 65536);
        await SendAsync(socket, BuildQuery(id, origin, RrType.SOA), cts.Token);
        var message = await ReceiveAsync(socket, primary, cts.Token);
        return ReadSerial(message, id, origin);
    }

    /// <summary>A query for <paramref name="origin"/> <paramref name="type"/> IN, written by the wire writer (which writes replies: QR is cleared after).</summary>
    public static byte[] BuildQuery(ushort id, string origin, ushort type)
    {
        var q = new DnsResponse { Id = id, Opcode = Opcode.Query, QName = DnsName.Normalize(origin), QType = type, QClass = RrClass.IN };
        var buffer = new byte[DnsReader.HeaderSize + DnsName.MaxWireLength + 4];
        var n = DnsWriter.Encode(q, buffer, buffer.Length);
        if (n < 0) throw new TransferException($"cannot write a query for {origin}");
        buffer[2] &= 0x7F;
        return buffer[..n];
    }

    /// <summary>
    /// Reads one message of an AXFR answer into <paramref name="records"/>. <paramref name="soas"/> is the number of
    /// SOA records seen so far; returns the new count (2 = the transfer is complete; records after the closing SOA are
    /// ignored). Throws <see cref="TransferException"/> on anything wrong.
    /// </summary>
    public static int ReadAxfrMessage(ReadOnlySpan<byte> m, ushort id, string origin, bool first, List<DnsRecord> records, int soas)
    {
        var off = CheckHeader(m, id, origin, RrType.AXFR, first, out var an);
        if (first && an == 0) throw new TransferException("dns: first record in xfr is not SOA");
        for (var i = 0; i < an && soas < 2; i++)
        {
            var rr = ReadRecord(m, ref off);
            if (rr.Type == RrType.SOA)
            {
                if (soas == 0 && records.Count > 0) throw new TransferException("dns: first record in xfr is not SOA");
                soas++;
                if (soas == 2) break;
                if (!DnsName.EqualsIgnoreCase(DnsName.Normalize(rr.Name), DnsName.Normalize(origin)))
                    throw new TransferException($"dns: SOA owner {rr.Name} is not the zone {origin}");
            }
            else if (soas == 0)
            {
                throw new TransferException("dns: first record in xfr is not SOA");
            }
            records.Add(rr);
        }
        return soas;
    }

    /// <summary>The serial of the first SOA in the answer of a reply to our SOA query.</summary>
    public static uint ReadSerial(ReadOnlySpan<byte> m, ushort id, string origin)
    {
        var off = CheckHeader(m, id, origin, RrType.SOA, first: true, out var an);
        for (var i = 0; i < an; i++)
        {
            var rr = ReadRecord(m, ref off);
            if (rr.Type == RrType.SOA && rr.RData.Length >= 20)
                return BinaryPrimitives.ReadUInt32BigEndian(rr.RData.AsSpan(rr.RData.Length - 20));
        }
        throw new TransferException($"no SOA for {origin} in the answer");
    }

    private static int CheckHeader(ReadOnlySpan<byte> m, ushort id, string origin, ushort type, bool first, out int an)
    {
        if (!DnsReader.TryReadHeader(m, out var gotId, out var flags)) throw new TransferException("dns: short read");
        if (gotId != id) throw new TransferException("dns: id mismatch");
        if ((flags & 0x8000) == 0) throw new TransferException("dns: not a response");
        var rcode = flags & 0xF;
        if (rcode != Rcode.NoError) throw new TransferException($"dns: bad xfr rcode: {rcode} ({Rcode.ToString(rcode)})");
        if ((flags & 0x0200) != 0) throw new TransferException("dns: truncated message");
        var qd = BinaryPrimitives.ReadUInt16BigEndian(m[4..]);
        an = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        var off = DnsReader.HeaderSize;
        if (qd > 1 || (first && qd == 0 && type == RrType.SOA)) throw new TransferException($"dns: bad question count {qd}");
        if (qd == 1)
        {
            if (!DnsName.TryRead(m, ref off, out var qname) || off + 4 > m.Length) throw new TransferException("dns: bad question");
            var qtype = BinaryPrimitives.ReadUInt16BigEndian(m[off..]);
            var qclass = BinaryPrimitives.ReadUInt16BigEndian(m[(off + 2)..]);
            off += 4;
            if (!DnsName.EqualsIgnoreCase(DnsName.Normalize(qname), DnsName.Normalize(origin)) || qtype != type || qclass != RrClass.IN)
                throw new TransferException($"dns: question {qname} {RrType.ToString(qtype)} does not match {origin} {RrType.ToString(type)}");
        }
        return off;
    }

    private static DnsRecord ReadRecord(ReadOnlySpan<byte> m, ref int off)
    {
        var error = ReadRecordCore(m, ref off, emptyRData: false, out var rr);
        return error is null ? rr! : throw new TransferException(error);
    }

    /// <summary>
    /// Reads one resource record of a whole DNS message at <paramref name="offset"/> (owner with
    /// <see cref="DnsName.TryRead"/>, RDATA with <see cref="RData.TryReadFromMessage"/>) and moves past it. With
    /// <paramref name="emptyRData"/> an RDLENGTH of 0 gives empty RDATA whatever the type (RFC 2136 UPDATE's
    /// class ANY and NONE records); otherwise such a record is read as its type demands. False on anything malformed;
    /// never throws.
    /// </summary>
    public static bool TryReadRecord(ReadOnlySpan<byte> message, ref int offset, bool emptyRData, [NotNullWhen(true)] out DnsRecord? record) =>
        ReadRecordCore(message, ref offset, emptyRData, out record) is null;

    private static string? ReadRecordCore(ReadOnlySpan<byte> m, ref int off, bool emptyRData, out DnsRecord? record)
    {
        record = null;
        if (!DnsName.TryRead(m, ref off, out var name) || off + 10 > m.Length) return "dns: bad record owner";
        var type = BinaryPrimitives.ReadUInt16BigEndian(m[off..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(m[(off + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(m[(off + 4)..]);
        var rdlen = BinaryPrimitives.ReadUInt16BigEndian(m[(off + 8)..]);
        off += 10;
        byte[] rdata;
        if (emptyRData && rdlen == 0) rdata = [];
        else if (!RData.TryReadFromMessage(type, m, off, rdlen, out rdata)) return $"dns: bad rdata for {name} {RrType.ToString(type)}";
        off += rdlen;
        record = new DnsRecord(name, type, cls, ttl, rdata);
        return null;
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint primary, CancellationToken ct)
    {
        var socket = new Socket(primary.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var dial = CancellationTokenSource.CreateLinkedTokenSource(ct);
        dial.CancelAfter(DialTimeout);
        try
        {
            await socket.ConnectAsync(primary, dial.Token);
            return socket;
        }
        catch (OperationCanceledException)
        {
            socket.Dispose();
            throw new TransferException($"dial tcp {primary}: i/o timeout");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TransferException($"dial tcp {primary}: {e.Message}");
        }
    }

    private static async Task SendAsync(Socket socket, byte[] query, CancellationToken ct)
    {
        var framed = new byte[2 + query.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        try
        {
            await socket.SendAsync(framed, SocketFlags.None, ct);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new TransferException($"write tcp {socket.LocalEndPoint}: {e.Message}");
        }
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket, IPEndPoint primary, CancellationToken ct)
    {
        using var read = CancellationTokenSource.CreateLinkedTokenSource(ct);
        read.CancelAfter(ReadTimeout);
        try
        {
            var prefix = new byte[2];
            await FillAsync(socket, prefix, read.Token);
            var length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
            if (length < DnsReader.HeaderSize) throw new TransferException("dns: short read");
            var message = new byte[length];
            await FillAsync(socket, message, read.Token);
            return message;
        }
        catch (OperationCanceledException)
        {
            throw new TransferException($"read tcp {socket.LocalEndPoint}->{primary}: i/o timeout");
        }
        catch (SocketException e)
        {
            throw new TransferException($"read tcp {socket.LocalEndPoint}->{primary}: {e.Message}");
        }
    }

    private static async Task FillAsync(Socket socket, byte[] buffer, CancellationToken ct)
    {
        var got = 0;
        while (got < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, ct);
            if (n == 0) throw new TransferException("EOF");
            got += n;
        }
    }
}

/// <summary>A transfer or SOA check that did not work; the message says why (logged by the zone's owner).</summary>
public sealed class TransferException(string message) : Exception(message);
