using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Dnssec;

/// <summary>
/// CoreDNS's dnssec handler.go: a query outside the plugin's zones passes untouched; a DNSKEY query at one of its
/// zones' apex is answered here (signed when DO is set); any other query with DO gets the signing writer pushed
/// before it goes on, so the reply is signed on its way out; without DO nothing is signed.
/// </summary>
public sealed class DnssecActor : PluginActor
{
    private readonly DnssecSigner _signer;
    private readonly SigningWriter _writer;

    public static Props Props(DnssecSigner signer, ChainLink? next) => Akka.Actor.Props.Create(() => new DnssecActor(signer, next));

    public DnssecActor(DnssecSigner signer, ChainLink? next) : base("dnssec", next)
    {
        _signer = signer;
        _writer = new SigningWriter(signer);
    }

    protected override void Handle(DnsRequest request)
    {
        if (ZoneMatch.Longest(_signer.Zones, request.Name) is null)
        {
            Next(request);
            return;
        }
        if (request.Type == RrType.DNSKEY && _signer.Apex(request.Name) is { } zone)
        {
            var reply = _signer.Dnskey(request, zone);
            reply.Plugin = "dnssec";
            request.Respond(reply);
            return;
        }
        if (request.Query.Do) request.PushWriter(_writer);
        Next(request);
    }

    /// <summary>responsewriter.go: signs the reply when its question is in one of the zones.</summary>
    private sealed class SigningWriter(DnssecSigner signer) : IResponseWriter
    {
        public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
        {
            // A reply the chain did not write (no plugin answered, the deadline): nothing to sign.
            if (response.Error is not null || response.QName is null) return response;
            var zone = ZoneMatch.Longest(signer.Zones, response.QName);
            if (zone is null) return response;
            // The sections may be shared with whoever built the reply (a cache, a zone's pre-built RRsets).
            var res = response.Copy();
            signer.Sign(res, zone);
            return res;
        }
    }
}
