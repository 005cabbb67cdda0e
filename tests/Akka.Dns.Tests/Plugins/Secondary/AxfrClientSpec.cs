using System.Buffers.Binary;
using System.Net;
using Akka.Dns.Plugins.Secondary;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Plugins.Secondary;

public sealed class AxfrClientSpec
{
    private static IPEndPoint At(FakePrimary p) => new(IPAddress.Loopback, p.Port);

    [Theory]
    [InlineData(1000)]
    [InlineData(3)]
    [InlineData(1)]
    public async Task Transfer_should_return_every_record_of_the_zone_whatever_the_message_size(int perMessage)
    {
        var zone = SecondaryZones.ExampleOrg(7);
        using var primary = new FakePrimary(zone) { PerMessage = perMessage };
        var got = await AxfrClient.TransferAsync(At(primary), "example.org.");
        Assert.Equal(zone.Select(r => r.ToString()), got.Select(r => r.ToString()));
        Assert.Equal(1, primary.Axfrs);
    }

    [Fact]
    public async Task Serial_query_should_return_the_primary_serial()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(2026112599));
        Assert.Equal(2026112599u, await AxfrClient.QuerySerialAsync(At(primary), "example.org."));
        Assert.Equal(1, primary.SoaQueries);
    }

    [Fact]
    public async Task Transfer_should_fail_on_an_error_rcode()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7)) { Rcode = Rcode.Refused };
        var e = await Assert.ThrowsAsync<TransferException>(() => AxfrClient.TransferAsync(At(primary), "example.org."));
        Assert.Equal("dns: bad xfr rcode: 5 (REFUSED)", e.Message);
    }

    [Fact]
    public async Task Transfer_should_fail_when_nobody_listens()
    {
        var port = new FakePrimary(SecondaryZones.ExampleOrg(7));
        var at = At(port);
        port.Dispose();
        var e = await Assert.ThrowsAsync<TransferException>(() => AxfrClient.TransferAsync(at, "example.org."));
        Assert.StartsWith($"dial tcp {at}:", e.Message);
    }

    [Fact]
    public async Task Transfer_should_fail_when_the_connection_closes_before_the_last_SOA()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7)) { PerMessage = 4 };
        var sent = 0;
        primary.Mangle = b => Interlocked.Increment(ref sent) >= 2 ? [] : b;   // an empty frame: the primary stops
        var e = await Assert.ThrowsAsync<TransferException>(() => AxfrClient.TransferAsync(At(primary), "example.org."));
        Assert.Equal("dns: short read", e.Message);
    }

    private static byte[] Message(ushort id, ushort flags, params DnsRecord[] answer)
    {
        var m = new DnsResponse { Id = id, QName = "example.org.", QType = RrType.AXFR, QClass = RrClass.IN, Aa = true };
        m.Answer.AddRange(answer);
        var buffer = new byte[65535];
        var n = DnsWriter.Encode(m, buffer, buffer.Length);
        var bytes = buffer[..n];
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(2)) | flags));
        return bytes;
    }

    public static TheoryData<string, byte[], string> BadMessages()
    {
        var soa = SecondaryZones.ExampleOrg(7)[0];
        var a = DnsRecord.A("www.example.org.", 300, IPAddress.Parse("192.0.2.1"));
        var outside = DnsRecord.A("www.example.net.", 300, IPAddress.Parse("192.0.2.1"));
        var wrongQuestion = Message(42, 0, soa);
        wrongQuestion[12 + 1] = (byte)'x';   // "xxample.org."
        var query = Message(42, 0, soa);
        query[2] &= 0x7F;
        return new()
        {
            { "another id", Message(43, 0, soa, a, soa), "dns: id mismatch" },
            { "not a response", query, "dns: not a response" },
            { "SERVFAIL", Message(42, Rcode.ServFail, soa), "dns: bad xfr rcode: 2 (SERVFAIL)" },
            { "NOTAUTH", Message(42, Rcode.NotAuth, soa), "dns: bad xfr rcode: 9 (NOTAUTH)" },
            { "truncated", Message(42, 0x0200, soa, a, soa), "dns: truncated message" },
            { "no records", Message(42, 0), "dns: first record in xfr is not SOA" },
            { "first record A", Message(42, 0, a, soa), "dns: first record in xfr is not SOA" },
            { "SOA of another zone", Message(42, 0, DnsRecord.Soa("example.net.", 1, "a.", "b.", 1, 1, 1, 1, 1), a), "dns: SOA owner example.net. is not the zone example.org." },
            { "another question", wrongQuestion, "dns: question xxample.org. AXFR does not match example.org. AXFR" },
        };
    }

    [Theory]
    [MemberData(nameof(BadMessages))]
    public void A_bad_first_message_should_fail_the_transfer(string why, byte[] message, string error)
    {
        var e = Assert.Throws<TransferException>(() => AxfrClient.ReadAxfrMessage(message, 42, "example.org.", true, [], 0));
        Assert.True(error == e.Message, $"{why}: {e.Message}");
    }

    [Fact]
    public void Every_truncation_of_a_message_should_fail_with_a_transfer_error()
    {
        var zone = SecondaryZones.ExampleOrg(7);
        var whole = Message(42, 0, [.. zone, zone[0]]);
        Assert.Equal(2, AxfrClient.ReadAxfrMessage(whole, 42, "example.org.", true, [], 0));
        for (var i = 0; i < whole.Length; i++)
            Assert.Throws<TransferException>(() => AxfrClient.ReadAxfrMessage(whole[..i], 42, "example.org.", true, [], 0));
    }

    [Fact]
    public void Records_after_the_closing_SOA_should_be_ignored()
    {
        var zone = SecondaryZones.ExampleOrg(7);
        var records = new List<DnsRecord>();
        var m = Message(42, 0, zone[0], zone[1], zone[0], zone[2]);
        Assert.Equal(2, AxfrClient.ReadAxfrMessage(m, 42, "example.org.", true, records, 0));
        Assert.Equal([zone[0].ToString(), zone[1].ToString()], records.Select(r => r.ToString()));
    }

    [Fact]
    public void The_AXFR_query_should_be_a_query_for_the_zone()
    {
        var q = AxfrClient.BuildQuery(0x4242, "Example.ORG", RrType.AXFR);
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(q, q.Length, out var parsed));
        Assert.Equal((ushort)0x4242, parsed.Id);
        Assert.Equal(0, parsed.Flags);
        Assert.Equal("example.org.", parsed.Name);
        Assert.Equal(RrType.AXFR, parsed.Type);
        Assert.Equal(RrClass.IN, parsed.Class);
    }
}
