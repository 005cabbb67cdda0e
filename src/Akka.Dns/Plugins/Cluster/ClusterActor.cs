using Akka.Actor;
using Akka.Dns.Cluster;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Cluster;

/// <summary>
/// Answers names in its zones from the live membership (<see cref="DnsMembership.Current"/>, a volatile read per
/// query). The answers of a zone are built once per snapshot (<see cref="ClusterAnswers"/>) and reused until the
/// membership changes. A name it has answers its records (NODATA with the SOA when it has none of the type); a
/// name it does not have is NXDOMAIN with the SOA, or goes to the next plugin under <c>fallthrough</c>.
/// </summary>
public sealed class ClusterActor : PluginActor
{
    private readonly ClusterOptions _options;
    private readonly Dictionary<string, ClusterAnswers> _answers = new(StringComparer.Ordinal);
    private DnsMembership _membership = null!;
    private long _version = -1;

    public static Props Props(ClusterOptions options, ChainLink? next) => Akka.Actor.Props.Create(() => new ClusterActor(options, next));

    public ClusterActor(ClusterOptions options, ChainLink? next) : base("cluster", next) => _options = options;

    protected override void PreStart() => _membership = DnsMembership.Get(Context.System);

    protected override void Handle(DnsRequest request)
    {
        var qname = Lower(request.Name);
        var zone = request.Class == RrClass.IN ? ZoneMatch.Longest(_options.Zones, qname) : null;
        if (zone is null)
        {
            Next(request);
            return;
        }

        var answers = AnswersFor(zone);
        var qtype = request.Type;
        DnsResponse reply;
        if (qname.Length == zone.Length)
        {
            reply = request.CreateReply();
            if (qtype == RrType.SOA) reply.Answer.Add(answers.Soa);
            else reply.Authority.Add(answers.Soa);
        }
        else if (answers.TryGet(qname, out var node))
        {
            reply = request.CreateReply();
            var records = node.For(qtype);
            if (records is { Count: > 0 })
            {
                reply.Answer.AddRange(records);
                if (qtype == RrType.SRV) reply.Additional.AddRange(node.SrvTargets);
            }
            else
            {
                reply.Authority.Add(answers.Soa);
            }
        }
        else
        {
            if (_options.Fallthrough.Through(qname))
            {
                Next(request);
                return;
            }
            reply = request.CreateReply(Rcode.NxDomain);
            reply.Authority.Add(answers.Soa);
        }

        reply.Aa = true;
        reply.Plugin = "cluster";
        request.Respond(reply);
    }

    private ClusterAnswers AnswersFor(string zone)
    {
        var snapshot = _membership.Current;
        if (snapshot.Version != _version)
        {
            _answers.Clear();
            _version = snapshot.Version;
        }
        if (!_answers.TryGetValue(zone, out var a)) _answers[zone] = a = ClusterAnswers.Build(snapshot, zone, _options.Ttl);
        return a;
    }

    private static string Lower(string name) =>
        name.AsSpan().IndexOfAnyInRange('A', 'Z') < 0 ? name : name.ToLowerInvariant();
}
