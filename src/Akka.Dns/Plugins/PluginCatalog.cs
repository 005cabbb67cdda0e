using System.Reflection;
using Akka.Dns.Corefile;

namespace Akka.Dns.Plugins;

/// <summary>
/// plugin.cfg read once: the ordered directive list (chain order) and, for each directive, the setup class
/// built into this assembly (found by its <see cref="PluginAttribute"/>). A directive listed but not built is
/// known (the Corefile parser accepts it) and rejected with its own message when a block uses it.
/// </summary>
public sealed class PluginCatalog
{
    private readonly Dictionary<string, IPluginSetup> _setups;
    private readonly Dictionary<string, int> _order;

    public PluginCatalog(IReadOnlyList<(string Directive, string Folder)> entries, IReadOnlyDictionary<string, IPluginSetup> setups)
    {
        Entries = entries;
        _order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++) _order[entries[i].Directive] = i;
        _setups = new Dictionary<string, IPluginSetup>(setups, StringComparer.Ordinal);
        foreach (var name in _setups.Keys)
            if (!_order.ContainsKey(name)) throw new InvalidOperationException($"plugin '{name}' is built but not listed in plugin.cfg");
    }

    private static readonly Lazy<PluginCatalog> DefaultCatalog = new(() => new PluginCatalog(ReadPluginCfg(), DiscoverSetups(typeof(PluginCatalog).Assembly)));

    /// <summary>The catalog of this build: the embedded plugin.cfg and every [Plugin] setup in Akka.Dns.</summary>
    public static PluginCatalog Default => DefaultCatalog.Value;

    /// <summary>plugin.cfg's lines in order.</summary>
    public IReadOnlyList<(string Directive, string Folder)> Entries { get; }

    /// <summary>Every directive the Corefile may use (built or not).</summary>
    public IReadOnlySet<string> KnownDirectives => _order.Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>The directives that are built in, alphabetically (what -plugins prints).</summary>
    public IEnumerable<string> Built => _setups.Keys.Order(StringComparer.Ordinal);

    public int Position(string directive) => _order.TryGetValue(directive, out var i) ? i : -1;

    public bool TryGetSetup(string directive, out IPluginSetup setup) => _setups.TryGetValue(directive, out setup!);

    /// <summary>A catalog with one more plugin inserted right after <paramref name="after"/> in the order (test plugins).</summary>
    public PluginCatalog With(string directive, IPluginSetup setup, string after)
    {
        var entries = Entries.ToList();
        var at = entries.FindIndex(e => e.Directive == after);
        if (at < 0) throw new ArgumentException($"'{after}' is not in plugin.cfg", nameof(after));
        entries.Insert(at + 1, (directive, directive));
        var setups = new Dictionary<string, IPluginSetup>(_setups) { [directive] = setup };
        return new PluginCatalog(entries, setups);
    }

    public static IReadOnlyList<(string Directive, string Folder)> ReadPluginCfg()
    {
        using var s = typeof(PluginCatalog).Assembly.GetManifestResourceStream("Akka.Dns.plugin.cfg")
            ?? throw new InvalidOperationException("plugin.cfg is not embedded in Akka.Dns");
        using var r = new StreamReader(s);
        return Parse(r.ReadToEnd());
    }

    public static IReadOnlyList<(string Directive, string Folder)> Parse(string text)
    {
        var list = new List<(string, string)>();
        var n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':');
            if (colon <= 0 || colon == line.Length - 1) throw new FormatException($"plugin.cfg:{n}: expected NAME:FOLDER, got '{line}'");
            list.Add((line[..colon], line[(colon + 1)..]));
        }
        return list;
    }

    public static Dictionary<string, IPluginSetup> DiscoverSetups(Assembly assembly)
    {
        var found = new Dictionary<string, IPluginSetup>(StringComparer.Ordinal);
        foreach (var t in assembly.GetTypes())
        {
            var a = t.GetCustomAttribute<PluginAttribute>();
            if (a is null || t.IsAbstract || !typeof(IPluginSetup).IsAssignableFrom(t)) continue;
            if (!found.TryAdd(a.Name, (IPluginSetup)Activator.CreateInstance(t)!))
                throw new InvalidOperationException($"two setups claim plugin '{a.Name}'");
        }
        return found;
    }
}
