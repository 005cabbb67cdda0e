using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;

namespace Akka.Dns.Tests.Zones;

public class MasterFileSpec
{
    private static IReadOnlyList<DnsRecord> Parse(string text, string origin = "example.org.") => MasterFile.Parse(text, origin, "db.example.org");

    /// <summary>Each record as "owner ttl class type rdata", the way a reader checks a zone by eye.</summary>
    private static string[] Lines(IReadOnlyList<DnsRecord> records) =>
        records.Select(r => $"{r.Name} {r.Ttl} {RrClass.ToString(r.Class)} {RrType.ToString(r.Type)} {RData.ToText(r.Type, r.RData)}").ToArray();

    [Fact]
    public void Parser_should_apply_ORIGIN_TTL_and_at()
    {
        var records = Parse("""
            $TTL 1h30m
            @ IN A 192.0.2.1
            $ORIGIN sub
            www IN A 192.0.2.2
            $ORIGIN other.test.
            @ IN NS ns
            abs.example.net. IN CNAME www
            """);
        Assert.Equal(
        [
            "example.org. 5400 IN A 192.0.2.1",
            "www.sub.example.org. 5400 IN A 192.0.2.2",
            "other.test. 5400 IN NS ns.other.test.",
            "abs.example.net. 5400 IN CNAME www.other.test.",
        ], Lines(records));
    }

    [Fact]
    public void Parser_should_keep_owner_case_as_written_and_make_it_absolute()
    {
        var records = Parse("$TTL 60\nWWW.Sub IN A 192.0.2.1\nMail.EXAMPLE.org. IN A 192.0.2.2\n");
        Assert.Equal(["WWW.Sub.example.org.", "Mail.EXAMPLE.org."], records.Select(r => r.Name).ToArray());
    }

    [Fact]
    public void Parser_should_inherit_the_owner_on_a_line_that_starts_with_a_blank()
    {
        var records = Parse("$TTL 60\nwww IN A 192.0.2.1\n\tIN AAAA 2001:db8::1\n  ; just a comment\n\n    MX 10 mail\nother TXT x\n TXT y\n");
        Assert.Equal(
        [
            "www.example.org. 60 IN A 192.0.2.1",
            "www.example.org. 60 IN AAAA 2001:db8::1",
            "www.example.org. 60 IN MX 10 mail.example.org.",
            "other.example.org. 60 IN TXT \"x\"",
            "other.example.org. 60 IN TXT \"y\"",
        ], Lines(records));
    }

    public static TheoryData<string, string> TtlAndClassOrders => new()
    {
        { "a 300 IN A 192.0.2.1", "a.example.org. 300 IN A 192.0.2.1" },
        { "a IN 300 A 192.0.2.1", "a.example.org. 300 IN A 192.0.2.1" },
        { "a 300 A 192.0.2.1", "a.example.org. 300 IN A 192.0.2.1" },
        { "a IN A 192.0.2.1", "a.example.org. 3600 IN A 192.0.2.1" },
        { "a A 192.0.2.1", "a.example.org. 3600 IN A 192.0.2.1" },
        { "a 1w2d CH TXT x", "a.example.org. 777600 CH TXT \"x\"" },
        { "a CLASS4 1h TXT x", "a.example.org. 3600 HS TXT \"x\"" },
        { "a in a 192.0.2.1", "a.example.org. 3600 IN A 192.0.2.1" },
        { "a 60 IN TYPE1 192.0.2.1", "a.example.org. 60 IN A 192.0.2.1" },
    };

    [Theory]
    [MemberData(nameof(TtlAndClassOrders))]
    public void Parser_should_accept_TTL_and_class_in_either_order(string line, string expected)
    {
        Assert.Equal([expected], Lines(Parse("$TTL 3600\n" + line + "\n")));
    }

    [Fact]
    public void Parser_should_use_the_last_explicit_TTL_until_a_TTL_directive_as_miekg()
    {
        var records = Parse("""
            a 100 IN A 192.0.2.1
            b IN A 192.0.2.2
            c 200 IN A 192.0.2.3
            d A 192.0.2.4
            $TTL 50
            e 300 A 192.0.2.5
            f A 192.0.2.6
            """);
        Assert.Equal([100u, 100u, 200u, 200u, 300u, 50u], records.Select(r => r.Ttl).ToArray());
    }

