using System.Net;
using Akka.Dns.Server.Listeners;
using Akka.Dns.Wire;

namespace Akka.Dns.Server;

/// <summary>A reply target that takes the reply as an object instead of bytes (server re-entry).</summary>
public interface IResponseSink : IReplyTarget
{
    void Deliver(DnsRequest request, DnsResponse response);
}

/// <summary>
/// Re-enters the whole server for a name, as CoreDNS's plugin/pkg/upstream does for out-of-zone CNAME targets:
/// a new query goes through the same listener's routing and chain (other blocks, forward...) and its reply
/// comes back to <paramref name="onReply"/> — by a Tell from the sink, never a wait. Past
/// <see cref="MaxDepth"/> re-entries the answer is SERVFAIL (a loop between zones).
/// </summary>
public static class Upstream
{
    public const int MaxDepth = 8;

    public static void Lookup(DnsRequest origin, string name, ushort type, Action<DnsResponse> onReply)
    {
        if (origin.Depth >= MaxDepth || origin.Dispatcher is not { } dispatcher)
        {
            var fail = DnsResponse.ReplyTo(origin.Query, Rcode.ServFail);
            fail.Error = origin.Depth >= MaxDepth ? "upstream lookup loop" : "no server to re-enter";
            onReply(fail);
            return;
        }
        var packet = BuildQuery(name, type, origin.Query.Class == RrClass.IN ? RrClass.IN : origin.Query.Class, origin.Query.Do);
        var q = PacketHandler.Accept(packet, packet.Length, out _);
        if (q is null)
        {
            onReply(DnsResponse.ReplyTo(origin.Query, Rcode.ServFail));
            return;
        }
        var request = new DnsRequest(q, origin.Transport, new Sink(onReply), origin.Server, origin.ClientAddress,
            origin.ClientAddress is null ? origin.Client : null, origin.Local)
        {
            Depth = origin.Depth + 1,
        };
        dispatcher.Dispatch(request, Random.Shared.Next());
    }

    private static byte[] BuildQuery(string name, ushort type, ushort cls, bool dnssecOk)
    {
        var r = new DnsResponse { Id = (ushort)Random.Shared.Next(), QName = name, QType = type, QClass = cls, Rd = true };
        if (dnssecOk) r.Edns = new EdnsRecord { UdpSize = 4096, Do = true };
        var buf = new byte[DnsName.MaxWireLength + 64];
        var len = DnsWriter.Encode(r, buf, buf.Length);
        buf[2] &= 0x7F;   // a query, not a response
        return buf[..len];
    }

    private sealed class Sink(Action<DnsResponse> onReply) : IResponseSink
    {
        public int MaxReplySize(DnsRequest request) => ReplyWriter.MaxMessageSize;
        public void Send(DnsRequest request, ReadOnlySpan<byte> reply) { }
        public void Deliver(DnsRequest request, DnsResponse response) => onReply(response);
    }
}
