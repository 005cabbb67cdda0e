using System.Net;
using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// <c>dynupdate [ZONES...] { allow CIDR...; key NAME...; fallthrough [ZONES...] }</c>: RFC 2136 UPDATE for ZONES
/// (default: the block's zones), replicated to every node of the cluster (Akka.DistributedData) and answered from
/// the merged snapshot. <c>allow</c> lists the client networks that may update (default: loopback only);
/// <c>key</c> requires a TSIG signature verified by the tsig plugin with one of those key names.
/// </summary>
[Plugin("dynupdate")]
public sealed class DynupdateSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var zones = new List<string>();
        var allow = new List<IPNetwork>();
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var fall = Fallthrough.Never;
        foreach (var r in context.Readers())
        {
            r.Next();
            zones.AddRange(ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r));
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "allow":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        foreach (var a in args)
                        {
                            if (!TryParseNetwork(a, out var net)) throw context.Error(r, $"invalid network '{a}': want an address or CIDR");
                            allow.Add(net);
                        }
                        break;
                    }
                    case "key":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        foreach (var a in args) keys.Add(DnsName.Normalize(a));
                        break;
                    }
                    case "fallthrough":
                        fall = Fallthrough.FromArgs(r.RemainingArgs(), r);
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        if (allow.Count == 0)
        {
            allow.Add(new IPNetwork(IPAddress.Loopback, 8));
            allow.Add(new IPNetwork(IPAddress.IPv6Loopback, 128));
        }
        var distinct = zones.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var options = new DynupdateOptions(distinct, allow, keys, fall, context.Settings.DynupdateWriteTimeout);
        return new DynupdatePlugin(options, context.Options);
    }

    public static bool TryParseNetwork(string text, out IPNetwork network)
    {
        if (text.Contains('/')) return IPNetwork.TryParse(text, out network);
        if (IPAddress.TryParse(text, out var ip))
        {
            network = new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }
        network = default;
        return false;
    }
}

/// <summary>What a dynupdate block was configured with.</summary>
public sealed record DynupdateOptions(
    IReadOnlyList<string> Zones,
    IReadOnlyList<IPNetwork> Allow,
    IReadOnlySet<string> Keys,
    Fallthrough Fallthrough,
    TimeSpan WriteTimeout)
{
    public bool Allows(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var n in Allow)
            if (n.Contains(client)) return true;
        return false;
    }
}

/// <summary>
/// One dynupdate plugin instance (per server block): a <see cref="ZoneSlot"/> per zone whose snapshot a
/// <see cref="ZoneReplicaActor"/> rebuilds from the base zone (another plugin's, or a generated SOA and NS) and the
/// replicated changes; the handler answers queries from it and hands UPDATEs to the replica.
/// </summary>
public sealed class DynupdatePlugin(DynupdateOptions options, BlockOptions block) : Plugin("dynupdate"), ITransferer
{
    private readonly Dictionary<string, IActorRef> _replicas = new(StringComparer.OrdinalIgnoreCase);

    public DynupdateOptions Options { get; } = options;
    public IReadOnlyList<ZoneSlot> Slots { get; } = options.Zones.Select(z => new ZoneSlot(z, "")).ToArray();

    public override bool AcceptsUpdates => true;

    /// <summary>Every zone has a snapshot (a zone with no base serves its generated SOA and NS at once).</summary>
    public override bool? Ready => Slots.All(s => s.Current is not null);

    public override Props HandlerProps(ChainLink? next) => DynupdateActor.Props(this, next);

    public IEnumerable<string> TransferZones => Slots.Select(s => s.Origin);

    public Zone? GetZone(string origin)
    {
        foreach (var s in Slots)
            if (DnsName.EqualsIgnoreCase(s.Origin, origin)) return s.Current;
        return null;
    }

    /// <summary>The replica actor of <paramref name="origin"/>, once started.</summary>
    public IActorRef? Replica(string origin) => _replicas.GetValueOrDefault(origin);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        foreach (var slot in Slots)
        {
            var origin = slot.Origin;
            // Serve at once, before the replica has heard from DistributedData: the base (or generated) zone.
            slot.Current ??= ZoneReplicaActor.ToZone(ZoneReplicaActor.View(BaseZone(origin) ?? ZoneReplicaActor.Generated(origin), []), origin, 0);
            Func<Zone?> baseZone = () => BaseZone(origin);
            _replicas[origin] = host.System.ActorOf(ZoneReplicaActor.Props(slot, Options, baseZone));
        }
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        foreach (var r in _replicas.Values) r.Tell(PoisonPill.Instance);
        _replicas.Clear();
        return Task.CompletedTask;
    }

    /// <summary>The zone another plugin of this block (file, auto, secondary) serves for <paramref name="origin"/>.</summary>
    private Zone? BaseZone(string origin)
    {
        foreach (var p in block.Plugins)
            if (!ReferenceEquals(p, this) && p is ITransferer t && t.TransferZones.Any(z => DnsName.EqualsIgnoreCase(z, origin)))
                return t.GetZone(origin);
        return null;
    }
}
