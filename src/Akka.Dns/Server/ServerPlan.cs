using System.Net;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;

namespace Akka.Dns.Server;

/// <summary>One server block with its plugins set up, in plugin.cfg order.</summary>
public sealed record BlockPlan(ServerBlock Block, BlockOptions Options, IReadOnlyList<Plugin> Plugins)
{
    public string Name => Block.Keys[0].Original;
}

/// <summary>One address:port:transport to listen on and the zones it serves.</summary>
public sealed record ListenerPlan(Transport Transport, IPAddress? Address, int Port, IReadOnlyList<(string Zone, BlockPlan Block)> Zones)
{
    /// <summary>The socket address: the bound address, or every interface (dual-stack) without bind.</summary>
    public IPEndPoint EndPoint => new(Address ?? IPAddress.IPv6Any, Port);
}

/// <summary>
/// A Corefile turned into what the server runs: every block's plugins set up and validated, listeners grouped
/// by address and port (CoreDNS's groupConfigsByListenAddr). Building it has no side effects, so a reload can
/// build the new plan and keep the old config serving when this throws.
/// </summary>
public sealed class ServerPlan
{
    private ServerPlan(IReadOnlyList<BlockPlan> blocks, IReadOnlyList<ListenerPlan> listeners, IReadOnlyList<string> startupLines)
    {
        Blocks = blocks;
        Listeners = listeners;
        StartupLines = startupLines;
    }

    public IReadOnlyList<BlockPlan> Blocks { get; }
    public IReadOnlyList<ListenerPlan> Listeners { get; }
    /// <summary>What CoreDNS prints at start-up for each served key (".:1053", "example.org.:1053 on 127.0.0.1").</summary>
    public IReadOnlyList<string> StartupLines { get; }

    /// <summary>Sets up every block's plugins and validates the listeners. Throws <see cref="CorefileException"/>.</summary>
    public static ServerPlan Build(CorefileDocument doc, PluginCatalog catalog, DnsSettings settings, int dnsPort)
    {
        var blocks = new List<BlockPlan>();
        foreach (var block in doc.Blocks)
        {
            foreach (var key in block.Keys)
            {
                if (!Akka.Dns.Server.Listeners.TransportListeners.IsServed(key.Transport))
                    throw new CorefileException(key.File, key.Line, $"cannot serve {key.Original}: the {ServerKey.SchemePrefix(key.Transport)} transport is not served by this Akka.Dns build yet (only dns:// is); remove the key or use dns://");
            }
            blocks.Add(SetUp(block, catalog, settings, dnsPort));
        }

        // Group keys by listener, refusing a zone defined twice on the same address and a zone that is both bound
        // and unbound on one port (CoreDNS's validateZonesAndListeningAddresses / zoneOverlap).
        var groups = new Dictionary<(Transport, int, IPAddress?), List<(string, BlockPlan)>>();
        var registered = new HashSet<(Transport, string, int, IPAddress?)>();
        var unbound = new Dictionary<(Transport, string, int), string>();
        var lines = new List<string>();
        foreach (var plan in blocks)
        {
            foreach (var key in plan.Block.Keys)
            {
                var port = key.ResolvePort(dnsPort);
                // bind whose every address was excepted leaves the block without a listener, as in CoreDNS.
                var addresses = plan.Options.Bind is { } b ? b.Cast<IPAddress?>().ToList() : [null];
                foreach (var zone in key.Zones)
                {
                    var label = $"{ServerKey.SchemePrefix(key.Transport)}{zone}:{port}";
                    foreach (var address in addresses)
                    {
                        var akey = address is null ? label : $"{label} on {address}";
                        // A block with a filter (view) may share its zone and port; it is checked for overlap only.
                        var filtered = plan.Plugins.Any(p => p is IRequestFilter);
                        if (!filtered && registered.Contains((key.Transport, zone, port, address)))
                            throw new CorefileException(key.File, key.Line, $"cannot serve {akey} - it is already defined");
                        if (unbound.TryGetValue((key.Transport, zone, port), out var already) &&
                            (!filtered || address is not null || !registered.Contains((key.Transport, zone, port, null))))
                        {
                            if (address is null)
                                throw new CorefileException(key.File, key.Line, $"cannot serve {akey} - zone overlap listener capacity with {already}");
                            if (registered.Contains((key.Transport, zone, port, null)))
                                throw new CorefileException(key.File, key.Line, $"cannot serve {akey} - zone overlap listener capacity with {label}");
                        }
                        if (!filtered)
                        {
                            registered.Add((key.Transport, zone, port, address));
                            unbound[(key.Transport, zone, port)] = akey;
                        }
                        var gk = (key.Transport, port, address);
                        if (!groups.TryGetValue(gk, out var list)) groups[gk] = list = [];
                        list.Add((zone, plan));
                    }
                    var prefix = key.Transport == Transport.Dns ? "" : ServerKey.SchemePrefix(key.Transport);
                    if (addresses.Count == 0) continue;
                    lines.Add(plan.Options.Bind is { Count: > 0 } bound
                        ? $"{prefix}{zone}:{port} on {string.Join(", ", bound)}"
                        : $"{prefix}{zone}:{port}");
                }
            }
        }
        var listeners = groups.Select(g => new ListenerPlan(g.Key.Item1, g.Key.Item3, g.Key.Item2, g.Value)).ToList();
        return new ServerPlan(blocks, listeners, lines);
    }

    private static BlockPlan SetUp(ServerBlock block, PluginCatalog catalog, DnsSettings settings, int dnsPort)
    {
        var byName = block.Directives.GroupBy(d => d.Name).ToDictionary(g => g.Key, g => (IReadOnlyList<Directive>)g.ToList());
        foreach (var (name, list) in byName)
        {
            if (catalog.Position(name) < 0)
                throw new CorefileException(list[0].File, list[0].Line, $"Unknown directive '{name}'");
            if (!catalog.TryGetSetup(name, out var setup))
                throw new CorefileException(list[0].File, list[0].Line,
                    $"plugin/{name}: not built into Akka.Dns yet; it is a CoreDNS plugin this build does not have (akka-dns -plugins lists the ones it has)");
            if (!setup.AllowMultiple && list.Count > 1)
                throw new CorefileException(list[1].File, list[1].Line, $"plugin/{name}: this plugin can only be used once per Server Block");
        }
        var options = new BlockOptions();
        var plugins = new List<Plugin>();
        foreach (var (name, _) in catalog.Entries)
        {
            if (!byName.TryGetValue(name, out var directives)) continue;
            catalog.TryGetSetup(name, out var setup);
            var ctx = new SetupContext
            {
                Block = block, PluginName = name, Directives = directives, Options = options, Settings = settings, DnsPort = dnsPort,
            };
            plugins.Add(setup.Setup(ctx));
        }
        options.Plugins = plugins;
        return new BlockPlan(block, options, plugins);
    }
}
