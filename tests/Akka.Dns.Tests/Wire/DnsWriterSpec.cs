using System.Buffers.Binary;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Wire;
using Xunit;
using static Akka.Dns.Tests.Wire.WireTestKit;

namespace Akka.Dns.Tests.Wire;

public class DnsWriterSpec
{
    private static readonly byte[] NsidValue = "ns-1"u8.ToArray();

    private static DnsResponse MixedReply()
    {
        var r = new DnsResponse
        {
            Id = 0xABCD, Opcode = Opcode.Query, Aa = true, Rd = true, Ra = true, Cd = true, Rcode = Rcode.NoError,
            QName = "www.example.org.", QType = RrType.A, QClass = RrClass.IN,
            Edns = new EdnsRecord { UdpSize = 1232, Do = true },
        };
        r.Edns.Options.Add((EdnsOption.Nsid, NsidValue));
        r.Answer.Add(DnsRecord.A("www.example.org.", 300, IPAddress.Parse("192.0.2.1")));
        r.Answer.Add(DnsRecord.A("WWW.EXAMPLE.ORG.", 300, IPAddress.Parse("192.0.2.2")));
        r.Answer.Add(DnsRecord.Aaaa("www.example.org.", 60, IPAddress.Parse("2001:db8::1")));
        r.Answer.Add(DnsRecord.Srv("_sip._tcp.example.org.", 120, 10, 20, 5060, "sip.example.org."));
        r.Answer.Add(DnsRecord.Txt("txt.example.org.", 30, RrClass.IN, "hello world", "v=spf1 -all"));
        r.Authority.Add(DnsRecord.Soa("example.org.", 3600, "ns1.example.org.", "hostmaster.example.org.", 2024061101, 7200, 3600, 1209600, 300));
        r.Additional.Add(DnsRecord.A("ns1.example.org.", 3600, IPAddress.Parse("192.0.2.53")));
        r.Additional.Add(DnsRecord.Aaaa("ns1.Example.Org.", 3600, IPAddress.Parse("2001:db8::53")));
        return r;
    }

    private static byte[] EncodeReply(DnsResponse r, int maxSize = 65535)
    {
        var buf = new byte[65535];
        var n = DnsWriter.Encode(r, buf, maxSize);
        Assert.True(n > 0, "Encode returned " + n);
        return buf[..n];
    }

    private static int UncompressedNameBytes(DnsResponse r)
    {
        var n = r.QName is null ? 0 : Name(r.QName).Length;
        foreach (var rr in r.Answer) n += Name(rr.Name).Length;
        foreach (var rr in r.Authority) n += Name(rr.Name).Length;
        foreach (var rr in r.Additional) n += Name(rr.Name).Length;
        return n;
    }

    private static int UncompressedLength(DnsResponse r)
    {
        var n = 12 + UncompressedNameBytes(r) + (r.QName is null ? 0 : 4);
        foreach (var rr in r.Answer) n += 10 + rr.RData.Length;
        foreach (var rr in r.Authority) n += 10 + rr.RData.Length;
        foreach (var rr in r.Additional) n += 10 + rr.RData.Length;
        if (r.Edns is not null)
        {
            n += 11;
            foreach (var (_, d) in r.Edns.Options) n += 4 + d.Length;
        }
        return n;
    }

    private static List<DnsRecordBase> NonOpt(IEnumerable<DnsRecordBase> records) => records.Where(x => x is not OptRecord).ToList();

    private static void AssertSameRecord(Akka.Dns.Wire.DnsRecord expected, DnsRecordBase actual)
    {
        Assert.Equal(expected.Name, actual.Name.ToString(), ignoreCase: true);
        Assert.Equal(expected.Type, (ushort)actual.RecordType);
        Assert.Equal(expected.Class, (ushort)actual.RecordClass);
        Assert.Equal((int)expected.Ttl, actual.TimeToLive);
        switch (actual)
        {
            case ARecord a:
                Assert.Equal(new IPAddress(expected.RData), a.Address);
                break;
            case AaaaRecord a:
                Assert.Equal(new IPAddress(expected.RData), a.Address);
                break;
            case SrvRecord s:
                Assert.Equal(expected.RDataText(), $"{s.Priority} {s.Weight} {s.Port} {s.Target}", ignoreCase: true);
                break;
            case TxtRecord t:
                Assert.Equal(["hello world", "v=spf1 -all"], t.TextParts.ToArray());
                break;
            case SoaRecord s:
                Assert.Equal("ns1.example.org.", s.MasterName.ToString(), ignoreCase: true);
                Assert.Equal("hostmaster.example.org.", s.ResponsibleName.ToString(), ignoreCase: true);
                Assert.Equal(2024061101u, s.SerialNumber);
                Assert.Equal(7200, s.RefreshInterval);
                Assert.Equal(3600, s.RetryInterval);
                Assert.Equal(1209600, s.ExpireInterval);
                Assert.Equal(300, s.NegativeCachingTTL);
                break;
            default:
                Assert.Fail("unexpected record " + actual);
                break;
        }
    }

