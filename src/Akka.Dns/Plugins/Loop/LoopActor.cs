using Akka.Actor;
using Akka.Event;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Loop;

/// <summary>
/// Counts the HINFO probe each time it comes back while detection is on; the third sighting is a forwarding
/// loop: a <see cref="PluginFatal"/> naming who sent it, where the probe went, the zone and the query (the daemon
/// exits on it). Every other query passes straight on.
/// </summary>
public sealed class LoopActor : PluginActor
{
    private readonly LoopPlugin _loop;

    public static Props Props(LoopPlugin loop, ChainLink? next) => Akka.Actor.Props.Create(() => new LoopActor(loop, next));

    public LoopActor(LoopPlugin loop, ChainLink? next) : base("loop", next) => _loop = loop;

    protected override void Handle(DnsRequest request)
    {
        if (request.Type != RrType.HINFO || _loop.Disabled || !DnsName.IsSubdomain(request.Name, _loop.Zone))
        {
            Next(request);
            return;
        }
        if (string.Equals(request.Name, _loop.QName, StringComparison.OrdinalIgnoreCase))
        {
            if (_loop.Sighted())
            {
                var message = $"Loop ({request.Client} -> {_loop.Address}) detected for zone {GoNet.Quote(_loop.Zone)}, " +
                    $"see https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO {_loop.QName}\"";
                Context.System.Log.Error("plugin/loop: {0}", message);
                Context.System.EventStream.Publish(new PluginFatal("loop", message));
            }
            if (_loop.Fatal)
            {
                // CoreDNS's process is gone by now; in-process the probe stops circulating here.
                request.Fail(Rcode.ServFail, "plugin/loop: forwarding loop", "loop");
                return;
            }
        }
        Next(request);
    }
}
