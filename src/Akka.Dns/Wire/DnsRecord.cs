using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Akka.Dns.Wire;

/// <summary>
/// One resource record: owner (presentation format), type, class, TTL and its RDATA already in wire form
/// (names inside RDATA uncompressed, which every resolver accepts). Immutable: plugins share instances.
/// </summary>
public sealed class DnsRecord(string name, ushort type, ushort @class, uint ttl, byte[] rdata)
{
    public string Name { get; } = name;
    public ushort Type { get; } = type;
    public ushort Class { get; } = @class;
    public uint Ttl { get; } = ttl;
    public byte[] RData { get; } = rdata;

    /// <summary>The owner name in wire form, when pre-encoded (<see cref="PreEncode"/>): the writer then only copies it.</summary>
    public byte[]? NameWire { get; private set; }

    /// <summary>Encodes the owner name once, for records served many times (zone data). Returns this.</summary>
    public DnsRecord PreEncode()
    {
        NameWire ??= NameBytes(Name);
        return this;
    }

    public DnsRecord WithTtl(uint ttl) => ttl == Ttl ? this : new DnsRecord(Name, Type, Class, ttl, RData) { NameWire = NameWire };
    public DnsRecord WithName(string name) => new(name, Type, Class, Ttl, RData);

    public static DnsRecord A(string name, uint ttl, IPAddress ip, ushort cls = RrClass.IN) => new(name, RrType.A, cls, ttl, Ip(ip, AddressFamily.InterNetwork));
    public static DnsRecord Aaaa(string name, uint ttl, IPAddress ip, ushort cls = RrClass.IN) => new(name, RrType.AAAA, cls, ttl, Ip(ip, AddressFamily.InterNetworkV6));

    public static DnsRecord Srv(string name, uint ttl, ushort priority, ushort weight, ushort port, string target, ushort cls = RrClass.IN)
    {
        var t = NameBytes(target);
        var r = new byte[6 + t.Length];
        BinaryPrimitives.WriteUInt16BigEndian(r, priority);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(2), weight);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(4), port);
        t.CopyTo(r, 6);
        return new DnsRecord(name, RrType.SRV, cls, ttl, r);
    }

    public static DnsRecord Txt(string name, uint ttl, ushort cls, params string[] strings) => new(name, RrType.TXT, cls, ttl, CharacterStrings(strings));
    public static DnsRecord Hinfo(string name, uint ttl, string cpu, string os, ushort cls = RrClass.IN) => new(name, RrType.HINFO, cls, ttl, CharacterStrings([cpu, os]));
    public static DnsRecord Ptr(string name, uint ttl, string target, ushort cls = RrClass.IN) => new(name, RrType.PTR, cls, ttl, NameBytes(target));
    public static DnsRecord Ns(string name, uint ttl, string target, ushort cls = RrClass.IN) => new(name, RrType.NS, cls, ttl, NameBytes(target));
    public static DnsRecord Cname(string name, uint ttl, string target, ushort cls = RrClass.IN) => new(name, RrType.CNAME, cls, ttl, NameBytes(target));

    public static DnsRecord Soa(string name, uint ttl, string mname, string rname, uint serial, uint refresh, uint retry, uint expire, uint minimum, ushort cls = RrClass.IN)
    {
        var m = NameBytes(mname);
        var rn = NameBytes(rname);
        var r = new byte[m.Length + rn.Length + 20];
        m.CopyTo(r, 0);
        rn.CopyTo(r, m.Length);
        var s = r.AsSpan(m.Length + rn.Length);
        BinaryPrimitives.WriteUInt32BigEndian(s, serial);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], refresh);
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], retry);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], expire);
        BinaryPrimitives.WriteUInt32BigEndian(s[16..], minimum);
        return new DnsRecord(name, RrType.SOA, cls, ttl, r);
    }

    public static byte[] NameBytes(string name)
    {
        Span<byte> buf = stackalloc byte[DnsName.MaxWireLength + 2];
        var n = DnsName.TryWrite(name, buf);
        if (n < 0) throw new ArgumentException($"not a valid domain name: {name}", nameof(name));
        return buf[..n].ToArray();
    }

    /// <summary>RFC 1035 character-strings; strings longer than 255 octets are split.</summary>
    public static byte[] CharacterStrings(IEnumerable<string> strings)
    {
        using var ms = new MemoryStream();
        foreach (var s in strings)
        {
            var b = Encoding.UTF8.GetBytes(s);
            var i = 0;
            do
            {
                var n = Math.Min(255, b.Length - i);
                ms.WriteByte((byte)n);
                ms.Write(b, i, n);
                i += n;
            } while (i < b.Length);
        }
        return ms.ToArray();
    }

    private static byte[] Ip(IPAddress ip, AddressFamily family)
    {
        if (ip.AddressFamily != family) throw new ArgumentException($"{ip} is not {family}", nameof(ip));
        return ip.GetAddressBytes();
    }

    public override string ToString() => $"{Name}\t{Ttl}\t{RrClass.ToString(Class)}\t{RrType.ToString(Type)}\t{RDataText()}";

    /// <summary>RDATA in presentation form for the common types, RFC 3597 \# form otherwise (logs and tests).</summary>
    public string RDataText()
    {
        try
        {
            switch (Type)
            {
                case RrType.A when RData.Length == 4:
                case RrType.AAAA when RData.Length == 16:
                    return new IPAddress(RData).ToString();
                case RrType.NS or RrType.CNAME or RrType.PTR or RrType.DNAME:
                {
                    var o = 0;
                    return DnsName.TryRead(RData, ref o, out var n) ? n : Unknown();
                }
                case RrType.SRV when RData.Length > 6:
                {
                    var o = 6;
                    DnsName.TryRead(RData, ref o, out var t);
                    return $"{BinaryPrimitives.ReadUInt16BigEndian(RData)} {BinaryPrimitives.ReadUInt16BigEndian(RData.AsSpan(2))} {BinaryPrimitives.ReadUInt16BigEndian(RData.AsSpan(4))} {t}";
                }
                case RrType.TXT or RrType.HINFO:
                {
                    var parts = new List<string>();
                    for (var i = 0; i < RData.Length;)
                    {
                        var l = RData[i];
                        parts.Add("\"" + Encoding.UTF8.GetString(RData, i + 1, l).Replace("\"", "\\\"") + "\"");
                        i += l + 1;
                    }
                    return string.Join(" ", parts);
                }
            }
        }
        catch (ArgumentException)
        {
        }
        return Unknown();
    }

    private string Unknown() => $"\\# {RData.Length} {Convert.ToHexString(RData)}";
}
