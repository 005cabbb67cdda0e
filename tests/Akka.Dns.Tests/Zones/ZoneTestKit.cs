using System.Buffers.Binary;
using Akka.Dns.Tests.Wire;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Xunit;

namespace Akka.Dns.Tests.Zones;

internal static class ZoneTestKit
{
    public static DomainName N(string name) => DomainName.Parse(name);

    /// <summary>
    /// ARSoft as the oracle: encode the record in a message (ARSoft compresses names where it likes), then take its
    /// RDATA back out with <see cref="RData.TryReadFromMessage"/>, which must undo any compression.
    /// </summary>
    public static byte[] ArsoftRData(DnsRecordBase record)
    {
        var msg = new DnsMessage();
        msg.AnswerRecords.Add(record);
        var bytes = WireTestKit.Encode(msg);
        var (type, offset, length) = FirstAnswer(bytes);
        Assert.True(RData.TryReadFromMessage(type, bytes, offset, length, out var rdata), "TryReadFromMessage failed");
        return rdata;
    }

    /// <summary>Type, RDATA offset and RDATA length of the first answer of a message without questions.</summary>
    public static (ushort Type, int Offset, int Length) FirstAnswer(byte[] bytes)
    {
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4)));
        var o = 12;
        Assert.True(DnsName.TrySkip(bytes, ref o));
        var type = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(o));
        var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(o + 8));
        return (type, o + 10, length);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>Splits a presentation RDATA the way the master-file lexer does.</summary>
    public static List<string> Fields(string rdata)
    {
        var lexer = new ZoneLexer(rdata, "fields");
        var tokens = new List<string>();
        Assert.True(lexer.NextLine(tokens, out _, out _));
        return tokens;
    }
}
