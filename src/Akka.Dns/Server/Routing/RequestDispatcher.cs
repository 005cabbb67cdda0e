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

    public RequestDispatcher(ZoneTable table, InFlightTable inFlight)
    {
        _table = table;
        InFlight = inFlight;
    }

    public ZoneTable Table
    {
        get => _table;
        internal set => _table = value;
    }

    public InFlightTable InFlight { get; }

    /// <summary>Routes and hands off <paramref name="request"/>; <paramref name="replica"/> picks the pipeline replica.</summary>
    public void Dispatch(DnsRequest request, int replica)
    {
        var q = request.Query;
        var table = _table;
        if (q.Class != RrClass.IN && !table.OpensNonInClasses)
        {
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
        var block = table.Route(q.Name, q.Type, out var zone);
        if (block is null || block.IsEmpty)
        {
            request.Fail(Rcode.Refused);
            return;
        }
        request.Zone = zone;
        InFlight.Add(request);
        block.Dispatch(request, replica);
    }
}
