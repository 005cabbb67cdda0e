using System.Text.RegularExpressions;
using Akka.Dns.Plugins.File;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Auto;

/// <summary>
/// What one auto instance loads, and the walk that loads it (CoreDNS's auto.Walk plus each zone's reload tick):
/// the files under <see cref="Directory"/>, recursively and in name order, whose name <see cref="Regex"/> matches
/// give an origin through <see cref="Template"/>. A new file is parsed (an error is logged and the zone is not
/// served), a known one re-parsed and swapped in only when its SOA serial changed (an error keeps the running
/// version), and the zone of a file that is gone is dropped. Only origins inside the instance's zones are loaded.
/// Walks are run by one caller at a time (the setup, then the owner actor); <see cref="Current"/> may be read by
/// any thread.
/// </summary>
public sealed class AutoLoader(string directory, Regex regex, string template, IReadOnlyList<string> zones)
{
    private readonly Dictionary<string, Loaded> _loaded = new(StringComparer.Ordinal);
    private volatile ZoneSet _current = ZoneSet.Empty;
    private long _walks;

    public string Directory { get; } = directory;
    public Regex Regex { get; } = regex;
    /// <summary>The origin template in Go's ExpandString form (<c>${1}</c>).</summary>
    public string Template { get; } = template;
    /// <summary>The zones this instance is authoritative for (auto's ZONES, or the block's).</summary>
    public IReadOnlyList<string> Zones { get; } = zones;

    /// <summary>The zone set published by the last walk.</summary>
    public ZoneSet Current => _current;

    /// <summary>How many walks have completed (a walk that started after a file changed has seen the change).</summary>
    public long Walks => Interlocked.Read(ref _walks);

    /// <summary>The origin a file name gives, fully qualified and lower-case, or null when the name does not match.</summary>
    public string? OriginOf(string fileName)
    {
        var m = Regex.Match(Path.GetFileName(fileName));
        if (!m.Success) return null;
        var origin = GoRegexp.Expand(Template, m, Regex);
        return DnsName.Normalize(origin.EndsWith('.') ? origin : origin + ".");
    }

    /// <summary>Scans the directory once, publishes the resulting set and returns the zones that are new or changed.</summary>
    public IReadOnlyList<ZoneLoaded> Walk()
    {
        var changed = new List<ZoneLoaded>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var before = _loaded.Count;
        var dropped = new HashSet<string>(_loaded.Keys, StringComparer.Ordinal);
        foreach (var path in Files())
        {
            var origin = OriginOf(path);
            if (origin is null || ZoneMatch.Longest(Zones, origin) is null) continue;
            if (seen.TryGetValue(origin, out var previous) && previous != path)
            {
                LineLog.Warning($"plugin/auto: Multiple zone files match origin {GoNet.Quote(origin)}: using {GoNet.Quote(previous)} instead of {GoNet.Quote(path)}");
                continue;
            }
            seen[origin] = path;
            if (_loaded.TryGetValue(origin, out var known))
            {
                dropped.Remove(origin);
                var reloaded = Parse(origin, path, known.Zone.Serial);
                if (reloaded is null)
                {
                    _loaded[origin] = known with { Path = path };
                    continue;
                }
                _loaded[origin] = new Loaded(path, reloaded);
                changed.Add(new ZoneLoaded(origin, reloaded));
                LineLog.Info($"plugin/auto: Successfully reloaded zone {GoNet.Quote(origin)} in {GoNet.Quote(path)} with {reloaded.Serial} SOA serial");
                continue;
            }
            var zone = Parse(origin, path, null);
            if (zone is null) continue;
            _loaded[origin] = new Loaded(path, zone);
            changed.Add(new ZoneLoaded(origin, zone));
            LineLog.Info($"plugin/auto: Inserting zone `{origin}' from: {path}");
        }
        foreach (var origin in dropped)
        {
            _loaded.Remove(origin);
            LineLog.Info($"plugin/auto: Deleting zone `{origin}'");
        }
        if (changed.Count > 0 || dropped.Count > 0 || before != _loaded.Count)
        {
            var zones = new Dictionary<string, Zone>(StringComparer.Ordinal);
            foreach (var (origin, l) in _loaded) zones[origin] = l.Zone;
            _current = new ZoneSet(zones);
        }
        Interlocked.Increment(ref _walks);
        return changed;
    }

    /// <summary>
    /// The zone in <paramref name="path"/>, or null when it cannot be read or parsed (logged as CoreDNS does) or,
    /// for a known zone, when its serial is still <paramref name="serial"/> (not logged).
    /// </summary>
    private static Zone? Parse(string origin, string path, uint? serial)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (serial is null) LineLog.Warning($"plugin/auto: Opening {path} failed: {e.Message}");
            else LineLog.Error($"plugin/auto: Failed to open zone {GoNet.Quote(origin)} in {GoNet.Quote(path)}: {e.Message}");
            return null;
        }
        try
        {
            var zone = Zone.Build(origin, MasterFile.Parse(text, origin, path));
            return serial is { } s && zone.Serial == s ? null : zone;
        }
        catch (Exception e) when (e is MasterFileException or FormatException)
        {
            if (serial is null) LineLog.Warning($"plugin/auto: Parse zone `{origin}': {e.Message}");
            else LineLog.Error($"plugin/auto: Parsing zone {GoNet.Quote(origin)}: {e.Message}");
            return null;
        }
    }

    /// <summary>Go's filepath.Walk over the directory (its symlinks resolved first): files in name order, depth
    /// first; symbolic links are not followed into directories. An unreadable directory is logged and skipped.</summary>
    private List<string> Files()
    {
        var files = new List<string>();
        var root = Directory;
        try
        {
            if (new DirectoryInfo(root).ResolveLinkTarget(returnFinalTarget: true) is { } target) root = target.FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // keep the path as given, as Go does when EvalSymlinks fails
        }
        if (!System.IO.Directory.Exists(root))
        {
            if (System.IO.File.Exists(root)) files.Add(root);
            else LineLog.Warning($"plugin/auto: error reading {root}: lstat {root}: no such file or directory");
            return files;
        }
        Visit(root, files);
        return files;
    }

    private static void Visit(string dir, List<string> files)
    {
        string[] entries;
        try
        {
            entries = System.IO.Directory.GetFileSystemEntries(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LineLog.Warning($"plugin/auto: error reading {dir}: {e.Message}");
            return;
        }
        Array.Sort(entries, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var info = new FileInfo(e);
            if ((info.Attributes & FileAttributes.Directory) != 0 && info.LinkTarget is null) Visit(e, files);
            else files.Add(e);
        }
    }

    private sealed record Loaded(string Path, Zone Zone);
}
