using Akka.Actor;
using Akka.Dns.Plugins.File;

namespace Akka.Dns.Plugins.Auto;

/// <summary>
/// Owns one auto instance's loader: every reload interval it walks the directory, which swaps in a new zone set
/// when anything was added, changed or dropped, and publishes <see cref="ZoneLoaded"/> for each new or changed zone
/// (transfer sends NOTIFY on it).
/// </summary>
public sealed class AutoOwnerActor : ReceiveActor, IWithTimers
{
    private readonly AutoLoader _loader;
    private readonly TimeSpan _interval;

    public static Props Props(AutoLoader loader, TimeSpan interval) => Akka.Actor.Props.Create(() => new AutoOwnerActor(loader, interval));

    public AutoOwnerActor(AutoLoader loader, TimeSpan interval)
    {
        _loader = loader;
        _interval = interval;
        Receive<Tick>(_ => Walk());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer("walk", Tick.Instance, _interval);

    private void Walk()
    {
        foreach (var loaded in _loader.Walk()) Context.System.EventStream.Publish(loaded);
    }

    #region Messages
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }
    #endregion
}
