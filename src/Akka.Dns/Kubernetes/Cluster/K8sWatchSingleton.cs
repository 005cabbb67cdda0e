using Akka.Actor;
using Akka.Dns.Kubernetes.Api;
using Akka.Dns.Kubernetes.Model;
using Akka.Event;

namespace Akka.Dns.Kubernetes.Cluster;

/// <summary>
/// The one watch of the Kubernetes API for a whole Akka.Dns cluster (a cluster singleton, one per watch
/// configuration): runs a <see cref="K8sWatcher"/> and publishes what it sees to every node's
/// <see cref="K8sViewReplica"/> — the whole view to a new subscriber, then only the changes, each publication
/// numbered, and a heartbeat naming the latest number so a replica that missed one asks again. Views are published
/// only once the watcher has listed every kind: a singleton taking over never replaces the replicas' last good
/// view with a half-listed one.
/// </summary>
public sealed class K8sWatchSingleton : ReceiveActor, IWithTimers
{
    private readonly Func<ILoggingAdapter, K8sWatcher> _create;
    private readonly K8sHubSettings _settings;
    private readonly string _id;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly long _epoch = Random.Shared.NextInt64(1, long.MaxValue);
    private K8sWatcher? _watcher;
    private IDisposable? _subscription;
    private K8sView? _last;
    private long _seq;

    public static Props Props(Func<ILoggingAdapter, K8sWatcher> create, K8sHubSettings settings, string id) =>
        Akka.Actor.Props.Create(() => new K8sWatchSingleton(create, settings, id));

    public K8sWatchSingleton(Func<ILoggingAdapter, K8sWatcher> create, K8sHubSettings settings, string id)
    {
        _create = create;
        _settings = settings;
        _id = id;
        Receive<SubscribeView>(s =>
        {
            Context.Watch(s.Replica);
            _subscribers.Add(s.Replica);
            if (_last is not null) Send(s.Replica, ViewParts.Whole(_last, _epoch, _seq, _settings.PartBudget));
        });
        Receive<Published>(p => OnView(p.View));
        Receive<Tick>(_ =>
        {
            var alive = new ViewAlive(_epoch, _seq);
            foreach (var s in _subscribers) s.Tell(alive);
        });
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _log.Info("kubernetes: this node now watches the Kubernetes API for the cluster ({0})", _id);
        var self = Self;
        _watcher = _create(_log);
        _subscription = _watcher.Subscribe(v => self.Tell(new Published(v)));
        _watcher.Start();
        Timers.StartPeriodicTimer("alive", Tick.Instance, _settings.Heartbeat);
    }

    protected override void PostStop()
    {
        _subscription?.Dispose();
        if (_watcher is { } w)
        {
            var log = _log;
            _ = w.DisposeAsync().AsTask().ContinueWith(t => log.Warning("kubernetes: stopping the watch failed: {0}", t.Exception?.GetBaseException().Message),
                TaskContinuationOptions.OnlyOnFaulted);
        }
        _log.Info("kubernetes: this node no longer watches the Kubernetes API ({0})", _id);
    }

    private void OnView(K8sView view)
    {
        if (!view.Synced) return;
        if (_last is null)
        {
            _seq = 1;
            var whole = ViewParts.Whole(view, _epoch, _seq, _settings.PartBudget);
            foreach (var s in _subscribers) Send(s, whole);
            _log.Info("kubernetes: the API is listed ({0} services, {1} endpoint slices, {2} pods, {3} namespaces); publishing to {4} node(s)",
                view.Services.Count, view.EndpointSlices.Count, view.Pods.Count, view.Namespaces.Count, _subscribers.Count);
        }
        else
        {
            var changes = ViewParts.Changes(_last, view, _epoch, _seq + 1, _settings.PartBudget);
            if (changes.Count == 0) return;
            _seq++;
            foreach (var s in _subscribers) Send(s, changes);
        }
        _last = view;
    }

    private void Send(IActorRef to, List<ViewPart> parts)
    {
        foreach (var p in parts) to.Tell(p);
    }

    #region Messages
    private sealed record Published(K8sView View);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
    #endregion
}
