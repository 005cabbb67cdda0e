using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;

namespace Akka.Dns.Cluster;

/// <summary>
/// Keeps the cluster plugin's <see cref="MembershipSnapshot"/>: subscribes to the cluster's member, reachability
/// and leader events and to the replicated dictionary where every node publishes its <see cref="NodeInfo"/>, and
/// after each change builds a new snapshot and swaps it into <see cref="DnsMembership"/>. It writes only its own
/// node's entry (WriteLocal: gossip spreads it; a lost write is rewritten by the next publish).
/// </summary>
public sealed class MembershipView : ReceiveActor
{
    /// <summary>The replicated dictionary: Akka address → <see cref="NodeInfo.Encode"/>.</summary>
    public static readonly LWWDictionaryKey<string, string> Key = new("akka-dns-members");

    private readonly DnsMembership _membership;
    private readonly Akka.Cluster.Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, Member> _members = new();
    private readonly HashSet<Address> _unreachable = new();
    private ImmutableDictionary<string, string> _published = ImmutableDictionary<string, string>.Empty;
    private Address? _leader;
    private NodeInfo? _self;

    public static Props Props(DnsMembership membership) => Akka.Actor.Props.Create(() => new MembershipView(membership));

    public MembershipView(DnsMembership membership)
    {
        _membership = membership;
        _cluster = Akka.Cluster.Cluster.Get(Context.System);
        _replicator = DistributedData.DistributedData.Get(Context.System).Replicator;

        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved)
            {
                _members.Remove(e.Member.Address);
                _unreachable.Remove(e.Member.Address);
            }
            else
            {
                _members[e.Member.Address] = e.Member;
            }
            Rebuild();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.Address);
            Rebuild();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.Address);
            Rebuild();
        });
        Receive<ClusterEvent.LeaderChanged>(e =>
        {
            _leader = e.Leader;
            Rebuild();
        });
        Receive<Changed>(c =>
        {
            if (!c.Key.Equals(Key)) return;
            _published = c.Get(Key).Entries.ToImmutableDictionary();
            WithSelf();
            Rebuild();
        });
        Receive<PublishSelf>(p =>
        {
            _self = p.Info;
            var key = _cluster.SelfAddress.ToString();
            var value = p.Info.Encode();
            var node = _cluster.SelfUniqueAddress;
            _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, WriteLocal.Instance, d => d.SetItem(node, key, value)));
            WithSelf();
            Rebuild();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Warning("plugin/cluster: publishing this node failed: {0}", f));
    }

    protected override void PreStart()
    {
        _leader = _cluster.State.Leader;
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        _replicator.Tell(Dsl.Subscribe(Key, Self));
        // After a restart: publish again what the daemon told the previous incarnation.
        if (_membership.Self is { } self) Self.Tell(new PublishSelf(self));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _replicator.Tell(Dsl.Unsubscribe(Key, Self));
    }

    /// <summary>Our own entry counts at once, before the replicator notifies it back.</summary>
    private void WithSelf()
    {
        if (_self is not null) _published = _published.SetItem(_cluster.SelfAddress.ToString(), _self.Encode());
    }

    private void Rebuild()
    {
        var states = new List<MemberState>(_members.Count);
        foreach (var m in _members.Values)
            states.Add(new MemberState(m.Address.ToString(), m.Status.ToString(), !_unreachable.Contains(m.Address), m.Roles.ToList()));
        var snapshot = MembershipSnapshot.Build(states, _leader?.ToString(), _published, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var before = _membership.Current;
        _membership.Swap(snapshot);
        if (before.Members.Count != snapshot.Members.Count)
            _log.Info("plugin/cluster: {0} member(s) in DNS: {1}", snapshot.Members.Count, string.Join(", ", snapshot.Members.Select(x => x.Name)));
    }

    #region Messages

    /// <summary>Publish (or re-publish) this node's entry.</summary>
    public sealed record PublishSelf(NodeInfo Info);

    #endregion
}
