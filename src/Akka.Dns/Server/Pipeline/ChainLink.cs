using Akka.Actor;
using Akka.Dns.Wire;

namespace Akka.Dns.Server.Pipeline;

/// <summary>
/// The hand-off to one plugin actor of one pipeline replica. The previous plugin (or the listener, for the
/// first) tells requests through it; the server block's supervisor points it at a re-created actor after a
/// backoff, or at nothing while the actor is down, when requests are answered SERVFAIL at once.
/// </summary>
public sealed class ChainLink
{
    private volatile IActorRef? _actor;

    public ChainLink(string plugin) => Plugin = plugin;

    public string Plugin { get; }
    public IActorRef? Actor => _actor;

    internal void Set(IActorRef? actor) => _actor = actor;

    public void Tell(DnsRequest request)
    {
        var a = _actor;
        if (a is null) request.Fail(Rcode.ServFail, $"plugin/{Plugin}: not running (restarting after failures)", Plugin);
        else a.Tell(request, ActorRefs.NoSender);
    }
}
