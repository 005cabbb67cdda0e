using Akka.Actor;
using Akka.Dns.Plugins.Chaos;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Nsid;

/// <summary><c>nsid [DATA]</c>: DATA (its words joined by one space) defaults to the host name. Once per block.</summary>
[Plugin("nsid")]
public sealed class NsidSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var data = ChaosActor.HostName();
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length > 0) data = string.Join(' ', args);
        }
        return new NsidPlugin(data);
    }
}

public sealed class NsidPlugin(string data) : Plugin("nsid")
{
    public string Data { get; } = data;

    public override Props HandlerProps(ChainLink? next) => NsidActor.Props(Data, next);
}
