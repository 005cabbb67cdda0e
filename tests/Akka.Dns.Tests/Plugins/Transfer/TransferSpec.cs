using System.Buffers.Binary;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Transfer;

public sealed class TransferSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const uint Serial = 2024010101;
    private static readonly IPEndPoint Secondary = new(IPAddress.Parse("192.0.2.7"), 40000);

    private static string Corefile(string to = "*") =>
        $"example.org example.net {{\n transfer {{\n to {to}\n }}\n testzone example.org example.net\n}}\n";

    private PipelineHarness Start(TestTransferer zones, string corefile) => PipelineHarness.Start(Sys, corefile, zones.Catalog);

    private static TestTransferer WithZone(int hosts = 2)
    {
        var t = new TestTransferer();
        t.Zones["example.org."] = TestTransferer.Build("example.org.", Serial, hosts);
        return t;
    }

    /// <summary>Sends one query and reads every message of its answer: one, or up to the closing SOA of a transfer.</summary>
    private static async Task<List<Reply>> Exchange(PipelineHarness h, byte[] packet, DnsTransport transport = DnsTransport.Tcp, IPEndPoint? client = null)
    {
        var target = new RecordingTarget(transport == DnsTransport.Udp ? 1232 : 65535);
        var request = PipelineHarness.CreateRequest(packet, transport, target, client) ?? throw new InvalidOperationException("query not accepted");
        h.Dispatchers.First().Dispatch(request, 0);
        var replies = new List<Reply>();
        var soas = 0;
        do
        {
            var r = await target.NextAsync(TimeSpan.FromSeconds(10));
            replies.Add(r);
            foreach (var rr in r.Message.AnswerRecords)
                if (rr.RecordType == RecordType.Soa) soas++;
            // A transfer is done at its second SOA; anything else (refusal, up-to-date IXFR) is one message.
        } while (soas == 1 && replies[0].Message.AnswerRecords.Count > 1);
        return replies;
    }

    private static byte[] Axfr(string zone) => new QueryBuilder(zone, RrType.AXFR) { Rd = false }.Build();

    /// <summary>An IXFR query carrying the client's SOA (serial <paramref name="serial"/>) in its authority section.</summary>
    internal static byte[] Ixfr(string zone, uint serial)
    {
        var q = new QueryBuilder(zone, RrType.IXFR) { Rd = false }.Build();
        var soa = DnsRecord.Soa(zone, 3600, "ns1." + zone, "hostmaster." + zone, serial, 7200, 1800, 86400, 100);
        using var ms = new MemoryStream();
        ms.Write(q);
        ms.Write(DnsRecord.NameBytes(zone));
        var fixedPart = new byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, RrType.SOA);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(2), RrClass.IN);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart.AsSpan(4), 3600);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart.AsSpan(8), (ushort)soa.RData.Length);
        ms.Write(fixedPart);
        ms.Write(soa.RData);
        var packet = ms.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(8), 1);
        return packet;
    }

    private static List<DnsRecordBase> Answers(List<Reply> replies) => replies.SelectMany(r => r.Message.AnswerRecords).ToList();

    [Fact]
    public async Task Transfer_should_answer_AXFR_with_SOA_every_record_and_SOA_again()
    {
        await using var h = Start(WithZone(), Corefile());
        var replies = await Exchange(h, Axfr("example.org."));

        var m = Assert.Single(replies).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.Equal("example.org.", Assert.Single(m.Questions).Name.ToString());
        Assert.Equal(RecordType.Axfr, m.Questions[0].RecordType);
        Assert.Equal(
            ["example.org. Soa", "example.org. Ns", "example.org. Ns", "host0.example.org. A", "host1.example.org. A", "example.org. Soa"],
            m.AnswerRecords.Select(r => $"{r.Name} {r.RecordType}"));
        Assert.Equal(Serial, ((SoaRecord)m.AnswerRecords[^1]).SerialNumber);
    }

    [Fact]
    public async Task Transfer_should_match_the_zone_whatever_the_case_of_the_query()
    {
        await using var h = Start(WithZone(), Corefile());
        var replies = await Exchange(h, Axfr("ExAmPlE.OrG."));
        Assert.Equal(6, Answers(replies).Count);
        Assert.Equal(RecordType.Soa, Answers(replies)[^1].RecordType);
    }

    [Fact]
    public async Task Transfer_should_split_a_large_zone_into_messages_under_64K_with_every_record_once()
    {
        const int hosts = 3000;
        await using var h = Start(WithZone(hosts), Corefile());
        var replies = await Exchange(h, Axfr("example.org."));

        Assert.True(replies.Count >= 2, $"expected several messages, got {replies.Count}");
        foreach (var r in replies)
        {
            Assert.True(r.Wire.Length <= 65535, $"message of {r.Wire.Length} bytes");
            Assert.True(r.Message.IsAuthoritiveAnswer);
            Assert.Equal(ReturnCode.NoError, r.Message.ReturnCode);
            Assert.Equal("example.org.", Assert.Single(r.Message.Questions).Name.ToString());
        }
        var all = Answers(replies);
        Assert.Equal(hosts + 3 + 1, all.Count);
        Assert.Equal(RecordType.Soa, all[0].RecordType);
        Assert.Equal(RecordType.Soa, all[^1].RecordType);
        Assert.Equal(2, all.Count(r => r.RecordType == RecordType.Soa));
        var inner = all.Skip(1).SkipLast(1).Select(r => r.ToString()).ToList();
        Assert.Equal(inner.Count, inner.Distinct().Count());
        for (var i = 0; i < hosts; i++)
            Assert.Contains($"host{i}.example.org. 300 IN A 10.{(byte)(i >> 16)}.{(byte)(i >> 8)}.{(byte)i}", inner);
    }

    [Fact]
    public void Transfer_should_cut_batches_at_63000_bytes_of_records_as_CoreDNS_does()
    {
        var zone = TestTransferer.Build("example.org.", Serial, 3000);
        var request = PipelineHarness.CreateRequest(Axfr("example.org."), DnsTransport.Tcp, new RecordingTarget(65535))!;
        var batches = Akka.Dns.Plugins.Transfer.TransferActor.Batches(request, zone);
        var total = 0;
        for (var i = 0; i < batches.Count; i++)
        {
            var size = batches[i].Answer.Sum(Akka.Dns.Plugins.Transfer.TransferActor.WireLength);
            Assert.True(size <= 63000, $"batch {i} holds {size} bytes");
            if (i < batches.Count - 1)
                Assert.True(size + Akka.Dns.Plugins.Transfer.TransferActor.WireLength(batches[i + 1].Answer[0]) > 63000, $"batch {i} was cut early");
            total += batches[i].AnswerCount;
        }
        Assert.Equal(zone.Records.Count + 1, total);
    }

    [Theory]
    [InlineData(RrType.AXFR)]
    [InlineData(RrType.IXFR)]
    public async Task Transfer_should_refuse_a_transfer_over_UDP(ushort type)
    {
        await using var h = Start(WithZone(), Corefile());
        var packet = type == RrType.AXFR ? Axfr("example.org.") : Ixfr("example.org.", Serial - 1);
        var m = Assert.Single(await Exchange(h, packet, DnsTransport.Udp)).Message;
        Assert.Equal(ReturnCode.Refused, m.ReturnCode);
        Assert.Empty(m.AnswerRecords);
    }

    [Theory]
    [InlineData("*", "127.0.0.1", true)]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7:5300", "192.0.2.7", true)]
    [InlineData("192.0.2.8 192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("[2001:db8::7]:53", "2001:db8::7", true)]
    [InlineData("2001:db8::7", "127.0.0.1", false)]
    public async Task Transfer_should_allow_only_clients_named_by_to(string to, string client, bool allowed)
    {
        await using var h = Start(WithZone(), Corefile(to));
        var replies = await Exchange(h, Axfr("example.org."), client: new IPEndPoint(IPAddress.Parse(client), 40000));
        if (allowed)
        {
            Assert.Equal(6, Answers(replies).Count);
        }
        else
        {
            var m = Assert.Single(replies).Message;
            Assert.Equal(ReturnCode.Refused, m.ReturnCode);
            Assert.Empty(m.AnswerRecords);
        }
    }

    [Theory]
    [InlineData(Serial, false)]
    [InlineData(Serial + 1, false)]
    [InlineData(Serial + 0x7FFFFFFFu, false)]
    [InlineData(Serial - 1, true)]
    [InlineData(Serial + 0x80000000u, true)]
    [InlineData(0u, true)]
    public async Task Transfer_should_answer_IXFR_with_the_SOA_alone_unless_the_client_serial_is_older(uint clientSerial, bool full)
    {
        await using var h = Start(WithZone(), Corefile());
        var replies = await Exchange(h, Ixfr("example.org.", clientSerial), client: Secondary);
        var answers = Answers(replies);
        if (full)
        {
            Assert.Equal(6, answers.Count);
            Assert.True(replies[0].Message.IsAuthoritiveAnswer);
            Assert.Equal(RecordType.Ixfr, replies[0].Message.Questions[0].RecordType);
        }
        else
        {
            var soa = Assert.IsType<SoaRecord>(Assert.Single(answers));
            Assert.Equal(Serial, soa.SerialNumber);
            Assert.Equal(ReturnCode.NoError, replies[0].Message.ReturnCode);
        }
    }

    [Fact]
    public async Task Transfer_should_fail_an_IXFR_without_a_SOA_in_authority()
    {
        await using var h = Start(WithZone(), Corefile());
        var packet = new QueryBuilder("example.org.", RrType.IXFR).Build();
        Assert.Equal(ReturnCode.ServerFailure, Assert.Single(await Exchange(h, packet)).Rcode);
    }

    [Fact]
    public void Transfer_should_read_the_IXFR_serial_behind_answer_records_and_reject_every_truncation()
    {
        var packet = Ixfr("example.org.", 77);
        var q = PipelineHarness.CreateRequest(packet, DnsTransport.Tcp, new RecordingTarget(65535))!.Query;
        Assert.True(Akka.Dns.Plugins.Transfer.TransferActor.TryReadIxfrSerial(q, out var serial));
        Assert.Equal(77u, serial);
        var notSoa = (byte[])packet.Clone();
        // The authority record's type (right after its owner name) made an NS.
        var typeAt = q.QuestionEnd + DnsRecord.NameBytes("example.org.").Length;
        BinaryPrimitives.WriteUInt16BigEndian(notSoa.AsSpan(typeAt), RrType.NS);
        var q2 = PipelineHarness.CreateRequest(notSoa, DnsTransport.Tcp, new RecordingTarget(65535))!.Query;
        Assert.False(Akka.Dns.Plugins.Transfer.TransferActor.TryReadIxfrSerial(q2, out _));
        for (var i = q.QuestionEnd; i < packet.Length; i++)
        {
            var cut = new DnsQuery { Packet = packet[..i], QuestionEnd = q.QuestionEnd, NsCount = 1 };
            Assert.False(Akka.Dns.Plugins.Transfer.TransferActor.TryReadIxfrSerial(cut, out _), $"accepted a packet cut at {i}");
        }
    }

    [Theory]
    [InlineData("www.example.org.", RrType.A)]
    [InlineData("sub.example.org.", RrType.AXFR)]
    public async Task Transfer_should_pass_on_other_types_and_names_no_transferer_serves(string name, ushort type)
    {
        await using var h = Start(WithZone(), Corefile());
        var m = Assert.Single(await Exchange(h, new QueryBuilder(name, type).Build())).Message;
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
    }

    [Fact]
    public async Task Transfer_should_pass_on_zones_outside_its_own()
    {
        var zones = WithZone();
        zones.Zones["example.net."] = TestTransferer.Build("example.net.", Serial);
        await using var h = Start(zones, "example.org example.net {\n transfer example.org {\n to *\n }\n testzone example.org example.net\n}\n");
        Assert.Equal(ReturnCode.NxDomain, Assert.Single(await Exchange(h, Axfr("example.net."))).Rcode);
        Assert.Equal(6, Answers(await Exchange(h, Axfr("example.org."))).Count);
    }

    [Fact]
    public async Task Transfer_should_fail_a_zone_its_transferer_has_not_loaded()
    {
        await using var h = Start(WithZone(), Corefile());
        Assert.Equal(ReturnCode.ServerFailure, Assert.Single(await Exchange(h, Axfr("example.net."))).Rcode);
    }
}
