using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Minimal;

/// <summary>
/// Minimal responses: a positive reply (CoreDNS's Typify says NOERROR, not a delegation) leaves with its
/// answer section only; authority and additional are dropped (the OPT record is not a section record here and
/// stays). Denials (NXDOMAIN, NODATA), errors, referrals and meta replies pass untouched.
/// </summary>
public sealed class MinimalActor : PluginActor
{
    private static readonly MinimalWriter Writer = new();

    public static Props Props(ChainLink? next) => Akka.Actor.Props.Create(() => new MinimalActor(next));

    public MinimalActor(ChainLink? next) : base("minimal", next)
    {
    }

    protected override void Handle(DnsRequest request)
    {
        request.PushWriter(Writer);
        Next(request);
    }

    private sealed class MinimalWriter : IResponseWriter
    {
        public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
        {
            if (Responses.Typify(response, DateTime.UtcNow) != ResponseType.NoError) return response;
            if (response.AuthorityCount == 0 && response.AdditionalCount == 0) return response;
            // A copy with fresh lists: the sections may be shared with whoever built the reply (a cache).
            var d = response.Copy();
            d.Authority.Clear();
            d.Additional.Clear();
            return d;
        }
    }
}
