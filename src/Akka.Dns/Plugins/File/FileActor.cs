using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// Answers authoritatively from the current snapshot of the zone the query falls in (CoreDNS's file.ServeDNS):
/// SERVFAIL while a zone is not loaded, otherwise the shared answer path of <see cref="AuthoritativeActor"/>.
/// </summary>
public sealed class FileActor : AuthoritativeActor
{
    private readonly FilePlugin _plugin;
    private readonly string[] _origins;

    public static Props Props(FilePlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new FileActor(plugin, next));

    public FileActor(FilePlugin plugin, ChainLink? next) : base("file", next)
    {
        _plugin = plugin;
        _origins = plugin.Slots.Select(s => s.Origin).ToArray();
    }

    protected override void Handle(DnsRequest request)
    {
        var origin = ZoneMatch.Longest(_origins, request.Name);
        if (origin is null)
        {
            Next(request);
            return;
        }
        var zone = Slot(origin).Current;
        if (zone is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/file: zone {origin} is not loaded", "file");
            return;
        }
        Answer(request, zone, _plugin.Fallthrough);
    }

    private ZoneSlot Slot(string origin)
    {
        foreach (var s in _plugin.Slots)
            if (s.Origin == origin) return s;
        throw new InvalidOperationException(origin);
    }
}
