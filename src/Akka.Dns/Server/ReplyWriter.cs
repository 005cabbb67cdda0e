using System.Buffers;
using Akka.Dns.Wire;

namespace Akka.Dns.Server;

/// <summary>
/// The last step of every reply (CoreDNS's ScrubWriter): the query's id, the OPT record mirrored from the query
/// when the reply has none, truncation to what the transport carries (TC over UDP), the request's signer (TSIG,
/// with room left for it), then the transport write.
/// </summary>
internal static class ReplyWriter
{
    public const int MinUdpSize = 512;
    public const int MaxMessageSize = 65535;

    /// <summary>Options the server keeps when it mirrors the query's OPT (miekg/dns's supported set).</summary>
    private static bool Supported(ushort code) =>
        code is EdnsOption.Nsid or EdnsOption.Expire or EdnsOption.Cookie or EdnsOption.TcpKeepalive or EdnsOption.Padding;

    public static void Write(DnsRequest request, DnsResponse response)
    {
        Scrub(request.Query, request.UdpSize, response);
        if (request.Target is IResponseSink sink)
        {
            sink.Deliver(request, response);
            return;
        }
        var max = request.Target.MaxReplySize(request);
        var signer = request.Signer;
        var size = Math.Min(max, MaxMessageSize);
        var limit = signer is null ? max : size - signer.Reserve;
        var buf = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var len = DnsWriter.Encode(response, buf, limit);
            if (len < 0)
            {
                // Not even the question fits (only with a name near 255 octets in a 512-byte reply): header only.
                response.QName = null;
                response.Answer.Clear();
                response.Authority.Clear();
                response.Additional.Clear();
                response.Tc = true;
                len = DnsWriter.Encode(response, buf, limit);
                if (len < 0) return;
            }
            if (signer is not null)
            {
                var signed = signer.Sign(request, buf.AsSpan(0, size), len);
                if (signed >= 0) len = signed;
            }
            request.Target.Send(request, buf.AsSpan(0, len));
            request.Written += len;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>Id and OPT rules applied to every reply.</summary>
    public static void Scrub(DnsQuery q, ushort udpSize, DnsResponse response)
    {
        response.Id = q.Id;
        if (q.HasEdns && response.Edns is null && !response.NoOptMirror)
        {
            var e = new EdnsRecord { UdpSize = udpSize == 0 ? q.UdpSize : udpSize, Version = 0, Do = q.Do };
            var o = q.Options;
            while (o.Length >= 4)
            {
                var code = (ushort)(o[0] << 8 | o[1]);
                var l = o[2] << 8 | o[3];
                if (4 + l > o.Length) break;
                if (Supported(code)) e.Options.Add((code, o.Slice(4, l).ToArray()));
                o = o[(4 + l)..];
            }
            response.Edns = e;
        }
    }

    /// <summary>The largest UDP reply for a query: 512 without EDNS, else the (possibly lowered) advertised size, at least 512.</summary>
    public static int UdpLimit(DnsRequest request, int serverMax) =>
        request.Query.HasEdns ? Math.Clamp((int)request.UdpSize, MinUdpSize, Math.Max(MinUdpSize, serverMax)) : MinUdpSize;
}
