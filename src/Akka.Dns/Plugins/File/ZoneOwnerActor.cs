using Akka.Actor;
using Akka.Dns.Zones;
using Akka.Event;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// Owns one zone of the file plugin: every reload interval it re-reads the file and, when the SOA serial
/// changed (or the zone was not loaded yet), publishes the new snapshot whole. A file with an error is
/// logged and the previous snapshot keeps serving (CoreDNS's reload semantics).
/// </summary>
public sealed class ZoneOwnerActor : ReceiveActor, IWithTimers
{
    private readonly ZoneSlot _slot;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props(ZoneSlot slot) => Akka.Actor.Props.Create(() => new ZoneOwnerActor(slot));

    public ZoneOwnerActor(ZoneSlot slot)
    {
        _slot = slot;
        Receive<Tick>(_ => Reload());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("reload", Tick.Instance, _slot.Reload);

    private void Reload()
    {
        Zone next;
        if (!System.IO.File.Exists(_slot.FileName))
        {
            if (_slot.Current is not null) LineLog.Error($"plugin/file: {_slot.FileName} is gone, keeping the running version of {_slot.Origin}");
            return;
        }
        try
        {
            next = Zone.Build(_slot.Origin, MasterFile.ParseFile(_slot.FileName, _slot.Origin));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MasterFileException or FormatException)
        {
            LineLog.Error($"plugin/file: failed to reload {_slot.Origin} from {_slot.FileName}, keeping the running version: {e.Message}");
            return;
        }
        var current = _slot.Current;
        if (current is not null && current.Serial == next.Serial) return;
        _slot.Current = next;
        LineLog.Info($"plugin/file: successfully reloaded zone {_slot.Origin} in {_slot.FileName} with serial {next.Serial}");
        Context.System.EventStream.Publish(new ZoneLoaded(_slot.Origin, next));
    }

    #region Messages
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }
    #endregion
}

/// <summary>Published when a zone's owner swapped in a new snapshot (transfer sends NOTIFY on it).</summary>
public sealed record ZoneLoaded(string Origin, Zone Zone);
