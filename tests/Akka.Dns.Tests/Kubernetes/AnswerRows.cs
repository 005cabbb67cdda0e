using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>
/// What the answer tables (<see cref="AnswersSpec"/>, <see cref="MultiClusterAnswersSpec"/>) share: one row is
/// (index variant, qname, qtype, rcode or FALLTHROUGH/NEXT, answer, additional), records written as
/// "name ttl TYPE rdata" joined by '|' in any order; indexes are built once per variant.
/// </summary>
internal sealed class AnswerRows(Func<string, K8sIndex> build)
{
    private readonly Dictionary<string, K8sIndex> _indexes = [];

    public K8sIndex Index(string variant)
    {
        lock (_indexes)
        {
            if (!_indexes.TryGetValue(variant, out var ix)) _indexes[variant] = ix = build(variant);
            return ix;
        }
    }

    public static string Text(DnsRecord r) =>
        r.Type == RrType.SOA ? $"{r.Name} {r.Ttl} SOA" : $"{r.Name} {r.Ttl} {RrType.ToString(r.Type)} {r.RDataText()}";

    public static string Sorted(List<DnsRecord> records) => string.Join("|", records.Select(Text).Order(StringComparer.Ordinal));

    public static string Sorted(string expected) => string.Join("|", expected.Split('|', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

    public static ushort Type(string t) => t switch
    {
        "A" => RrType.A, "AAAA" => RrType.AAAA, "SRV" => RrType.SRV, "TXT" => RrType.TXT, "PTR" => RrType.PTR,
        "CNAME" => RrType.CNAME, "NS" => RrType.NS, "SOA" => RrType.SOA, "MX" => RrType.MX, "AXFR" => RrType.AXFR,
        _ => throw new ArgumentException(t),
    };

    /// <summary>
    /// Answers one row and checks it: the outcome, rcode, answer and additional sections, AA, and that an empty
    /// answer carries exactly the SOA of <paramref name="soaZone"/>(qname) (CoreDNS's BackendError) and a
    /// non-empty one no authority. REFUSED is checked for its rcode and sections only.
    /// </summary>
    public void Check(string variant, string qname, string qtype, string rcode, string answer, string additional,
        Func<string, string> soaZone, ITestOutputHelper output)
    {
        var reply = new DnsResponse { QName = qname, QType = Type(qtype), QClass = RrClass.IN };
        var result = K8sAnswers.Answer(Index(variant), qname, Type(qtype), reply);
        output.WriteLine($"{result} {Rcode.ToString(reply.Rcode)}\n{reply}");
        switch (rcode)
        {
            case "FALLTHROUGH":
                Assert.Equal(K8sOutcome.Fallthrough, result.Outcome);
                return;
            case "NEXT":
                Assert.Equal(K8sOutcome.NotOurZone, result.Outcome);
                return;
        }
        Assert.Equal(K8sOutcome.Answered, result.Outcome);
        Assert.Equal(rcode, Rcode.ToString(reply.Rcode));
        Assert.Equal(Sorted(answer), Sorted(reply.Answer));
        Assert.Equal(Sorted(additional), Sorted(reply.Additional));
        if (rcode == "REFUSED") return;
        Assert.True(reply.Aa);
        if (reply.AnswerCount == 0)
        {
            var soa = Assert.Single(reply.Authority);
            Assert.Equal(RrType.SOA, soa.Type);
            Assert.Equal(soaZone(qname), soa.Name, ignoreCase: true);
        }
        else
        {
            Assert.Equal(0, reply.AuthorityCount);
        }
    }
}
