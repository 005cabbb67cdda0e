using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// The query path of dynupdate: an UPDATE whose zone section names one of its zones goes to that zone's
/// <see cref="ZoneReplicaActor"/> (REFUSED first for a client outside <c>allow</c> or without a required TSIG key);
/// an UPDATE for any other zone goes on (NOTIMP at the end of the chain, CoreDNS's answer). Queries in its zones are
/// answered from the merged snapshot exactly as file answers them; others go on.
/// </summary>
public sealed class DynupdateActor : AuthoritativeActor
{
    private readonly DynupdatePlugin _plugin;
    private readonly string[] _origins;

    public static Props Props(DynupdatePlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new DynupdateActor(plugin, next));

    public DynupdateActor(DynupdatePlugin plugin, ChainLink? next) : base("dynupdate", next)
    {
        _plugin = plugin;
        _origins = plugin.Slots.Select(s => s.Origin).ToArray();
    }

    protected override bool SeesUpdates => true;

    protected override void Handle(DnsRequest request)
    {
        if (request.Query.Opcode == Opcode.Update)
        {
            Update(request);
            return;
        }
        var origin = ZoneMatch.Longest(_origins, request.Name);
        if (origin is null)
        {
            Next(request);
            return;
        }
        if (request.Query.Opcode == Opcode.Notify)
        {
            request.RespondMany([]);   // as file: a NOTIFY for a zone we own is dropped
            return;
        }
        var zone = Slot(origin).Current;
        if (zone is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/dynupdate: zone {origin} is not loaded", Name);
            return;
        }
        Answer(request, zone, _plugin.Options.Fallthrough);
    }

    private void Update(DnsRequest request)
    {
        string? origin = null;
        foreach (var o in _origins)
            if (DnsName.EqualsIgnoreCase(o, request.Name)) origin = o;
        if (origin is null)
        {
            Next(request);
            return;
        }
        var options = _plugin.Options;
        if (!options.Allows(request.Client.Address) || (options.Keys.Count > 0 && !KeyAllowed(request, options)))
        {
            var refused = request.CreateReply(Rcode.Refused);
            refused.Plugin = Name;
            request.Respond(refused);
            return;
        }
        var replica = _plugin.Replica(origin);
        if (replica is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/dynupdate: zone {origin} is not started", Name);
            return;
        }
        replica.Tell(new ZoneReplicaActor.ApplyUpdate(request));
    }

    private static bool KeyAllowed(DnsRequest request, DynupdateOptions options) =>
        request.TsigKey is { } key && options.Keys.Contains(DnsName.Normalize(key));

    private ZoneSlot Slot(string origin)
    {
        foreach (var s in _plugin.Slots)
            if (s.Origin == origin) return s;
        throw new InvalidOperationException(origin);
    }
}
