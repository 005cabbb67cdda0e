using System.Net;
using System.Text.RegularExpressions;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Template;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Template;

/// <summary>template's <c>var</c> and <c>expr</c>: CoreDNS's var_test.go, expr_test.go and setup_test.go, as tables.</summary>
public sealed class TemplateExprSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>What falls through every template under test lands here: NXDOMAIN marks "fell through".</summary>
    private const string FellThrough = "\n template ANY ANY {\n  rcode NXDOMAIN\n }";

    private const string Servfail = "SERVFAIL";
    private const string Fell = "NXDOMAIN";

    private static readonly IPEndPoint Client = new(IPAddress.Parse("10.240.0.1"), 40000);

    /// <summary>(name, templates, qname, qtype, expected: answer|additional|authority lines, or an rcode name).</summary>
    public static TheoryData<string, string, string, ushort, string> Queries => new()
    {
        // var_test.go
        { "constant", "template IN A example. {\n var ttl 60\n answer \"{{ .Name }} {{ .Var.ttl }} IN A 10.0.0.1\"\n }", "a.example.", RrType.A,
            "a.example. 60 IN A 10.0.0.1||" },
        { "chained", "template IN A example. {\n var a 1\n var b a + 1\n var c b * 10\n answer \"{{ .Name }} 60 IN A 10.{{ .Var.a }}.{{ .Var.b }}.{{ .Var.c }}\"\n }",
            "a.example.", RrType.A, "a.example. 60 IN A 10.1.2.20||" },
        { "group by name and index", "template IN A example. {\n match ^(?P<a>[0-9]+)-(?P<b>[0-9]+)[.]example[.]$\n var a group('a')\n var b group(2)\n var whole group(0)\n answer \"{{ .Var.whole }} 60 IN A 10.0.{{ .Var.a }}.{{ .Var.b }}\"\n }",
            "12-34.example.", RrType.A, "12-34.example. 60 IN A 10.0.12.34||" },
        { "group missing", "template IN TXT example. {\n match ^(?P<a>[a-z]+)[.]example[.]$\n var missing group('nosuchgroup') + group(9)\n answer \"{{ .Name }} 60 IN TXT \\\"[{{ .Var.missing }}]\\\"\"\n }",
            "a.example.", RrType.TXT, "a.example. 60 IN TXT \"[]\"||" },
        { "query functions", "template IN A example. {\n var n name()\n var t type()\n var ip client_ip()\n answer \"{{ .Var.n }} 60 IN A {{ .Var.ip }}\"\n additional \"{{ .Var.n }} 60 IN TXT \\\"{{ .Var.t }}\\\"\"\n }",
            "a.example.", RrType.A, "a.example. 60 IN A 10.240.0.1|a.example. 60 IN TXT \"A\"|" },
        { "used in all sections", "template IN A example. {\n var target 'ns0.example.'\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n additional \"{{ .Var.target }} 60 IN A 10.0.0.2\"\n authority \"example. 60 IN NS {{ .Var.target }}\"\n }",
            "a.example.", RrType.A, "a.example. 60 IN A 10.0.0.1|ns0.example. 60 IN A 10.0.0.2|example. 60 IN NS ns0.example." },
        { "no vars", "template IN TXT example. {\n answer \"{{ .Name }} 60 IN TXT \\\"{{ len .Var }}\\\"\"\n }", "a.example.", RrType.TXT, "a.example. 60 IN TXT \"0\"||" },
        { "per template scope", "template IN A example. {\n match ^a[.]example[.]$\n var v '1'\n answer \"{{ .Name }} 60 IN A 10.0.0.{{ .Var.v }}\"\n fallthrough\n }\n template IN A example. {\n match ^b[.]example[.]$\n var v '2'\n answer \"{{ .Name }} 60 IN A 10.0.0.{{ .Var.v }}\"\n }",
            "b.example.", RrType.A, "b.example. 60 IN A 10.0.0.2||" },
        { "typed values", "template IN TXT example. {\n match ^(?P<n>[0-9]+)[.]example[.]$\n var num int(group('n'))\n var double num * 2\n var label 'x' + group('n')\n var flag num > 1\n answer \"{{ .Name }} 60 IN TXT \\\"{{ .Var.num }} {{ .Var.double }} {{ .Var.label }} {{ .Var.flag }} {{ len .Var }}\\\"\"\n }",
            "2.example.", RrType.TXT, "2.example. 60 IN TXT \"2 4 x2 true 4\"||" },
        { "runtime error", "template IN A example. {\n var bad incidr('notanip', '10.0.0.0/8')\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n }", "a.example.", RrType.A, Servfail },
        { "runtime error with fallthrough", "template IN A example. {\n var bad incidr('notanip', '10.0.0.0/8')\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n fallthrough\n }", "a.example.", RrType.A, Servfail },
        { "bad int at query time", "template IN A example. {\n var n int(name())\n fallthrough\n }", "a.example.", RrType.A, Servfail },
        { "no match no evaluation", "template IN A example. {\n match ^a[.]example[.]$\n var bad incidr('notanip', '10.0.0.0/8')\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n fallthrough\n }", "b.example.", RrType.A, Fell },
        // expr_test.go
        { "true", "template IN A example. {\n expr name() == 'a.example.'\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n }", "a.example.", RrType.A, "a.example. 60 IN A 10.0.0.1||" },
        { "false servfail", "template IN A example. {\n expr name() == 'b.example.'\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n }", "a.example.", RrType.A, Servfail },
        { "false fallthrough", "template IN A example. {\n expr name() == 'b.example.'\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n fallthrough\n }", "a.example.", RrType.A, Fell },
        { "false fallthrough zone mismatch", "template IN A example. {\n expr name() == 'b.example.'\n fallthrough other.example.\n }", "a.example.", RrType.A, Servfail },
        { "false falls to next template", "template IN A example. {\n expr name() == 'b.example.'\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n fallthrough\n }\n template IN A example. {\n answer \"{{ .Name }} 60 IN A 10.0.0.2\"\n }",
            "a.example.", RrType.A, "a.example. 60 IN A 10.0.0.2||" },
        { "all true", "template IN A example. {\n expr name() == 'a.example.'\n expr type() == 'A'\n expr incidr(client_ip(), '10.0.0.0/8')\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n }",
            "a.example.", RrType.A, "a.example. 60 IN A 10.0.0.1||" },
        { "last false", "template IN A example. {\n expr name() == 'a.example.'\n expr type() == 'A'\n expr incidr(client_ip(), '192.0.2.0/24')\n fallthrough\n }", "a.example.", RrType.A, Fell },
        { "uses vars", "template IN A example. {\n match ^(?P<n>[0-9]+)[.]example[.]$\n var num int(group('n'))\n expr num > 1\n answer \"{{ .Name }} 60 IN A 10.0.0.{{ .Var.num }}\"\n fallthrough\n }",
            "2.example.", RrType.A, "2.example. 60 IN A 10.0.0.2||" },
        { "uses vars false", "template IN A example. {\n match ^(?P<n>[0-9]+)[.]example[.]$\n var num int(group('n'))\n expr num > 1\n fallthrough\n }", "1.example.", RrType.A, Fell },
        { "uses group", "template IN A example. {\n match ^(?P<n>[0-9]+)[.]example[.]$\n expr group('n') == '2' && group(0) == '2.example.'\n answer \"{{ .Name }} 60 IN A 10.0.0.{{ .Group.n }}\"\n fallthrough\n }",
            "2.example.", RrType.A, "2.example. 60 IN A 10.0.0.2||" },
        { "non bool", "template IN A example. {\n expr 1\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n fallthrough\n }", "a.example.", RrType.A, Fell },
        { "expr runtime error", "template IN A example. {\n expr incidr('notanip', '10.0.0.0/8')\n fallthrough\n }", "a.example.", RrType.A, Servfail },
        { "expr no match no evaluation", "template IN A example. {\n match ^a[.]example[.]$\n expr incidr('notanip', '10.0.0.0/8')\n fallthrough\n }", "b.example.", RrType.A, Fell },
        // the README's example: private addresses only
        { "readme private ip", ReadmeTemplate, "10-1-2-3.abcdefghijklmnopqrstuvwxyz.example.com.", RrType.A, "10-1-2-3.abcdefghijklmnopqrstuvwxyz.example.com. 60 IN A 10.1.2.3||" },
        { "readme public ip", ReadmeTemplate, "8-8-8-8.abcdefghijklmnopqrstuvwxyz.example.com.", RrType.A, Fell },
        { "none and all", "template IN A example. {\n expr \"none(['A', 'TXT'], type() == #) || all([1, 2], # > 0)\"\n answer \"{{ .Name }} 60 IN A 10.0.0.1\"\n fallthrough\n }",
            "a.example.", RrType.A, "a.example. 60 IN A 10.0.0.1||" },
    };

    private const string ReadmeTemplate = "template IN A example.com {\n match ^(?P<ip>[0-9]{1,3}(-[0-9]{1,3}){3})[.](?P<id>[a-z2-7]{26})[.]example[.]com[.]$\n" +
        " var ip replace(group('ip'), '-', '.')\n expr \"any(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'], incidr(ip, #))\"\n" +
        " answer \"{{ .Name }} 60 IN A {{ .Var.ip }}\"\n fallthrough\n }";

    [Theory, MemberData(nameof(Queries))]
    public async Task Template_should_evaluate_var_and_expr_as_coredns(string name, string templates, string qname, ushort qtype, string expected)
    {
        _ = name;
        await using var h = PipelineHarness.Start(Sys, $". {{\n {templates}{FellThrough}\n}}\n");
        var reply = await h.QueryAsync(new QueryBuilder(qname, qtype), DnsTransport.Udp, client: Client);
        var m = reply.Message;
        if (expected is Servfail or Fell)
        {
            var rcode = expected == Servfail ? ARSoft.Tools.Net.Dns.ReturnCode.ServerFailure : ARSoft.Tools.Net.Dns.ReturnCode.NxDomain;
            Assert.Equal(rcode, m.ReturnCode);
            return;
        }
        Assert.Equal(ARSoft.Tools.Net.Dns.ReturnCode.NoError, m.ReturnCode);
        var got = $"{Lines(m.AnswerRecords)}|{Lines(m.AdditionalRecords.Where(r => r.RecordType != ARSoft.Tools.Net.Dns.RecordType.Opt))}|{Lines(m.AuthorityRecords)}";
        Assert.Equal(expected, got);
    }

    private static string Lines(IEnumerable<ARSoft.Tools.Net.Dns.DnsRecordBase> records) =>
        string.Join(";", records.Select(r => Regex.Replace(r.ToString(), @"\s+", " ")));

    private TemplatePlugin Parse(string directives) =>
        PluginPlans.Plan(Sys, $". {{\n {directives}\n}}\n").Blocks[0].Plugins.OfType<TemplatePlugin>().Single();

    /// <summary>setup_test.go's TestSetupParseVar and TestSetupParseExpr (oks): how many vars and exprs each template holds.</summary>
    [Theory]
    [InlineData("template ANY ANY example. {\n  var a 1\n }", 1, 0)]
    [InlineData("template ANY ANY example. {\n  var a 1\n  var b a + 1\n  var c 'x' + name()\n }", 3, 0)]
    [InlineData("template ANY ANY example. {\n  match ^(?P<a>[a-z]+)[.]example[.]$\n  var a group(\"a\") + group(1) + group(0)\n }", 1, 0)]
    [InlineData("template ANY ANY example. {\n  expr name() == 'a.example.'\n  expr incidr(client_ip(), '10.0.0.0/8')\n }", 0, 2)]
    [InlineData("template ANY ANY example. {\n  var a 1\n  expr a == 1\n }", 1, 1)]
    [InlineData("template ANY ANY example. {\n  match ^(?P<a>[a-z]+)[.]example[.]$\n  expr group('a') != ''\n }", 0, 1)]
    [InlineData("template ANY ANY example. {\n  expr 1\n }", 0, 1)]
    [InlineData("template ANY ANY example. {\n  var x lower(trim(' A ')) + upper(string(len('abc'))) + trimSuffix(name(), '.')\n  var f float('1.5') * 2\n }", 2, 0)]
    public void Template_should_compile_vars_and_exprs_at_setup(string directives, int vars, int exprs)
    {
        var t = Parse(directives).Templates[0];
        Assert.Equal(vars, t.Vars.Length);
        Assert.Equal(exprs, t.Exprs.Length);
    }

    /// <summary>setup_test.go's failing cases: a bad var or expr is a setup error at its line.</summary>
    [Theory]
    [InlineData("var a", "Wrong argument count or unexpected line ending after 'a'")]
    [InlineData("var 1a 1", "invalid variable name \"1a\"")]
    [InlineData("var a-b 1", "invalid variable name \"a-b\"")]
    [InlineData("var name 1", "variable name \"name\" is reserved")]
    [InlineData("var group 1", "variable name \"group\" is reserved")]
    [InlineData("var len 1", "variable name \"len\" is reserved")]
    [InlineData("var true 1", "variable name \"true\" is reserved")]
    [InlineData("var let 1", "variable name \"let\" is reserved")]
    [InlineData("var a 1 +", "could not compile expression: a, ")]
    [InlineData("var a invalid expression", "could not compile expression: a, ")]
    [InlineData("var a undefined", "could not compile expression: a, ")]
    [InlineData("var a 'x' + 1", "could not compile expression: a, invalid operation: + (mismatched types string and int)")]
    [InlineData("expr", "Wrong argument count or unexpected line ending after 'expr'")]
    [InlineData("expr name() ==", "could not compile expression: ")]
    [InlineData("expr invalid expression", "could not compile expression: ")]
    [InlineData("expr undefined == 1", "could not compile expression: ")]
    [InlineData("expr \"any(split(name(), '.'), # == 'a')\"", "could not compile expression: 'any' takes a literal array")]
    public void Template_should_reject_a_bad_var_or_expr_at_its_line(string property, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse($"template ANY ANY example. {{\n  {property}\n }}"));
        Assert.StartsWith($"Corefile:3 - Error during parsing: plugin/template: {message}", e.Message);
    }

    /// <summary>A later line: redeclaring, reading a variable before it is declared, or adding a string to an int variable.</summary>
    [Theory]
    [InlineData("var a 1\n  var a 2", "variable name \"a\" is reserved")]
    [InlineData("var a b + 1\n  var b 1", "")]
    [InlineData("var a 1\n  var b a + 1\n  var c 'x' + b", "could not compile expression: c, invalid operation: + (mismatched types string and int)")]
    [InlineData("var a 1\n  expr a + 'x'", "could not compile expression: invalid operation: + (mismatched types int and string)")]
    public void Template_should_type_check_vars_in_order(string properties, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse($"template ANY ANY example. {{\n  {properties}\n }}"));
        var line = message.Length == 0 ? 3 : 2 + properties.Split('\n').Length;
        Assert.StartsWith($"Corefile:{line} - Error during parsing: plugin/template: {message}", e.Message);
    }
}
