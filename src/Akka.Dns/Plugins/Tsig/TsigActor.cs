using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Tsig;

/// <summary>
/// CoreDNS's TSIGServer.ServeDNS: a request without TSIG that need not be signed, or outside the plugin's zones,
/// goes on untouched. One that must be signed and is not gets REFUSED. A signed one is verified against the keys:
/// a failure is answered NOTAUTH carrying the TSIG error (BADKEY, BADSIG: unsigned; BADTIME: signed, our time in
/// Other Data); a verified one goes on with <see cref="DnsRequest.TsigKey"/> set and its reply (every message of
/// a transfer) signed with the same key.
/// </summary>
public sealed class TsigActor : PluginActor
{
    private readonly TsigOptions _options;

    public static Props Props(TsigOptions options, ChainLink? next) => Akka.Actor.Props.Create(() => new TsigActor(options, next));

    public TsigActor(TsigOptions options, ChainLink? next) : base("tsig", next) => _options = options;

    /// <summary>UPDATE messages are verified too (dynupdate may require a key).</summary>
    protected override bool SeesUpdates => true;

    protected override void Handle(DnsRequest request)
    {
        TsigRecord? tsig = null;
        var read = request.Query.HasTsig ? Wire.Tsig.TryRead(request.Query.Packet, out tsig) : TsigReadResult.None;
        if ((read == TsigReadResult.None && !_options.Required(request.Type, request.Query.Opcode))
            || ZoneMatch.Longest(_options.Zones, request.Name) is null)
        {
            Next(request);
            return;
        }
        if (read == TsigReadResult.FormErr)
        {
            Answer(request, Rcode.FormErr);
            return;
        }
        if (tsig is null)
        {
            Answer(request, Rcode.Refused);
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var algorithm = TsigAlgorithm.Find(tsig.Algorithm);
        int error;
        TsigKey? key = null;
        if (!_options.Keys.TryGetValue(tsig.Name, out key) || algorithm is null || (key.Algorithm is { } bound && bound != algorithm))
            error = Wire.Tsig.BadKey;
        else
            error = Wire.Tsig.Verify(request.Query.Packet, tsig, key.Secret, now);
        if (error == Rcode.FormErr)
        {
            Answer(request, Rcode.FormErr);
            return;
        }

        request.Signer = new TsigReplySigner(tsig, algorithm, key?.Secret, error);
        if (error != 0)
        {
            request.TsigError = error;
            Answer(request, Rcode.NotAuth);
            return;
        }
        request.TsigKey = tsig.Name;
        Next(request);
    }

    private void Answer(DnsRequest request, int rcode)
    {
        var reply = request.CreateReply(rcode);
        reply.Plugin = Name;
        request.Respond(reply);
    }
}

/// <summary>
/// Signs the replies to one TSIG request (miekg/dns's TsigGenerate as CoreDNS's restoreTsigWriter drives it): the
/// first message over the request MAC and the full TSIG variables, each later message of a stream over the previous
/// MAC and the timers only (RFC 8945 §5.3.1). BADKEY and BADSIG replies carry the TSIG unsigned (§5.3.2) with our
/// time (as BIND does: dig then reports the error rather than unsynchronized clocks); a BADTIME reply is signed with
/// the request's time and ours in Other Data (§5.2.3).
/// </summary>
public sealed class TsigReplySigner : IReplySigner
{
    private readonly TsigRecord _request;
    private readonly TsigAlgorithm? _algorithm;
    private readonly byte[]? _secret;
    private readonly ushort _error;
    private byte[]? _prior;

    public TsigReplySigner(TsigRecord request, TsigAlgorithm? algorithm, byte[]? secret, int error)
    {
        _request = request;
        _error = (ushort)error;
        var signs = algorithm is not null && secret is not null && error is not (Wire.Tsig.BadKey or Wire.Tsig.BadSig);
        _algorithm = signs ? algorithm : null;
        _secret = signs ? secret : null;
        Reserve = Wire.Tsig.RecordLength(request.Name, request.Algorithm, _algorithm?.MacLength ?? 0, error == Wire.Tsig.BadTime ? 6 : 0);
    }

    public int Reserve { get; }

    public int Sign(DnsRequest request, Span<byte> buffer, int length)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var first = _prior is null;
        var badTime = _error == Wire.Tsig.BadTime;
        var time = badTime ? _request.TimeSigned : now;
        var len = Wire.Tsig.Sign(buffer, length, _request.Name, _request.Algorithm, _algorithm, _secret,
            first ? _request.Mac : _prior, !first, time, Wire.Tsig.DefaultFudge, _error,
            badTime ? Wire.Tsig.TimeBytes(now) : default, out var mac);
        _prior = mac;
        return len;
    }
}
