using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Metadata;

/// <summary>
/// A plugin that adds metadata to each query (CoreDNS's metadata.Provider). With <c>metadata</c> in the block,
/// <see cref="Provide"/> runs for every query in the metadata zones, before any other plugin sees it; it writes
/// <c>plugin/NAME</c> labels into <see cref="DnsRequest.Metadata"/>, which other plugins read (log's <c>{/label}</c>,
/// rewrite's <c>edns0 local ... {label}</c>). It runs on the query path: it must be quick and must not block.
/// </summary>
public interface IMetadataProvider
{
    void Provide(DnsRequest request);
}

/// <summary><c>metadata [ZONES...]</c>: no block; once per server block.</summary>
[Plugin("metadata")]
public sealed class MetadataSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        IReadOnlyList<string> zones = [];
        foreach (var r in context.Readers())
        {
            r.Next();
            zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            if (r.NextBlock()) throw context.Error(r, r.ArgErr().Detail);
        }
        return new MetadataPlugin([.. zones], context.Options);
    }
}

public sealed class MetadataPlugin(string[] zones, BlockOptions block) : Plugin("metadata")
{
    public IReadOnlyList<string> Zones { get; } = zones;

    /// <summary>The block's plugins that provide metadata, in chain order (known once every setup has run).</summary>
    public IMetadataProvider[] Providers
    {
        get
        {
            var list = new List<IMetadataProvider>();
            foreach (var p in block.Plugins)
                if (p is IMetadataProvider m) list.Add(m);
            return [.. list];
        }
    }

    public override Props HandlerProps(ChainLink? next) => MetadataActor.Props(zones, Providers, next);
}
