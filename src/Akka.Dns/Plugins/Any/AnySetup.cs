using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Any;

/// <summary><c>any</c> takes no arguments and no block.</summary>
[Plugin("any")]
public sealed class AnySetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        foreach (var r in context.Readers())
        {
            r.Next();
            if (r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
            if (r.NextBlock()) throw context.Error(r, $"unknown property '{r.Val}'");
        }
        return new AnyPlugin();
    }
}

public sealed class AnyPlugin() : Plugin("any")
{
    public override Props HandlerProps(ChainLink? next) => AnyActor.Props(next);
}