    [Fact]
    public void Parser_should_give_TTL_0_when_none_is_known_and_a_class_is_written_as_miekg()
    {
        var records = Parse("@ IN SOA ns hostmaster 1 2 3 4 5\n  IN NS ns\n");
        Assert.Equal([0u, 0u], records.Select(r => r.Ttl).ToArray());
    }

    [Fact]
    public void Parser_should_read_parentheses_across_lines_and_on_one_line()
    {
        var multi = Parse("""
            $TTL 3600
            @ IN SOA ns1 hostmaster (
                    2026112401 ; serial
                    7200       ; refresh
                    3600 1209600
                    300 )      ; minimum
            """);
        var single = Parse("$TTL 3600\n@ IN SOA ns1 hostmaster ( 2026112401 7200 3600 1209600 300 )\n");
        var none = Parse("$TTL 3600\n@ IN SOA ns1 hostmaster 2026112401 7200 3600 1209600 300\n");
        var expected = "example.org. 3600 IN SOA ns1.example.org. hostmaster.example.org. 2026112401 7200 3600 1209600 300";
        Assert.Equal([expected], Lines(multi));
        Assert.Equal([expected], Lines(single));
        Assert.Equal([expected], Lines(none));
    }

    [Fact]
    public void Parser_should_keep_semicolons_parentheses_and_escapes_inside_quotes()
    {
        var records = Parse("$TTL 1\nt TXT \"a;b (c)\" \"say \\\"hi\\\"\" \"back\\\\slash\" \"\\065\" ; comment\n");
        Assert.Equal(["t.example.org. 1 IN TXT \"a;b (c)\" \"say \\\"hi\\\"\" \"back\\\\slash\" \"A\""], Lines(records));
        Assert.Equal(7, records[0].RData[0]);   // "a;b (c)": the first string is 7 octets
    }

    [Fact]
    public void Parser_should_keep_a_newline_inside_quotes_as_miekg()
    {
        var records = Parse("$TTL 1\nt TXT \"one\ntwo\"\nu A 192.0.2.1\n");
        Assert.Equal(["t.example.org. 1 IN TXT \"one\\010two\"", "u.example.org. 1 IN A 192.0.2.1"], Lines(records));
    }

    [Fact]
    public void Parser_should_read_CRLF_blank_lines_and_comments()
    {
        var records = Parse("; header\r\n$TTL 60\r\n\r\nwww IN A 192.0.2.1 ; trailing\r\n\t\r\n IN TXT \"x\"\r\n");
        Assert.Equal(["www.example.org. 60 IN A 192.0.2.1", "www.example.org. 60 IN TXT \"x\""], Lines(records));
    }

    [Fact]
    public void Parser_should_skip_a_byte_order_mark_and_read_directives_in_any_case()
    {
        var records = Parse("\uFEFF$ttl 60\n$origin Sub.Example.org.\n@ IN A 192.0.2.1\n");
        Assert.Equal(["Sub.Example.org. 60 IN A 192.0.2.1"], Lines(records));
    }

    [Fact]
    public void Parser_should_return_nothing_for_an_empty_zone()
    {
        Assert.Empty(Parse(""));
        Assert.Empty(Parse("; only a comment\n\n$TTL 5\n"));
    }

