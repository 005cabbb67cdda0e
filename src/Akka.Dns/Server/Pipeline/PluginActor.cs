using Akka.Actor;
using Akka.Dns.Wire;

namespace Akka.Dns.Server.Pipeline;

/// <summary>
/// Base of every query-path plugin actor: <see cref="Handle"/> answers a request, or passes it on with
/// <see cref="Next"/> (after pushing a response writer if it wants to see the reply). Reaching the end of the
/// chain answers SERVFAIL (CoreDNS's NextOrFailure). A throw answers the request in hand SERVFAIL before the
/// supervisor restarts the actor.
/// </summary>
public abstract class PluginActor : UntypedActor
{
    private readonly ChainLink? _next;

    protected PluginActor(string name, ChainLink? next)
    {
        Name = name;
        _next = next;
    }

    public string Name { get; }

    protected abstract void Handle(DnsRequest request);

    /// <summary>
    /// Whether this plugin handles RFC 2136 UPDATE messages (dynupdate, tsig, log, errors). The others never see
    /// one: it goes past them as if they were not in the chain, so no plugin mistakes an UPDATE for a SOA query.
    /// </summary>
    protected virtual bool SeesUpdates => false;

    protected override void OnReceive(object message)
    {
        if (message is DnsRequest r)
        {
            if (r.Query.Opcode == Opcode.Update && !SeesUpdates)
            {
                Next(r);
                return;
            }
            r.LastPlugin = Name;
            try
            {
                Handle(r);
            }
            catch (Exception e)
            {
                // Answer this one query now, whatever the supervisor decides (restart, or stop when the
                // restart budget is spent); then let the supervisor see the failure.
                r.Fail(Rcode.ServFail, $"plugin/{Name}: {e.GetType().Name}: {e.Message}", Name);
                throw;
            }
        }
        else
        {
            OnOther(message);
        }
    }

    /// <summary>Messages other than requests (snapshots, ticks).</summary>
    protected virtual void OnOther(object message) => Unhandled(message);

    /// <summary>Passes the request to the next plugin, or answers SERVFAIL (NOTIMP for an UPDATE nobody took) when there is none.</summary>
    protected void Next(DnsRequest request)
    {
        if (_next is not null) _next.Tell(request);
        else if (request.Query.Opcode == Opcode.Update) request.Fail(Rcode.NotImp);
        else request.Fail(Rcode.ServFail, $"plugin/{Name}: no next plugin found", Name);
    }

    protected bool HasNext => _next is not null;
}
