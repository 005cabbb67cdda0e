using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Plugins.Metadata;

namespace Akka.Dns.Plugins.View;

/// <summary><c>view NAME { expr EXPRESSION ... }</c>, once per block; every expression must hold.</summary>
[Plugin("view")]
public sealed class ViewSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var r = context.Readers().Single();
        r.Next();
        var args = r.RemainingArgs();
        if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
        var expressions = new List<ViewExpression>();
        while (r.NextBlock())
        {
            switch (r.Val)
            {
                case "expr":
                    var text = string.Join(" ", r.RemainingArgs());
                    try
                    {
                        expressions.Add(ViewExpression.Compile(text));
                    }
                    catch (FormatException e)
                    {
                        throw context.Error(r, $"cannot compile expression {GoNet.Quote(text)}: {e.Message}");
                    }
                    break;
                default:
                    throw context.Error(r, $"unknown property '{r.Val}'");
            }
        }
        return new ViewPlugin(args[0], [.. expressions], context.Options);
    }
}

/// <summary>
/// A block's view: its name and expressions; the router asks <see cref="Filter"/> before the block sees a query.
/// With <c>metadata</c> in the block, its providers run before the expressions (CoreDNS collects metadata before
/// filtering, so <c>metadata()</c> sees it), and the view provides <c>view/name</c> to the chosen block's chain.
/// </summary>
public sealed class ViewPlugin(string name, ViewExpression[] expressions, BlockOptions block) : Plugin("view"), IRequestFilter, IMetadataProvider
{
    private MetadataPlugin? _metadata;
    private IMetadataProvider[]? _providers;

    public string ViewName { get; } = name;
    public IReadOnlyList<ViewExpression> Expressions { get; } = expressions;

    public bool Filter(DnsRequest request)
    {
        if (expressions.Length == 0) return true;
        Collect(request);
        var env = new ViewEnv(request);
        foreach (var e in expressions)
            if (!e.Evaluate(env)) return false;
        return true;
    }

    /// <summary>view/name, for the block the view chose (the metadata plugin calls it in the chain).</summary>
    public void Provide(DnsRequest request) => request.Metadata["view/name"] = ViewName;

    /// <summary>The block's metadata providers other than this view, when the block has metadata for the name.</summary>
    private void Collect(DnsRequest request)
    {
        var providers = Volatile.Read(ref _providers);
        if (providers is null)
        {
            _metadata = block.Plugins.OfType<MetadataPlugin>().FirstOrDefault();
            providers = _metadata is null ? [] : _metadata.Providers.Where(p => !ReferenceEquals(p, this)).ToArray();
            Volatile.Write(ref _providers, providers);
        }
        if (providers.Length == 0 || ZoneMatch.Longest(_metadata!.Zones, request.Name) is null) return;
        foreach (var p in providers) p.Provide(request);
    }

    public override Props HandlerProps(ChainLink? next) => ViewActor.Props(next);
}
