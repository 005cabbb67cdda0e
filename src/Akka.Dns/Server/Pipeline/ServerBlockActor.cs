using Akka.Actor;
using Akka.Event;

namespace Akka.Dns.Server.Pipeline;

/// <summary>
/// The supervisor of one server block: creates each replica's plugin actors back to front (so each knows its
/// next), restarts one that throws (akka.dns.supervision), and when the restart budget is spent re-creates it
/// after a growing backoff; meanwhile its link answers SERVFAIL.
/// </summary>
public sealed class ServerBlockActor : ReceiveActor, IWithTimers
{
    private readonly BlockRuntime _block;
    private readonly DnsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, (int Replica, int Index)> _children = new();
    private readonly Dictionary<(int, int), (int Failures, DateTime Since)> _backoff = new();
    private readonly Random _random = new();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BlockRuntime block, DnsSettings settings) =>
        Akka.Actor.Props.Create(() => new ServerBlockActor(block, settings));

    public ServerBlockActor(BlockRuntime block, DnsSettings settings)
    {
        _block = block;
        _settings = settings;
        Receive<Terminated>(OnTerminated);
        Receive<RecreatePlugin>(m => Spawn(m.Replica, m.Index));
    }

    protected override void PreStart()
    {
        DnsServerMetrics.LiveBlocks[_block] = 0;
        for (var r = 0; r < _block.Replicas; r++)
            for (var i = _block.Handlers.Count - 1; i >= 0; i--)
                Spawn(r, i);
    }

    private void Spawn(int replica, int index)
    {
        var plugin = _block.Handlers[index];
        var next = index + 1 < _block.Handlers.Count ? _block.Links[replica][index + 1] : null;
        var props = plugin.HandlerProps(next)!.WithDispatcher(_settings.Dispatcher);
        var name = $"{replica}-{index}-{plugin.Name}";
        var child = Context.Child(name);
        if (!child.IsNobody()) return;
        child = Context.ActorOf(props, name);
        Context.Watch(child);
        _children[child] = (replica, index);
        _block.Links[replica][index].Set(child);
    }

    private void OnTerminated(Terminated t)
    {
        if (!_children.Remove(t.ActorRef, out var pos)) return;
        var link = _block.Links[pos.Replica][pos.Index];
        link.Set(null);
        var now = DateTime.UtcNow;
        _backoff.TryGetValue(pos, out var b);
        var failures = now - b.Since > _settings.MaxBackoff ? 1 : b.Failures + 1;
        _backoff[pos] = (failures, now);
        var delay = Backoff(failures);
        _log.Warning("plugin/{0}: stopped after repeated failures in block {1}; re-creating in {2:F1}s", link.Plugin, _block.Name, delay.TotalSeconds);
        Timers.StartSingleTimer(pos, new RecreatePlugin(pos.Replica, pos.Index), delay);
    }

    private TimeSpan Backoff(int failures)
    {
        var d = _settings.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        d = Math.Min(d, _settings.MaxBackoff.TotalMilliseconds);
        d *= 1 + _random.NextDouble() * _settings.RandomFactor;
        return TimeSpan.FromMilliseconds(d);
    }

    protected override void PostStop() => DnsServerMetrics.LiveBlocks.TryRemove(_block, out _);

    protected override SupervisorStrategy SupervisorStrategy() =>
        new CountingStrategy(_settings.MaxNrOfRetries, _settings.WithinTimeRange, Decide, this);

    /// <summary>The HOCON strategy, telling <see cref="DnsServerMetrics.PluginRestarted"/> which plugin of which block restarted.</summary>
    private sealed class CountingStrategy(int retries, TimeSpan within, Func<Exception, Directive> decide, ServerBlockActor owner)
        : OneForOneStrategy(retries, within, decide)
    {
        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
            Akka.Actor.Internal.ChildRestartStats stats, IReadOnlyCollection<Akka.Actor.Internal.ChildRestartStats> children)
        {
            if (restart && owner._children.TryGetValue(child, out var pos))
                DnsServerMetrics.PluginRestarted?.Invoke(owner._block.Name, owner._block.Handlers[pos.Index].Name);
            base.ProcessFailure(context, restart, child, cause, stats, children);
        }
    }

    private Directive Decide(Exception e)
    {
        // Counted here, before the restart is (PreRestart would run after it: a scrape could see the restart first).
        DnsServerMetrics.Panics.Increment();
        if (e is ActorInitializationException) return Directive.Stop;
        DnsServerMetrics.Restarts.Increment();
        _log.Warning("plugin crashed in block {0}, restarting it: {1}: {2}", _block.Name, e.GetType().Name, e.Message);
        return Directive.Restart;
    }

    #region Messages
    private sealed record RecreatePlugin(int Replica, int Index);
    #endregion
}
