using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// One forward stanza at run time, shared by the block's pipeline replicas: its options, its upstreams, the
/// round-robin cursor and the count of queries in flight (for <c>max_concurrent</c>).
/// </summary>
public sealed class ForwardStanza
{
    private int _concurrent;
    private uint _cursor;

    public ForwardStanza(ForwardOptions options)
    {
        Options = options;
        var list = new ForwardUpstream[options.Upstreams.Count];
        for (var i = 0; i < list.Length; i++) list[i] = new ForwardUpstream(options.Upstreams[i], options);
        Upstreams = list;
        ConnectAttempts = options.MaxConnectAttemptsSet ? (int)Math.Min(options.MaxConnectAttempts, int.MaxValue) : 2 * list.Length;
    }

    public ForwardOptions Options { get; }
    public IReadOnlyList<ForwardUpstream> Upstreams { get; }

    /// <summary>Connect attempts allowed per query (0: no cap).</summary>
    public int ConnectAttempts { get; }

    /// <summary>Queries rejected because <c>max_concurrent</c> was reached.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);
    private long _rejected;

    internal bool TryEnter()
    {
        if (Options.MaxConcurrent <= 0) return true;
        if (Interlocked.Increment(ref _concurrent) <= Options.MaxConcurrent) return true;
        Interlocked.Decrement(ref _concurrent);
        Interlocked.Increment(ref _rejected);
        return false;
    }

    internal void Leave()
    {
        if (Options.MaxConcurrent > 0) Interlocked.Decrement(ref _concurrent);
    }

    /// <summary>The order to try the upstreams in for one query (CoreDNS's Policy.List).</summary>
    internal ForwardUpstream[] List()
    {
        var src = Upstreams;
        var n = src.Count;
        var list = new ForwardUpstream[n];
        switch (Options.Policy)
        {
            case ForwardPolicy.Sequential:
                for (var i = 0; i < n; i++) list[i] = src[i];
                break;
            case ForwardPolicy.RoundRobin:
            {
                var start = (int)((Interlocked.Increment(ref _cursor) - 1) % (uint)n);
                for (var i = 0; i < n; i++) list[i] = src[(start + i) % n];
                break;
            }
            default:
                for (var i = 0; i < n; i++) list[i] = src[i];
                for (var i = n - 1; i > 0; i--)
                {
                    var j = Random.Shared.Next(i + 1);
                    (list[i], list[j]) = (list[j], list[i]);
                }
                break;
        }
        return list;
    }

    /// <summary>CoreDNS's match: the name is in FROM and not under an <c>except</c> name (FROM itself always matches).</summary>
    internal bool Matches(string qname) => Matches(qname, Options.From, Options.Ignored);

    /// <summary>The match of forward and grpc: <paramref name="qname"/> is in <paramref name="from"/> and under none of <paramref name="ignored"/> (FROM itself always matches).</summary>
    internal static bool Matches(string qname, string from, IReadOnlyList<string> ignored)
    {
        if (!Wire.DnsName.IsSubdomain(qname, from)) return false;
        if (qname.Length == from.Length) return true;
        foreach (var i in ignored)
            if (Wire.DnsName.IsSubdomain(qname, i)) return false;
        return true;
    }
}

/// <summary>The forward plugin of one server block: its stanzas in Corefile order, one actor per pipeline replica.</summary>
public sealed class ForwardPlugin : Plugin
{
    private readonly List<IActorRef> _health = [];

    public ForwardPlugin(IReadOnlyList<ForwardOptions> stanzas, TimeSpan requestTimeout) : base("forward")
    {
        RequestTimeout = requestTimeout;
        var list = new ForwardStanza[stanzas.Count];
        for (var i = 0; i < list.Length; i++) list[i] = new ForwardStanza(stanzas[i]);
        Stanzas = list;
    }

    public IReadOnlyList<ForwardStanza> Stanzas { get; }

    /// <summary>The server's request deadline (<c>akka.dns.server.request-timeout</c>): no query is worked on past it.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>The options of each stanza, in order.</summary>
    public IReadOnlyList<ForwardOptions> Options => Stanzas.Select(s => s.Options).ToList();

    public override bool OpensNonInClasses => true;

    public override Props HandlerProps(ChainLink? next) => ForwardActor.Props(Stanzas, RequestTimeout, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        ForwardMetrics.Start(this);
        foreach (var s in Stanzas)
        {
            if (s.Options.MaxFails == 0) continue; // max_fails 0: never checked, never down
            foreach (var u in s.Upstreams)
            {
                var a = host.System.ActorOf(HealthActor.Props(u, s.Options));
                u.Health = a;
                _health.Add(a);
            }
        }
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        ForwardMetrics.Stop(this);
        foreach (var a in _health) a.Tell(PoisonPill.Instance);
        _health.Clear();
        foreach (var s in Stanzas)
            foreach (var u in s.Upstreams)
                u.Dispose();
        return Task.CompletedTask;
    }
}
