using Akka.Dns.Wire;

namespace Akka.Dns.Server.Routing;

/// <summary>
/// What the server does with a parsed request before any plugin sees it (CoreDNS's Server.ServeDNS): class
/// check, EDNS version, zone lookup, empty block, then the hand-off to a pipeline replica. Shared by every
/// transport of a listener; reads the table its <see cref="ZoneRouterActor"/> publishes.
/// </summary>
public sealed class RequestDispatcher
{
    private volatile ZoneTable _table;

    /// <summary>
    /// Told of every request the dispatcher refuses before any block sees it (class, no zone, empty block): the
    /// prometheus plugin counts them under zone "dropped", as CoreDNS's errorAndMetricsFunc does. Null until set.
    /// </summary>
    public static IReplyObserver? Unrouted { get; set; }

    private readonly InFlightTable[] _inFlight;

    /// <summary>
    /// <paramref name="shards"/> in-flight tables (one per receive thread, so adding a request touches no
    /// cache line another receive thread writes), sharing <paramref name="capacity"/>.
    /// </summary>
    public RequestDispatcher(ZoneTable table, int shards, int capacity, TimeSpan timeout)
    {
        _table = table;
        shards = Math.Max(1, shards);
        _inFlight = new InFlightTable[shards];
        for (var i = 0; i < shards; i++) _inFlight[i] = new InFlightTable(Math.Max(1, capacity / shards), timeout);
    }

    public RequestDispatcher(ZoneTable table, DnsSettings settings)
        : this(table, settings.UdpReceiveThreads, settings.MaxInFlight, settings.RequestTimeout)
    {
    }

    public ZoneTable Table
    {
        get => _table;
        internal set => _table = value;
    }

    public IReadOnlyList<InFlightTable> InFlight => _inFlight;

    /// <summary>Answers SERVFAIL to every request past its deadline; returns how many.</summary>
    public int Sweep(long now)
    {
        var n = 0;
        foreach (var t in _inFlight) n += t.Sweep(now);
        return n;
    }

    /// <summary>Routes and hands off <paramref name="request"/>; <paramref name="replica"/> picks the pipeline replica.</summary>
    public void Dispatch(DnsRequest request, int replica)
    {
        var q = request.Query;
        var table = _table;
        if (q.Class != RrClass.IN && !table.OpensNonInClasses)
        {
            request.Observer = Unrouted;
            request.Fail(Rcode.Refused);
            return;
        }
        if (q.HasEdns && q.EdnsVersion != 0)
        {
            var bad = request.CreateReply(Rcode.BadVers);
            bad.Edns = new EdnsRecord { UdpSize = request.UdpSize, Version = 0, Do = q.Do };
            request.Respond(bad);
            return;
        }
        var block = table.Route(request, out var zone);
        if (q.Opcode == Opcode.Update && (block is null || !block.AcceptsUpdates))
        {
            // CoreDNS refuses every UPDATE with NOTIMP before routing (miekg/dns's reject: no OPT); so do we
            // where no dynupdate takes it.
            var notImp = DnsResponse.ReplyTo(q, Rcode.NotImp);
            notImp.NoOptMirror = true;
            request.Respond(notImp);
            return;
        }
        if (block is null || block.IsEmpty)
        {
            request.Observer = Unrouted;
            request.Fail(Rcode.Refused);
            return;
        }
        request.Zone = zone;
        request.Observer = block.Observer;
        request.Dispatcher = this;
        _inFlight[(uint)replica % (uint)_inFlight.Length].Add(request);
        block.Dispatch(request, replica);
    }
}
