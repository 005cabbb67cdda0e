using Akka.Dns.Wire;
using Xunit;
using static Akka.Dns.Tests.Wire.WireTestKit;

namespace Akka.Dns.Tests.Wire;

public class DnsReaderSpec
{
    private const ushort Rd = 0x0100;

    private static QueryVerdict Read(byte[] packet) => DnsReader.TryRead(packet, packet.Length, out _);

    public static TheoryData<string> ValidQueries => new() { "opt", "nsid+cookie" };

    private static byte[] Valid(string kind) => kind == "opt" ? QueryWithOpt() : QueryWithNsidAndCookie();

    [Fact]
    public void Reader_should_parse_an_ARSoft_query_with_an_OPT_record()
    {
        var p = QueryWithOpt();
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal(0x1234, q.Id);
        Assert.Equal("www.example.org.", q.Name, ignoreCase: true);
        Assert.Equal(RrType.AAAA, q.Type);
        Assert.Equal(RrClass.IN, q.Class);
        Assert.True(q.Rd);
        Assert.True(q.Cd);
        Assert.Equal(Opcode.Query, q.Opcode);
        Assert.True(q.HasEdns);
        Assert.Equal(1232, q.UdpSize);
        Assert.True(q.Do);
        Assert.Equal(0, q.EdnsVersion);
        Assert.Equal(0, q.OptionsLength);
        Assert.False(q.HasTsig);
        Assert.Equal(1, q.QdCount);
        Assert.Equal(1, q.ArCount);
        Assert.Same(p, q.Packet);
    }

    [Fact]
    public void Reader_should_expose_NSID_and_cookie_options_of_an_ARSoft_query()
    {
        var p = QueryWithNsidAndCookie();
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.True(q.HasEdns);
        Assert.Equal(4 + 4 + 8, q.OptionsLength);
        Assert.True(q.TryGetOption(EdnsOption.Nsid, out var nsid));
        Assert.Equal(0, nsid.Length);
        Assert.True(q.TryGetOption(EdnsOption.Cookie, out var cookie));
        Assert.Equal(ClientCookie, cookie.ToArray());
        Assert.False(q.TryGetOption(EdnsOption.ClientSubnet, out _));
    }

    [Fact]
    public void Reader_should_keep_the_case_of_the_query_name()
    {
        var p = Raw(Rd, 1, 0, 0, 0, Question("MiXeD.ExAmPlE.oRg."));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal("MiXeD.ExAmPlE.oRg.", q.Name);
        Assert.False(q.HasEdns);
        Assert.Equal(0, q.UdpSize);
        Assert.Equal(p.Length, q.QuestionEnd);
    }

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void Reader_should_reject_every_truncation_of_a_valid_query(string kind)
    {
        var p = Valid(kind);
        Assert.Equal(QueryVerdict.Ok, Read(p));
        for (var i = 0; i < p.Length; i++)
        {
            var prefix = p[..i];
            var v = DnsReader.TryRead(prefix, prefix.Length, out _);
            Assert.True(v == (i < 12 ? QueryVerdict.Drop : QueryVerdict.FormErr), $"prefix of {i} bytes gave {v}");
            // The same prefix inside the full buffer (length < packet.Length) must not read past length.
            Assert.Equal(v, DnsReader.TryRead(p, i, out _));
        }
    }

    [Fact]
    public void Reader_should_fill_the_header_for_a_FORMERR_so_a_reply_can_be_written()
    {
        var p = Raw(Rd, 2, 0, 0, 0, Question());
        Assert.Equal(QueryVerdict.FormErr, DnsReader.TryRead(p, p.Length, out var q));
        Assert.NotNull(q);
        Assert.Equal(0xBEEF, q.Id);
        Assert.True(q.Rd);
        Assert.Equal(0, q.QuestionEnd);
    }

    [Fact]
    public void Reader_should_drop_a_response()
    {
        var p = Raw(0x8000 | Rd, 1, 0, 0, 0, Question());
        Assert.Equal(QueryVerdict.Drop, Read(p));
    }

    [Fact]
    public void Reader_should_drop_a_response_even_with_an_unimplemented_opcode_and_bad_counts()
    {
        var p = Raw(0x8000 | (5 << 11), 0, 9, 9, 9);
        Assert.Equal(QueryVerdict.Drop, Read(p));
    }

    public static TheoryData<int, QueryVerdict> Opcodes()
    {
        var d = new TheoryData<int, QueryVerdict>();
        for (var op = 0; op < 16; op++) d.Add(op, op is 0 or 4 or 5 ? QueryVerdict.Ok : QueryVerdict.NotImp);
        return d;
    }

