using System.Collections.Concurrent;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Errors;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Akka.Dns.Tests.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Errors;

[Collection(LineLogCollection.Name)]
public sealed class ErrorsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>Sends <paramref name="labels"/> (testanswer picks the reply by the first label) under a zone no other test uses; returns the lines naming that zone, after the harness stopped.</summary>
    private async Task<string[]> LinesFor(string directives, params string[] labels)
    {
        var zone = $"z{Guid.NewGuid():N}.example.";
        var seen = new ConcurrentQueue<string>();
        using (LineLog.Subscribe(seen.Enqueue))
        {
            await using (var h = PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n", TestAnswerSetup.Catalog))
            {
                foreach (var l in labels) await h.QueryAsync(new QueryBuilder($"{l}.{zone}"));
                Assert.True(LineLog.Flush());
            }
            Assert.True(LineLog.Flush());
        }
        return seen.Where(l => l.Contains(zone) || l.Contains("errors like")).Select(l => l.Replace(zone, "ZONE")).ToArray();
    }

    public static TheoryData<string, string[], string[]> Cases => new()
    {
        {
            "errors\n testanswer", ["servfail", "answer", "nxdomain", "refused"],
            [
                "[ERROR] plugin/errors: 2 servfail.ZONE A: testanswer: failed for servfail.ZONE",
                "[ERROR] plugin/errors: 5 refused.ZONE A: testanswer: failed for refused.ZONE",
            ]
        },
        {
            "errors stdout", ["www"],
            ["[ERROR] plugin/errors: 2 www.ZONE A: plugin/errors: no next plugin found"]
        },
        {
            "errors\n testanswer", ["Servfail"],
            ["[ERROR] plugin/errors: 2 servfail.ZONE A: testanswer: failed for Servfail.ZONE"]
        },
        {
            "testanswer", ["servfail"],
            []
        },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Errors_should_log_every_reply_that_carries_an_error(string directives, string[] labels, string[] expected)
    {
        Assert.Equal(expected, await LinesFor(directives, labels));
    }

    [Fact]
    public async Task Errors_should_log_a_crash_as_servfail()
    {
        var lines = await LinesFor("errors\n testanswer", "throw");
        var line = Assert.Single(lines);
        Assert.StartsWith("[ERROR] plugin/errors: 2 throw.ZONE A: plugin/testanswer: InvalidOperationException: testanswer crashed on throw.ZONE", line);
    }

    public static TheoryData<string, string[], string[]> Consolidated => new()
    {
        {
            "consolidate 1h \"^testanswer: failed\"", ["servfail", "servfail", "answer", "refused"],
            ["[ERROR] plugin/errors: 3 errors like '^testanswer: failed' occurred in last 1h0m0s"]
        },
        {
            "consolidate 5m \"^testanswer: failed\" warning", ["servfail", "servfail"],
            ["[WARNING] plugin/errors: 2 errors like '^testanswer: failed' occurred in last 5m0s"]
        },
        {
            "consolidate 30s \"^testanswer: failed\" info show_first", ["servfail", "refused", "servfail"],
            [
                "[INFO] plugin/errors: 2 servfail.ZONE A: testanswer: failed for servfail.ZONE",
                "[INFO] plugin/errors: 3 errors like '^testanswer: failed' occurred in last 30s",
            ]
        },
        {
            "consolidate 30s \"^testanswer: failed\" warning show_first", ["servfail"],
            ["[WARNING] plugin/errors: 2 servfail.ZONE A: testanswer: failed for servfail.ZONE"]
        },
        {
            "consolidate 30s \"^testanswer: failed\" debug", ["servfail"],
            []
        },
        {
            "consolidate 30s \"no next plugin\"", ["servfail"],
            ["[ERROR] plugin/errors: 2 servfail.ZONE A: testanswer: failed for servfail.ZONE"]
        },
        {
            "consolidate 1m \"servfail\" warning\n  consolidate 1m \"failed\" info", ["servfail", "refused"],
            [
                "[WARNING] plugin/errors: 1 errors like 'servfail' occurred in last 1m0s",
                "[INFO] plugin/errors: 1 errors like 'failed' occurred in last 1m0s",
            ]
        },
    };

    [Theory, MemberData(nameof(Consolidated))]
    public async Task Errors_should_consolidate_matching_errors_into_one_line_per_period(string consolidate, string[] labels, string[] expected)
    {
        // Periods are long: the summary comes from stopping the block, as CoreDNS prints pending counts on shutdown.
        Assert.Equal(expected, await LinesFor($"errors {{\n  {consolidate}\n }}\n testanswer", labels));
    }

    [Fact]
    public async Task Errors_should_print_debug_level_lines_only_in_a_block_with_debug()
    {
        var lines = await LinesFor("debug\n errors {\n  consolidate 30s \"^testanswer: failed\" debug show_first\n }\n testanswer", "servfail");
        Assert.Equal(["[DEBUG] plugin/errors: 2 servfail.ZONE A: testanswer: failed for servfail.ZONE"], lines);
    }

    [Fact]
    public async Task Errors_should_print_the_summary_when_the_period_ends()
    {
        var zone = $"z{Guid.NewGuid():N}.example.";
        var summary = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sub = LineLog.Subscribe(l => { if (l.Contains(zone[..10])) summary.TrySetResult(l); });
        await using var h = PipelineHarness.Start(Sys, $". {{\n errors {{\n  consolidate 200ms \"{zone[..10]}\"\n }}\n testanswer\n}}\n", TestAnswerSetup.Catalog);
        await h.QueryAsync(new QueryBuilder($"servfail.{zone}"));
        await h.QueryAsync(new QueryBuilder($"refused.{zone}"));
        var line = await summary.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal($"[ERROR] plugin/errors: 2 errors like '{zone[..10]}' occurred in last 200ms", line);
    }
}

public sealed class ErrorsSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Theory]
    [InlineData("errors", 0, false)]
    [InlineData("errors stdout", 0, false)]
    [InlineData("errors {\n stacktrace\n }", 0, true)]
    [InlineData("errors {\n consolidate 1m .* warning\n consolidate 30s ^Failed error show_first\n stacktrace\n }", 2, true)]
    public void Errors_should_parse_its_block(string directives, int patterns, bool stacktrace)
    {
        var o = PluginPlans.PluginOf<ErrorsPlugin>(Sys, directives).Options;
        Assert.Equal(patterns, o.Patterns.Count);
        Assert.Equal(stacktrace, o.Stacktrace);
    }

    [Fact]
    public void Errors_should_read_consolidate_arguments()
    {
        var p = PluginPlans.PluginOf<ErrorsPlugin>(Sys, "errors {\n consolidate 1.5h \"^a b$\" info show_first\n }").Options.Patterns.Single();
        Assert.Equal((TimeSpan.FromMinutes(90), "^a b$", ErrorLevel.Info, true), (p.Period, p.Text, p.Level, p.ShowFirst));
    }

    public static TheoryData<string, string> Bad => new()
    {
        { "errors errors.txt", "Corefile:2 - Error during parsing: plugin/errors: invalid log file: errors.txt" },
        { "errors a b", "Corefile:2 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after 'b'" },
        { "errors\n errors", "Corefile:3 - Error during parsing: plugin/errors: this plugin can only be used once per Server Block" },
        { "errors {\n log visible\n }", "Corefile:3 - Error during parsing: plugin/errors: Unexpected token 'log', expecting 'Unknown field log'" },
        { "errors {\n consolidate\n }", "Corefile:3 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after 'consolidate'" },
        { "errors {\n consolidate 1m\n }", "Corefile:3 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after '1m'" },
        { "errors {\n consolidate 1m .* error show_first extra\n }", "Corefile:3 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after 'extra'" },
        { "errors {\n consolidate abc .*\n }", "Corefile:3 - Error during parsing: plugin/errors: time: invalid duration \"abc\"" },
        { "errors {\n consolidate 1x .*\n }", "Corefile:3 - Error during parsing: plugin/errors: time: unknown unit \"x\" in duration \"1x\"" },
        { "errors {\n consolidate 1m .* warning error\n }", "Corefile:3 - Error during parsing: plugin/errors: multiple log levels specified in consolidate" },
        { "errors {\n consolidate 1m .* show_first warning\n }", "Corefile:3 - Error during parsing: plugin/errors: log level must come before show_first in consolidate" },
        { "errors {\n consolidate 1m .* loud\n }", "Corefile:3 - Error during parsing: plugin/errors: unknown option in consolidate: loud" },
        { $"errors {{\n consolidate 1m {new string('a', 10001)}\n }}", "Corefile:3 - Error during parsing: plugin/errors: regex pattern too long: 10001 > 10000" },
    };

    [Theory, MemberData(nameof(Bad))]
    public void Errors_should_reject_bad_configuration_with_coredns_message(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directives}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Errors_should_reject_an_invalid_regexp()
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, ". {\n errors {\n consolidate 1m \"a(\"\n }\n}\n"));
        Assert.StartsWith("Corefile:3 - Error during parsing: plugin/errors: ", e.Message);
    }

    [Theory]
    [InlineData("1h", "1h0m0s")]
    [InlineData("1h30m", "1h30m0s")]
    [InlineData("90m", "1h30m0s")]
    [InlineData("30s", "30s")]
    [InlineData("5m", "5m0s")]
    [InlineData("1.5s", "1.5s")]
    [InlineData("200ms", "200ms")]
    [InlineData("1500us", "1.5ms")]
    [InlineData("0", "0s")]
    [InlineData("-2m", "-2m0s")]
    public void Errors_should_print_the_period_like_go(string text, string printed)
    {
        var p = PluginPlans.PluginOf<ErrorsPlugin>(Sys, $"errors {{\n consolidate {text} x\n }}").Options.Patterns.Single();
        Assert.Equal(printed, p.PeriodText);
    }
}
