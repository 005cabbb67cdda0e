using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Log;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Akka.Dns.Tests.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Log;

[Collection(LineLogCollection.Name)]
public sealed class LogSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>Runs one query from a client port no other test uses and returns the log lines that name it, duration masked as "D".</summary>
    private async Task<string[]> LinesFor(string corefile, QueryBuilder query, DnsTransport transport = DnsTransport.Udp, IPAddress? from = null)
    {
        var port = Interlocked.Increment(ref _nextPort);
        var seen = new ConcurrentQueue<string>();
        await using var h = PipelineHarness.Start(Sys, corefile, TestAnswerSetup.Catalog);
        using (LineLog.Subscribe(seen.Enqueue))
        {
            await h.QueryAsync(query, transport, client: new IPEndPoint(from ?? IPAddress.Loopback, port));
            Assert.True(LineLog.Flush());
        }
        var lines = seen.Where(l => l.Contains($":{port} ") || l.Contains($"port={port}")).ToArray();
        foreach (var l in lines) Assert.Matches(@"(^| )\d+(\.\d+)?s( |>|$)|port=", l);
        return lines.Select(l => Regex.Replace(l, @"(?<=[ =])\d+(\.\d+)?s(?=[ >]|$)", "Ds")).ToArray();
    }

    private static int _nextPort = 30000 + Random.Shared.Next(0, 20000);

    public static TheoryData<string, string, QueryBuilder, DnsTransport, string> Lines => new()
    {
        {
            "whoami, plain udp", ". {\n log\n whoami\n}\n", new QueryBuilder("example.org."), DnsTransport.Udp,
            "[INFO] 127.0.0.1:PORT - 4660 \"A IN example.org. udp 29 false 512\" NOERROR qr,aa,rd 91 Ds"
        },
        {
            "name is logged lower case, id and EDNS size and DO from the query", ". {\n log\n whoami\n}\n",
            new QueryBuilder("Example.ORG.", RrType.MX) { Id = 29008, UdpSize = 4096, Do = true }, DnsTransport.Udp,
            "[INFO] 127.0.0.1:PORT - 29008 \"MX IN example.org. udp 40 true 4096\" NOERROR qr,aa,rd 91 Ds"
        },
        {
            "bufsize lowers what {>bufsize} shows", ". {\n bufsize 1000\n log\n whoami\n}\n",
            new QueryBuilder("example.org.") { UdpSize = 1200 }, DnsTransport.Udp,
            "[INFO] 127.0.0.1:PORT - 4660 \"A IN example.org. udp 40 false 1000\" NOERROR qr,aa,rd 91 Ds"
        },
        {
            "tcp size is 65535", ". {\n log\n whoami\n}\n", new QueryBuilder("example.org.") { Rd = false }, DnsTransport.Tcp,
            "[INFO] 127.0.0.1:PORT - 4660 \"A IN example.org. tcp 29 false 65535\" NOERROR qr,aa 91 Ds"
        },
        {
            "servfail at the end of the chain", ". {\n log\n}\n", new QueryBuilder("example.org."), DnsTransport.Udp,
            "[INFO] 127.0.0.1:PORT - 4660 \"A IN example.org. udp 29 false 512\" SERVFAIL qr,rd 29 Ds"
        },
        {
            "nxdomain with authority and glue", ". {\n log\n testanswer\n}\n", new QueryBuilder("nxdomain.example.org."), DnsTransport.Udp,
            "[INFO] 127.0.0.1:PORT - 4660 \"A IN nxdomain.example.org. udp 38 false 512\" NXDOMAIN qr,aa,rd 153 Ds"
        },
        {
            "combined adds the opcode", ". {\n log . {combined}\n whoami\n}\n", new QueryBuilder("example.org."), DnsTransport.Udp,
            "[INFO] 127.0.0.1:PORT - 4660 \"A IN example.org. udp 29 false 512\" NOERROR qr,aa,rd 91 Ds \"0\""
        },
        {
            "custom format with every label", ". {\n log . \"{type} {name} {class} {proto} {remote} {local} {size} port={port} {duration} {rcode} {rsize} {>rflags} {>bufsize} {>do} {>id} {>opcode}\"\n whoami\n}\n",
            new QueryBuilder("example.org.", RrType.TXT), DnsTransport.Udp,
            "[INFO] TXT example.org. IN udp 127.0.0.1 127.0.0.1 29 port=PORT Ds NOERROR 91 qr,aa,rd 512 false 4660 0"
        },
        {
            "unknown placeholders stay, unknown metadata is a dash, log/type and log/class resolve", ". {\n log . \"{host} {/nope} {/log/type} {/log/class} port={port}\"\n testanswer\n}\n",
            new QueryBuilder("nodata.example.org."), DnsTransport.Udp,
            "[INFO] {host} - NODATA denial port=PORT"
        },
        {
            "common inside a longer format", ". {\n log . \"<{common}>\"\n whoami\n}\n", new QueryBuilder("example.org."), DnsTransport.Udp,
            "[INFO] <127.0.0.1:PORT - 4660 \"A IN example.org. udp 29 false 512\" NOERROR qr,aa,rd 91 Ds>"
        },
    };

    [Theory, MemberData(nameof(Lines))]
    public async Task Log_should_write_one_line_per_query_in_the_configured_format(string why, string corefile, QueryBuilder query, DnsTransport transport, string expected)
    {
        var port = _nextPort + 1;
        var lines = await LinesFor(corefile, query, transport);
        Assert.True(lines.Length == 1, $"{why}: expected one line, got {lines.Length}");
        Assert.Equal(expected.Replace("PORT", port.ToString()), lines[0]);
    }

    [Fact]
    public async Task Log_should_bracket_ipv6_addresses()
    {
        var port = _nextPort + 1;
        var lines = await LinesFor(". {\n log . \"{remote} port={port}\"\n whoami\n}\n", new QueryBuilder("example.org."), from: IPAddress.IPv6Loopback);
        Assert.Equal([$"[INFO] [::1] port={port}"], lines);
    }

    public static TheoryData<string, string, bool> Classes => new()
    {
        // class list, qname (testanswer picks the reply), logged?
        { "denial", "nxdomain.example.org.", true },
        { "denial", "nodata.example.org.", true },
        { "denial", "answer.example.org.", false },
        { "denial", "servfail.example.org.", false },
        { "success", "answer.example.org.", true },
        { "success", "referral.example.org.", true },
        { "success", "nxdomain.example.org.", false },
        { "error", "servfail.example.org.", true },
        { "error", "refused.example.org.", true },
        { "error", "answer.example.org.", false },
        { "denial error", "servfail.example.org.", true },
        { "denial error", "answer.example.org.", false },
        { "denial\n  class error", "servfail.example.org.", true },
        { "all", "answer.example.org.", true },
        { "all denial", "answer.example.org.", true },
    };

    [Theory, MemberData(nameof(Classes))]
    public async Task Log_should_only_log_the_configured_classes(string classes, string qname, bool logged)
    {
        var lines = await LinesFor($". {{\n log {{\n  class {classes}\n }}\n testanswer\n}}\n", new QueryBuilder(qname));
        Assert.Equal(logged ? 1 : 0, lines.Length);
    }

    public static TheoryData<string, string, string?> Names => new()
    {
        // log lines, qname, the format prefix that logged it (null: none)
        { "log example.org \"A port={port}\"", "www.example.org.", "A" },
        { "log example.org \"A port={port}\"", "WWW.EXAMPLE.ORG.", "A" },
        { "log example.org \"A port={port}\"", "example.net.", null },
        { "log example.org \"A port={port}\"", "notexample.org.", null },
        { "log example.org example.net \"A port={port}\"", "example.net.", "A" },
        { "log example.org \"A port={port}\"\n log . \"B port={port}\"", "www.example.org.", "A" },
        { "log example.org \"A port={port}\"\n log . \"B port={port}\"", "www.example.net.", "B" },
        { "log . \"B port={port}\"\n log example.org \"A port={port}\"", "www.example.org.", "B" },
        { "log example.org \"A port={port}\" {\n  class error\n }\n log . \"B port={port}\"", "answer.example.org.", null },
    };

    [Theory, MemberData(nameof(Names))]
    public async Task Log_should_use_the_first_rule_whose_name_holds_the_query(string logLines, string qname, string? prefix)
    {
        var port = _nextPort + 1;
        var lines = await LinesFor($". {{\n {logLines}\n testanswer\n}}\n", new QueryBuilder(qname));
        Assert.Equal(prefix is null ? [] : [$"[INFO] {prefix} port={port}"], lines);
    }

    [Theory]
    [InlineData(0.037990251, "0.037990251")]
    [InlineData(1.5, "1.5")]
    [InlineData(2.0, "2")]
    [InlineData(0.0000123, "0.0000123")]
    [InlineData(1e-9, "0.000000001")]
    [InlineData(0.0, "0")]
    public void Log_should_print_durations_like_go(double seconds, string text)
    {
        var b = new System.Text.StringBuilder();
        LogFormat.AppendSeconds(b, seconds);
        Assert.Equal(text, b.ToString());
    }
}