    [Theory]
    [MemberData(nameof(Opcodes))]
    public void Reader_should_accept_only_QUERY_NOTIFY_and_UPDATE_opcodes(int opcode, QueryVerdict expected)
    {
        var p = Raw((ushort)(opcode << 11), 1, 0, 0, 0, Question());
        Assert.Equal(expected, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal(opcode, q.Opcode);
    }

    [Fact]
    public void Reader_should_answer_NOTIMP_before_checking_counts()
    {
        var p = Raw(2 << 11, 0, 5, 5, 5);
        Assert.Equal(QueryVerdict.NotImp, Read(p));
    }

    [Fact]
    public void Reader_should_want_exactly_one_zone_in_an_UPDATE_but_any_number_of_other_records()
    {
        Assert.Equal(QueryVerdict.FormErr, Read(Raw(5 << 11, 0, 0, 0, 0)));
        Assert.Equal(QueryVerdict.FormErr, Read(Raw(5 << 11, 2, 0, 0, 0, Question(), Question())));
        var rr = new byte[] { 0, 0, 1, 0, 255, 0, 0, 0, 0, 0, 0 };   // ". ANY A" with no rdata: delete an RRset
        Assert.Equal(QueryVerdict.Ok, Read(Raw(5 << 11, 1, 2, 3, 0, Question(), rr, rr, rr, rr, rr)));
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(2, 0, 0, 0)]
    [InlineData(65535, 0, 0, 0)]
    [InlineData(1, 2, 0, 0)]
    [InlineData(1, 0, 2, 0)]
    [InlineData(1, 0, 0, 3)]
    [InlineData(1, 2, 2, 3)]
    [InlineData(0, 1, 1, 2)]
    [InlineData(1, 65535, 0, 0)]
    [InlineData(1, 0, 65535, 0)]
    [InlineData(1, 0, 0, 65535)]
    public void Reader_should_answer_FORMERR_for_bad_section_counts(int qd, int an, int ns, int ar)
    {
        // Enough well-formed records follow that only the counts can be the reason.
        var soa = Record("example.org.", RrType.SOA, [.. Name("ns."), .. Name("h."), .. new byte[20]]);
        var p = Raw(0, (ushort)qd, (ushort)an, (ushort)ns, (ushort)ar, Question(), Question(), soa, soa, soa, soa, Opt(), Opt(), Opt());
        Assert.Equal(QueryVerdict.FormErr, Read(p));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 0, 0)]
    [InlineData(0, 1, 0)]
    [InlineData(0, 0, 1)]
    [InlineData(1, 1, 2)]
    public void Reader_should_accept_the_largest_allowed_section_counts(int an, int ns, int ar)
    {
        var soa = Record("example.org.", RrType.SOA, [.. Name("ns."), .. Name("h."), .. new byte[20]]);
        var parts = new List<byte[]> { Question() };
        for (var i = 0; i < an + ns; i++) parts.Add(soa);
        if (ar == 2) parts.Add(Record("x.example.org.", RrType.A, [1, 2, 3, 4]));
        if (ar >= 1) parts.Add(Opt());
        var p = Raw(Opcode.Notify << 11, 1, (ushort)an, (ushort)ns, (ushort)ar, [.. parts]);
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal(ar >= 1, q.HasEdns);
        Assert.Equal("example.org.", q.Name);
    }

    public static TheoryData<string, byte[]> BadQuestions => new()
    {
        { "self pointer", [0xC0, 12, 0, 1, 0, 1] },
        { "two pointer cycle", [0xC0, 14, 0xC0, 12, 0, 1, 0, 1] },
        { "label then pointer back to it", [1, (byte)'a', 0xC0, 12, 0, 1, 0, 1] },
        { "pointer past the end", [0xC0, 0xFF, 0, 1, 0, 1] },
        { "pointer far past the end", [0xFF, 0xFF, 0, 1, 0, 1] },
        { "pointer cut in half", [0xC0] },
        { "label type 0x40", [0x41, (byte)'a', 0, 0, 1, 0, 1] },
        { "label type 0x80", [0x81, (byte)'a', 0, 0, 1, 0, 1] },
        { "label longer than the packet", [10, (byte)'a', 0, 0, 1, 0, 1] },
        { "no root label", [3, (byte)'o', (byte)'r', (byte)'g'] },
        { "type and class cut", [0, 0, 1, 0] },
        { "no question at all", [] },
        { "name of 256 octets", LongName(256) },
        { "name of 321 octets", [.. LongLabels(5), 0, 0, 1, 0, 1] },
        { "256 octets through a pointer", LongNameViaPointer() },
    };

    /// <summary>Labels of 63 octets ('a').</summary>
    private static byte[] LongLabels(int n)
    {
        var r = new List<byte>();
        for (var i = 0; i < n; i++)
        {
            r.Add(63);
            r.AddRange(Enumerable.Repeat((byte)'a', 63));
        }
        return [.. r];
    }

