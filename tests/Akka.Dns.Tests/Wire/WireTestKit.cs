using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Akka.Dns.Tests.Wire;

/// <summary>Packet builders for the wire specs: ARSoft as an independent encoder/decoder, plus raw byte helpers.</summary>
internal static class WireTestKit
{
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "Encode")]
    private static extern DnsRawPackage EncodeRaw(DnsMessageBase msg);

    /// <summary>Encodes a message with ARSoft (the oracle), returning an exact-length array.</summary>
    public static byte[] Encode(DnsMessageBase msg)
    {
        var seg = EncodeRaw(msg).ToArraySegment(false);
        return seg.AsSpan().ToArray();
    }

    public static DnsMessage Parse(ReadOnlySpan<byte> bytes) => DnsMessage.Parse(new ArraySegment<byte>(bytes.ToArray()));

    /// <summary>An ARSoft query: RD and CD set, EDNS 1232 with DO.</summary>
    public static DnsMessage Query(string name = "WwW.Example.org", RecordType type = RecordType.Aaaa, ushort id = 0x1234, bool edns = true, params EDnsOptionBase[] options)
    {
        var m = new DnsMessage
        {
            TransactionID = id,
            IsRecursionDesired = true,
            IsCheckingDisabled = true,
        };
        m.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        if (edns)
        {
            m.IsEDnsEnabled = true;
            m.EDnsOptions!.UdpPayloadSize = 1232;
            m.EDnsOptions.IsDnsSecOk = true;
            foreach (var o in options) m.EDnsOptions.Options.Add(o);
        }
        return m;
    }

    public static readonly byte[] ClientCookie = [1, 2, 3, 4, 5, 6, 7, 8];

    public static byte[] QueryWithOpt() => Encode(Query());

    public static byte[] QueryWithNsidAndCookie() => Encode(Query(options: [new NsIdOption([]), new CookieOption(ClientCookie)]));

    /// <summary>A raw packet: header with the given flags and counts, then the body parts concatenated.</summary>
    public static byte[] Raw(ushort flags, ushort qd, ushort an, ushort ns, ushort ar, params byte[][] body)
    {
        var len = 12;
        foreach (var b in body) len += b.Length;
        var p = new byte[len];
        BinaryPrimitives.WriteUInt16BigEndian(p, 0xBEEF);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), qd);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), an);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(8), ns);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), ar);
        var o = 12;
        foreach (var b in body)
        {
            b.CopyTo(p, o);
            o += b.Length;
        }
        return p;
    }

    /// <summary>Uncompressed wire form of a name.</summary>
    public static byte[] Name(string name)
    {
        var buf = new byte[300];
        var n = Akka.Dns.Wire.DnsName.TryWrite(name, buf);
        if (n < 0) throw new ArgumentException(name);
        return buf[..n];
    }

    /// <summary>QTYPE A, QCLASS IN.</summary>
    public static readonly byte[] TypeAClassIn = [0, 1, 0, 1];

    public static byte[] Question(string name = "example.org.") => [.. Name(name), .. TypeAClassIn];

    /// <summary>An OPT record owned by root: udp size, ttl (ext rcode, version, DO/Z), and the option bytes.</summary>
    public static byte[] Opt(ushort udp = 1232, byte version = 0, bool dnssecOk = false, byte[]? options = null, byte[]? owner = null)
    {
        owner ??= [0];
        options ??= [];
        var r = new byte[owner.Length + 10 + options.Length];
        owner.CopyTo(r, 0);
        var s = r.AsSpan(owner.Length);
        BinaryPrimitives.WriteUInt16BigEndian(s, 41);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], udp);
        s[4] = 0;
        s[5] = version;
        BinaryPrimitives.WriteUInt16BigEndian(s[6..], (ushort)(dnssecOk ? 0x8000 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)options.Length);
        options.CopyTo(s[10..]);
        return r;
    }

    /// <summary>A generic record: owner, type, class IN, TTL 300, rdata.</summary>
    public static byte[] Record(string owner, ushort type, byte[] rdata)
    {
        var o = Name(owner);
        var r = new byte[o.Length + 10 + rdata.Length];
        o.CopyTo(r, 0);
        var s = r.AsSpan(o.Length);
        BinaryPrimitives.WriteUInt16BigEndian(s, type);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], 1);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], 300);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)rdata.Length);
        rdata.CopyTo(s[10..]);
        return r;
    }

    public static byte[] Option(ushort code, params byte[] data)
    {
        var r = new byte[4 + data.Length];
        BinaryPrimitives.WriteUInt16BigEndian(r, code);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(2), (ushort)data.Length);
        data.CopyTo(r, 4);
        return r;
    }
}
