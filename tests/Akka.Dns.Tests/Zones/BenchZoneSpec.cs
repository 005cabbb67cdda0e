using System.Diagnostics;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Zones;

public class BenchZoneSpec(ITestOutputHelper output)
{
    // ../shared/bench/data next to the repository (the shared benchmark data; not copied in).
    internal static readonly string ZonePath = Environment.GetEnvironmentVariable("AKKA_DNS_SHARED_BENCH") is { Length: > 0 } env
        ? Path.GetFullPath(Path.Combine(env, "data", "example.org.zone"))
        : Path.GetFullPath(Path.Combine(Akka.Dns.Tests.Config.RepoRoot.Path, "..", "shared", "bench", "data", "example.org.zone"));

    [BenchZoneFact]
    public void Bench_zone_should_parse_completely_and_survive_a_write_parse_round_trip()
    {
        Assert.True(File.Exists(ZonePath), $"{ZonePath} is missing");
        var text = File.ReadAllText(ZonePath);
        MasterFile.Parse(text, "example.org.", ZonePath);           // warm up the JIT before timing

        var sw = Stopwatch.StartNew();
        var records = MasterFile.ParseFile(ZonePath, "example.org.");
        var parse = sw.Elapsed;
        sw.Restart();
        var written = MasterFile.Write(records);
        var write = sw.Elapsed;
        sw.Restart();
        var again = MasterFile.Parse(written, ".", "written");
        var reparse = sw.Elapsed;
        output.WriteLine($"{records.Count} records: parse {parse.TotalMilliseconds:F1} ms, write {write.TotalMilliseconds:F1} ms, parse written {reparse.TotalMilliseconds:F1} ms");

        var (lines, byType) = IndependentCount(text);
        Assert.Equal(lines, records.Count);
        foreach (var (type, count) in byType)
            Assert.True(count == records.Count(r => RrType.ToString(r.Type) == type), $"{type}: file has {count}, parsed {records.Count(r => RrType.ToString(r.Type) == type)}");
        MasterFileSpec.AssertSame(records, again);
        Assert.All(records, r => Assert.True(DnsName.IsSubdomain(r.Name, "example.org."), r.Name));
    }

    /// <summary>
    /// A deliberately naive count (the bench zone is one record per line, no parentheses): every line that is not
    /// blank, a comment or a directive is a record; its type is the first token after the owner that is not a
    /// number or IN.
    /// </summary>
    private static (int Lines, Dictionary<string, int> ByType) IndependentCount(string text)
    {
        var count = 0;
        var byType = new Dictionary<string, int>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '$') continue;
            Assert.DoesNotContain("(", line.Split('"')[0]);
            count++;
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var type = parts.Skip(raw[0] is ' ' or '\t' ? 0 : 1).First(p => p != "IN" && !char.IsAsciiDigit(p[0]));
            byType[type] = byType.GetValueOrDefault(type) + 1;
        }
        return (count, byType);
    }
}

/// <summary>Runs where the shared bench zone exists (../shared/bench next to the repository); skipped, with the reason, elsewhere.</summary>
public sealed class BenchZoneFactAttribute : FactAttribute
{
    public BenchZoneFactAttribute()
    {
        if (!File.Exists(BenchZoneSpec.ZonePath)) Skip = $"needs {BenchZoneSpec.ZonePath} (../shared/bench next to the repository, or AKKA_DNS_SHARED_BENCH)";
    }
}
