using System.Buffers;
using Akka.Dns.Wire;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// Turns one received packet into a query for the dispatcher, or a reply the server writes at once when it
/// is not a query the chain may see: shorter than a header or QR set → dropped; bad counts, an unparsable
/// question or OPT → FORMERR; an opcode other than QUERY/NOTIFY → NOTIMP (miekg/dns's accept rules, which
/// CoreDNS keeps). Every transport uses it, so every transport answers bad input the same way.
/// </summary>
internal static class PacketHandler
{
    /// <summary>
    /// Parses <paramref name="packet"/> (owned by the query from here on). Returns the query to dispatch, or
    /// null; then <paramref name="directReply"/> is the reply to write (null: drop silently).
    /// </summary>
    public static DnsQuery? Accept(byte[] packet, int length, out DnsResponse? directReply)
    {
        directReply = null;
        var verdict = DnsReader.TryRead(packet, length, out var q);
        switch (verdict)
        {
            case QueryVerdict.Ok:
                return q;
            case QueryVerdict.Drop:
                DnsServerMetrics.Dropped.Increment();
                return null;
            default:
                DnsServerMetrics.Malformed.Increment();
                directReply = DnsResponse.ReplyTo(q, verdict == QueryVerdict.NotImp ? Rcode.NotImp : Rcode.FormErr);
                return null;
        }
    }

    /// <summary>Encodes a reply the server writes by itself into a buffer rented from the shared pool (return it!). Length -1 if it could not be encoded.</summary>
    public static byte[] Encode(DnsResponse response, int maxSize, out int length)
    {
        var buf = ArrayPool<byte>.Shared.Rent(Math.Min(maxSize, ReplyWriter.MaxMessageSize));
        length = DnsWriter.Encode(response, buf, maxSize);
        return buf;
    }
}