    [Fact]
    public void Writer_should_encode_a_reply_that_ARSoft_parses_back_identically()
    {
        var r = MixedReply();
        var bytes = EncodeReply(r);
        var m = Parse(bytes);

        Assert.Equal(0xABCD, m.TransactionID);
        Assert.False(m.IsQuery);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.True(m.IsRecursionDesired);
        Assert.True(m.IsRecursionAllowed);
        Assert.True(m.IsCheckingDisabled);
        Assert.False(m.IsAuthenticData);
        Assert.False(m.IsTruncated);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);

        var q = Assert.Single(m.Questions);
        Assert.Equal("www.example.org.", q.Name.ToString(), ignoreCase: true);
        Assert.Equal(RecordType.A, q.RecordType);
        Assert.Equal(RecordClass.INet, q.RecordClass);

        Assert.Equal(r.Answer.Count, m.AnswerRecords.Count);
        for (var i = 0; i < r.Answer.Count; i++) AssertSameRecord(r.Answer[i], m.AnswerRecords[i]);
        Assert.Equal(r.Authority.Count, m.AuthorityRecords.Count);
        AssertSameRecord(r.Authority[0], m.AuthorityRecords[0]);
        var additional = NonOpt(m.AdditionalRecords);
        Assert.Equal(r.Additional.Count, additional.Count);
        for (var i = 0; i < r.Additional.Count; i++) AssertSameRecord(r.Additional[i], additional[i]);

        Assert.True(m.IsEDnsEnabled);
        Assert.Equal(1232, m.EDnsOptions!.UdpPayloadSize);
        Assert.True(m.EDnsOptions.IsDnsSecOk);
        Assert.Equal(0, m.EDnsOptions.Version);
        var nsid = Assert.IsType<NsIdOption>(Assert.Single(m.EDnsOptions.Options));
        Assert.Equal(NsidValue, nsid.Payload);