    /// <summary>A question whose name is exactly <paramref name="octets"/> long on the wire (root included).</summary>
    private static byte[] LongName(int octets)
    {
        var r = new List<byte>();
        var left = octets - 1;
        while (left > 0)
        {
            var l = Math.Min(63, left - 1);
            if (left - (l + 1) == 1) l--;           // never leave a single octet (a label needs two)
            r.Add((byte)l);
            r.AddRange(Enumerable.Repeat((byte)'b', l));
            left -= l + 1;
        }
        r.Add(0);
        r.AddRange(TypeAClassIn);
        return [.. r];
    }

    private static byte[] LongNameViaPointer()
    {
        // At 12: 4 labels of 63 (256 octets) then pointer to a name "a" (2 octets + root) stored after the question.
        var labels = LongLabels(4);                 // 256 octets
        var pointerAt = 12 + labels.Length + 2 + 4;
        return [.. labels, (byte)(0xC0 | (pointerAt >> 8)), (byte)pointerAt, 0, 1, 0, 1, 1, (byte)'a', 0];
    }

    [Theory]
    [MemberData(nameof(BadQuestions))]
    public void Reader_should_answer_FORMERR_for_an_unparsable_question(string why, byte[] question)
    {
        var p = Raw(Rd, 1, 0, 0, 0, question);
        Assert.True(QueryVerdict.FormErr == Read(p), why);
    }

    [Fact]
    public void Reader_should_accept_a_name_of_exactly_255_octets()
    {
        var p = Raw(Rd, 1, 0, 0, 0, LongName(255));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal(255, Name(q.Name).Length);
    }

    [Fact]
    public void Reader_should_follow_a_compression_pointer_in_the_question()
    {
        // Question name "www" + pointer to "example.org." that sits after the question (a forward pointer).
        var target = 12 + 4 + 2 + 4;
        var p = Raw(Rd, 1, 0, 0, 0, [3, (byte)'w', (byte)'w', (byte)'w', 0xC0, (byte)target, 0, 1, 0, 1], Name("example.org."));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal("www.example.org.", q.Name);
        Assert.Equal(target, q.QuestionEnd);
    }

    public static TheoryData<string, byte[][]> BadAdditionals => new()
    {
        { "OPT owned by a.", [Opt(owner: Name("a."))] },
        { "OPT owned by a pointer to the question", [Opt(owner: [0xC0, 12])] },
        { "two OPT records", [Opt(), Opt()] },
        { "option length past the rdata", [Opt(options: [0, 3, 0, 5, 1, 2])] },
        { "option header cut", [Opt(options: [0, 3, 0])] },
        { "second option cut", [Opt(options: [.. Option(3), 0, 10, 0, 8, 1, 2, 3])] },
        { "rdata length past the packet", [[0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 10, 0, 3]] },
        { "record header cut", [[0, 0, 41, 4, 208, 0]] },
        { "owner with bad label type", [[0x40, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0]] },
    };

    [Theory]
    [MemberData(nameof(BadAdditionals))]
    public void Reader_should_answer_FORMERR_for_a_malformed_OPT_or_additional_record(string why, byte[][] additional)
    {
        var p = Raw(Rd, 1, 0, 0, (ushort)additional.Length, [Question(), .. additional]);
        Assert.True(QueryVerdict.FormErr == DnsReader.TryRead(p, p.Length, out var q), why);
        Assert.Equal("example.org.", q.Name);     // the question is kept for the FORMERR reply
        Assert.True(q.QuestionEnd > 0);
    }

    [Fact]
    public void Reader_should_accept_EDNS_version_1_and_report_it()
    {
        var p = Raw(Rd, 1, 0, 0, 1, Question(), Opt(udp: 4096, version: 1, dnssecOk: true));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.True(q.HasEdns);
        Assert.Equal(1, q.EdnsVersion);
        Assert.Equal(4096, q.UdpSize);
        Assert.True(q.Do);
    }

    [Fact]
    public void Reader_should_read_version_and_DO_apart_from_the_extended_rcode_and_Z_bits()
    {
        var opt = Opt(udp: 512, version: 0, dnssecOk: false);
        opt[5] = 0xFF;            // extended rcode octet of the TTL (owner 1, type 2, class 2)
        opt[7] = 0x7F;            // Z bits, DO clear
        opt[8] = 0xFF;
        var p = Raw(0, 1, 0, 0, 1, Question(), opt);
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.Equal(0, q.EdnsVersion);
        Assert.False(q.Do);
        Assert.Equal(512, q.UdpSize);
    }

