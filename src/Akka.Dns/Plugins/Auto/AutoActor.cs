using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Auto;

/// <summary>
/// CoreDNS's auto.ServeDNS: a name outside auto's zones goes on; inside them but in no loaded zone it goes on too,
/// or is REFUSED when auto ends the chain; otherwise the zone answers through file's answer path
/// (<see cref="AuthoritativeActor"/>), without fallthrough.
/// </summary>
public sealed class AutoActor : AuthoritativeActor
{
    private readonly AutoPlugin _plugin;
    private readonly IReadOnlyList<string> _origins;

    public static Props Props(AutoPlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new AutoActor(plugin, next));

    public AutoActor(AutoPlugin plugin, ChainLink? next) : base("auto", next)
    {
        _plugin = plugin;
        _origins = plugin.Origins;
    }

    protected override void Handle(DnsRequest request)
    {
        if (ZoneMatch.Longest(_origins, request.Name) is null)
        {
            Next(request);
            return;
        }
        var set = _plugin.Current;
        var origin = ZoneMatch.Longest(set.Origins, request.Name);
        if (origin is null)
        {
            if (HasNext) Next(request);
            else request.Fail(Rcode.Refused, null, Name);
            return;
        }
        var zone = set.Get(origin);
        if (zone is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/auto: zone {origin} is not loaded", Name);
            return;
        }
        Answer(request, zone, Fallthrough.Never);
    }
}
