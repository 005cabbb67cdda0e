using System.Buffers.Binary;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Akka.Event;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// Owns one dynupdate zone on this node. The zone it serves is its base (the zone another plugin of the block serves,
/// or a generated SOA and NS) overlaid with the RRsets that UPDATEs set, replicated in Akka.DistributedData:
/// <list type="bullet">
/// <item><c>dns-rrsets:ZONE</c>, an <c>LWWDictionary&lt;string,string&gt;</c>: "owner|type" → the whole RRset
/// (<see cref="RRsetCodec"/>; empty = deleted, which also hides the base's RRset). Last writer wins per RRset, so
/// concurrent updates of one name at different nodes converge to one answer everywhere.</item>
/// <item><c>dns-serial:ZONE</c>, a <c>GCounter</c> incremented by every UPDATE that changed something: the served
/// serial is the SOA's serial plus this count, so every change raises it on every node once it has replicated.</item>
/// </list>
/// An UPDATE is evaluated against this node's view (<see cref="UpdateEngine"/>), applied to the view at once (the
/// next UPDATE sees it), and written with <c>WriteMajority</c>; the client gets NOERROR only when both writes were
/// acknowledged by a majority, SERVFAIL when the majority did not answer in time. Without a cluster
/// (a plain daemon) the zone lives in this actor only.
/// The served snapshot is rebuilt at most every <see cref="RebuildDelay"/> after a change and published whole
/// (<see cref="ZoneLoaded"/>: transfer sends NOTIFY).
/// </summary>
public sealed class ZoneReplicaActor : ReceiveActor, IWithTimers
{
    public static readonly TimeSpan RebuildDelay = TimeSpan.FromMilliseconds(20);

    private readonly ZoneSlot _slot;
    private readonly DynupdateOptions _options;
    private readonly Func<Zone?> _baseZone;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LWWDictionaryKey<string, string> _dataKey;
    private readonly GCounterKey _serialKey;
    private readonly Akka.Cluster.Cluster? _cluster;
    private readonly IActorRef? _replicator;
    private readonly Dictionary<long, Pending> _pending = [];
    private long _nextId;

    private Zone _base = null!;
    private ImmutableDictionary<string, string> _overlay = ImmutableDictionary<string, string>.Empty;
    private ulong _counter;
    private RRsetSnapshot _view = RRsetSnapshot.Empty;
    private bool _rebuildScheduled;

    public static Props Props(ZoneSlot slot, DynupdateOptions options, Func<Zone?> baseZone) =>
        Akka.Actor.Props.Create(() => new ZoneReplicaActor(slot, options, baseZone));