    [Fact]
    public void Parser_should_read_escaped_names()
    {
        var records = Parse(@"$TTL 1
a\.b IN CNAME c\032d
\@ IN A 192.0.2.1
");
        Assert.Equal([@"a\.b.example.org. 1 IN CNAME c\ d.example.org.", @"\@.example.org. 1 IN A 192.0.2.1"], Lines(records));
    }

    public static TheoryData<string, string> Errors => new()
    {
        { "$TTL 60\nok A 192.0.2.1\nbad A 300.1.2.3\n", "db.example.org:3: bad A record: '300.1.2.3' is not an IPv4 address" },
        { "www A 192.0.2.1\n", "db.example.org:1: missing TTL with no previous value" },
        { " IN A 192.0.2.1\n", "db.example.org:1: no owner name: the first record starts with a blank" },
        { "$TTL 60\nwww IN FOO 1\n", "db.example.org:2: unknown RR type 'FOO'" },
        { "$TTL 60\nwww IN 60\n", "db.example.org:2: missing RR type" },
        { "$TTL 60\nwww 60 60 A 192.0.2.1\n", "db.example.org:2: expecting RR type or class, not '60'" },
        { "www 6x IN A 192.0.2.1\n", "db.example.org:1: bad TTL '6x'" },
        { "$TTL 60\nwww 99999999999 IN A 192.0.2.1\n", "db.example.org:2: bad TTL '99999999999'" },
        { "$TTL 60\nwww IN ANY 192.0.2.1\n", "db.example.org:2: RR type ANY does not belong in a zone file" },
        { "$TTL 60\na..b IN A 192.0.2.1\n", "db.example.org:2: bad owner name 'a..b'" },
        { "$TTL\n", "db.example.org:1: $TTL needs exactly one TTL" },
        { "$TTL 1x\n", "db.example.org:1: bad $TTL value '1x'" },
        { "$ORIGIN a b\n", "db.example.org:1: $ORIGIN needs exactly one domain name" },
        { "$ORIGIN a..b\n", "db.example.org:1: bad $ORIGIN name 'a..b'" },
        { "$GENERATE 1-10 host$ A 192.0.2.$\n", "db.example.org:1: $GENERATE is not supported" },
        { "$FOO bar\n", "db.example.org:1: unknown directive '$FOO'" },
        { "$INCLUDE\n", "db.example.org:1: $INCLUDE needs a file name and optionally an origin" },
        { "$INCLUDE a b c\n", "db.example.org:1: $INCLUDE needs a file name and optionally an origin" },
        { "\n$INCLUDE db.x a..b\n", "db.example.org:2: bad $INCLUDE origin 'a..b'" },
        { "$TTL 60\n\n@ IN SOA ns h (\n 1 2 3\n 4 5\n", "db.example.org:3: parenthesis not closed" },
        { "$TTL 60\n@ IN A 192.0.2.1 )\n", "db.example.org:2: extra closing parenthesis" },
        { "$TTL 60\n@ IN TXT \"open\n\nwww IN A 192.0.2.1\n", "db.example.org:2: quoted string not closed" },
        { "$TTL 60\n@ IN TXT \"two\nlines\" (\n \"\\999\" )\n", "db.example.org:4: bad TXT record: '\\999' has a bad \\DDD escape" },
        { "$TTL 60\n@ IN SOA ns h (\n 1 2 3\n 4 x )\n", "db.example.org:4: bad SOA record: minimum 'x' is not a time value" },
        { "$TTL 60\n@ IN SOA ns h (\n 1 2 3\n 4 )\n", "db.example.org:4: bad SOA record: missing minimum" },
        { "$TTL 60\n@ IN MX (\n 10\n mail extra )\n", "db.example.org:4: bad MX record: unexpected 'extra' after the RDATA" },
        { "$TTL 60\n@ IN A\n", "db.example.org:2: bad A record: missing address" },
        { "$TTL 60\n@ (\n IN\n A 1.2.3.400 )\n", "db.example.org:4: bad A record: '1.2.3.400' is not an IPv4 address" },
        { "$TTL 60\n@ (\n IN\n FOO 1 )\n", "db.example.org:4: unknown RR type 'FOO'" },
        { "$TTL 60\r\n\r\n@ IN MX 10\r\n", "db.example.org:3: bad MX record: missing exchange" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parser_should_name_file_and_line_of_the_first_error(string text, string message)
    {
        var e = Assert.Throws<MasterFileException>(() => Parse(text));
        Assert.Equal(message, e.Message);
        Assert.Equal("db.example.org", e.File);
        Assert.Equal(int.Parse(message.Split(':')[1]), e.Line);
    }

    [Fact]
    public void Include_should_read_files_relative_to_the_including_file_with_its_origin_and_TTL()
    {
        using var dir = new TempDir();
        dir.Write("db.main", "$TTL 300\n@ IN NS ns\n$INCLUDE sub/db.hosts\n$INCLUDE sub/db.hosts other.test.\nafter IN A 192.0.2.9\n  IN TXT inherited\n");
        dir.Write("sub/db.hosts", "host IN A 192.0.2.1\n$ORIGIN changed.\n$TTL 7\n$INCLUDE db.leaf\n");
        dir.Write("sub/db.leaf", "leaf IN A 192.0.2.2\n");
        var records = MasterFile.ParseFile(Path.Combine(dir.Path, "db.main"), "example.org.");
        Assert.Equal(
        [
            "example.org. 300 IN NS ns.example.org.",
            "host.example.org. 300 IN A 192.0.2.1",
            "leaf.changed. 7 IN A 192.0.2.2",
            "host.other.test. 300 IN A 192.0.2.1",
            "leaf.changed. 7 IN A 192.0.2.2",
            // $ORIGIN and $TTL inside the included file do not leak back; the owner before the $INCLUDE is inherited.
            "after.example.org. 300 IN A 192.0.2.9",
            "after.example.org. 300 IN TXT \"inherited\"",
        ], Lines(records));
    }

    [Fact]
    public void Include_should_name_the_included_file_and_its_line_in_errors()
    {
        using var dir = new TempDir();
        dir.Write("db.main", "$TTL 300\n@ IN NS ns\n$INCLUDE db.inc\n");
        dir.Write("db.inc", "ok IN A 192.0.2.1\n\nbad IN A 192.0.2.256\n");
        var e = Assert.Throws<MasterFileException>(() => MasterFile.ParseFile(Path.Combine(dir.Path, "db.main"), "example.org."));
        var inc = Path.Combine(dir.Path, "db.inc");
        Assert.Equal($"{inc}:3: bad A record: '192.0.2.256' is not an IPv4 address", e.Message);
        Assert.Equal(inc, e.File);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Include_should_resolve_against_the_given_base_directory_and_report_a_missing_file()
    {
        using var dir = new TempDir();
        dir.Write("db.inc", "x IN A 192.0.2.1\n");
        var records = MasterFile.Parse("$TTL 5\n$INCLUDE db.inc\n", "example.org.", "Corefile-inline", dir.Path);
        Assert.Equal(["x.example.org. 5 IN A 192.0.2.1"], Lines(records));

        var e = Assert.Throws<MasterFileException>(() => MasterFile.Parse("$TTL 5\n\n$INCLUDE nope.db\n", "example.org.", "db.main", dir.Path));
        Assert.StartsWith($"db.main:3: cannot open $INCLUDE file '{Path.Combine(dir.Path, "nope.db")}': ", e.Message);
    }

    [Fact]
    public void Include_should_stop_a_loop_at_the_nesting_limit()
    {
        using var dir = new TempDir();
        dir.Write("db.loop", "$INCLUDE db.loop\n");
        var e = Assert.Throws<MasterFileException>(() => MasterFile.ParseFile(Path.Combine(dir.Path, "db.loop"), "example.org."));
        Assert.Equal($"{Path.Combine(dir.Path, "db.loop")}:1: $INCLUDE nested too deeply", e.Message);
    }

    [Fact]
    public void ParseFile_should_report_a_missing_file()
    {
        var e = Assert.Throws<MasterFileException>(() => MasterFile.ParseFile("/nonexistent/db.x", "x."));
        Assert.StartsWith("/nonexistent/db.x:0: cannot read the file: ", e.Message);
    }

    [Fact]
    public void Write_should_print_one_absolute_record_per_line_that_parses_back_identically()
    {
        var text = """
            $TTL 3600
            @ IN SOA ns1 hostmaster ( 1 2 3 4 5 )
            @ IN NS ns1
            www 60 IN A 192.0.2.1
            ch 60 CH TXT "a b" c "\\\"" "\200"
            @ HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.1
            x TYPE1234 \# 2 abcd
            y EUI48 \# 6 00005E0053FF
            z LOC 52 22 23.123 N 4 53 32.5 E 2.05m
            """;
        var records = Parse(text);
        var written = MasterFile.Write(records);
        Assert.Equal("www.example.org.\t60\tIN\tA\t192.0.2.1\n", written.Split('\n')[2] + "\n");
        var again = MasterFile.Parse(written, ".", "written");
        AssertSame(records, again);
    }

    internal static void AssertSame(IReadOnlyList<DnsRecord> expected, IReadOnlyList<DnsRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.True(e.Name == a.Name && e.Type == a.Type && e.Class == a.Class && e.Ttl == a.Ttl && e.RData.AsSpan().SequenceEqual(a.RData),
                $"record {i}: expected {e}, got {a}");
        }
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("zonefile-").FullName;

        public void Write(string relative, string text)
        {
            var full = System.IO.Path.Combine(Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
