using System.Text.RegularExpressions;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Auto;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Auto;

public sealed class AutoSetupSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly string Tmp = Path.GetTempPath().TrimEnd('/');

    public AutoSetupSpec(ITestOutputHelper output) : base(output: output) { }

    private AutoPlugin Parse(string directive) => PluginPlans.PluginOf<AutoPlugin>(Sys, directive);

    public static TheoryData<string, string, string, string, double> Parses => new()
    {
        // directive, directory, regexp, template, reload seconds (CoreDNS's TestAutoParse)
        { $"auto example.org {{\n directory {Tmp}\n }}", Tmp, @"db\.(.*)", "${1}", 60 },
        { $"auto {{\n directory {Tmp}\n reload 0\n }}", Tmp, @"db\.(.*)", "${1}", 0 },
        { $"auto {{\n directory {Tmp} (.*) bliep\n }}", Tmp, "(.*)", "bliep", 60 },
        { $"auto {{\n directory {Tmp} (.*) bliep\n reload 10s\n }}", Tmp, "(.*)", "bliep", 10 },
        { $"auto example.org {{\n directory {Tmp}\n upstream 8.8.8.8 1.1.1.1\n }}", Tmp, @"db\.(.*)", "${1}", 60 },
        { $"auto example.org {{\n directory {Tmp}\n upstream\n }}", Tmp, @"db\.(.*)", "${1}", 60 },
    };

    [Theory, MemberData(nameof(Parses))]
    public void Auto_should_parse_its_directive_as_coredns_does(string directive, string directory, string regexp, string template, double reload)
    {
        var a = Parse(directive);
        Assert.Equal(directory, a.Loader.Directory);
        Assert.Equal(regexp, a.Loader.Regex.ToString());
        Assert.Equal(template, a.Loader.Template);
        Assert.Equal(TimeSpan.FromSeconds(reload), a.Reload);
    }

    [Fact]
    public void Auto_should_take_its_zones_from_the_arguments_or_the_block()
    {
        Assert.Equal(["example.org.", "example.net."], Parse($"auto example.ORG example.net {{\n directory {Tmp}\n }}").Origins);
        Assert.Equal(["."], Parse($"auto {{\n directory {Tmp}\n }}").Origins);
        Assert.Equal(["0.0.10.in-addr.arpa."], Parse($"auto 10.0.0.0/24 {{\n directory {Tmp}\n }}").Origins);
    }

    [Fact]
    public void A_repeated_auto_should_configure_one_instance_where_the_last_zones_and_directory_win()
    {
        var a = Parse($"auto example.org {{\n directory /nonexistent (.*)\\.zone {{1}}\n reload 5s\n }}\n auto example.net {{\n directory {Tmp}\n }}");
        Assert.Equal(["example.net."], a.Origins);
        Assert.Equal(Tmp, a.Loader.Directory);
        Assert.Equal(@"(.*)\.zone", a.Loader.Regex.ToString());
        Assert.Equal(TimeSpan.FromSeconds(5), a.Reload);
    }

    [Fact]
    public void A_missing_directory_should_only_be_warned_about()
    {
        var a = Parse("auto {\n directory /nonexistent/akka-dns-auto\n }");
        Assert.Equal(0, a.Current.Count);
    }

    [Theory]
    [InlineData("auto example.org {\n directory\n }", "Corefile:3 - Error during parsing: plugin/auto: Wrong argument count or unexpected line ending after 'directory'")]
    [InlineData("auto {\n directory /tmp (.*)\n }", "Corefile:3 - Error during parsing: plugin/auto: Wrong argument count or unexpected line ending after '(.*)'")]
    [InlineData("auto {\n directory /tmp (.*) bliep 10\n }", "Corefile:3 - Error during parsing: plugin/auto: Wrong argument count or unexpected line ending after '10'")]
    [InlineData("auto example.org {\n directory /tmp * {1}\n }", "Corefile:3 - Error during parsing: plugin/auto: error parsing regexp: missing argument to repetition operator: `*`")]
    [InlineData("auto {\n directory /tmp ( {1}\n }", "Corefile:3 - Error during parsing: plugin/auto: error parsing regexp: missing closing ): `(`")]
    [InlineData("auto {\n directory /tmp a) {1}\n }", "Corefile:3 - Error during parsing: plugin/auto: error parsing regexp: unexpected ): `a)`")]
    [InlineData("auto {\n directory /tmp [a {1}\n }", "Corefile:3 - Error during parsing: plugin/auto: error parsing regexp: missing closing ]: `[a`")]
    [InlineData("auto {\n directory /tmp (?=a)(b) {1}\n }", "Corefile:3 - Error during parsing: plugin/auto: error parsing regexp: invalid or unsupported Perl syntax: `(?=a)(b)`")]
    [InlineData("auto {\n directory /tmp db\\..* {1}\n }", "Corefile:3 - Error during parsing: plugin/auto: Need at least one sub expression")]
    [InlineData("auto {\n directory /tmp\n no_reload\n }", "Corefile:4 - Error during parsing: plugin/auto: unknown property 'no_reload'")]
    [InlineData("auto {\n directory /tmp\n transfer to 127.0.0.1\n }", "Corefile:4 - Error during parsing: plugin/auto: unknown property 'transfer'")]
    [InlineData("auto {\n fallthrough\n }", "Corefile:3 - Error during parsing: plugin/auto: unknown property 'fallthrough'")]
    [InlineData("auto {\n directory .\n reload\n }", "Corefile:4 - Error during parsing: plugin/auto: reload duration value is expected")]
    [InlineData("auto {\n directory .\n reload -1s\n }", "Corefile:4 - Error during parsing: plugin/auto: plugin/file: invalid duration")]
    [InlineData("auto {\n directory .\n reload soon\n }", "Corefile:4 - Error during parsing: plugin/auto: plugin/file: time: invalid duration \"soon\"")]
    public void Setup_errors_should_read_as_coredns_does(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(directive));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_regexp_longer_than_ten_thousand_characters_should_be_refused()
    {
        var e = Assert.Throws<CorefileException>(() => Parse($"auto {{\n directory /tmp {new string('a', AutoSetup.MaxRegexpLength + 1)} {{1}}\n }}"));
        Assert.Equal("Corefile:3 - Error during parsing: plugin/auto: regexp too large", e.Message);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("{1}", "${1}")]
    [InlineData("{1", "${1")]
    public void The_template_should_be_rewritten_for_expansion_as_coredns_does(string template, string expected) =>
        Assert.Equal(expected, GoRegexp.RewriteToExpand(template));

    [Theory]
    [InlineData(@"db\.(.*)", "${1}", "db.example.org", "example.org")]
    [InlineData(@"(.*)\.(.*)\.zone", "${2}.${1}", "www.example.zone", "example.www")]
    [InlineData(@"db\.(.*)", "$1.", "db.example.org", "example.org.")]
    [InlineData(@"db\.(.*)", "${1", "db.example.org", "${1")]
    [InlineData(@"db\.(.*)", "$$${1}", "db.x", "$x")]
    [InlineData(@"db\.(.*)", "${2}x", "db.x", "x")]
    [InlineData(@"db\.(?P<zone>.*)", "${zone}", "db.example.org", "example.org")]
    public void The_template_should_expand_as_go_does(string pattern, string template, string fileName, string expected)
    {
        Assert.True(GoRegexp.TryCompile(pattern, out var re, out _));
        Assert.Equal(expected, GoRegexp.Expand(template, re!.Match(fileName), re));
    }

    [Fact]
    public void The_regexp_should_be_unanchored_and_the_origin_fully_qualified()
    {
        var loader = new AutoLoader("/tmp", new Regex(@"db\.(.*)"), "${1}", ["."]);
        Assert.Equal("example.org.", loader.OriginOf("/zones/www.db.Example.Org"));
        Assert.Null(loader.OriginOf("/zones/example.org"));
    }
}
