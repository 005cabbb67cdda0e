using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.View;

/// <summary>The view already chose the block; in the chain it only records <c>view/name</c> in the request's metadata and passes on.</summary>
public sealed class ViewActor : PluginActor
{
    private readonly string _name;

    public static Props Props(string name, ChainLink? next) => Akka.Actor.Props.Create(() => new ViewActor(name, next));

    public ViewActor(string name, ChainLink? next) : base("view", next) => _name = name;

    protected override void Handle(DnsRequest request)
    {
        request.Metadata["view/name"] = _name;
        Next(request);
    }
}
