using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.K8sExternal;

/// <summary>
/// CoreDNS's k8s_external ServeDNS: answers names under its zones from the plugin's current
/// <see cref="ExternalTable"/> (one reference read per query, no lock); other names, and name errors under
/// <c>fallthrough</c>, go to the next plugin. A load-balancer hostname is answered with a CNAME followed by the
/// hostname's records, looked up through the whole server (<see cref="Upstream"/>, one lookup after the other),
/// as CoreDNS does with its upstream.
/// </summary>
public sealed class K8sExternalActor : PluginActor
{
    private readonly K8sExternalPlugin _plugin;
    private readonly ExternalScratch _scratch = new();

    public static Props Props(K8sExternalPlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new K8sExternalActor(plugin, next));

    public K8sExternalActor(K8sExternalPlugin plugin, ChainLink? next) : base("k8s_external", next) => _plugin = plugin;

    protected override void Handle(DnsRequest request)
    {
        if (_plugin.Table() is not { } table)
        {
            request.Fail(Rcode.ServFail, "k8s_external is not started", Name);
            return;
        }
        var reply = request.CreateReply();
        _scratch.Clear();
        if (!ExternalAnswers.Answer(table, _plugin.Options, request.Name, request.Type, reply, _scratch))
        {
            Next(request);
            return;
        }
        reply.Plugin = Name;
        if (_scratch.Chase.Count == 0)
        {
            request.Respond(reply);
            return;
        }
        Chase(new Chasing(request, reply, [.. _scratch.Chase], 0));
    }

    private void Chase(Chasing c)
    {
        var next = c.Lookups[c.Next];
        var self = Self;
        Upstream.Lookup(c.Request, next.Name, next.Type, r => self.Tell(new ChaseAnswered(c, r), ActorRefs.NoSender));
    }

    protected override void OnOther(object message)
    {
        if (message is not ChaseAnswered done)
        {
            base.OnOther(message);
            return;
        }
        var c = done.Chasing;
        var to = c.Lookups[c.Next].ToAdditional ? c.Reply.Additional : c.Reply.Answer;
        foreach (var rr in done.Upstream.Answer) to.Add(rr);
        if (c.Next + 1 < c.Lookups.Length)
        {
            Chase(c with { Next = c.Next + 1 });
            return;
        }
        c.Request.Respond(c.Reply);
    }

    #region Messages
    private sealed record Chasing(DnsRequest Request, DnsResponse Reply, ExternalChase[] Lookups, int Next);

    private sealed record ChaseAnswered(Chasing Chasing, DnsResponse Upstream);
    #endregion
}
