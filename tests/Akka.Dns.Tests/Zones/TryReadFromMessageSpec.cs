using System.Buffers.Binary;
using Akka.Dns.Tests.Wire;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using static Akka.Dns.Tests.Zones.ZoneTestKit;

namespace Akka.Dns.Tests.Zones;

public class TryReadFromMessageSpec
{
    /// <summary>A message: question example.org./A, then one answer owned by a pointer to it with the given type and RDATA.</summary>
    private static (byte[] Message, int Offset) Message(ushort type, byte[] rdata)
    {
        var rr = new byte[12];
        rr[0] = 0xC0;
        rr[1] = 12;
        BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(2), type);
        BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(rr.AsSpan(6), 60);
        BinaryPrimitives.WriteUInt16BigEndian(rr.AsSpan(10), (ushort)rdata.Length);
        var question = WireTestKit.Name("example.org.");
        var msg = WireTestKit.Raw(0x8180, 1, 1, 0, 0, question, WireTestKit.TypeAClassIn, rr, rdata);
        return (msg, msg.Length - rdata.Length);
    }

    // "mail" + pointer to example.org. at offset 12
    private static readonly byte[] MailPtr = [4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0xC0, 12];

    public static TheoryData<string, string, string> Compressed => new()
    {
        { "MX", "000A" + Convert.ToHexString(MailPtr), "10 mail.example.org." },
        { "NS", Convert.ToHexString(MailPtr), "mail.example.org." },
        { "CNAME", "C00C", "example.org." },
        { "SOA", Convert.ToHexString(MailPtr) + "C00C" + "0000000100000002000000030000000400000005", "mail.example.org. example.org. 1 2 3 4 5" },
        { "SRV", "000100020035" + Convert.ToHexString(MailPtr), "1 2 53 mail.example.org." },
        { "NAPTR", "00640014 0153 00 00".Replace(" ", "") + "C00C", "100 20 \"S\" \"\" \"\" example.org." },
        { "NSEC", "C00C000440000008", "example.org. A AAAA" },
        { "RRSIG", "0001 0D 02 00000E10 00000002 00000001 3039".Replace(" ", "") + "C00C" + "AABB", "A 13 2 3600 19700101000002 19700101000001 12345 example.org. qrs=" },
        { "TXT", "03C00C61", "\"\\192\\012a\"" },                 // not a name: copied as it is
    };

    [Theory]
    [MemberData(nameof(Compressed))]
    public void TryReadFromMessage_should_decompress_names_in_RDATA(string type, string rdataHex, string text)
    {
        Assert.True(RrType.TryParse(type, out var t));
        var (msg, offset) = Message(t, Hex(rdataHex));
        Assert.True(RData.TryReadFromMessage(t, msg, offset, msg.Length - offset, out var rdata));
        Assert.Equal(text, RData.ToText(t, rdata));
        Assert.Equal(Convert.ToHexString(RData.Parse(t, Fields(text), ".")), Convert.ToHexString(rdata));
    }

    public static TheoryData<string, string, int> Malformed => new()
    {
        { "MX", "000A", 0 },                      // exchange missing
        { "MX", "000AC0FF", 0 },                  // pointer past the message
        { "NS", "04", 0 },                        // label runs off the end
        { "NS", Convert.ToHexString(MailPtr) + "00", 0 },   // octets left over
        { "SOA", "C00CC00C00000001", 0 },         // fixed part short
        { "MX", "000A" + Convert.ToHexString(MailPtr), -1 }, // length says one octet less than the name needs
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryReadFromMessage_should_refuse_malformed_RDATA(string type, string rdataHex, int lengthDelta)
    {
        Assert.True(RrType.TryParse(type, out var t));
        var (msg, offset) = Message(t, Hex(rdataHex));
        Assert.False(RData.TryReadFromMessage(t, msg, offset, msg.Length - offset + lengthDelta, out _));
    }

    [Fact]
    public void TryReadFromMessage_should_refuse_a_length_past_the_message()
    {
        var (msg, offset) = Message(RrType.A, [1, 2, 3, 4]);
        Assert.False(RData.TryReadFromMessage(RrType.A, msg, offset, 5, out _));
        Assert.True(RData.TryReadFromMessage(RrType.A, msg, offset, 4, out var a));
        Assert.Equal([1, 2, 3, 4], a);
        Assert.False(RData.TryReadFromMessage(RrType.A, msg, offset, 3, out _));
        Assert.False(RData.TryReadFromMessage(RrType.AAAA, msg, offset, 4, out _));
    }
}
