using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Autopath;

/// <summary>
/// Server-side search path completion (CoreDNS's autopath): a query for a name in the first element of the
/// search path is asked again down the chain with each element in turn (the base name, then the base name plus
/// each element, the last being the name as asked); the first reply that is not NXDOMAIN (nor a failure the
/// server would write) is returned, with a CNAME from the asked name to its answer; when all fail, the first
/// reply is returned as is.
/// </summary>
public sealed class AutopathActor : PluginActor
{
    private readonly IReadOnlyList<string> _zones;
    private readonly IReadOnlyList<string>? _search;
    private readonly bool _usesProvider;
    private readonly IAutoPather? _provider;

    public static Props Props(IReadOnlyList<string> zones, IReadOnlyList<string>? search, bool usesProvider, IAutoPather? provider, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new AutopathActor(zones, search, usesProvider, provider, next));

    public AutopathActor(IReadOnlyList<string> zones, IReadOnlyList<string>? search, bool usesProvider, IAutoPather? provider, ChainLink? next)
        : base("autopath", next)
    {
        _zones = zones;
        _search = search;
        _usesProvider = usesProvider;
        _provider = provider;
    }

    protected override void Handle(DnsRequest request)
    {
        if (ZoneMatch.Longest(_zones, request.Name) is null || !HasNext)
        {
            Next(request);
            return;
        }
        var search = _usesProvider ? _provider?.AutoPath(request) : _search;
        if (search is null || search.Count == 0 || !FirstInSearchPath(request.Name, search[0]))
        {
            Next(request);
            return;
        }
        if (!TryTrimZone(request.Name, search[0], out var @base))
        {
            request.Fail(Rcode.ServFail, $"plugin/autopath: trimzone: overshot qname: {request.Name}for zone {search[0]}", "autopath");
            return;
        }
        Step(new Walk(request, @base, search));
    }

    private static bool FirstInSearchPath(string name, string first) =>
        string.Equals(name, first, StringComparison.OrdinalIgnoreCase) || DnsName.IsSubdomain(name, first);

    /// <summary>CoreDNS's dnsutil.TrimZone: the labels of <paramref name="name"/> before <paramref name="zone"/>; false when there are none.</summary>
    private static bool TryTrimZone(string name, string zone, out string @base)
    {
        var zl = zone == DnsName.Root ? 0 : zone.TrimEnd('.').Split('.').Length;
        var labels = name.TrimEnd('.').Split('.');
        if (labels.Length <= zl || (labels.Length == 1 && labels[0].Length == 0))
        {
            @base = "";
            return false;
        }
        @base = string.Join('.', labels[..^zl]);
        return true;
    }

    /// <summary>Asks the next element of the walk.</summary>
    private void Step(Walk walk)
    {
        while (walk.Index < walk.Search.Count)
        {
            var name = walk.Base + "." + walk.Search[walk.Index];
            var fork = walk.Original.Fork(new Sink(Self, walk), name);
            if (fork is not null)
            {
                Next(fork);
                return;
            }
            walk.Index++;   // a name too long to ask counts as NXDOMAIN
        }
        Finish(walk);
    }

    protected override void OnOther(object message)
    {
        if (message is not StepReply s)
        {
            Unhandled(message);
            return;
        }
        var walk = s.Walk;
        var reply = s.Response;
        if (walk.Index == 0) walk.First = reply;
        if (Rcode.ClientWrite(reply.Rcode) && reply.Rcode != Rcode.NxDomain)
        {
            AutopathMetrics.Success.Increment();
            AutopathMetrics.SuccessByServer.Inc(walk.Original);
            walk.Original.Respond(Cnamer(reply, walk.Original.Name));
            return;
        }
        walk.Index++;
        Step(walk);
    }

    private static void Finish(Walk walk)
    {
        if (walk.First is { } first)
        {
            first.QName = walk.Original.Name;
            walk.Original.Respond(first);
        }
        else
        {
            walk.Original.Fail(Rcode.ServFail, "plugin/autopath: no reply", "autopath");
        }
    }

    /// <summary>CoreDNS's cnamer: a CNAME from the asked name to the first answer record's owner when they differ; the question is the asked name.</summary>
    private static DnsResponse Cnamer(DnsResponse reply, string original)
    {
        foreach (var rr in reply.Answer)
        {
            if (string.Equals(original, rr.Name, StringComparison.OrdinalIgnoreCase)) continue;
            reply = reply.Copy();
            reply.Answer.Insert(0, DnsRecord.Cname(original, rr.Ttl, rr.Name));
            break;
        }
        reply.QName = original;
        return reply;
    }

    private sealed class Walk(DnsRequest original, string @base, IReadOnlyList<string> search)
    {
        public DnsRequest Original { get; } = original;
        public string Base { get; } = @base;
        public IReadOnlyList<string> Search { get; } = search;
        public int Index { get; set; }
        public DnsResponse? First { get; set; }
    }

    private sealed record StepReply(Walk Walk, DnsResponse Response);

    private sealed class Sink(IActorRef actor, Walk walk) : IResponseSink
    {
        public int MaxReplySize(DnsRequest request) => 65535;
        public void Send(DnsRequest request, ReadOnlySpan<byte> reply) { }
        public void Deliver(DnsRequest request, DnsResponse response) => actor.Tell(new StepReply(walk, response));
    }
}
