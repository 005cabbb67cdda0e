using Akka.Dns.Plugins;

namespace Akka.Dns.Server.Pipeline;

/// <summary>
/// One server block as the listeners see it: its handler plugins in plugin.cfg order and the first link of
/// each pipeline replica. Immutable; the block's supervisor fills the links.
/// </summary>
public sealed class BlockRuntime
{
    public BlockRuntime(string name, IReadOnlyList<Plugin> plugins, int replicas)
    {
        Name = name;
        Plugins = plugins;
        Handlers = plugins.Where(p => p.IsHandler).ToArray();
        Links = new ChainLink[replicas][];
        for (var r = 0; r < replicas; r++)
        {
            Links[r] = new ChainLink[Handlers.Count];
            for (var i = 0; i < Handlers.Count; i++) Links[r][i] = new ChainLink(Handlers[i].Name);
        }
        OpensNonInClasses = plugins.Any(p => p.OpensNonInClasses);
        AcceptsUpdates = plugins.Any(p => p.AcceptsUpdates);
        Filters = plugins.OfType<IRequestFilter>().ToArray();
        Observer = plugins.Select(p => p.Observer).FirstOrDefault(o => o is not null);
    }

    /// <summary>Told of every request routed here once answered (a plugin's <see cref="Plugin.Observer"/>: prometheus), or null.</summary>
    public IReplyObserver? Observer { get; }

    /// <summary>The block's request filters (view), in plugin.cfg order; empty for a block that takes everything routed to it.</summary>
    public IRequestFilter[] Filters { get; }

    /// <summary>Every filter passes <paramref name="request"/> (true without filters).</summary>
    public bool Takes(DnsRequest request)
    {
        foreach (var f in Filters)
            if (!f.Filter(request)) return false;
        return true;
    }

    /// <summary>The block's first key as written ("example.org:1053"), for logs.</summary>
    public string Name { get; }
    public IReadOnlyList<Plugin> Plugins { get; }
    public IReadOnlyList<Plugin> Handlers { get; }
    /// <summary>[replica][position in chain].</summary>
    public ChainLink[][] Links { get; }
    public int Replicas => Links.Length;
    /// <summary>No handler plugins: CoreDNS answers REFUSED.</summary>
    public bool IsEmpty => Handlers.Count == 0;
    public bool OpensNonInClasses { get; }
    /// <summary>A plugin of this block takes UPDATE messages; otherwise they are answered NOTIMP.</summary>
    public bool AcceptsUpdates { get; }

    /// <summary>Hands a request to the first plugin of replica <paramref name="replica"/> (mod the replica count).</summary>
    public void Dispatch(DnsRequest request, int replica) => Links[(int)((uint)replica % (uint)Links.Length)][0].Tell(request);
}
