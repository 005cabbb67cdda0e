using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Autopath;

/// <summary>
/// A plugin that hands autopath a search path per request (CoreDNS's autopath.AutoPather; kubernetes does, by the
/// client's namespace). Named in the Corefile as <c>autopath @PLUGIN</c>; the plugin must be in the same block.
/// </summary>
public interface IAutoPather
{
    /// <summary>
    /// The search path for <paramref name="request"/>: fully qualified, lower-case domains, the LAST element the
    /// empty string (the name as asked). Null or empty: no autopath for this request. Called on the query path:
    /// no blocking.
    /// </summary>
    IReadOnlyList<string>? AutoPath(DnsRequest request);
}

/// <summary><c>autopath [ZONE...] RESOLV-CONF</c>; RESOLV-CONF is a resolv.conf path or <c>@PLUGIN</c>.</summary>
[Plugin("autopath")]
public sealed class AutopathSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        string[]? search = null;
        string? provider = null;
        IReadOnlyList<string> zones = context.Zones;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length < 1) throw context.Error(r, "no resolv-conf specified");
            var resolv = args[^1];
            if (resolv.StartsWith('@'))
            {
                provider = resolv[1..];
            }
            else
            {
                var path = context.ResolvePath(resolv);
                try
                {
                    search = [.. ResolvConf.Search(System.IO.File.ReadAllLines(path)), ""];
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    var why = e is FileNotFoundException or DirectoryNotFoundException or ArgumentException ? "no such file or directory" : e.Message;
                    throw context.Error(r, $"failed to parse {GoNet.Quote(resolv)}: open {resolv}: {why}");
                }
            }
            zones = ZoneMatch.FromArgsOrBlock(args[..^1], context, r);
        }
        return new AutopathPlugin([.. zones], search, provider, context.Options);
    }
}

/// <summary>resolv.conf as miekg/dns's ClientConfigFromFile reads it: the last <c>search</c> or <c>domain</c> line wins.</summary>
public static class ResolvConf
{
    public static IReadOnlyList<string> Search(IEnumerable<string> lines)
    {
        IReadOnlyList<string> search = [];
        foreach (var line in lines)
        {
            var f = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 1 || f[0].StartsWith('#') || f[0].StartsWith(';')) continue;
            switch (f[0])
            {
                case "domain" when f.Length > 1:
                    search = [Normalize(f[1])];
                    break;
                case "search":
                    search = f[1..].Select(Normalize).ToArray();
                    break;
            }
        }
        return search;
    }

    private static string Normalize(string s) => DnsName.Normalize(s).ToLowerInvariant();
}

/// <summary>One block's autopath: its zones and its search path, from resolv.conf or from a provider plugin of the block.</summary>
public sealed class AutopathPlugin(string[] zones, string[]? search, string? provider, BlockOptions options) : Plugin("autopath")
{
    public IReadOnlyList<string> Zones { get; } = zones;
    /// <summary>The resolv.conf search path with the empty-string sentinel; null with a provider.</summary>
    public IReadOnlyList<string>? SearchPath { get; } = search;
    /// <summary>The plugin named by <c>@NAME</c>, or null.</summary>
    public string? Provider { get; } = provider;

    /// <summary>
    /// The block's provider plugin (CoreDNS's OnStartup lookup): null without <c>@NAME</c> or when the block has no
    /// plugin of that name (no autopath then, as CoreDNS); throws when it has one that is no <see cref="IAutoPather"/>.
    /// </summary>
    public IAutoPather? ResolveProvider()
    {
        if (Provider is null) return null;
        var p = options.Plugins.FirstOrDefault(x => x.Name == Provider);
        return p switch
        {
            null => null,
            IAutoPather a => a,
            _ => throw new InvalidOperationException($"plugin/autopath: {Provider} does not implement the AutoPather interface"),
        };
    }

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        ResolveProvider();
        return Task.CompletedTask;
    }

    public override Props HandlerProps(ChainLink? next)
    {
        IAutoPather? pather = null;
        try
        {
            pather = ResolveProvider();
        }
        catch (InvalidOperationException)
        {
            // reported by StartAsync
        }
        return AutopathActor.Props(Zones, SearchPath, Provider is not null, pather, next);
    }
}