public sealed class LogSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private IReadOnlyList<LogRule> RulesOf(string directives) => PluginPlans.PluginOf<LogPlugin>(Sys, directives).Rules;

    public static TheoryData<string, string[], string, string> Parsed => new()
    {
        // directives, name scopes, format, classes
        { "log", ["."], LogFormat.Common, "all" },
        { "log example.org", ["example.org."], LogFormat.Common, "all" },
        { "log {combined}", ["{combined}."], LogFormat.Common, "all" },
        { "log example.org. {common}", ["example.org."], LogFormat.Common, "all" },
        { "log example.org {combined}", ["example.org."], LogFormat.Combined, "all" },
        { "log example.org\n log example.net {combined}", ["example.org.", "example.net."], LogFormat.Common + "|" + LogFormat.Combined, "all|all" },
        { "log example.org example.net", ["example.org.", "example.net."], LogFormat.Common, "all" },
        { "log example.org example.net {host}", ["example.org.", "example.net."], "{host}", "all" },
        { "log example.org example.net {when} {\n class denial\n }", ["example.org.", "example.net."], "{when}", "denial" },
        { "log {\n class denial error\n }", ["."], LogFormat.Common, "denial,error" },
        { "log {\n class denial\n class error\n }", ["."], LogFormat.Common, "denial,error" },
        { "log example.org \"{when} {combined} {/forward/upstream}\"", ["example.org."], "{when} " + LogFormat.Combined + " {/forward/upstream}", "all" },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Log_should_parse_names_format_and_classes_like_coredns(string directives, string[] scopes, string formats, string classes)
    {
        var rules = RulesOf(directives);
        Assert.Equal(scopes, rules.Select(r => r.NameScope));
        var f = formats.Split('|');
        var c = classes.Split('|');
        for (var i = 0; i < rules.Count; i++)
        {
            Assert.Equal(f[Math.Min(i, f.Length - 1)], rules[i].Format.Text);
            Assert.Equal(c[Math.Min(i, c.Length - 1)], string.Join(",", rules[i].Classes.Select(x => x.Name()).Order()));
        }
    }

    [Theory]
    [InlineData("log {\n class abracadabra\n }", "Corefile:3 - Error during parsing: plugin/log: invalid Class: abracadabra")]
    [InlineData("log {\n class\n }", "Corefile:3 - Error during parsing: plugin/log: Wrong argument count or unexpected line ending after 'class'")]
    [InlineData("log {\n unknown\n }", "Corefile:3 - Error during parsing: plugin/log: unknown property 'unknown'")]
    public void Log_should_reject_bad_blocks_with_coredns_message(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
