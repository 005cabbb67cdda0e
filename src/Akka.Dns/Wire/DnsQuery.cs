using System.Buffers.Binary;

namespace Akka.Dns.Wire;

/// <summary>What <see cref="DnsReader.TryRead"/> decided about a packet.</summary>
public enum QueryVerdict
{
    /// <summary>A well-formed query the chain may see.</summary>
    Ok,
    /// <summary>Not answered at all: shorter than a header, or QR set (a response).</summary>
    Drop,
    /// <summary>Answer FORMERR (bad counts, unparsable question or OPT).</summary>
    FormErr,
    /// <summary>Answer NOTIMP (opcode other than QUERY or NOTIFY).</summary>
    NotImp,
}

/// <summary>
/// A parsed query: header, the one question, and the EDNS OPT record. Immutable once parsed; the packet it
/// came from is kept so the question can be copied into the reply byte for byte.
/// </summary>
public sealed class DnsQuery
{
    private byte[] _packet = null!;

    /// <summary>The message as received; a plugin that rewrites the OPT options (rewrite edns0) swaps in a rebuilt one.</summary>
    public required byte[] Packet { get => _packet; init => _packet = value; }

    /// <summary>Swaps in a rebuilt message (rewrite's edns0 rules; the offsets are set with it).</summary>
    internal void ReplacePacket(byte[] packet) => _packet = packet;
    public ushort Id { get; internal set; }
    public ushort Flags { get; internal set; }
    public int Opcode => (Flags >> 11) & 0xF;
    public bool Rd => (Flags & 0x0100) != 0;
    public bool Cd => (Flags & 0x0010) != 0;
    public bool Ad => (Flags & 0x0020) != 0;
    public bool Aa => (Flags & 0x0400) != 0;
    public bool Tc => (Flags & 0x0200) != 0;
    public ushort QdCount { get; internal set; }
    public ushort AnCount { get; internal set; }
    public ushort NsCount { get; internal set; }
    public ushort ArCount { get; internal set; }

    /// <summary>The query name as the client wrote it (case kept), presentation format with a trailing dot.</summary>
    public string Name { get; internal set; } = DnsName.Root;
    public ushort Type { get; internal set; }
    public ushort Class { get; internal set; }
    /// <summary>Offset just past the question in <see cref="Packet"/>.</summary>
    public int QuestionEnd { get; internal set; }

    public bool HasEdns { get; internal set; }
    /// <summary>The client's advertised UDP payload size (the OPT class), 0 without EDNS.</summary>
    public ushort UdpSize { get; internal set; }
    public byte EdnsVersion { get; internal set; }
    public bool Do { get; internal set; }
    /// <summary>The raw option area of the OPT RDATA (offset, length) in <see cref="Packet"/>.</summary>
    public int OptionsOffset { get; internal set; }
    public int OptionsLength { get; internal set; }
    public bool HasTsig { get; internal set; }

    public ReadOnlySpan<byte> Options => Packet.AsSpan(OptionsOffset, OptionsLength);

    /// <summary>The value of the first EDNS option with this code, or false.</summary>
    public bool TryGetOption(ushort code, out ReadOnlySpan<byte> value)
    {
        var o = Options;
        while (o.Length >= 4)
        {
            var c = BinaryPrimitives.ReadUInt16BigEndian(o);
            var l = BinaryPrimitives.ReadUInt16BigEndian(o[2..]);
            if (4 + l > o.Length) break;
            if (c == code)
            {
                value = o.Slice(4, l);
                return true;
            }
            o = o[(4 + l)..];
        }
        value = default;
        return false;
    }
}

/// <summary>
/// The query-path parser: header, question and OPT with <see cref="BinaryPrimitives"/>, never throws.
/// Acceptance follows miekg/dns's DefaultMsgAcceptFunc, which CoreDNS uses unchanged.
/// </summary>
public static class DnsReader
{
    public const int HeaderSize = 12;

    /// <summary>Reads the header only: id and flags, for answering packets that fail later checks.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> p, out ushort id, out ushort flags)
    {
        if (p.Length < HeaderSize)
        {
            id = flags = 0;
            return false;
        }
        id = BinaryPrimitives.ReadUInt16BigEndian(p);
        flags = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
        return true;
    }

