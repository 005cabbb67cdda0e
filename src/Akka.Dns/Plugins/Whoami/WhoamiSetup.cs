using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Whoami;

/// <summary><c>whoami</c> takes no arguments.</summary>
[Plugin("whoami")]
public sealed class WhoamiSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        context.ExpectNoArguments();
        return new WhoamiPlugin();
    }
}

public sealed class WhoamiPlugin() : Plugin("whoami")
{
    public override Props HandlerProps(ChainLink? next) => WhoamiActor.Props(next);
}
