using System.Reflection;
using System.Text.RegularExpressions;
using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Tests.Config;
using Xunit;

namespace Akka.Dns.Tests.Docs;

/// <summary>
/// A plugin README's "## Metrics" list is what the plugin exports: the metrics declared in its folder's static
/// <c>&lt;Folder&gt;Metrics</c> class, by name and label names, and nothing else.
/// </summary>
public sealed class PluginMetricsReadmeSpec
{
    public static TheoryData<string> Folders() => PluginReadmeSpec.Readmes();

    /// <summary>"name{a, b}" for every metric the folder's metrics class declares.</summary>
    private static SortedSet<string> Declared(string folder)
    {
        var type = PrometheusMetrics.PluginMetricClasses().SingleOrDefault(t => t.Namespace == "Akka.Dns.Plugins." + folder);
        var set = new SortedSet<string>(StringComparer.Ordinal);
        if (type is null) return set;
        foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            if (f.GetValue(null) is global::Prometheus.Collector c)
                set.Add($"{c.Name}{{{string.Join(", ", c.LabelNames)}}}");
        return set;
    }

    /// <summary>The bullets of the README's "## Metrics" section that start with a metric in backticks.</summary>
    private static SortedSet<string> Listed(string folder)
    {
        var text = File.ReadAllText(Path.Combine(RepoRoot.Path, "src/Akka.Dns/Plugins", folder, "README.md"));
        var set = new SortedSet<string>(StringComparer.Ordinal);
        var m = Regex.Match(text, @"\n## Metrics\n(.*?)(\n## |\z)", RegexOptions.Singleline);
        if (!m.Success) return set;
        foreach (Match b in Regex.Matches(m.Groups[1].Value, @"^[*-] `([a-z][a-z0-9_]*)\{([^}`]*)\}`", RegexOptions.Multiline))
        {
            var labels = b.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            set.Add($"{b.Groups[1].Value}{{{string.Join(", ", labels)}}}");
        }
        return set;
    }

    [Theory, MemberData(nameof(Folders))]
    public void A_readme_should_list_exactly_the_metrics_its_plugin_exports(string folder)
    {
        Assert.Equal(Declared(folder), Listed(folder));
    }

    [Fact]
    public void The_spec_should_see_the_metrics_of_the_plugins_that_have_them()
    {
        Assert.Contains("coredns_dns_requests_total{server, zone, view, proto, family, type}", Declared("Prometheus"));
        Assert.Contains("coredns_reload_failed_total{}", Declared("Reload"));
        Assert.Contains("coredns_cache_hits_total{server, type, zones, view}", Declared("Cache"));
        Assert.Empty(Declared("Whoami"));
    }
}