    public ZoneReplicaActor(ZoneSlot slot, DynupdateOptions options, Func<Zone?> baseZone)
    {
        _slot = slot;
        _options = options;
        _baseZone = baseZone;
        _dataKey = new LWWDictionaryKey<string, string>("dns-rrsets:" + slot.Origin);
        _serialKey = new GCounterKey("dns-serial:" + slot.Origin);
        if (Context.System is ExtendedActorSystem { Provider: IClusterActorRefProvider })
        {
            _cluster = Akka.Cluster.Cluster.Get(Context.System);
            _replicator = DistributedData.DistributedData.Get(Context.System).Replicator;
        }

        Receive<ApplyUpdate>(u => Apply(u.Request));
        Receive<UpdateSuccess>(s => Acknowledged(s.Request));
        Receive<IUpdateFailure>(f => Failed(f));
        Receive<Changed>(c => { if (c.Data is IReplicatedData data) Merge(c.Key, data); });
        Receive<GetSuccess>(g => { if (g.Data is IReplicatedData data) Merge(g.Key, data); });
        Receive<NotFound>(_ => { });
        Receive<GetFailure>(_ => { });
        Receive<ZoneLoaded>(z => BaseChanged(z));
        Receive<Rebuild>(_ => RebuildNow());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The view UPDATEs are evaluated against (tests).</summary>
    internal RRsetSnapshot CurrentView => _view;

    protected override void PreStart()
    {
        _base = _baseZone() ?? Generated(_slot.Origin);
        _view = View(_base, _overlay);
        Context.System.EventStream.Subscribe(Self, typeof(ZoneLoaded));
        if (_replicator is not null)
        {
            _replicator.Tell(Dsl.Subscribe(_dataKey, Self));
            _replicator.Tell(Dsl.Subscribe(_serialKey, Self));
            _replicator.Tell(Dsl.Get(_dataKey, ReadLocal.Instance));
            _replicator.Tell(Dsl.Get(_serialKey, ReadLocal.Instance));
        }
        RebuildNow();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        foreach (var p in _pending.Values) p.Request.Fail(Rcode.ServFail, $"plugin/dynupdate: {_slot.Origin}: stopped before the write was acknowledged", "dynupdate");
        _pending.Clear();
    }

    private void Apply(DnsRequest request)
    {
        var q = request.Query;
        if (!UpdateMessage.TryParse(q.Packet, out var update, out var parseRcode))
        {
            request.Fail(parseRcode, null, "dynupdate");
            return;
        }
        // The engine compares a SOA the UPDATE sets with the serial clients see (stored serial + counter).
        var result = UpdateEngine.Apply(update, new ServedView(_view, _slot.Origin, _counter), incrementSerial: false);
        if (result.Rcode != Rcode.NoError || result.Changes.Count == 0)
        {
            Reply(request, result.Rcode);
            return;
        }
        var changes = new List<RRsetChange>(result.Changes.Count);
        foreach (var c in result.Changes)
            changes.Add(c.Type == RrType.SOA && c.Records.Count == 1
                ? c with { Records = [WithSerialRaised(c.Records[0], unchecked(0UL - _counter - 1))] }   // stored = set - (counter + 1): served = set + 0 after this update counts
                : c);
        var entries = new List<KeyValuePair<string, string>>(changes.Count);
        foreach (var c in changes) entries.Add(new(RRsetCodec.Key(c.Owner, c.Type), RRsetCodec.Encode(c.Records)));
        _overlay = _overlay.SetItems(entries);
        _counter++;
        _view = _view.Apply(changes);
        ScheduleRebuild();

        if (_replicator is null || _cluster is null)
        {
            Committed(request);
            return;
        }
        var id = ++_nextId;
        _pending[id] = new Pending(request, entries, 2);
        var consistency = new WriteMajority(_options.WriteTimeout);
        var node = _cluster.SelfUniqueAddress;
        _replicator.Tell(Dsl.Update(_dataKey, LWWDictionary<string, string>.Empty, consistency, id, d =>
        {
            foreach (var e in entries) d = d.SetItem(node, e.Key, e.Value);
            return d;
        }));
        _replicator.Tell(Dsl.Update(_serialKey, GCounter.Empty, consistency, id, c => c.Increment(node)));
    }

    private void Acknowledged(object? context)
    {
        if (context is not long id || !_pending.TryGetValue(id, out var p)) return;
        if (--p.Remaining > 0) return;
        _pending.Remove(id);
        Committed(p.Request);
    }

    /// <summary>NOERROR for a committed UPDATE, after the snapshot shows it: the client may query this node at once.</summary>
    private void Committed(DnsRequest request)
    {
        if (_rebuildScheduled)
        {
            Timers.Cancel("rebuild");
            RebuildNow();
        }
        Reply(request, Rcode.NoError);
    }

    private void Failed(IUpdateFailure failure)
    {
        if (failure.Request is not long id || !_pending.Remove(id, out var p)) return;
        var why = failure switch
        {
            UpdateTimeout => $"no majority acknowledged the write within {_options.WriteTimeout.TotalSeconds:0.#} s",
            ModifyFailure m => m.Cause.Message,
            StoreFailure => "the durable store could not write it",
            _ => failure.GetType().Name,
        };
        _log.Warning("plugin/dynupdate: update of {0} from {1} not acknowledged: {2}", _slot.Origin, p.Request.Client, why);
        // The change stays in this node's replica and may still spread: DData has no rollback. The client was
        // not told it succeeded, which is the promise (no false NOERROR).
        p.Request.Fail(Rcode.ServFail, $"plugin/dynupdate: {_slot.Origin}: {why}", "dynupdate");
    }

    private static void Reply(DnsRequest request, int rcode)
    {
        var reply = request.CreateReply(rcode);
        reply.Plugin = "dynupdate";
        request.Respond(reply);
    }

    private void Merge(IKey key, IReplicatedData data)
    {
        if (key.Equals(_dataKey) && data is LWWDictionary<string, string> d)
        {
            var overlay = d.Entries.ToImmutableDictionary();
            // Writes this node sent but the replicator has not confirmed yet stay visible.
            foreach (var p in _pending.Values) overlay = overlay.SetItems(p.Entries);
            if (overlay.Count == _overlay.Count && overlay.All(kv => _overlay.TryGetValue(kv.Key, out var v) && v == kv.Value)) return;
            _overlay = overlay;
            _view = View(_base, _overlay);
            ScheduleRebuild();
        }
        else if (key.Equals(_serialKey) && data is GCounter c)
        {
            var v = (ulong)c.Value;
            if (v <= _counter) return;
            _counter = v;
            ScheduleRebuild();
        }
    }

    private void BaseChanged(ZoneLoaded loaded)
    {
        if (!DnsName.EqualsIgnoreCase(loaded.Origin, _slot.Origin) || ReferenceEquals(loaded.Zone, _slot.Current)) return;
        _base = loaded.Zone;
        _view = View(_base, _overlay);
        ScheduleRebuild();
    }

    private void ScheduleRebuild()
    {
        if (_rebuildScheduled) return;
        _rebuildScheduled = true;
        Timers.StartSingleTimer("rebuild", Rebuild.Instance, RebuildDelay);
    }

    private void RebuildNow()
    {
        _rebuildScheduled = false;
        Zone next;
        try
        {
            next = ToZone(_view, _slot.Origin, _counter);
        }
        catch (FormatException e)
        {
            _log.Error("plugin/dynupdate: {0}: cannot build the zone, keeping serial {1}: {2}", _slot.Origin, _slot.Current?.Serial, e.Message);
            return;
        }
        var previous = _slot.Current;
        _slot.Current = next;
        if (previous is null || previous.Serial != next.Serial)
            Context.System.EventStream.Publish(new ZoneLoaded(_slot.Origin, next));
    }

    /// <summary>The base zone's RRsets, each replaced by the overlay's entry for it (an empty one deletes).</summary>
    public static RRsetSnapshot View(Zone baseZone, IEnumerable<KeyValuePair<string, string>> overlay) =>
        RRsetSnapshot.From(baseZone.Records).Apply(RRsetCodec.Changes(overlay));

    /// <summary>
    /// The zone to serve: every RRset, the SOA's serial raised by <paramref name="serialIncrements"/> (RFC 1982
    /// arithmetic). Throws <see cref="FormatException"/> when the data is not a zone (no SOA).
    /// </summary>
    public static Zone ToZone(RRsetSnapshot view, string origin, ulong serialIncrements)
    {
        var records = new List<DnsRecord>();
        foreach (var rr in view.Records())
            records.Add(rr.Type == RrType.SOA ? WithSerialRaised(rr, serialIncrements) : rr);
        return Zone.Build(origin, records);
    }

    /// <summary>The view with the apex SOA as clients see it (serial raised by the counter).</summary>
    private sealed class ServedView(RRsetSnapshot view, string origin, ulong counter) : IRRsetView
    {
        public IReadOnlyList<DnsRecord>? Get(string owner, ushort type)
        {
            var set = view.Get(owner, type);
            if (type != RrType.SOA || set is not { Count: 1 } || !DnsName.EqualsIgnoreCase(DnsName.Normalize(owner), origin)) return set;
            return [WithSerialRaised(set[0], counter)];
        }

        public bool NameInUse(string owner) => view.NameInUse(owner);
        public IEnumerable<ushort> TypesAt(string owner) => view.TypesAt(owner);
    }

    private static DnsRecord WithSerialRaised(DnsRecord soa, ulong by)
    {
        if (by == 0) return soa;
        var rdata = (byte[])soa.RData.Clone();
        var at = rdata.Length - 20;
        var serial = BinaryPrimitives.ReadUInt32BigEndian(rdata.AsSpan(at));
        BinaryPrimitives.WriteUInt32BigEndian(rdata.AsSpan(at), unchecked(serial + (uint)by));
        return new DnsRecord(soa.Name, soa.Type, soa.Class, soa.Ttl, rdata);
    }

    /// <summary>The zone a dynupdate zone starts from when no other plugin of the block serves it.</summary>
    public static Zone Generated(string origin) => Zone.Build(origin,
    [
        DnsRecord.Soa(origin, 3600, "ns." + origin, "hostmaster." + origin, 1, 7200, 1800, 1209600, 30),
        DnsRecord.Ns(origin, 3600, "ns." + origin),
    ]);

    #region Messages
    /// <summary>An UPDATE for this zone from an allowed client: answer it.</summary>
    public sealed record ApplyUpdate(DnsRequest Request);

    private sealed class Rebuild
    {
        public static readonly Rebuild Instance = new();
        private Rebuild() { }
    }

    private sealed class Pending(DnsRequest request, List<KeyValuePair<string, string>> entries, int remaining)
    {
        public DnsRequest Request { get; } = request;
        public List<KeyValuePair<string, string>> Entries { get; } = entries;
        public int Remaining { get; set; } = remaining;
    }
    #endregion
}
