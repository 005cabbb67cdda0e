using System.Text;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Nsid;

/// <summary>
/// RFC 5001: when the query carries an NSID option, the reply's OPT gets an NSID option with the configured
/// data (replacing one a later plugin put there). A reply without an OPT gets one mirroring the query's UDP
/// size (as lowered by bufsize) and DO bit. Queries without NSID pass untouched.
/// </summary>
public sealed class NsidActor : PluginActor
{
    private readonly NsidWriter _writer;

    public static Props Props(string data, ChainLink? next) => Akka.Actor.Props.Create(() => new NsidActor(data, next));

    public NsidActor(string data, ChainLink? next) : base("nsid", next) => _writer = new NsidWriter(Encoding.UTF8.GetBytes(data));

    protected override void Handle(DnsRequest request)
    {
        if (request.Query.HasEdns && request.Query.TryGetOption(EdnsOption.Nsid, out _)) request.PushWriter(_writer);
        Next(request);
    }

    private sealed class NsidWriter(byte[] data) : IResponseWriter
    {
        public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
        {
            // A copy: the OPT may belong to a reply someone else keeps (a cache).
            var edns = response.Edns = response.Edns?.Copy() ?? new EdnsRecord { UdpSize = request.UdpSize, Do = request.Query.Do };
            var options = edns.Options;
            var found = false;
            for (var i = 0; i < options.Count; i++)
            {
                if (options[i].Code != EdnsOption.Nsid) continue;
                options[i] = (EdnsOption.Nsid, data);
                found = true;
            }
            if (!found) options.Add((EdnsOption.Nsid, data));
            return response;
        }
    }
}