    /// <summary>
    /// Parses <paramref name="packet"/> (kept by reference in the result: pass a copy you own).
    /// On <see cref="QueryVerdict.FormErr"/>/<see cref="QueryVerdict.NotImp"/> the header fields (and the
    /// question, if it parsed) are filled so a reply can be written.
    /// </summary>
    public static QueryVerdict TryRead(byte[] packet, int length, out DnsQuery query)
    {
        query = null!;
        if ((uint)length > (uint)packet.Length) return QueryVerdict.Drop;
        var p = packet.AsSpan(0, length);
        if (!TryReadHeader(p, out var id, out var flags)) return QueryVerdict.Drop;
        if ((flags & 0x8000) != 0) return QueryVerdict.Drop;
        var qd = BinaryPrimitives.ReadUInt16BigEndian(p[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(p[6..]);
        var ns = BinaryPrimitives.ReadUInt16BigEndian(p[8..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(p[10..]);
        var opcode = (flags >> 11) & 0xF;
        var result = new DnsQuery { Packet = packet, Id = id, Flags = flags, QdCount = qd, AnCount = an, NsCount = ns, ArCount = ar };
        query = result;
        if (opcode == Wire.Opcode.Update)
        {
            // RFC 2136: one zone (in the question's place), then any number of prerequisite, update and
            // additional records. The server answers NOTIMP where no dynupdate takes it (CoreDNS: always).
            if (qd != 1) return QueryVerdict.FormErr;
        }
        else if (opcode != Wire.Opcode.Query && opcode != Wire.Opcode.Notify) return QueryVerdict.NotImp;
        else if (qd != 1 || an > 1 || ns > 1 || ar > 2) return QueryVerdict.FormErr;

        var off = HeaderSize;
        if (!DnsName.TryRead(p, ref off, out var name) || off + 4 > p.Length) return QueryVerdict.FormErr;
        var type = BinaryPrimitives.ReadUInt16BigEndian(p[off..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(p[(off + 2)..]);
        off += 4;
        var questionEnd = off;
        result.Name = name;
        result.Type = type;
        result.Class = cls;
        result.QuestionEnd = questionEnd;

        // Answer and authority (NOTIFY may carry a SOA, IXFR one SOA in authority): skip them.
        for (var i = 0; i < an + ns; i++)
        {
            if (!TrySkipRecord(p, ref off))
            return QueryVerdict.FormErr;
        }

        var hasEdns = false;
        ushort udp = 0;
        byte version = 0;
        var dnssecOk = false;
        int optOff = 0, optLen = 0;
        var tsig = false;
        for (var i = 0; i < ar; i++)
        {
            var start = off;
            if (!DnsName.TrySkip(p, ref off) || off + 10 > p.Length)
            return QueryVerdict.FormErr;
            var rrType = BinaryPrimitives.ReadUInt16BigEndian(p[off..]);
            var rrClass = BinaryPrimitives.ReadUInt16BigEndian(p[(off + 2)..]);
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(p[(off + 4)..]);
            var rdlen = BinaryPrimitives.ReadUInt16BigEndian(p[(off + 8)..]);
            off += 10;
            if (off + rdlen > p.Length)
            return QueryVerdict.FormErr;
            if (rrType == RrType.OPT)
            {
                // One OPT, owned by the root, with well-formed options (RFC 6891 §6.1.1).
                if (hasEdns || off - 10 - start != 1 || !OptionsWellFormed(p.Slice(off, rdlen)))
                return QueryVerdict.FormErr;
                hasEdns = true;
                udp = rrClass;
                version = (byte)(ttl >> 16);
                dnssecOk = (ttl & 0x8000) != 0;
                optOff = off;
                optLen = rdlen;
            }
            else if (rrType == RrType.TSIG)
            {
                tsig = true;
            }
            off += rdlen;
        }

        result.HasEdns = hasEdns;
        result.UdpSize = udp;
        result.EdnsVersion = version;
        result.Do = dnssecOk;
        result.OptionsOffset = optOff;
        result.OptionsLength = optLen;
        result.HasTsig = tsig;
        return QueryVerdict.Ok;
    }

    private static bool OptionsWellFormed(ReadOnlySpan<byte> o)
    {
        while (o.Length > 0)
        {
            if (o.Length < 4) return false;
            var l = BinaryPrimitives.ReadUInt16BigEndian(o[2..]);
            if (4 + l > o.Length) return false;
            o = o[(4 + l)..];
        }
        return true;
    }

    public static bool TrySkipRecord(ReadOnlySpan<byte> p, ref int off)
    {
        if (!DnsName.TrySkip(p, ref off) || off + 10 > p.Length) return false;
        var rdlen = BinaryPrimitives.ReadUInt16BigEndian(p[(off + 8)..]);
        off += 10 + rdlen;
        return off <= p.Length;
    }
}
