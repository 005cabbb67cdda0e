using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.View;

/// <summary>The view already chose the block before the chain; in the chain it passes every query on (CoreDNS's View.ServeDNS).</summary>
public sealed class ViewActor : PluginActor
{
    public static Props Props(ChainLink? next) => Akka.Actor.Props.Create(() => new ViewActor(next));

    public ViewActor(ChainLink? next) : base("view", next)
    {
    }

    protected override void Handle(DnsRequest request) => Next(request);
}