        // The header counts are what was written.
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(4)));
        Assert.Equal(5, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(8)));
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)));
    }

    [Fact]
    public void Writer_should_compress_owner_names()
    {
        var r = MixedReply();
        var bytes = EncodeReply(r);
        Assert.True(bytes.Length < UncompressedLength(r), $"{bytes.Length} >= {UncompressedLength(r)}");
        Assert.True(UncompressedLength(r) - bytes.Length > UncompressedNameBytes(r) / 2, "less than half of the name bytes saved");

        // The first answer's owner equals the qname: a pointer to offset 12, right after the question.
        var answerStart = 12 + Name("www.example.org.").Length + 4;
        Assert.Equal(0xC0, bytes[answerStart]);
        Assert.Equal(0x0C, bytes[answerStart + 1]);
    }

    [Theory]
    [InlineData("WWW.EXAMPLE.ORG.")]
    [InlineData("Www.Example.Org.")]
    [InlineData("www.example.org.")]
    public void Writer_should_compress_owner_names_ignoring_case(string owner)
    {
        var r = new DnsResponse { Id = 1, QName = "www.example.org.", QType = RrType.A, QClass = RrClass.IN };
        r.Answer.Add(DnsRecord.A(owner, 5, IPAddress.Loopback));
        var bytes = EncodeReply(r);
        var answerStart = 12 + 17 + 4;
        Assert.Equal(new byte[] { 0xC0, 0x0C }, bytes[answerStart..(answerStart + 2)]);
        Assert.Equal(answerStart + 2 + 10 + 4, bytes.Length);
        Assert.Single(Parse(bytes).AnswerRecords);
    }

    [Fact]
    public void Writer_should_compress_a_suffix_and_keep_the_new_labels()
    {
        var r = new DnsResponse { Id = 1, QName = "example.org.", QType = RrType.NS, QClass = RrClass.IN };
        r.Additional.Add(DnsRecord.A("ns1.example.org.", 5, IPAddress.Loopback));
        r.Additional.Add(DnsRecord.A("ns1.example.org.", 5, IPAddress.Broadcast));
        var bytes = EncodeReply(r);
        var first = 12 + 13 + 4;
        Assert.Equal(new byte[] { 3, (byte)'n', (byte)'s', (byte)'1', 0xC0, 0x0C }, bytes[first..(first + 6)]);
        var second = first + 6 + 10 + 4;
        Assert.Equal(new byte[] { 0xC0, (byte)first }, bytes[second..(second + 2)]);
        var m = Parse(bytes);
        Assert.All(m.AdditionalRecords, x => Assert.Equal("ns1.example.org.", x.Name.ToString(), ignoreCase: true));
    }

    private static DnsResponse ManyA(int count, bool edns = true)
    {
        var r = new DnsResponse
        {
            Id = 7, Rd = true, QName = "many.example.org.", QType = RrType.A, QClass = RrClass.IN,
            Edns = edns ? new EdnsRecord { UdpSize = 512 } : null,
        };
        if (edns) r.Edns!.Options.Add((EdnsOption.Nsid, NsidValue));
        for (var i = 0; i < count; i++)
            r.Answer.Add(DnsRecord.A("many.example.org.", 60, new IPAddress([10, 0, (byte)(i >> 8), (byte)i])));
        r.Authority.Add(DnsRecord.Soa("example.org.", 3600, "ns1.example.org.", "hostmaster.example.org.", 1, 2, 3, 4, 5));
        r.Additional.Add(DnsRecord.A("ns1.example.org.", 3600, IPAddress.Loopback));
        return r;
    }

    [Fact]
    public void Writer_should_truncate_to_512_bytes_keeping_the_OPT_record_and_setting_TC()
    {
        var r = ManyA(100);
        var bytes = EncodeReply(r, 512);
        Assert.True(bytes.Length <= 512);
        var m = Parse(bytes);
        Assert.True(m.IsTruncated);
        Assert.True(m.IsEDnsEnabled);
        Assert.Equal(512, m.EDnsOptions!.UdpPayloadSize);
        Assert.IsType<NsIdOption>(Assert.Single(m.EDnsOptions.Options));
        Assert.InRange(m.AnswerRecords.Count, 1, 99);
        // Records are dropped whole and from the end: what is left is the head of the answer section, in order.
        for (var i = 0; i < m.AnswerRecords.Count; i++) AssertSameRecord(r.Answer[i], m.AnswerRecords[i]);
        Assert.Empty(m.AuthorityRecords);
        Assert.Single(m.AdditionalRecords);                   // the OPT only
        Assert.Equal(m.AnswerRecords.Count, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(8)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)));
        // Each compressed A is 16 bytes: the answer section is filled as far as it goes.
        Assert.True(bytes.Length + 16 > 512, $"room for another record was left: {bytes.Length}");
    }

    [Fact]
    public void Writer_should_not_truncate_or_set_TC_when_everything_fits()
    {
        var r = ManyA(3);
        var bytes = EncodeReply(r, 512);
        var m = Parse(bytes);
        Assert.False(m.IsTruncated);
        Assert.Equal(3, m.AnswerRecords.Count);
        Assert.Single(m.AuthorityRecords);
        Assert.Equal(2, m.AdditionalRecords.Count);
        Assert.Equal(bytes, EncodeReply(r, bytes.Length));     // an exact fit is not a truncation
    }

    [Fact]
    public void Writer_should_keep_TC_when_the_reply_asks_for_it()
    {
        var r = ManyA(1);
        r.Tc = true;
        Assert.True(Parse(EncodeReply(r)).IsTruncated);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Writer_should_return_minus_one_or_a_parseable_message_for_every_max_size(bool edns)
    {
        var r = MixedReply();
        if (!edns) r.Edns = null;
        var full = EncodeReply(r);
        var headerAndQuestion = 12 + Name(r.QName!).Length + 4 + (edns ? 11 + 4 + NsidValue.Length : 0);
        var buf = new byte[65535];
        var lastCount = -1;
        for (var max = 0; max <= full.Length + 10; max++)
        {
            Array.Fill(buf, (byte)0xEE);
            var n = DnsWriter.Encode(r, buf, max);
            if (max < headerAndQuestion)
            {
                Assert.True(n == -1, $"max {max} gave {n}");
                continue;
            }
            Assert.InRange(n, headerAndQuestion, max);
            Assert.All(buf[max..(max + 16)], b => Assert.Equal(0xEE, b));   // nothing written past maxSize
            var bytes = buf[..n];
            var m = Parse(bytes);
            var count = m.AnswerRecords.Count + m.AuthorityRecords.Count + NonOpt(m.AdditionalRecords).Count;
            Assert.True(count >= lastCount, $"max {max}: fewer records ({count}) than with a smaller buffer ({lastCount})");
            lastCount = count;
            Assert.Equal(max < full.Length, m.IsTruncated);
            Assert.Equal(edns, m.IsEDnsEnabled);
            Assert.Equal(m.AnswerRecords.Count, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)));
            Assert.Equal(m.AuthorityRecords.Count, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(8)));
            Assert.Equal(m.AdditionalRecords.Count, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)));
            for (var i = 0; i < m.AnswerRecords.Count; i++) AssertSameRecord(r.Answer[i], m.AnswerRecords[i]);
            if (max >= full.Length) Assert.Equal(full, bytes);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(11)]
    public void Writer_should_return_minus_one_for_a_max_size_below_a_header(int maxSize)
    {
        Assert.Equal(-1, DnsWriter.Encode(new DnsResponse { Id = 1 }, new byte[512], maxSize));
    }

    [Fact]
    public void Writer_should_honour_a_destination_shorter_than_max_size()
    {
        var r = ManyA(100);
        var small = new byte[300];
        var n = DnsWriter.Encode(r, small, 4096);
        Assert.InRange(n, 12, 300);
        Assert.True(Parse(small.AsSpan(0, n)).IsTruncated);
    }

    [Theory]
    [InlineData(Rcode.BadVers, 0, 1)]
    [InlineData(Rcode.NxDomain, 3, 0)]
    [InlineData(0xFFF, 0xF, 0xFF)]
    public void Writer_should_split_an_extended_rcode_between_header_and_OPT(int rcode, int headerBits, int extended)
    {
        var r = new DnsResponse { Id = 9, Rcode = rcode, QName = "example.org.", QType = RrType.SOA, QClass = RrClass.IN, Edns = new EdnsRecord() };
        var bytes = EncodeReply(r);
        Assert.Equal(headerBits, bytes[3] & 0xF);
        var opt = 12 + 13 + 4;
        Assert.Equal(0, bytes[opt]);                                             // owned by root
        Assert.Equal(RrType.OPT, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(opt + 1)));
        Assert.Equal(extended, bytes[opt + 5]);
        var m = Parse(bytes);
        Assert.Equal(rcode, (int)m.ReturnCode);
        Assert.True(m.IsEDnsEnabled);
    }

    [Fact]
    public void Writer_should_encode_BADVERS_as_ARSoft_reads_it()
    {
        var r = new DnsResponse { Id = 9, Rcode = Rcode.BadVers, QName = "example.org.", QType = RrType.SOA, QClass = RrClass.IN, Edns = new EdnsRecord { UdpSize = 1232 } };
        var m = Parse(EncodeReply(r));
        Assert.Equal(ReturnCode.BadVersion, m.ReturnCode);
        Assert.Equal(1232, m.EDnsOptions!.UdpPayloadSize);
    }

    [Fact]
    public void Writer_should_write_a_header_only_reply_without_a_question()
    {
        var r = new DnsResponse { Id = 0x4242, Rcode = Rcode.FormErr };
        var bytes = EncodeReply(r);
        Assert.Equal(12, bytes.Length);
        var m = Parse(bytes);
        Assert.Equal(ReturnCode.FormatError, m.ReturnCode);
        Assert.Empty(m.Questions);
        Assert.Equal(-1, DnsWriter.Encode(r, new byte[11], 512));
    }

    [Fact]
    public void Writer_should_reply_to_a_parsed_ARSoft_query_with_its_id_flags_and_question()
    {
        var packet = Encode(Query("Host.Example.Org", RecordType.Aaaa, id: 0x7777));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(packet, packet.Length, out var q));
        var r = DnsResponse.ReplyTo(q);
        r.Answer.Add(DnsRecord.Aaaa(q.Name, 10, IPAddress.IPv6Loopback));
        var m = Parse(EncodeReply(r));
        Assert.Equal(0x7777, m.TransactionID);
        Assert.True(m.IsRecursionDesired);
        Assert.True(m.IsCheckingDisabled);
        Assert.Equal("host.example.org.", Assert.Single(m.Questions).Name.ToString(), ignoreCase: true);
        Assert.Equal(RecordType.Aaaa, m.Questions[0].RecordType);
        Assert.Equal(IPAddress.IPv6Loopback, Assert.IsType<AaaaRecord>(Assert.Single(m.AnswerRecords)).Address);
    }

    [Fact]
    public void Writer_should_return_minus_one_for_an_invalid_question_name()
    {
        var r = new DnsResponse { QName = "a..b.", QType = 1, QClass = 1 };
        Assert.Equal(-1, DnsWriter.Encode(r, new byte[512], 512));
    }

    [Fact]
    public void Writer_should_still_compress_far_into_a_large_reply()
    {
        var r = new DnsResponse { Id = 1, QName = "big.example.org.", QType = RrType.TXT, QClass = RrClass.IN };
        for (var i = 0; i < 300; i++)
            r.Answer.Add(DnsRecord.Txt($"r{i}.big.example.org.", 1, RrClass.IN, new string('x', 200)));
        var bytes = EncodeReply(r);
        Assert.True(bytes.Length > 0x3FFF);
        var m = Parse(bytes);
        Assert.Equal(300, m.AnswerRecords.Count);
        for (var i = 0; i < 300; i++) Assert.Equal($"r{i}.big.example.org.", m.AnswerRecords[i].Name.ToString(), ignoreCase: true);
    }

    [Fact]
    public void Writer_should_produce_parseable_replies_for_random_names_records_and_sizes()
    {
        var rnd = new Random(1234);
        string[] labels = ["www", "WWW", "mail", "example", "Example", "org", "a", @"a\.b", @"\000", "x-y", "_tcp", @"\\", @"sp\ ace", "\\$"];
        string RandomName()
        {
            var n = rnd.Next(0, 5);
            var parts = new string[n];
            for (var i = 0; i < n; i++) parts[i] = labels[rnd.Next(labels.Length)];
            return n == 0 ? "." : string.Join('.', parts) + ".";
        }
        var buf = new byte[65535];
        for (var iteration = 0; iteration < 2000; iteration++)
        {
            var r = new DnsResponse { Id = (ushort)iteration, QName = RandomName(), QType = RrType.A, QClass = RrClass.IN };
            if (rnd.Next(2) == 0) r.Edns = new EdnsRecord { UdpSize = 1232, Do = rnd.Next(2) == 0 };
            var counts = new[] { rnd.Next(0, 20), rnd.Next(0, 3), rnd.Next(0, 5) };
            for (var i = 0; i < counts[0]; i++) r.Answer.Add(DnsRecord.A(RandomName(), 1, new IPAddress([10, 0, 0, (byte)i])));
            for (var i = 0; i < counts[1]; i++) r.Authority.Add(DnsRecord.Ns(RandomName(), 2, RandomName()));
            for (var i = 0; i < counts[2]; i++) r.Additional.Add(DnsRecord.Txt(RandomName(), 3, RrClass.IN, new string('t', rnd.Next(0, 300))));
            var max = rnd.Next(0, 2) == 0 ? 65535 : rnd.Next(12, 1500);
            var n = DnsWriter.Encode(r, buf, max);
            if (n < 0) continue;
            Assert.InRange(n, 12, max);
            var m = Parse(buf.AsSpan(0, n));
            Assert.Equal(ARSoft.Tools.Net.DomainName.Parse(r.QName), m.Questions[0].Name);
            Assert.Equal(m.AnswerRecords.Count, BinaryPrimitives.ReadUInt16BigEndian(buf.AsSpan(6)));
            for (var i = 0; i < m.AnswerRecords.Count; i++)
                Assert.Equal(ARSoft.Tools.Net.DomainName.Parse(r.Answer[i].Name), m.AnswerRecords[i].Name);
            var written = m.AnswerRecords.Count + m.AuthorityRecords.Count + NonOpt(m.AdditionalRecords).Count;
            Assert.Equal(written < counts.Sum(), m.IsTruncated);
            Assert.Equal(r.Edns is not null, m.IsEDnsEnabled);

            // Our own reader agrees on the question.
            var copy = buf[..n];
            copy[2] &= 0x7F;                                                    // clear QR so it reads as a query
            BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(6), 0);
            BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(8), 0);
            BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(10), 0);
            Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(copy, copy.Length, out var q));
            Assert.Equal(Name(r.QName), Name(q.Name));       // same wire form (escapes may be spelled differently)
        }
    }
}
