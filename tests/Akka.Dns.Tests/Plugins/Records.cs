using Akka.Actor;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Tests.Plugins;

/// <summary>
/// A test-only backend (<c>records [echo]</c>, placed after whoami) that answers from a master-file text given in C#:
/// the records owned by the name it sees go to the answer section in file order, those owned by
/// <c>auth.NAME</c> to the authority section and <c>extra.NAME</c> to the additional section; no record at all is
/// NXDOMAIN. With <c>echo</c> it adds <c>seen. 0 IN TXT NAME TYPE CLASS DO=0|1 [CODE=HEX...]</c> (what reached it)
/// to the additional section. AA is set.
/// </summary>
public sealed class RecordsSetup(IReadOnlyList<DnsRecord> records) : IPluginSetup
{
    public static PluginCatalog Catalog(string zone) =>
        PluginCatalog.Default.With("records", new RecordsSetup(MasterFile.Parse(zone, ".", "records")), after: "whoami");

    public Akka.Dns.Plugins.Plugin Setup(SetupContext context)
    {
        var echo = false;
        foreach (var r in context.Readers())
        {
            r.Next();
            echo = r.NextArg() && r.Val == "echo";
        }
        return new RecordsPlugin(records, echo);
    }

    private sealed class RecordsPlugin(IReadOnlyList<DnsRecord> records, bool echo) : Akka.Dns.Plugins.Plugin("records")
    {
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new RecordsActor(records, echo, next));
    }

    private sealed class RecordsActor(IReadOnlyList<DnsRecord> records, bool echo, ChainLink? next) : PluginActor("records", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var name = request.Name;
            var reply = request.CreateReply();
            reply.Aa = true;
            foreach (var rr in records)
            {
                if (DnsName.EqualsIgnoreCase(rr.Name, name)) reply.Answer.Add(rr);
                else if (DnsName.EqualsIgnoreCase(rr.Name, "auth." + name)) reply.Authority.Add(rr);
                else if (DnsName.EqualsIgnoreCase(rr.Name, "extra." + name)) reply.Additional.Add(rr);
            }
            if (reply.AnswerCount + reply.AuthorityCount + reply.AdditionalCount == 0) reply.Rcode = Rcode.NxDomain;
            if (echo)
            {
                var seen = new List<string> { name, RrType.ToString(request.Type), RrClass.ToString(request.Class), "DO=" + (request.Query.Do ? 1 : 0) };
                var opts = request.Query.Options;
                for (var i = 0; i + 4 <= opts.Length;)
                {
                    var code = (opts[i] << 8) | opts[i + 1];
                    var len = (opts[i + 2] << 8) | opts[i + 3];
                    seen.Add($"{code}={Convert.ToHexString(opts.Slice(i + 4, len))}");
                    i += 4 + len;
                }
                reply.Additional.Add(DnsRecord.Txt("seen.", 0, RrClass.IN, [.. seen]));
            }
            request.Respond(reply);
        }
    }
}
