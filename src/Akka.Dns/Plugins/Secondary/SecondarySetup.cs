using System.Collections.Frozen;
using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Plugins.Transfer;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Secondary;

/// <summary>
/// <c>secondary [ZONES...] { transfer from ADDRESS...; fallthrough [ZONES...] }</c>, as CoreDNS's secondaryParse:
/// the directive may appear several times in a block, <c>transfer from</c> lines add up (IP or IP:port, port 53 when
/// left out, never <c>*</c>), and a directive without one is an error.
/// </summary>
[Plugin("secondary")]
public sealed class SecondarySetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var zones = new List<SecondaryZone>();
        var fall = Fallthrough.Never;
        foreach (var r in context.Readers())
        {
            r.Next();
            var origins = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            var from = new List<TransferTarget>();
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "transfer":
                        if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        if (r.Val != "from") throw context.Error(r, $"unknown property {r.Val}");
                        var hosts = r.RemainingArgs();
                        if (hosts.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        foreach (var host in hosts)
                        {
                            if (host == "*") throw context.Error(r, "can't use '*' in transfer from");
                            if (!TransferTarget.TryParse(host, out var target, out var error)) throw context.Error(r, error);
                            if (target.EndPoint is null) throw context.Error(r, $"cannot resolve the address {GoNet.Quote(host)}");
                            from.Add(target);
                        }
                        break;
                    case "fallthrough":
                        fall = Fallthrough.FromArgs(r.RemainingArgs(), r);
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
            if (from.Count == 0) throw context.Error(r, "secondary zones require a transfer from property");
            foreach (var origin in origins)
            {
                zones.RemoveAll(z => Wire.DnsName.EqualsIgnoreCase(z.Slot.Origin, origin));
                zones.Add(new SecondaryZone(new ZoneSlot(origin, "stdin"), from.ToArray()));
            }
        }
        return new SecondaryPlugin(zones, fall);
    }
}

/// <summary>
/// The block's <c>secondary</c> zones: served by <see cref="FileActor"/> (the file plugin's lookup and answers), kept
/// current by one <see cref="SecondaryZoneActor"/> per zone, transferable onwards (<see cref="ITransferer"/>), and
/// taking NOTIFY from their primaries on the query path.
/// </summary>
public sealed class SecondaryPlugin : Plugin, ITransferer, INotifyHandler
{
    private readonly FrozenDictionary<ZoneSlot, SecondaryZone> _bySlot;
    private volatile FrozenDictionary<ZoneSlot, IActorRef> _owners = FrozenDictionary<ZoneSlot, IActorRef>.Empty;

    public SecondaryPlugin(IReadOnlyList<SecondaryZone> zones, Fallthrough fallthrough) : base("secondary")
    {
        Zones = zones;
        Fallthrough = fallthrough;
        _bySlot = zones.ToFrozenDictionary(z => z.Slot);
        Service = new ZoneService(Name, zones.Select(z => z.Slot).ToArray(), fallthrough, this);
    }

    public IReadOnlyList<SecondaryZone> Zones { get; }
    public Fallthrough Fallthrough { get; }
    public ZoneService Service { get; }

    public override Props HandlerProps(ChainLink? next) => FileActor.Props(Service, next);

    public IEnumerable<string> TransferZones => Zones.Select(z => z.Slot.Origin);

    public Zone? GetZone(string origin)
    {
        foreach (var z in Zones)
            if (Wire.DnsName.EqualsIgnoreCase(z.Slot.Origin, origin)) return z.Slot.Current;
        return null;
    }

    /// <summary>
    /// CoreDNS's NOTIFY handling in file.ServeDNS: from a primary of the zone, NOERROR with AA (the question echoed) and
    /// a check of the primary's serial; from anyone else, no reply at all ("Dropping notify").
    /// </summary>
    public void OnNotify(DnsRequest request, ZoneSlot slot)
    {
        var client = request.Client.Address;
        if (!_bySlot.TryGetValue(slot, out var zone) || !zone.IsPrimary(client))
        {
            LineLog.Info($"plugin/file: Dropping notify from {client} for {slot.Origin}");
            request.RespondMany([]);
            return;
        }
        var reply = request.CreateReply();
        reply.Aa = true;
        reply.Plugin = Name;
        request.Respond(reply);
        LineLog.Info($"plugin/file: Notify from {client} for {slot.Origin}: checking transfer");
        if (_owners.TryGetValue(slot, out var owner)) owner.Tell(SecondaryZoneActor.NotifyReceived.Instance);
    }

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        var owners = new Dictionary<ZoneSlot, IActorRef>();
        foreach (var z in Zones) owners[z.Slot] = host.System.ActorOf(SecondaryZoneActor.Props(z));
        _owners = owners.ToFrozenDictionary();
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        foreach (var o in _owners.Values) o.Tell(PoisonPill.Instance);
        _owners = FrozenDictionary<ZoneSlot, IActorRef>.Empty;
        return Task.CompletedTask;
    }
}
