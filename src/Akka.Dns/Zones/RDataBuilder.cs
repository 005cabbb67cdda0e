using System.Buffers.Binary;
using Akka.Dns.Wire;

namespace Akka.Dns.Zones;

/// <summary>A growable octet buffer for building one RDATA.</summary>
internal sealed class RDataBuilder
{
    private byte[] _buf = new byte[64];
    private int _len;

    public int Length => _len;

    private Span<byte> Grow(int n)
    {
        if (_len + n > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + n));
        var s = _buf.AsSpan(_len, n);
        _len += n;
        return s;
    }

    public void U8(byte v) => Grow(1)[0] = v;
    public void U16(ushort v) => BinaryPrimitives.WriteUInt16BigEndian(Grow(2), v);
    public void U32(uint v) => BinaryPrimitives.WriteUInt32BigEndian(Grow(4), v);
    public void Bytes(ReadOnlySpan<byte> b) => b.CopyTo(Grow(b.Length));

    public void SetU16(int at, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(_buf.AsSpan(at), v);

    /// <summary>Appends an absolute presentation-format name, uncompressed. False if it is not a valid name.</summary>
    public bool Name(string absolute)
    {
        Span<byte> tmp = stackalloc byte[DnsName.MaxWireLength + 2];
        var n = DnsName.TryWrite(absolute, tmp);
        if (n < 0) return false;
        Bytes(tmp[..n]);
        return true;
    }

    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();
}
