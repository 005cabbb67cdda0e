using System.Text.RegularExpressions;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins;

/// <summary>Every <c>~~~ corefile</c> example in these plugins' READMEs parses, and is set up when every directive it uses is built.</summary>
public sealed class ReadmeExamplesSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string> Folders => new() { "Chaos", "Any", "Bufsize", "Nsid", "Minimal", "Header", "Log", "Errors" };

    private static string PluginsDir()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Akka.Dns.sln"))) dir = Path.GetDirectoryName(dir);
        return Path.Combine(dir ?? throw new InvalidOperationException("Akka.Dns.sln not found above the test directory"), "src", "Akka.Dns", "Plugins");
    }

    [Theory, MemberData(nameof(Folders))]
    public void Readme_should_have_the_coredns_sections_and_examples_that_set_up(string folder)
    {
        var text = File.ReadAllText(Path.Combine(PluginsDir(), folder, "README.md"));
        foreach (var section in new[] { "## Name", "## Description", "## Syntax", "## Examples", "## Supervision", "## Bugs" })
            Assert.Contains("\n" + section + "\n", text);
        var examples = Regex.Matches(text, "~~~ corefile\n(.*?)~~~", RegexOptions.Singleline);
        Assert.NotEmpty(examples);
        var catalog = PluginCatalog.Default;
        foreach (Match m in examples)
        {
            var doc = CorefileParser.Parse(m.Groups[1].Value, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
            var used = doc.Blocks.SelectMany(b => b.Directives).Select(d => d.Name).Distinct();
            if (used.All(d => catalog.TryGetSetup(d, out _))) PluginPlans.Plan(Sys, m.Groups[1].Value);
        }
    }
}
