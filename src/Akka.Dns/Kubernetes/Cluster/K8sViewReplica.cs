using System.Diagnostics;
using Akka.Actor;
using Akka.Dns.Kubernetes.Api;
using Akka.Dns.Kubernetes.Model;
using Akka.Event;

namespace Akka.Dns.Kubernetes.Cluster;

/// <summary>
/// A node's copy of the view the cluster's <see cref="K8sWatchSingleton"/> publishes: subscribes through the
/// singleton proxy, puts each publication's parts together, applies it when it follows the one it has (else asks
/// for the whole view again) and hands every new view to the node's kubernetes plugins through a
/// <see cref="ViewFanout"/>. Until the first view it has none (the plugin stays unsynced); when the singleton goes
/// silent (its node died, a new one is listing) it keeps the last view and keeps asking, so answers stay as they
/// were until the new watch has listed the API.
/// </summary>
public sealed class K8sViewReplica : ReceiveActor, IWithTimers
{
    private readonly IActorRef _singleton;
    private readonly ViewFanout _fanout;
    private readonly K8sHubSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<ViewPart> _assembling = [];
    private K8sView? _view;
    private long _epoch, _seq;
    private long _heard, _asked;

    public static Props Props(IActorRef singleton, ViewFanout fanout, K8sHubSettings settings) =>
        Akka.Actor.Props.Create(() => new K8sViewReplica(singleton, fanout, settings));

    public K8sViewReplica(IActorRef singleton, ViewFanout fanout, K8sHubSettings settings)
    {
        _singleton = singleton;
        _fanout = fanout;
        _settings = settings;
        Receive<ViewPart>(OnPart);
        Receive<ViewAlive>(a =>
        {
            _heard = Stopwatch.GetTimestamp();
            // Parts travel before the heartbeat that names them: a replica elsewhere missed some, or has another
            // singleton's view. Not while a request is on its way (a heartbeat may have crossed it).
            if (a.Seq != 0 && (a.Epoch != _epoch || a.Seq != _seq) && Since(_asked) >= _settings.Silence)
            {
                _log.Debug("kubernetes: view {0}/{1} here, {2}/{3} at the watch; asking for the whole view", _epoch, _seq, a.Epoch, a.Seq);
                Ask();
            }
        });
        Receive<Check>(_ =>
        {
            if (Since(_heard) >= _settings.Silence && Since(_asked) >= _settings.Resubscribe) Ask();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Ask();
        Timers.StartPeriodicTimer("check", Check.Instance, _settings.Resubscribe);
    }

    private void Ask()
    {
        _asked = Stopwatch.GetTimestamp();
        _singleton.Tell(new SubscribeView(Self));
    }

    private static TimeSpan Since(long timestamp) => timestamp == 0 ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(timestamp);

    private void OnPart(ViewPart p)
    {
        _heard = Stopwatch.GetTimestamp();
        if (_assembling.Count > 0 && (_assembling[0].Epoch != p.Epoch || _assembling[0].Seq != p.Seq))
            _assembling.Clear();   // a newer publication (or a whole view after asking again) replaces an unfinished one
        if (p.Part != _assembling.Count)
        {
            _assembling.Clear();
            Ask();   // a part went missing
            return;
        }
        _assembling.Add(p);
        if (_assembling.Count < p.Parts) return;

        var whole = p.BaseSeq == ViewPart.Whole;
        if (!whole && (_view is null || p.Epoch != _epoch || p.BaseSeq != _seq))
        {
            _assembling.Clear();
            if (p.Epoch != _epoch || p.Seq > _seq) Ask();   // changes to a view we do not have
            return;
        }
        var view = ViewParts.Apply(_view ?? K8sView.Empty, _assembling);
        _assembling.Clear();
        if (whole && p.Epoch != _epoch)
            _log.Info("kubernetes: view from the cluster's watch: {0} services, {1} endpoint slices, {2} pods, {3} namespaces",
                view.Services.Count, view.EndpointSlices.Count, view.Pods.Count, view.Namespaces.Count);
        _epoch = p.Epoch;
        _seq = p.Seq;
        _view = view;
        _fanout.Publish(view);
    }

    #region Messages
    private sealed class Check
    {
        public static readonly Check Instance = new();
    }
    #endregion
}
