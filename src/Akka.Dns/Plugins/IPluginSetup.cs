using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins;

/// <summary>Names the Corefile directive a setup class parses (the name plugin.cfg lists).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class PluginAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Parses every occurrence of its directive in one server block (CoreDNS's setup function) and returns the
/// block's instance of the plugin. Throws <see cref="CorefileException"/> with the directive's file:line.
/// </summary>
public interface IPluginSetup
{
    /// <summary>False for plugins CoreDNS allows once per server block (plugin.ErrOnce).</summary>
    bool AllowMultiple => false;

    Plugin Setup(SetupContext context);
}

/// <summary>
/// One plugin configured for one server block. A handler gives <see cref="HandlerProps"/> and runs as an actor
/// in each pipeline replica; a setup-only plugin returns null there and configures the block or the process.
/// </summary>
public abstract class Plugin
{
    protected Plugin(string name) => Name = name;

    public string Name { get; }

    /// <summary>The actor that handles queries; <paramref name="next"/> is the following plugin, null at the end.</summary>
    public virtual Props? HandlerProps(ChainLink? next) => null;

    public bool IsHandler => this is not SetupOnlyPlugin;

    /// <summary>Whether this plugin is ready (CoreDNS's ready.Readiness); null when it does not report readiness.</summary>
    public virtual bool? Ready => null;

    /// <summary>Loading this plugin lets non-IN classes through (chaos, forward).</summary>
    public virtual bool OpensNonInClasses => false;

    /// <summary>
    /// This plugin accepts RFC 2136 UPDATE messages (dynupdate). A block with none answers every UPDATE NOTIMP,
    /// as CoreDNS does for all of them; in a block with one, UPDATE reaches only the plugin actors whose
    /// <c>SeesUpdates</c> is true.
    /// </summary>
    public virtual bool AcceptsUpdates => false;

    /// <summary>
    /// Sees every request routed to this plugin's block once it is answered (prometheus counts with it). The
    /// dispatcher attaches it when it routes, so the plugin needs no actor in the chain; the first non-null one of
    /// a block is used.
    /// </summary>
    public virtual Server.IReplyObserver? Observer => null;

    /// <summary>Starts what the plugin runs besides queries (HTTP endpoints, watchers).</summary>
    public virtual Task StartAsync(PluginHost host, CancellationToken ct) => Task.CompletedTask;

    public virtual Task StopAsync() => Task.CompletedTask;

    /// <summary>Runs when the daemon is asked to stop, before listeners close (lameduck).</summary>
    public virtual Task OnShutdownAsync() => Task.CompletedTask;
}

/// <summary>A plugin that never sees queries (root, bind, health, ready, debug, timeouts...).</summary>
public abstract class SetupOnlyPlugin(string name) : Plugin(name)
{
    public sealed override Props? HandlerProps(ChainLink? next) => null;
}

/// <summary>What the plugins of one block may read and set while they are set up (in plugin.cfg order).</summary>
public sealed class SetupContext
{
    public required ServerBlock Block { get; init; }
    public required string PluginName { get; init; }
    public required IReadOnlyList<Corefile.Directive> Directives { get; init; }
    public required BlockOptions Options { get; init; }
    public required DnsSettings Settings { get; init; }
    /// <summary>The port a key without one listens on (-dns.port; 53 by default), for plugins that query their own listener (loop).</summary>
    public int DnsPort { get; init; } = 53;

    /// <summary>Every zone the block serves (all keys, CIDR keys expanded), in key order.</summary>
    public IReadOnlyList<string> Zones => Block.Keys.SelectMany(k => k.Zones).Distinct().ToList();

    /// <summary>A reader over each occurrence of the directive.</summary>
    public IEnumerable<DirectiveReader> Readers() => Directives.Select(d => new DirectiveReader(d));

    /// <summary>"FILE:LINE - Error during parsing: plugin/NAME: MSG".</summary>
    public CorefileException Error(DirectiveReader r, string message) => r.Err($"plugin/{PluginName}: {message}");

    /// <summary>For plugins that take no arguments (whoami, minimal...): an argument is CoreDNS's ArgErr.</summary>
    public void ExpectNoArguments()
    {
        foreach (var r in Readers())
        {
            r.Next();
            if (r.NextArg()) throw Error(r, r.ArgErr().Detail);
        }
    }

