using System.Buffers.Binary;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins;

/// <summary>What kind of reply a message is (CoreDNS's plugin/pkg/response Type).</summary>
public enum ResponseType
{
    /// <summary>A positive reply.</summary>
    NoError,
    /// <summary>NXDOMAIN.</summary>
    NameError,
    /// <summary>SERVFAIL or NOTIMP.</summary>
    ServerError,
    /// <summary>NOERROR with a SOA in the authority section and no answer.</summary>
    NoData,
    /// <summary>NOERROR with NS records in the authority section and no answer (a referral).</summary>
    Delegation,
    /// <summary>NOTIFY, AXFR, IXFR.</summary>
    Meta,
    /// <summary>A dynamic update.</summary>
    Update,
    /// <summary>Anything else, including replies with expired signatures when DO is set.</summary>
    OtherError,
}

/// <summary>CoreDNS's response classes: what log's <c>class</c> filter and the cache sort replies by.</summary>
public enum ResponseClass
{
    All,
    Success,
    Denial,
    Error,
}

/// <summary>CoreDNS's response.Typify and response.Classify, over <see cref="DnsResponse"/>.</summary>
public static class Responses
{
    private static readonly string[] TypeNames = ["NOERROR", "NXDOMAIN", "SERVERERROR", "NODATA", "DELEGATION", "META", "UPDATE", "OTHERERROR"];
    private static readonly string[] ClassNames = ["all", "success", "denial", "error"];

    /// <summary>"NOERROR", "NXDOMAIN", "SERVERERROR", "NODATA", ... (CoreDNS's Type.String).</summary>
    public static string Name(this ResponseType t) => TypeNames[(int)t];

    /// <summary>"all", "success", "denial", "error".</summary>
    public static string Name(this ResponseClass c) => ClassNames[(int)c];

    public static bool TryParseClass(string text, out ResponseClass c)
    {
        var i = Array.IndexOf(ClassNames, text);
        c = i < 0 ? ResponseClass.All : (ResponseClass)i;
        return i >= 0;
    }

    /// <summary>Classifies <paramref name="m"/> the way response.Typify does (null = nothing was written).</summary>
    public static ResponseType Typify(DnsResponse? m, DateTime utcNow)
    {
        if (m is null) return ResponseType.OtherError;
        if (m.Opcode == Opcode.Update) return ResponseType.Update;
        if (m.Opcode == Opcode.Notify) return ResponseType.Meta;
        if (m.QName is not null && m.QType is RrType.AXFR or RrType.IXFR) return ResponseType.Meta;
        if (m.Edns is { Do: true } && HasExpiredSignature(m, utcNow)) return ResponseType.OtherError;

        var rcode = m.Rcode;
        if (m.AnswerCount > 0 && rcode == Rcode.NoError) return ResponseType.NoError;
        if (m.AnswerCount > 0 && rcode == Rcode.NxDomain) return ResponseType.OtherError;

        var soa = false;
        var ns = 0;
        if (m.AuthorityCount > 0)
        {
            foreach (var r in m.Authority)
            {
                if (r.Type == RrType.SOA) soa = true;
                else if (r.Type == RrType.NS) ns++;
            }
        }
        if (soa && rcode == Rcode.NoError) return ResponseType.NoData;
        if (rcode == Rcode.NxDomain) return ResponseType.NameError;
        if (rcode is Rcode.ServFail or Rcode.NotImp) return ResponseType.ServerError;
        if (ns > 0 && rcode == Rcode.NoError) return ResponseType.Delegation;
        return rcode == Rcode.NoError ? ResponseType.NoError : ResponseType.OtherError;
    }

    public static ResponseClass Classify(ResponseType t) => t switch
    {
        ResponseType.NoError or ResponseType.Delegation => ResponseClass.Success,
        ResponseType.NameError or ResponseType.NoData => ResponseClass.Denial,
        _ => ResponseClass.Error,
    };

    private static bool HasExpiredSignature(DnsResponse m, DateTime utcNow)
    {
        var now = (uint)(long)(utcNow - DateTime.UnixEpoch).TotalSeconds;
        return Expired(m.AnswerCount > 0 ? m.Answer : null, now)
            || Expired(m.AuthorityCount > 0 ? m.Authority : null, now)
            || Expired(m.AdditionalCount > 0 ? m.Additional : null, now);
    }

    private static bool Expired(List<DnsRecord>? records, uint now)
    {
        if (records is null) return false;
        foreach (var r in records)
        {
            if (r.Type != RrType.RRSIG || r.RData.Length < 16) continue;
            // RFC 4034 3.1: type covered (2), algorithm, labels, original TTL (4), expiration, inception.
            var expiration = BinaryPrimitives.ReadUInt32BigEndian(r.RData.AsSpan(8));
            var inception = BinaryPrimitives.ReadUInt32BigEndian(r.RData.AsSpan(12));
            // Serial-number arithmetic (RFC 1982), as miekg/dns's ValidityPeriod.
            if ((int)(inception - now) > 0 || (int)(now - expiration) > 0) return true;
        }
        return false;
    }
}
