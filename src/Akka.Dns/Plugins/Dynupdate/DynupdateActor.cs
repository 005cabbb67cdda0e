using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// The query path of dynupdate: an UPDATE whose zone section names one of its zones goes to that zone's
/// <see cref="ZoneReplicaActor"/> (REFUSED first for a client outside <c>allow</c> or without a required TSIG key);
/// an UPDATE for any other zone goes on (NOTIMP at the end of the chain, CoreDNS's answer). Everything else is
/// <see cref="FileActor"/>'s: queries in its zones answered from the merged snapshot exactly as file answers them.
/// </summary>
public sealed class DynupdateActor : FileActor
{
    private readonly DynupdatePlugin _plugin;

    public static Props Props(DynupdatePlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new DynupdateActor(plugin, next));

    public DynupdateActor(DynupdatePlugin plugin, ChainLink? next)
        : base(new ZoneService("dynupdate", plugin.Slots, plugin.Options.Fallthrough), next) => _plugin = plugin;

    protected override bool SeesUpdates => true;

    protected override void Handle(DnsRequest request)
    {
        if (request.Query.Opcode == Opcode.Update) Update(request);
        else base.Handle(request);
    }

    private void Update(DnsRequest request)
    {
        string? origin = null;
        foreach (var s in _plugin.Slots)
            if (DnsName.EqualsIgnoreCase(s.Origin, request.Name)) origin = s.Origin;
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
}
