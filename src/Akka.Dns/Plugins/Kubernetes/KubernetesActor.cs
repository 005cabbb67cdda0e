using Akka.Actor;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Kubernetes;

/// <summary>
/// CoreDNS's kubernetes ServeDNS: answers from the plugin's current <see cref="K8sIndex"/> (read per query, no
/// lock); a name outside the plugin's zones, or a name error under <c>fallthrough</c>, goes to the next plugin.
/// An ExternalName whose target is outside the zones is answered with the CNAME and the target's records,
/// looked up through the whole server (<see cref="Upstream"/>), as CoreDNS's plugin.A does with its upstream.
/// </summary>
public sealed class KubernetesActor : PluginActor
{
    private readonly KubernetesPlugin _plugin;

    public static Props Props(KubernetesPlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new KubernetesActor(plugin, next));

    public KubernetesActor(KubernetesPlugin plugin, ChainLink? next) : base("kubernetes", next) => _plugin = plugin;

    protected override void Handle(DnsRequest request)
    {
        var reply = request.CreateReply();
        var result = K8sAnswers.Answer(_plugin.Index, request.Name, request.Type, reply);
        switch (result.Outcome)
        {
            case K8sOutcome.Answered:
                reply.Plugin = Name;
                if (result.ChaseTarget is { } target)
                {
                    var self = Self;
                    Upstream.Lookup(request, target, request.Type, r => self.Tell(new ChaseAnswered(request, reply, r), ActorRefs.NoSender));
                    return;
                }
                request.Respond(reply);
                break;
            default:
                Next(request);
                break;
        }
    }

    protected override void OnOther(object message)
    {
        if (message is not ChaseAnswered done)
        {
            base.OnOther(message);
            return;
        }
        // plugin.A: the CNAME, then whatever the target resolved to (nothing when it did not).
        foreach (var rr in done.Upstream.Answer) done.Reply.Answer.Add(rr);
        done.Request.Respond(done.Reply);
    }

    #region Messages
    private sealed record ChaseAnswered(DnsRequest Request, DnsResponse Reply, DnsResponse Upstream);
    #endregion
}
