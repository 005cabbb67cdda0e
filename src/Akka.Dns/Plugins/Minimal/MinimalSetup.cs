using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Minimal;

/// <summary><c>minimal</c> takes no arguments.</summary>
[Plugin("minimal")]
public sealed class MinimalSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        context.ExpectNoArguments();
        return new MinimalPlugin();
    }
}

public sealed class MinimalPlugin() : Plugin("minimal")
{
    public override Props HandlerProps(ChainLink? next) => MinimalActor.Props(next);
}
