using System.Buffers.Binary;
using Akka.Dns.Plugins.Dynupdate;
using Akka.Dns.Tests.Wire;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using static Akka.Dns.Tests.Plugins.Dynupdate.UpdateTestKit;

namespace Akka.Dns.Tests.Plugins.Dynupdate;

/// <summary>The UPDATE parser against messages ARSoft encodes, hand-made malformed ones, and every truncation.</summary>
public sealed class UpdateMessageSpec
{
    private static byte[] Sample() => Encode(
        [Exists("WwW.Example.org", RrType.A), ExistsValue("www 0 IN A 192.0.2.10"), NotExists("www.example.org", RrType.AAAA),
            InUse("www.example.org"), NotInUse("new.example.org")],
        [Add("new 300 IN CNAME Www.Example.Org."), Add("mail 300 IN MX 20 mx2.example.org."), DeleteRRset("www.example.org", RrType.TXT),
            DeleteName("old.example.org"), Delete("www 0 IN A 192.0.2.11")],
        zone: "Example.ORG");

    /// <remarks>
    /// ARSoft compresses names case-insensitively, so a name that repeats an earlier one (or its suffix) comes out
    /// with the earlier spelling: that is what is on the wire, and what "kept as sent" keeps.
    /// </remarks>
    [Fact]
    public void Parse_should_read_the_zone_prerequisites_and_updates_as_ARSoft_wrote_them()
    {
        Assert.True(UpdateMessage.TryParse(Sample(), out var m, out var rcode));
        Assert.Equal(Rcode.NoError, rcode);
        Assert.Equal(0x4242, m.Id);
        Assert.Equal(Opcode.Update, (m.Flags >> 11) & 0xF);
        Assert.Equal("Example.ORG.", m.Zone);
        Assert.Equal(RrClass.IN, m.ZoneClass);
        Assert.Equal(
            [
                "WwW.Example.ORG.\t0\tANY\tA\t\\# 0",
                "WwW.Example.ORG.\t0\tIN\tA\t192.0.2.10",
                "WwW.Example.ORG.\t0\tNONE\tAAAA\t\\# 0",
                "WwW.Example.ORG.\t0\tANY\tANY\t\\# 0",
                "new.Example.ORG.\t0\tNONE\tANY\t\\# 0",
            ],
            m.Prerequisites.Select(Line));
        Assert.Equal(
            [
                "new.Example.ORG.\t300\tIN\tCNAME\tWwW.Example.ORG.",
                "mail.Example.ORG.\t300\tIN\tMX\t20 mx2.Example.ORG.",
                "WwW.Example.ORG.\t0\tANY\tTXT\t\\# 0",
                "old.Example.ORG.\t0\tANY\tANY\t\\# 0",
                "WwW.Example.ORG.\t0\tNONE\tA\t192.0.2.11",
            ],
            m.Updates.Select(Line));
    }

    [Fact]
    public void Parse_should_undo_name_compression_inside_RDATA()
    {
        // ARSoft compresses the CNAME target and the MX exchange against the zone name: stored RDATA is uncompressed.
        Assert.True(UpdateMessage.TryParse(Sample(), out var m, out _));
        Assert.Equal(DnsRecord.NameBytes("WwW.Example.ORG."), m.Updates[0].RData);
        Assert.Equal([0, 20, .. DnsRecord.NameBytes("mx2.Example.ORG.")], m.Updates[1].RData);
    }

    [Fact]
    public void Parse_should_fail_without_throwing_at_every_truncation()
    {
        var packet = Sample();
        for (var i = 0; i < packet.Length; i++)
        {
            Assert.False(UpdateMessage.TryParse(packet.AsSpan(0, i), out _, out var rcode), $"a {i}-byte prefix parsed");
            Assert.Equal(Rcode.FormErr, rcode);
        }
    }