    /// <summary>
    /// The optional single HOST:PORT argument of an HTTP-serving plugin (health, ready, prometheus):
    /// <paramref name="fallback"/> without arguments, an error for a bad address or more than one argument.
    /// </summary>
    public string OptionalListenAddress(DirectiveReader r, string[] args, string fallback)
    {
        switch (args.Length)
        {
            case 0:
                return fallback;
            case 1:
                if (!GoNet.TrySplitHostPort(args[0], out _, out _, out var error)) throw Error(r, error);
                return args[0];
            default:
                throw Error(r, r.ArgErr().Detail);
        }
    }

    /// <summary>Resolves a path against the block's root (the root plugin), as file/tls do.</summary>
    public string ResolvePath(string path) =>
        Path.IsPathRooted(path) || Options.Root is null ? path : Path.Combine(Options.Root, path);
}

/// <summary>Block-wide settings that setup-only plugins write and the server reads.</summary>
public sealed class BlockOptions
{
    /// <summary>root: base directory for relative paths.</summary>
    public string? Root { get; set; }
    /// <summary>bind: addresses to listen on (null = all).</summary>
    public List<System.Net.IPAddress>? Bind { get; set; }
    /// <summary>debug: no recovery logging suppression; actor crashes logged with stacks.</summary>
    public bool Debug { get; set; }
    /// <summary>timeouts: read/write/idle for stream transports, null = the HOCON defaults.</summary>
    public TimeSpan? ReadTimeout { get; set; }
    public TimeSpan? WriteTimeout { get; set; }
    public TimeSpan? IdleTimeout { get; set; }
    public int? MaxTcpQueries { get; set; }
    /// <summary>tls: the certificate the block's tls://, https:// and grpc:// listeners present (null = none: they serve in the clear).</summary>
    public Tls.TlsCredentials? Tls { get; set; }

    /// <summary>Every plugin of the block, in chain order; filled once all of them are set up (transfer finds the file plugin here).</summary>
    public IReadOnlyList<Plugin> Plugins { get; internal set; } = [];
}

/// <summary>
/// A plugin that decides whether its server block takes a request at all (CoreDNS's dnsserver.Viewer: view).
/// Blocks sharing a zone and port are tried top to bottom; the first whose filters all pass (or that has none)
/// takes the request. A block with a filter may share its zone and port with other blocks.
/// </summary>
public interface IRequestFilter
{
    /// <summary>The view's name (metadata view/name, metrics).</summary>
    string ViewName { get; }

    /// <summary>True when the block should take <paramref name="request"/>. Runs on the receive path: no blocking, no throwing.</summary>
    bool Filter(DnsRequest request);
}

/// <summary>A plugin whose zones can be transferred (CoreDNS's transfer.Transferer): file, auto, secondary.</summary>
public interface ITransferer
{
    /// <summary>The zones it serves, lower-case, fully qualified.</summary>
    IEnumerable<string> TransferZones { get; }

    /// <summary>The current snapshot of <paramref name="origin"/>, or null when it has none (not loaded, expired).</summary>
    Zones.Zone? GetZone(string origin);
}

/// <summary>Process-wide services setup-only plugins share (one HTTP endpoint per address, readiness).</summary>
public sealed class PluginHost
{
    public required ActorSystem System { get; init; }
    public required DnsSettings Settings { get; init; }
    public required Func<IEnumerable<(string Plugin, bool Ready)>> Readiness { get; init; }
    public required Http.HttpEndpoints Http { get; init; }
    public required Func<bool> ShuttingDown { get; init; }
    /// <summary>The daemon's Corefile reload path (the reload plugin polls through it); null in-process without a daemon.</summary>
    public ICorefileReloader? Reloader { get; init; }
}

/// <summary>What the daemon lends the reload plugin: a fingerprint of the Corefile and its reload path (SIGUSR1's).</summary>
public interface ICorefileReloader
{
    /// <summary>SHA-512 (hex) of the Corefile and every file it imports, as they read now; null when they cannot be read.</summary>
    string? Digest();

    /// <summary>Reloads the Corefile gracefully; false (and the old config still serving) when the new one fails.</summary>
    Task<bool> ReloadAsync();
}