    [Fact]
    public void Reader_should_find_the_OPT_record_after_another_additional_record()
    {
        var options = Option(EdnsOption.Cookie, ClientCookie);
        var p = Raw(0, 1, 0, 0, 2, Question(), Record("x.", RrType.A, [1, 2, 3, 4]), Opt(options: options));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.True(q.HasEdns);
        Assert.Equal(options, q.Options.ToArray());
    }

    [Fact]
    public void Reader_should_note_a_TSIG_record()
    {
        var p = Raw(0, 1, 0, 0, 2, Question(), Opt(), Record("key.", RrType.TSIG, [0]));
        Assert.Equal(QueryVerdict.Ok, DnsReader.TryRead(p, p.Length, out var q));
        Assert.True(q.HasTsig);
    }

    [Fact]
    public void Reader_should_ignore_trailing_bytes_after_the_last_record()
    {
        var p = Raw(Rd, 1, 0, 0, 0, Question(), [1, 2, 3]);
        Assert.Equal(QueryVerdict.Ok, Read(p));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(1)]
    [InlineData(100_000)]
    public void Reader_should_not_throw_when_length_is_outside_the_buffer(int delta)
    {
        var p = QueryWithOpt();
        var length = delta == 1 ? p.Length + 1 : delta == 100_000 ? 100_000 : delta;
        var v = DnsReader.TryRead(p, length, out _);
        Assert.Equal(QueryVerdict.Drop, v);
    }

    [Fact]
    public void Reader_should_never_throw_on_64KB_of_random_bytes()
    {
        var rnd = new Random(20240611);
        var p = new byte[65535];
        for (var i = 0; i < 50; i++)
        {
            rnd.NextBytes(p);
            _ = DnsReader.TryRead(p, p.Length, out _);
            // Force a plausible header so the question and record parsers run on garbage too.
            p[2] = (byte)(p[2] & 0x07);
            p[4] = 0; p[5] = 1; p[6] = 0; p[7] = 1; p[8] = 0; p[9] = 1; p[10] = 0; p[11] = 2;
            _ = DnsReader.TryRead(p, p.Length, out _);
        }
    }

    [Fact]
    public void Reader_should_never_throw_on_random_garbage_or_random_mutations_of_a_valid_query()
    {
        var rnd = new Random(42);
        var valid = QueryWithNsidAndCookie();
        var verdicts = new int[4];
        for (var iteration = 0; iteration < 10_000; iteration++)
        {
            // Random garbage, half of it with a header that passes the count checks.
            var garbage = new byte[rnd.Next(0, 600)];
            rnd.NextBytes(garbage);
            if (garbage.Length >= 12 && (iteration & 1) == 0)
            {
                garbage[2] &= 0x07;
                garbage[4] = 0; garbage[5] = 1; garbage[6] = 0; garbage[7] = (byte)rnd.Next(2);
                garbage[8] = 0; garbage[9] = (byte)rnd.Next(2); garbage[10] = 0; garbage[11] = (byte)rnd.Next(3);
            }
            Check(garbage, garbage.Length);

            // Mutations of a valid query: flipped bytes, then a random cut.
            var m = (byte[])valid.Clone();
            var flips = rnd.Next(1, 5);
            for (var f = 0; f < flips; f++)
            {
                var at = rnd.Next(2, m.Length);     // keep the id, mutate everything else
                m[at] = rnd.Next(3) switch { 0 => (byte)rnd.Next(256), 1 => (byte)(m[at] ^ (1 << rnd.Next(8))), _ => 0xC0 };
            }
            Check(m, rnd.Next(2) == 0 ? m.Length : rnd.Next(m.Length + 1));
        }
        Assert.True(verdicts[(int)QueryVerdict.Ok] > 0);
        Assert.True(verdicts[(int)QueryVerdict.FormErr] > 0);
        Assert.True(verdicts[(int)QueryVerdict.Drop] > 0);
        Assert.True(verdicts[(int)QueryVerdict.NotImp] > 0);

        void Check(byte[] packet, int length)
        {
            var v = DnsReader.TryRead(packet, length, out var q);
            verdicts[(int)v]++;
            if (v == QueryVerdict.Ok)
            {
                Assert.True(q.QuestionEnd <= length);
                Assert.True(q.OptionsOffset + q.OptionsLength <= length);
                Assert.True(DnsName.IsValid(q.Name), q.Name);
                _ = q.TryGetOption(EdnsOption.Cookie, out _);
            }
        }
    }

    [Fact]
    public void Reader_header_should_need_twelve_bytes()
    {
        Assert.False(DnsReader.TryReadHeader(new byte[11], out _, out _));
        Assert.True(DnsReader.TryReadHeader(Raw(0x8123, 0, 0, 0, 0), out var id, out var flags));
        Assert.Equal(0xBEEF, id);
        Assert.Equal(0x8123, flags);
    }
}