    public static TheoryData<string, byte[], int> Malformed() => new()
    {
        { "no zone", Packet(zocount: 0), Rcode.FormErr },
        { "two zones", Packet(zocount: 2, body: [.. Zone(), .. Zone()]), Rcode.FormErr },
        { "a zone of type A", Packet(body: [.. WireTestKit.Name("example.org."), 0, 1, 0, 1]), Rcode.FormErr },
        { "a response", Packet(flags: 0x8000 | Opcode.Update << 11), Rcode.FormErr },
        { "a query", Packet(flags: 0), Rcode.NotImp },
        { "a NOTIFY", Packet(flags: Opcode.Notify << 11), Rcode.NotImp },
        { "an add of an A without RDATA", Packet(upcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.A, RrClass.IN, 300, [])]), Rcode.FormErr },
        { "a class NONE delete of an A without RDATA", Packet(upcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.A, RrClass.NONE, 0, [])]), Rcode.FormErr },
        { "a class NONE update of an A with 3 octets", Packet(upcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.A, RrClass.NONE, 0, [1, 2, 3])]), Rcode.FormErr },
        { "a prerequisite of class IN without RDATA", Packet(prcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.A, RrClass.IN, 0, [])]), Rcode.FormErr },
        { "a bad additional record", Packet(adcount: 1, body: [.. Zone(), 0, 0, 41]), Rcode.FormErr },
        { "a missing update record", Packet(upcount: 2, body: [.. Zone(), .. Rec("www.example.org.", RrType.A, RrClass.ANY, 0, [])]), Rcode.FormErr },
    };

    [Theory, MemberData(nameof(Malformed))]
    public void Parse_should_refuse_a_malformed_update(string what, byte[] packet, int expected)
    {
        Assert.False(UpdateMessage.TryParse(packet, out _, out var rcode), what);
        Assert.Equal(Rcode.ToString(expected), Rcode.ToString(rcode));
    }

    public static TheoryData<string, byte[]> WellFormed() => new()
    {
        { "an empty update", Packet() },
        { "a prerequisite of class ANY without RDATA", Packet(prcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.A, RrClass.ANY, 0, [])]) },
        { "a prerequisite of class NONE without RDATA", Packet(prcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.NS, RrClass.NONE, 0, [])]) },
        { "a class ANY delete without RDATA", Packet(upcount: 1, body: [.. Zone(), .. Rec("www.example.org.", RrType.SOA, RrClass.ANY, 0, [])]) },
        { "an add of an unknown type without RDATA", Packet(upcount: 1, body: [.. Zone(), .. Rec("www.example.org.", 65280, RrClass.IN, 300, [])]) },
        { "a TSIG in the additional section", Packet(adcount: 1, body: [.. Zone(), .. Rec("key.", RrType.TSIG, RrClass.ANY, 0, [1, 2, 3])]) },
    };

    [Theory, MemberData(nameof(WellFormed))]
    public void Parse_should_accept_what_RFC_2136_allows(string what, byte[] packet)
    {
        Assert.True(UpdateMessage.TryParse(packet, out _, out var rcode), what);
        Assert.Equal(Rcode.NoError, rcode);
    }

    private static string Line(DnsRecord r) => $"{r.Name}\t{r.Ttl}\t{RrClass.ToString(r.Class)}\t{RrType.ToString(r.Type)}\t{RData.ToText(r.Type, r.RData)}";

    private static byte[] Zone() => [.. WireTestKit.Name("example.org."), 0, 6, 0, 1];

    private static byte[] Packet(ushort flags = Opcode.Update << 11, ushort zocount = 1, ushort prcount = 0, ushort upcount = 0, ushort adcount = 0, byte[]? body = null) =>
        WireTestKit.Raw(flags, zocount, prcount, upcount, adcount, body ?? (zocount == 0 ? [] : Zone()));

    private static byte[] Rec(string owner, ushort type, ushort cls, uint ttl, byte[] rdata)
    {
        var o = WireTestKit.Name(owner);
        var r = new byte[o.Length + 10 + rdata.Length];
        o.CopyTo(r, 0);
        var s = r.AsSpan(o.Length);
        BinaryPrimitives.WriteUInt16BigEndian(s, type);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], cls);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], ttl);
        BinaryPrimitives.WriteUInt16BigEndian(s[8..], (ushort)rdata.Length);
        rdata.CopyTo(s[10..]);
        return r;
    }
}
