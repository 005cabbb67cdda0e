using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// Answers authoritatively from the current snapshot of the zone the query falls in (CoreDNS's file.ServeDNS), for
/// the file and the secondary plugin (a <see cref="ZoneService"/>): AXFR/IXFR refused (the transfer plugin answers
/// them earlier in the chain), NOTIFY handed to the service's <see cref="INotifyHandler"/> (dropped without one),
/// SERVFAIL while a zone is not loaded (or expired), AA on everything but referrals, NXDOMAIN (and an empty
/// non-terminal) passed on with fallthrough: the answer path shared with auto (<see cref="AuthoritativeActor"/>).
/// </summary>
public class FileActor : AuthoritativeActor
{
    private readonly ZoneService _service;
    private readonly string[] _origins;

    public static Props Props(FilePlugin plugin, ChainLink? next) => Props(new ZoneService("file", plugin.Slots, plugin.Fallthrough), next);

    public static Props Props(ZoneService service, ChainLink? next) => Akka.Actor.Props.Create(() => new FileActor(service, next));

    public FileActor(ZoneService service, ChainLink? next) : base(service.Name, next)
    {
        _service = service;
        _origins = service.Slots.Select(s => s.Origin).ToArray();
    }

    protected override void Handle(DnsRequest request)
    {
        var origin = ZoneMatch.Longest(_origins, request.Name);
        if (origin is null)
        {
            Next(request);
            return;
        }
        var slot = Slot(origin);
        // CoreDNS's order: transfers refused, then NOTIFY (taken by a secondary, dropped otherwise), then the data.
        if (request.Type is RrType.AXFR or RrType.IXFR)
        {
            request.Fail(Rcode.Refused, null, Name);
            return;
        }
        if (request.Query.Opcode == Opcode.Notify)
        {
            if (_service.Notify is { } notify) notify.OnNotify(request, slot);
            else request.RespondMany([]);   // CoreDNS's "Dropping notify": no reply at all
            return;
        }
        var zone = slot.Current;
        if (zone is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/{Name}: zone {origin} is not loaded", Name);
            return;
        }
        Answer(request, zone, _service.Fallthrough);
    }

    private ZoneSlot Slot(string origin)
    {
        foreach (var s in _service.Slots)
            if (s.Origin == origin) return s;
        throw new InvalidOperationException(origin);
    }
}

/// <summary>What a <see cref="FileActor"/> serves: the zones, their fallthrough, the plugin's name (file, secondary)
/// and who takes a NOTIFY for one of the zones (null: NOTIFY is dropped, as CoreDNS's file does).</summary>
public sealed record ZoneService(string Name, IReadOnlyList<ZoneSlot> Slots, Fallthrough Fallthrough, INotifyHandler? Notify = null);

/// <summary>Takes a NOTIFY query for <paramref name="slot"/>'s zone on the query path: it must answer (or drop) the request.</summary>
public interface INotifyHandler
{
    void OnNotify(DnsRequest request, ZoneSlot slot);
}
