using System.Buffers.Binary;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.TestKit;

/// <summary>Builds query packets byte by byte (independent of the server's writer).</summary>
public sealed record QueryBuilder(string Name, ushort Type = RrType.A, ushort Class = RrClass.IN)
{
    public ushort Id { get; init; } = 0x1234;
    public bool Rd { get; init; } = true;
    public bool Cd { get; init; }
    public int Opcode { get; init; }
    /// <summary>Adds an OPT record with this UDP size (null = no EDNS).</summary>
    public ushort? UdpSize { get; init; }
    public bool Do { get; init; }
    public byte EdnsVersion { get; init; }
    public List<(ushort Code, byte[] Data)> Options { get; init; } = [];

    public byte[] Build()
    {
        using var ms = new MemoryStream();
        Span<byte> h = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(h, Id);
        var flags = (ushort)((Opcode & 0xF) << 11);
        if (Rd) flags |= 0x0100;
        if (Cd) flags |= 0x0010;
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(h[10..], (ushort)(UdpSize is null ? 0 : 1));
        ms.Write(h);
        ms.Write(DnsRecord.NameBytes(Name));
        Span<byte> q = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(q, Type);
        BinaryPrimitives.WriteUInt16BigEndian(q[2..], Class);
        ms.Write(q);
        if (UdpSize is { } size)
        {
            var opts = new MemoryStream();
            var oh = new byte[4];
            foreach (var (code, data) in Options)
            {
                BinaryPrimitives.WriteUInt16BigEndian(oh, code);
                BinaryPrimitives.WriteUInt16BigEndian(oh.AsSpan(2), (ushort)data.Length);
                opts.Write(oh);
                opts.Write(data);
            }
            Span<byte> opt = stackalloc byte[11];
            opt[0] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(opt[1..], RrType.OPT);
            BinaryPrimitives.WriteUInt16BigEndian(opt[3..], size);
            opt[5] = 0;
            opt[6] = EdnsVersion;
            BinaryPrimitives.WriteUInt16BigEndian(opt[7..], (ushort)(Do ? 0x8000 : 0));
            BinaryPrimitives.WriteUInt16BigEndian(opt[9..], (ushort)opts.Length);
            ms.Write(opt);
            opts.Position = 0;
            opts.CopyTo(ms);
        }
        return ms.ToArray();
    }
}
