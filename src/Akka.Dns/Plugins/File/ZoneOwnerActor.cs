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
        if (_slot.Refresh() is { } next) Context.System.EventStream.Publish(new ZoneLoaded(_slot.Origin, next));
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
