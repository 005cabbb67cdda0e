using Akka.Dns.Corefile;
using Xunit;

namespace Akka.Dns.Tests.Corefile;

public sealed class CorefileParserSpec : IDisposable
{
    private static readonly IReadOnlySet<string> Known = new HashSet<string>
    {
        "whoami", "log", "errors", "cache", "forward", "hosts", "template", "file", "reload", "health",
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("corefile-spec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, string> Vars = new()
    {
        ["ZONE"] = "example.org",
        ["PORT"] = "1053",
        ["UPSTREAM"] = "8.8.8.8",
        ["SPACED"] = "a b",
    };

    private CorefileDocument Parse(string text, Func<string, string?>? env = null) =>
        CorefileParser.Parse(text, "Corefile", _dir, Known, env ?? (n => Vars.GetValueOrDefault(n)));

    private CorefileException Fails(string text) => Assert.Throws<CorefileException>(() => Parse(text));

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Texts(Directive d) => d.Tokens.Select(t => t.Text).ToArray();

    [Fact]
    public void Parser_should_read_keys_and_directives_of_several_blocks()
    {
        var doc = Parse("example.org example.net:1053 {\n  whoami\n  log\n}\n\n. {\n  forward . 8.8.8.8\n}\n");
        Assert.Equal(2, doc.Blocks.Count);
        var first = doc.Blocks[0];
        Assert.Equal(["example.org", "example.net:1053"], first.Keys.Select(k => k.Original));
        Assert.Equal(["whoami", "log"], first.Directives.Select(d => d.Name));
        Assert.Equal(("Corefile", 1), (first.File, first.Line));
        Assert.Equal(2, first.Directives[0].Line);
        Assert.Equal(3, first.Directives[1].Line);
        Assert.Equal(1053, first.Keys[1].Port);
        Assert.Equal(["forward", ".", "8.8.8.8"], Texts(doc.Blocks[1].Directives[0]));
        Assert.Equal(6, doc.Blocks[1].Line);
        Assert.Empty(doc.Files);
    }

    [Fact]
    public void Parser_should_serve_one_block_on_several_ports()
    {
        var block = Assert.Single(Parse(".:53 .:54 {\n whoami\n}").Blocks);
        Assert.Equal([53, 54], block.Keys.Select(k => k.Port!.Value));
        Assert.All(block.Keys, k => Assert.Equal(["."], k.Zones));
    }

    [Fact]
    public void Parser_should_continue_keys_after_a_trailing_comma_on_the_next_line()
    {
        var block = Assert.Single(Parse("a.org,\nb.org, c.org {\n whoami\n}").Blocks);
        Assert.Equal(["a.org", "b.org", "c.org"], block.Keys.Select(k => k.Original));
        Assert.Equal([1, 2, 2], block.Keys.Select(k => k.Line));
    }

    [Fact]
    public void Parser_should_accept_the_opening_brace_on_the_line_after_the_keys()
    {
        var block = Assert.Single(Parse("example.org\n{\n whoami\n}").Blocks);
        Assert.Equal("whoami", Assert.Single(block.Directives).Name);
    }

    [Fact]
    public void Parser_should_allow_a_single_server_without_braces()
    {
        var block = Assert.Single(Parse("example.org:1053\nwhoami\nlog stdout\n").Blocks);
        Assert.Equal(["whoami", "log"], block.Directives.Select(d => d.Name));
        Assert.Equal(["log", "stdout"], Texts(block.Directives[1]));
    }

    [Fact]
    public void Parser_should_accept_a_key_line_without_directives()
    {
        var block = Assert.Single(Parse("example.org\n").Blocks);
        Assert.Empty(block.Directives);
    }

    [Fact]
    public void Parser_should_accept_an_empty_corefile()
    {
        Assert.Empty(Parse("# nothing here\n\n").Blocks);
    }

    [Fact]
    public void Parser_should_keep_repeated_directives_as_separate_entries_in_order()
    {
        var block = Assert.Single(Parse(". {\n log a\n whoami\n log b\n}").Blocks);
        Assert.Equal(["log", "whoami", "log"], block.Directives.Select(d => d.Name));
        Assert.Equal(["log", "b"], Texts(block.Directives[2]));
    }

    [Fact]
    public void Parser_should_keep_nested_braces_inside_the_directive()
    {
        var block = Assert.Single(Parse(". {\n cache 30 {\n  success 9984 30\n  denial 100\n }\n forward . 1.1.1.1 {\n  policy { x }\n }\n whoami\n}").Blocks);
        Assert.Equal(["cache", "30", "{", "success", "9984", "30", "denial", "100", "}"], Texts(block.Directives[0]));
        Assert.Equal([2, 2, 2, 3, 3, 3, 4, 4, 5], block.Directives[0].Tokens.Select(t => t.Line));
        Assert.Equal(["forward", ".", "1.1.1.1", "{", "policy", "{", "x", "}", "}"], Texts(block.Directives[1]));
        Assert.Equal("whoami", block.Directives[2].Name);
    }

    [Fact]
    public void Parser_should_let_an_opening_brace_on_the_next_line_belong_to_the_directive()
    {
        var block = Assert.Single(Parse(". {\n cache 30\n {\n  success 1\n }\n}").Blocks);
        Assert.Equal(["cache", "30", "{", "success", "1", "}"], Texts(Assert.Single(block.Directives)));
    }

    [Fact]
    public void Parser_should_accept_a_block_on_one_line()
    {
        var block = Assert.Single(Parse(". { whoami }\nexample.org { cache 30 { success 1 } }").Blocks.Take(1));
        Assert.Equal(["whoami"], Texts(Assert.Single(block.Directives)));
        var second = Parse(". { whoami }\nexample.org { cache 30 { success 1 } }").Blocks[1];
        Assert.Equal(["cache", "30", "{", "success", "1", "}"], Texts(Assert.Single(second.Directives)));
    }

    [Fact]
    public void Lexer_should_keep_quoted_strings_as_one_token_across_lines()
    {
        var d = Assert.Single(Assert.Single(Parse(". {\n template \"a b\" \"multi\nline\" x\n log\n}").Blocks).Directives.Take(1));
        Assert.Equal(["template", "a b", "multi\nline", "x"], Texts(d));
        Assert.Equal([2, 2, 2, 3], d.Tokens.Select(t => t.Line));
    }

    [Theory]
    [InlineData("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("\"a\\nb\"", "a\\nb")]
    [InlineData("\"c:\\\\dir\"", "c:\\\\dir")]
    [InlineData("\"\"", "")]
    [InlineData("\"#not a comment\"", "#not a comment")]
    [InlineData("foo\"bar", "foo\"bar")]
    public void Lexer_should_only_unescape_quotes_inside_quoted_strings(string source, string expected)
    {
        var d = Assert.Single(Assert.Single(Parse($". {{\n log {source}\n}}").Blocks).Directives);
        Assert.Equal(["log", expected], Texts(d));
    }

    [Fact]
    public void Lexer_should_start_a_comment_anywhere_outside_quotes_even_mid_token()
    {
        var block = Assert.Single(Parse("# header\n. { # trailing\n log foo#bar baz\n # whole line\n whoami#\n}").Blocks);
        Assert.Equal(["log", "foo"], Texts(block.Directives[0]));
        Assert.Equal(["whoami"], Texts(block.Directives[1]));
    }

    [Fact]
    public void Lexer_should_drop_a_bom_and_carriage_returns()
    {
        var block = Assert.Single(Parse("\uFEFFexample.org {\r\n  log a\r\n  whoami\r\n}\r\n").Blocks);
        Assert.Equal("example.org", block.Keys[0].Original);
        Assert.Equal(["log", "a"], Texts(block.Directives[0]));
        Assert.Equal(3, block.Directives[1].Line);
    }

    [Fact]
    public void Parser_should_substitute_environment_references_in_keys_directives_and_args()
    {
        var block = Assert.Single(Parse("{$ZONE}:{%PORT%} {\n forward . {$UPSTREAM} {%UPSTREAM%}\n log x{$ZONE}-{$ZONE}y {$UNSET}z {$SPACED}\n}").Blocks);
        Assert.Equal(["example.org."], block.Keys[0].Zones);
        Assert.Equal(1053, block.Keys[0].Port);
        Assert.Equal(["forward", ".", "8.8.8.8", "8.8.8.8"], Texts(block.Directives[0]));
        Assert.Equal(["log", "xexample.org-example.orgy", "z", "a b"], Texts(block.Directives[1]));
    }

    [Fact]
    public void Parser_should_leave_incomplete_environment_references_alone()
    {
        var d = Assert.Single(Assert.Single(Parse(". {\n template {$} {$OPEN {{ $var }} {%%}\n}").Blocks).Directives);
        Assert.Equal(["template", "{$}", "{$OPEN", "{{", "$var", "}}", "{%%}"], Texts(d));
    }

    [Fact]
    public void Parser_should_read_the_process_environment_when_no_lookup_is_given()
    {
        var name = "AKKA_DNS_CF_SPEC_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            var doc = CorefileParser.Parse($". {{\n log {{${name}}}\n}}", "Corefile", _dir, Known);
            Assert.Equal(["log", "from-env"], Texts(doc.Blocks[0].Directives[0]));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Parser_should_expand_off_boundary_ipv4_cidr_into_every_zone()
    {
        var block = Assert.Single(Parse("10.0.0.0/15 192.168.1.0/25:1053 {\n whoami\n}").Blocks);
        Assert.Equal(["0.10.in-addr.arpa.", "1.10.in-addr.arpa."], block.Keys[0].Zones);
        Assert.Equal(128, block.Keys[1].Zones.Count);
        Assert.Equal(1053, block.Keys[1].Port);
    }

    [Fact]
    public void Parser_should_store_snippets_and_splice_them_at_top_level_and_in_blocks()
    {
        var doc = Parse("(common) {\n log\n errors\n}\n(site) {\n example.net {\n  whoami\n }\n}\nexample.org {\n import common\n whoami\n}\nimport site\n");
        Assert.Equal(2, doc.Blocks.Count);
        Assert.Equal(["log", "errors", "whoami"], doc.Blocks[0].Directives.Select(d => d.Name));
        Assert.Equal(2, doc.Blocks[0].Directives[0].Line); // tokens keep the snippet's lines
        Assert.Equal("example.net", doc.Blocks[1].Keys[0].Original);
    }

    [Fact]
    public void Parser_should_splice_a_snippet_inside_a_directive_block()
    {
        var doc = Parse("(rules) {\n success 100\n denial 10\n}\n. {\n cache {\n  import rules\n  prefetch 2\n }\n}");
        Assert.Equal(["cache", "{", "success", "100", "denial", "10", "prefetch", "2", "}"], Texts(doc.Blocks[0].Directives[0]));
    }

    [Fact]
    public void Parser_should_keep_two_imports_of_the_same_snippet_on_separate_lines()
    {
        var doc = Parse("(one) {\n success 100\n}\n. {\n cache {\n  import one\n  import one\n }\n}");
        var reader = new DirectiveReader(doc.Blocks[0].Directives[0]);
        reader.Next();
        var lines = new List<string[]>();
        while (reader.NextBlock())
        {
            lines.Add([reader.Val, .. reader.RemainingArgs()]);
        }

        Assert.Equal([["success", "100"], ["success", "100"]], lines);
    }

    [Fact]
    public void Parser_should_splice_a_snippet_into_server_keys_after_a_trailing_comma()
    {
        var doc = Parse("(zones) {\n b.org c.org\n}\na.org,\nimport zones\n{\n whoami\n}");
        Assert.Equal(["a.org", "b.org", "c.org"], doc.Blocks[0].Keys.Select(k => k.Original));
    }

    [Fact]
    public void Parser_should_import_files_relative_to_the_importing_file()
    {
        Write("conf/zones.conf", "example.org {\n  import ../common/plugins\n}\n");
        var plugins = Write("common/plugins", "log\nerrors\n");
        var doc = Parse("import conf/zones.conf\n. {\n whoami\n}");
        Assert.Equal(2, doc.Blocks.Count);
        Assert.Equal(["log", "errors"], doc.Blocks[0].Directives.Select(d => d.Name));
        Assert.Equal((plugins, 2), (doc.Blocks[0].Directives[1].File, doc.Blocks[0].Directives[1].Line));
        Assert.Equal([Path.Combine(_dir, "conf", "zones.conf"), plugins], doc.Files);
    }

    [Fact]
    public void Parser_should_import_every_file_matching_a_glob_in_name_order()
    {
        Write("zones/b.conf", "b.org {\n whoami\n}\n");
        Write("zones/a.conf", "a.org {\n whoami\n}\n");
        Write("zones/c.txt", "c.org {\n whoami\n}\n");
        var doc = Parse("import zones/*.conf\n");
        Assert.Equal(["a.org", "b.org"], doc.Blocks.Select(b => b.Keys[0].Original));
        Assert.Equal(["a.conf", "b.conf"], doc.Files.Select(Path.GetFileName));
    }

    [Fact]
    public void Parser_should_match_a_single_character_wildcard()
    {
        Write("z1.conf", "a.org\n");
        Write("z22.conf", "b.org\n");
        Assert.Equal(["a.org"], Parse("import z?.conf").Blocks.Select(b => b.Keys[0].Original));
    }

    [Fact]
    public void Parser_should_accept_a_glob_matching_nothing()
    {
        Assert.Empty(Parse("import nothing/*.conf\n").Blocks);
    }

    [Fact]
    public void Parser_should_import_an_absolute_path()
    {
        var path = Write("abs/plugins", "whoami\n");
        var doc = CorefileParser.Parse($". {{\n import {path}\n}}", "Corefile", "/", Known);
        Assert.Equal("whoami", doc.Blocks[0].Directives[0].Name);
    }

    [Fact]
    public void ParseFile_should_report_the_path_as_given_and_list_every_file_read()
    {
        var main = Write("Corefile", ". {\n import extra\n}\n");
        var extra = Write("extra", "whoami\n");
        var doc = CorefileParser.ParseFile(main, Known);
        Assert.Equal([main, extra], doc.Files);
        Assert.Equal(main, doc.Blocks[0].File);

        var bad = Write("Bad", ". {\n nope\n}\n");
        var e = Assert.Throws<CorefileException>(() => CorefileParser.ParseFile(bad, Known));
        Assert.Equal($"{bad}:2 - Error during parsing: Unknown directive 'nope'", e.Message);
    }

    [Fact]
    public void ParseFile_should_fail_on_a_missing_file()
    {
        var path = Path.Combine(_dir, "missing");
        var e = Assert.Throws<CorefileException>(() => CorefileParser.ParseFile(path, Known));
        Assert.StartsWith($"{path}:0 - Error during parsing: Could not read {path}: ", e.Message);
    }

    public static TheoryData<string, string> Errors => new()
    {
        { ". {\n foo bar\n}", "Corefile:2 - Error during parsing: Unknown directive 'foo'" },
        { ". {\n whoami\n}\n}", "Corefile:4 - Error during parsing: Unexpected '}' because no matching opening brace" },
        { "example.org\nwhoami\n}", "Corefile:3 - Error during parsing: Unexpected '}' because no matching opening brace" },
        { "}", "Corefile:1 - Error during parsing: Unexpected '}' because no matching opening brace" },
        { ". {\n whoami\n", "Corefile:2 - Error during parsing: Unexpected EOF" },
        { ". {\n cache {\n  success 1\n}", "Corefile:4 - Error during parsing: Unexpected EOF" },
        { ". {\n cache {\n  success 1\n }\n", "Corefile:4 - Error during parsing: Unexpected EOF" },
        { ". {", "Corefile:1 - Error during parsing: Unexpected EOF" },
        { "a.org,\n", "Corefile:1 - Error during parsing: Unexpected EOF" },
        { "a.org, {\n}", "Corefile:1 - Error during parsing: Expected another address but had '{' - check for extra comma" },
        { "{\n whoami\n}", "Corefile:1 - Error during parsing: Expected a server block key (zone) before '{'" },
        { "(s) {\n log\n}\n(s) {\n errors\n}", "Corefile:4 - Error during parsing: redeclaration of previously declared snippet s" },
        { "(s) {\n import s\n}", "Corefile:2 - Error during parsing: maximum snippet import depth (10000) exceeded" },
        { "(a) {\n import b\n}\n(b) {\n import a\n}\n. {\n import a\n}", "Corefile:5 - Error during parsing: Import cycle detected: " + "{0} -> snippet 'a' -> snippet 'b' -> snippet 'a'" },
        { "(s)\nlog", "Corefile:2 - Syntax error: Unexpected token 'log', expecting '{'" },
        { "(s)", "Corefile:1 - Syntax error: Unexpected token '(s)', expecting '{'" },
        { "(s) {\n log {\n}", "Corefile:3 - Syntax error: Unexpected token '}', expecting '}'" },
        { ". {\n import\n}", "Corefile:2 - Error during parsing: Wrong argument count or unexpected line ending after 'import'" },
        { ". {\n import a b\n}", "Corefile:2 - Error during parsing: Import takes only one argument (glob pattern or file)" },
        { ". {\n import \"\"\n}", "Corefile:2 - Error during parsing: Import requires a non-empty filepath" },
        { "import", "Corefile:1 - Error during parsing: Wrong argument count or unexpected line ending after 'import'" },
        { ". {\n import nothere\n}", "Corefile:2 - Error during parsing: File to import not found: nothere" },
        { ". {\n import {$UNSET}x\n}", "Corefile:2 - Error during parsing: File to import not found: x" },
        { "\n\nquic://example.org {\n whoami\n}", "Corefile:3 - Error during parsing: scheme 'quic://' in 'quic://example.org' is not supported by Akka.Dns (supported: dns://, tls://, https://, grpc://)" },
        { "a.org b.org:99999 {\n}", "Corefile:1 - Error during parsing: invalid port '99999' in 'b.org:99999': must be a number between 1 and 65535" },
        { "a.org\nb..org {\n}", "Corefile:2 - Error during parsing: Unknown directive 'b..org'" },
        { "a.org,\nb..org {\n}", "Corefile:2 - Error during parsing: zone is not a valid domain name: b..org" },
        { "::/0 {\n}", "Corefile:1 - Error during parsing: invalid CIDR ::/0" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parser_should_report_errors_with_file_and_line(string text, string message)
    {
        var e = Fails(text);
        Assert.Equal(message.Replace("{0}", Path.Combine(_dir, "Corefile")), e.Message);
        Assert.Equal("Corefile", e.File);
        Assert.Equal(int.Parse(message.Split(':')[1].Split(' ')[0]), e.Line);
    }

    [Fact]
    public void Parser_should_reject_a_glob_with_two_wildcards_or_a_bracket()
    {
        var e = Fails(". {\n import *a*\n}");
        Assert.Equal($"Corefile:2 - Error during parsing: Glob pattern may only contain one wildcard (*), but has others: {Path.Combine(_dir, "*a*")}", e.Message);
        e = Fails(". {\n import a?*\n}");
        Assert.Equal($"Corefile:2 - Error during parsing: Glob pattern may only contain one wildcard (*), but has others: {Path.Combine(_dir, "a?*")}", e.Message);
        e = Fails(". {\n import [ab].conf\n}");
        Assert.Equal($"Corefile:2 - Error during parsing: Glob pattern may only contain one wildcard (*), but has others: {Path.Combine(_dir, "[ab].conf")}", e.Message);
    }

    [Fact]
    public void Parser_should_name_the_imported_file_and_its_line_in_errors()
    {
        var inc = Write("inc/plugins", "whoami\n\nbogus arg\n");
        var e = Fails(". {\n import inc/plugins\n}");
        Assert.Equal($"{inc}:3 - Error during parsing: Unknown directive 'bogus'", e.Message);
        Assert.Equal(inc, e.File);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Parser_should_detect_a_file_importing_itself_or_a_cycle()
    {
        var a = Write("a.conf", "import b.conf\n");
        var b = Write("b.conf", "import a.conf\n");
        var e = Fails("import a.conf\n");
        var root = Path.Combine(_dir, "Corefile");
        Assert.Equal($"{b}:1 - Error during parsing: Import cycle detected: {root} -> {a} -> {b} -> {a}", e.Message);

        var main = Write("Main", ". {\n import Main\n}\n");
        e = Assert.Throws<CorefileException>(() => CorefileParser.ParseFile(main, Known));
        Assert.Equal($"{main}:2 - Error during parsing: Import cycle detected: {main} -> {main}", e.Message);
    }

    [Fact]
    public void Parser_should_allow_the_same_file_to_be_imported_twice_without_a_cycle()
    {
        Write("p", "log\n");
        var doc = Parse(". {\n import p\n import p\n}");
        Assert.Equal(["log", "log"], doc.Blocks[0].Directives.Select(d => d.Name));
        Assert.Single(doc.Files);
    }

    [Fact]
    public void Parser_should_reject_importing_a_directory()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        var e = Fails(". {\n import sub\n}");
        Assert.Equal($"Corefile:2 - Error during parsing: Could not import {Path.Combine(_dir, "sub")}: is a directory", e.Message);
    }

    [Fact]
    public void Parser_should_cap_snippet_expansions()
    {
        // Each level imports the previous one ten times: 10^5 expansions without any cycle.
        var text = "(s0) {\n log\n}\n";
        for (var i = 1; i <= 5; i++)
        {
            text += $"(s{i}) {{\n" + string.Concat(Enumerable.Repeat($" import s{i - 1}\n", 10)) + "}\n";
        }

        var e = Fails(text + ". {\n import s5\n}");
        Assert.EndsWith("Error during parsing: maximum snippet import depth (10000) exceeded", e.Message);
    }
}
