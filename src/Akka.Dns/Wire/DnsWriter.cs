using System.Buffers.Binary;

namespace Akka.Dns.Wire;

/// <summary>
/// Encodes a <see cref="DnsResponse"/>: owner names compressed against everything written before them, RDATA
/// copied as is, and, when the result does not fit <c>maxSize</c>, records dropped from the end of each
/// section (answer, authority, additional; OPT always kept) with TC set: miekg/dns's Truncate, which
/// CoreDNS's Scrub uses.
/// </summary>
public ref struct DnsWriter
{
    private const int MaxPointer = 0x3FFF;
    private readonly Span<byte> _buf;
    private int _pos;
    // Compression table: (offset of a written name suffix). Suffix text is re-read from the buffer on compare.
    private readonly Span<int> _names;
    private int _nameCount;

    private DnsWriter(Span<byte> buf, Span<int> names)
    {
        _buf = buf;
        _names = names;
        _pos = 0;
        _nameCount = 0;
    }

    /// <summary>Encodes <paramref name="r"/> into <paramref name="dest"/>, at most <paramref name="maxSize"/> bytes. Returns the length, or -1 if even the header and question do not fit.</summary>
    public static int Encode(DnsResponse r, Span<byte> dest, int maxSize)
    {
        if (maxSize < DnsReader.HeaderSize) return -1;
        if (maxSize < dest.Length) dest = dest[..maxSize];
        Span<int> names = stackalloc int[128];
        var w = new DnsWriter(dest, names);
        return w.Write(r);
    }

    private int Write(DnsResponse r)
    {
        if (_buf.Length < DnsReader.HeaderSize) return -1;
        _pos = DnsReader.HeaderSize;
        ushort qd = 0;
        if (r.QName is not null)
        {
            if (!TryWriteName(r.QName) || _pos + 4 > _buf.Length) return -1;
            BinaryPrimitives.WriteUInt16BigEndian(_buf[_pos..], r.QType);
            BinaryPrimitives.WriteUInt16BigEndian(_buf[(_pos + 2)..], r.QClass);
            _pos += 4;
            qd = 1;
        }

        var optLen = r.Edns is null ? 0 : OptLength(r.Edns);
        var limit = _buf.Length - optLen;
        if (_pos > limit) return -1;
        var truncated = false;
        var an = WriteSection(r.AnswerCount == 0 ? null : r.Answer, limit, ref truncated);
        var ns = truncated ? 0 : WriteSection(r.AuthorityCount == 0 ? null : r.Authority, limit, ref truncated);
        var ar = truncated ? 0 : WriteSection(r.AdditionalCount == 0 ? null : r.Additional, limit, ref truncated);
        if (r.Edns is not null)
        {
            WriteOpt(r.Edns, r.Rcode);
            ar++;
        }

        var flags = (ushort)(0x8000 | ((r.Opcode & 0xF) << 11) | (r.Rcode & 0xF));
        if (r.Aa) flags |= 0x0400;
        if (r.Tc || truncated) flags |= 0x0200;
        if (r.Rd) flags |= 0x0100;
        if (r.Ra) flags |= 0x0080;
        if (r.Ad) flags |= 0x0020;
        if (r.Cd) flags |= 0x0010;
        BinaryPrimitives.WriteUInt16BigEndian(_buf, r.Id);
        BinaryPrimitives.WriteUInt16BigEndian(_buf[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(_buf[4..], qd);
        BinaryPrimitives.WriteUInt16BigEndian(_buf[6..], an);
        BinaryPrimitives.WriteUInt16BigEndian(_buf[8..], (ushort)ns);
        BinaryPrimitives.WriteUInt16BigEndian(_buf[10..], (ushort)ar);
        return _pos;
    }

    private ushort WriteSection(List<DnsRecord>? records, int limit, ref bool truncated)
    {
        if (records is null) return 0;
        ushort n = 0;
        foreach (var rr in records)
        {
            var start = _pos;
            var names = _nameCount;
            if (!TryWriteRecord(rr, limit))
            {
                _pos = start;
                _nameCount = names;
                truncated = true;
                return n;
            }
            n++;
        }
        return n;
    }

    private bool TryWriteRecord(DnsRecord rr, int limit)
    {
        if (rr.NameWire is { } pre ? !TryWriteName(pre) : !TryWriteName(rr.Name)) return false;
        if (_pos + 10 + rr.RData.Length > limit) return false;
        var s = _buf[_pos..];
        BinaryPrimitives.WriteUInt16BigEndian(s, rr.Type);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], rr.Class);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], rr.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)rr.RData.Length);
        rr.RData.CopyTo(s[10..]);
        _pos += 10 + rr.RData.Length;
        return _pos <= limit;
    }

    private static int OptLength(EdnsRecord e)
    {
        var n = 11;
        foreach (var (_, d) in e.Options) n += 4 + d.Length;
        return n;
    }

    private void WriteOpt(EdnsRecord e, int rcode)
    {
        var s = _buf[_pos..];
        s[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(s[1..], RrType.OPT);
        BinaryPrimitives.WriteUInt16BigEndian(s[3..], e.UdpSize);
        s[5] = (byte)(rcode >> 4);
        s[6] = e.Version;
        BinaryPrimitives.WriteUInt16BigEndian(s[7..], (ushort)(e.Do ? 0x8000 : 0));
        var o = 11;
        foreach (var (code, data) in e.Options)
        {
            BinaryPrimitives.WriteUInt16BigEndian(s[o..], code);
            BinaryPrimitives.WriteUInt16BigEndian(s[(o + 2)..], (ushort)data.Length);
            data.CopyTo(s[(o + 4)..]);
            o += 4 + data.Length;
        }
        BinaryPrimitives.WriteUInt16BigEndian(s[9..], (ushort)(o - 11));
        _pos += o;
    }

    /// <summary>Writes a name, replacing its longest already-written suffix by a pointer.</summary>
    private bool TryWriteName(string name)
    {
        Span<byte> wire = stackalloc byte[DnsName.MaxWireLength + 2];
        var len = DnsName.TryWrite(name, wire);
        return len >= 0 && TryWriteName(wire[..len]);
    }

    /// <summary>Writes an uncompressed wire name (pre-encoded owners of zone data), compressing its suffix.</summary>
    private bool TryWriteName(scoped ReadOnlySpan<byte> wire)
    {
        var len = wire.Length;
        var i = 0;
        while (wire[i] != 0)
        {
            var suffix = wire[i..];
            var ptr = Find(suffix);
            if (ptr >= 0)
            {
                if (_pos + i + 2 > _buf.Length) return false;
                wire[..i].CopyTo(_buf[_pos..]);
                Remember(_pos, wire[..i]);
                _pos += i;
                BinaryPrimitives.WriteUInt16BigEndian(_buf[_pos..], (ushort)(0xC000 | ptr));
                _pos += 2;
                return true;
            }
            i += wire[i] + 1;
        }
        if (_pos + len > _buf.Length) return false;
        wire.CopyTo(_buf[_pos..]);
        Remember(_pos, wire[..(len - 1)]);
        _pos += len;
        return true;
    }

    /// <summary>Remembers the offset of each label start in a freshly written run of labels.</summary>
    private void Remember(int at, scoped ReadOnlySpan<byte> labels)
    {
        var i = 0;
        while (i < labels.Length && _nameCount < _names.Length && at + i <= MaxPointer)
        {
            _names[_nameCount++] = at + i;
            i += labels[i] + 1;
        }
    }

    private int Find(scoped ReadOnlySpan<byte> suffix)
    {
        for (var k = 0; k < _nameCount; k++)
            if (NameAtEquals(_names[k], suffix)) return _names[k];
        return -1;
    }

    /// <summary>Compares the (possibly compressed) name at <paramref name="off"/> in the output with an uncompressed wire name, ignoring ASCII case.</summary>
    private bool NameAtEquals(int off, scoped ReadOnlySpan<byte> wire)
    {
        var i = 0;
        var guard = 0;
        while (true)
        {
            var b = _buf[off];
            if ((b & 0xC0) == 0xC0)
            {
                off = ((b & 0x3F) << 8) | _buf[off + 1];
                if (++guard > 64) return false;
                continue;
            }
            if (b != wire[i]) return false;
            if (b == 0) return true;
            for (var j = 1; j <= b; j++)
                if (Lower(_buf[off + j]) != Lower(wire[i + j])) return false;
            off += b + 1;
            i += b + 1;
        }
    }

    private static byte Lower(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
}
