using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

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
        return new ViewPlugin(args[0], [.. expressions]);
    }
}

/// <summary>A block's view: its name and expressions; the router asks <see cref="Filter"/> before the block sees a query.</summary>
public sealed class ViewPlugin(string name, ViewExpression[] expressions) : Plugin("view"), IRequestFilter
{
    public string ViewName { get; } = name;
    public IReadOnlyList<ViewExpression> Expressions { get; } = expressions;

    public bool Filter(DnsRequest request)
    {
        if (expressions.Length == 0) return true;
        var env = new ViewEnv(request);
        foreach (var e in expressions)
            if (!e.Evaluate(env)) return false;
        return true;
    }

    public override Props HandlerProps(ChainLink? next) => ViewActor.Props(ViewName, next);
}
