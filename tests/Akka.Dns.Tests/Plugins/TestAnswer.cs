using System.Net;
using Akka.Actor;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.Plugins;

/// <summary>
/// A test-only answering plugin (<c>testanswer</c>, placed after whoami): the first label of the query name picks
/// the reply, so one Corefile covers every reply shape the response-side plugins care about.
/// <list type="bullet">
/// <item><c>answer.</c> NOERROR, A in answer, NS in authority, A (glue) in additional, AA</item>
/// <item><c>nodata.</c> NOERROR, SOA in authority, A in additional</item>
/// <item><c>nxdomain.</c> NXDOMAIN, SOA in authority, A in additional</item>
/// <item><c>referral.</c> NOERROR, NS in authority, glue A in additional</item>
/// <item><c>empty.</c> NOERROR, nothing at all</item>
/// <item><c>big.</c> NOERROR, 60 TXT records of 40 octets (about 3 kB)</item>
/// <item><c>opt.</c> NOERROR with an A answer and its own OPT (size 999, NSID "below")</item>
/// <item><c>servfail.</c>/<c>refused.</c> the chain fails with that rcode and an error "testanswer: failed for NAME"</item>
/// <item><c>throw.</c> the actor throws (a crash: SERVFAIL and a restart)</item>
/// </list>
/// Anything else: NXDOMAIN without records.
/// </summary>
public sealed class TestAnswerSetup : IPluginSetup
{
    public static PluginCatalog Catalog { get; } = PluginCatalog.Default.With("testanswer", new TestAnswerSetup(), after: "whoami");

    public Akka.Dns.Plugins.Plugin Setup(SetupContext context) => new TestAnswerPlugin();

    private sealed class TestAnswerPlugin() : Akka.Dns.Plugins.Plugin("testanswer")
    {
        public override Props HandlerProps(ChainLink? next) => Akka.Actor.Props.Create(() => new TestAnswerActor(next));
    }

    private sealed class TestAnswerActor(ChainLink? next) : PluginActor("testanswer", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var name = request.Name;
            var label = name.Split('.')[0].ToLowerInvariant();
            var zone = name[(name.IndexOf('.') + 1)..];
            if (zone.Length == 0) zone = ".";
            var soa = DnsRecord.Soa(zone, 300, "ns1." + zone, "hostmaster." + zone, 1, 7200, 1800, 86400, 30);
            var ns = DnsRecord.Ns(zone, 300, "ns1." + zone);
            var glue = DnsRecord.A("ns1." + zone, 300, IPAddress.Parse("192.0.2.53"));
            DnsResponse reply;
            switch (label)
            {
                case "answer":
                    reply = request.CreateReply();
                    reply.Aa = true;
                    reply.Answer.Add(DnsRecord.A(name, 300, IPAddress.Parse("192.0.2.1")));
                    reply.Authority.Add(ns);
                    reply.Additional.Add(glue);
                    break;
                case "nodata":
                    reply = request.CreateReply();
                    reply.Aa = true;
                    reply.Authority.Add(soa);
                    reply.Additional.Add(glue);
                    break;
                case "nxdomain":
                    reply = request.CreateReply(Rcode.NxDomain);
                    reply.Aa = true;
                    reply.Authority.Add(soa);
                    reply.Additional.Add(glue);
                    break;
                case "referral":
                    reply = request.CreateReply();
                    reply.Authority.Add(ns);
                    reply.Additional.Add(glue);
                    break;
                case "big":
                    reply = request.CreateReply();
                    for (var i = 0; i < 60; i++) reply.Answer.Add(DnsRecord.Txt(name, 300, RrClass.IN, new string((char)('a' + i % 26), 40)));
                    break;
                case "empty":
                    reply = request.CreateReply();
                    break;
                case "opt":
                    reply = request.CreateReply();
                    reply.Answer.Add(DnsRecord.A(name, 300, IPAddress.Parse("192.0.2.1")));
                    reply.Edns = new EdnsRecord { UdpSize = 999 };
                    reply.Edns.Options.Add((EdnsOption.Nsid, "below"u8.ToArray()));
                    break;
                case "servfail":
                    request.Fail(Rcode.ServFail, $"testanswer: failed for {name}", "testanswer");
                    return;
                case "refused":
                    request.Fail(Rcode.Refused, $"testanswer: failed for {name}", "testanswer");
                    return;
                case "throw":
                    throw new InvalidOperationException($"testanswer crashed on {name}");
                default:
                    reply = request.CreateReply(Rcode.NxDomain);
                    break;
            }
            reply.Plugin = "testanswer";
            request.Respond(reply);
        }
    }
}
