using System.Buffers.Binary;
using Akka.Dns.Plugins.Secondary;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// The messages forward sends and reads. The outgoing query is built afresh (never the client's bytes): the
/// header and question of the client's query, and an OPT only when the client sent one (its UDP size, at least 512,
/// its DO bit and its options, as CoreDNS passes the client's OPT on). Whatever else the client put in the
/// additional section, a TSIG in particular, is not sent. The reply is checked (QR, id, question) and decoded.
/// </summary>
public static class ForwardWire
{
    private const ushort OptType = 41;

    /// <summary>The query for <paramref name="r"/> with id 0 (each attempt writes its own id with <see cref="WithId"/>).</summary>
    public static byte[] BuildQuery(DnsRequest r)
    {
        var q = r.Query;
        var question = q.Packet.AsSpan(DnsReader.HeaderSize, q.QuestionEnd - DnsReader.HeaderSize);
        var options = q.HasEdns ? q.Options : default;
        var size = DnsReader.HeaderSize + question.Length + (q.HasEdns ? 11 + options.Length : 0);
        var p = new byte[size];
        // Flags as the chain sees them (header may have changed bits); QR, AA, TC and the rcode cleared.
        var flags = (ushort)(r.Flags & 0x7930);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), (ushort)(q.HasEdns ? 1 : 0));
        question.CopyTo(p.AsSpan(DnsReader.HeaderSize));
        if (q.HasEdns)
        {
            var o = p.AsSpan(DnsReader.HeaderSize + question.Length);
            o[0] = 0; // root owner
            BinaryPrimitives.WriteUInt16BigEndian(o[1..], OptType);
            BinaryPrimitives.WriteUInt16BigEndian(o[3..], Math.Max(q.UdpSize, (ushort)512));
            o[5] = 0; // extended rcode
            o[6] = q.EdnsVersion;
            BinaryPrimitives.WriteUInt16BigEndian(o[7..], (ushort)(q.Do ? 0x8000 : 0));
            BinaryPrimitives.WriteUInt16BigEndian(o[9..], (ushort)options.Length);
            options.CopyTo(o[11..]);
        }
        return p;
    }

    /// <summary>A copy of <paramref name="query"/> with id <paramref name="id"/>.</summary>
    public static byte[] WithId(byte[] query, ushort id)
    {
        var p = (byte[])query.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(p, id);
        return p;
    }

    /// <summary>A health-check query: NS for <paramref name="domain"/>, RD as configured.</summary>
    public static byte[] BuildProbe(string domain, bool rd)
    {
        var q = new DnsResponse { Id = 0, Opcode = Opcode.Query, QName = domain, QType = RrType.NS, QClass = RrClass.IN, Rd = rd };
        var buf = new byte[DnsReader.HeaderSize + DnsName.MaxWireLength + 4];
        var n = DnsWriter.Encode(q, buf, buf.Length);
        buf[2] &= 0x7F;
        return buf[..n];
    }

    /// <summary>
    /// True when <paramref name="reply"/> is a response with id <paramref name="id"/> to exactly the question of
    /// <paramref name="query"/> (name compared without case, type and class equal). Never throws.
    /// </summary>
    public static bool Matches(ReadOnlySpan<byte> reply, ReadOnlySpan<byte> query, ushort id)
    {
        if (reply.Length < DnsReader.HeaderSize || query.Length < DnsReader.HeaderSize) return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(reply) != id) return false;
        if ((reply[2] & 0x80) == 0) return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(reply[4..]) != 1) return false;
        int ro = DnsReader.HeaderSize, qo = DnsReader.HeaderSize;
        if (!DnsName.TrySkip(reply, ref ro) || !DnsName.TrySkip(query, ref qo)) return false;
        if (ro + 4 > reply.Length || qo + 4 > query.Length) return false;
        // The question names are read without compression at offset 12 in both: compare the octets, ASCII case folded.
        var a = reply[DnsReader.HeaderSize..(ro + 4)];
        var b = query[DnsReader.HeaderSize..(qo + 4)];
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y) continue;
            if ((uint)((x | 0x20) - 'a') <= 'z' - 'a' && (x | 0x20) == (y | 0x20) && i < a.Length - 4) continue;
            return false;
        }
        return true;
    }

    /// <summary>The id of a message (0 when too short).</summary>
    public static ushort IdOf(ReadOnlySpan<byte> m) => m.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(m) : (ushort)0;

    /// <summary>Whether a reply has TC set.</summary>
    public static bool Truncated(ReadOnlySpan<byte> m) => m.Length >= 4 && (m[2] & 0x02) != 0;

    /// <summary>
    /// Decodes an upstream's reply into the reply to <paramref name="r"/>. The OPT is kept only when the client sent
    /// one (sized and DO-flagged for the client, the upstream's options kept); a TSIG from the upstream is dropped.
    /// False when the message is malformed.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> m, DnsRequest r, out DnsResponse response)
    {
        response = r.CreateReply();
        if (m.Length < DnsReader.HeaderSize) return false;
        var flags = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        var qd = BinaryPrimitives.ReadUInt16BigEndian(m[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(m[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(m[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(m[10..]);
        response.Aa = (flags & 0x0400) != 0;
        response.Tc = (flags & 0x0200) != 0;
        response.Rd = (flags & 0x0100) != 0;
        response.Ra = (flags & 0x0080) != 0;
        response.Ad = (flags & 0x0020) != 0;
        response.Cd = (flags & 0x0010) != 0;
        var rcode = flags & 0xF;
        var off = DnsReader.HeaderSize;
        for (var i = 0; i < qd; i++)
        {
            if (!DnsName.TrySkip(m, ref off)) return false;
            off += 4;
            if (off > m.Length) return false;
        }
        if (!ReadSection(m, ref off, an, response.Answer)) return false;
        if (!ReadSection(m, ref off, ns, response.Authority)) return false;
        for (var i = 0; i < ar; i++)
        {
            var start = off;
            if (!DnsName.TrySkip(m, ref off) || off + 10 > m.Length) return false;
            var type = BinaryPrimitives.ReadUInt16BigEndian(m[off..]);
            if (type == OptType)
            {
                var udp = BinaryPrimitives.ReadUInt16BigEndian(m[(off + 2)..]);
                var ext = m[off + 4];
                var ver = m[off + 5];
                var rdlen = BinaryPrimitives.ReadUInt16BigEndian(m[(off + 8)..]);
                off += 10;
                if (off + rdlen > m.Length) return false;
                rcode |= ext << 4;
                if (r.Query.HasEdns)
                {
                    var e = new EdnsRecord { UdpSize = r.UdpSize == 0 ? r.Query.UdpSize : r.UdpSize, Version = ver, Do = r.Query.Do };
                    var o = m.Slice(off, rdlen);
                    while (o.Length >= 4)
                    {
                        var code = BinaryPrimitives.ReadUInt16BigEndian(o);
                        var l = BinaryPrimitives.ReadUInt16BigEndian(o[2..]);
                        if (4 + l > o.Length) return false;
                        e.Options.Add((code, o.Slice(4, l).ToArray()));
                        o = o[(4 + l)..];
                    }
                    _ = udp;
                    response.Edns = e;
                }
                off += rdlen;
                continue;
            }
            off = start;
            if (!AxfrClient.TryReadRecord(m, ref off, emptyRData: false, out var rr)) return false;
            if (rr.Type != RrType.TSIG) response.Additional.Add(rr);
        }
        response.Rcode = rcode;
        return true;
    }

    private static bool ReadSection(ReadOnlySpan<byte> m, ref int off, int count, List<DnsRecord> into)
    {
        for (var i = 0; i < count; i++)
        {
            if (!AxfrClient.TryReadRecord(m, ref off, emptyRData: false, out var rr)) return false;
            into.Add(rr);
        }
        return true;
    }

    /// <summary>The rcode of a reply (header bits only: the extended bits live in the OPT).</summary>
    public static int HeaderRcode(ReadOnlySpan<byte> m) => m.Length >= 4 ? m[3] & 0xF : -1;
}
