using System.Globalization;
using System.Text.RegularExpressions;

namespace Akka.Dns.Tests.Plugins.Prometheus;

/// <summary>The text exposition format read back: one sample per series, labels compared as a set.</summary>
public sealed partial class Scrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public Scrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var m = Sample().Match(line);
            if (!m.Success) throw new FormatException("not a sample: " + line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match l in Label().Matches(m.Groups["labels"].Value)) labels[l.Groups[1].Value] = l.Groups[2].Value.Replace("\\\"", "\"").Replace("\\\\", "\\");
            _samples.Add((m.Groups["name"].Value, labels, double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    /// <summary>The value of the series with exactly these labels; null when there is none.</summary>
    public double? Value(string name, params (string Label, string Value)[] labels)
    {
        foreach (var s in _samples)
        {
            if (s.Name != name || s.Labels.Count != labels.Length) continue;
            if (labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)) return s.Value;
        }
        return null;
    }

    /// <summary>Every series of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public IReadOnlyList<(Dictionary<string, string> Labels, double Value)> Series(string name, params (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .Select(s => (s.Labels, s.Value)).ToList();

    /// <summary>Metric names announced with # TYPE.</summary>
    public IEnumerable<string> Names => Text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \S+)?$""")]
    private static partial Regex Sample();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?""")]
    private static partial Regex Label();
}
