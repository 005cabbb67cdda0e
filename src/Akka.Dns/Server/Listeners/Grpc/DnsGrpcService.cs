using System.Buffers.Binary;
using System.Net;
using Akka.Dns.Server.Routing;
using Coredns.Dns;
using Google.Protobuf;
using Grpc.Core;

namespace Akka.Dns.Server.Listeners.Grpc;

/// <summary>
/// <c>coredns.dns.DnsService/Query</c>: the packet in <c>DnsPacket.msg</c> becomes a <see cref="DnsRequest"/>
/// (transport grpc, client = the HTTP/2 connection's peer) for the listener's dispatcher, the same one every
/// other transport of the address uses; the call completes when the chain answers (no thread waits). A message
/// the server cannot take is a gRPC error, not a DNS reply, as CoreDNS's ServergRPC.Query returns one.
/// </summary>
internal sealed class DnsGrpcService : DnsService.DnsServiceBase
{
    /// <summary>Largest DNS message carried (dns.MaxMsgSize).</summary>
    public const int MaxDnsMessage = 65535;

    /// <summary>Largest protobuf payload: the message plus field tag (1 octet) and length varint (3 octets).</summary>
    public const int MaxProtobufMessage = MaxDnsMessage + 4;

    private readonly RequestDispatcher _dispatcher;
    private readonly ServerInfo _server;
    private int _replica;

    public DnsGrpcService(RequestDispatcher dispatcher, ServerInfo server)
    {
        _dispatcher = dispatcher;
        _server = server;
    }

    public override Task<DnsPacket> Query(DnsPacket request, ServerCallContext context)
    {
        var msg = request.Msg;
        if (msg.Length > MaxDnsMessage)
            throw new RpcException(new Status(StatusCode.Unknown, $"dns message exceeds size limit: {msg.Length}"));
        var packet = msg.ToByteArray();
        var q = PacketHandler.Accept(packet, packet.Length, out _);
        if (q is null) throw new RpcException(new Status(StatusCode.Unknown, UnpackError(packet)));

        var http = context.GetHttpContext();
        var conn = http.Connection;
        var client = new IPEndPoint(Unmap(conn.RemoteIpAddress ?? IPAddress.IPv6None), conn.RemotePort);
        var local = new IPEndPoint(Unmap(conn.LocalIpAddress ?? IPAddress.IPv6None), conn.LocalPort);
        var call = new GrpcCall();
        var r = new DnsRequest(q, DnsTransport.Grpc, call, _server, null, client, local);
        _dispatcher.Dispatch(r, Interlocked.Increment(ref _replica) & int.MaxValue);
        return call.Task;
    }

    private static IPAddress Unmap(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    /// <summary>The error CoreDNS's dnsutil.UnpackRequest gives for a packet our reader refused.</summary>
    internal static string UnpackError(ReadOnlySpan<byte> p)
    {
        if (p.Length < DnsReaderHeader) return "dns: buffer size too small";
        var flags = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
        var opcode = (flags >> 11) & 0xF;
        if ((flags & 0x8000) != 0 || opcode is not (0 or 4 or 5)
            || BinaryPrimitives.ReadUInt16BigEndian(p[4..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(p[6..]) > 1
            || BinaryPrimitives.ReadUInt16BigEndian(p[8..]) > 1 || BinaryPrimitives.ReadUInt16BigEndian(p[10..]) > 2)
            return "dns request rejected";
        return "dns: overflow unpacking message";
    }

    private const int DnsReaderHeader = 12;

    /// <summary>
    /// The reply handle of one call. A transfer answers with several messages; as CoreDNS's gRPC writer, the
    /// last one is what the call returns. Continuations run off the thread that answered (a plugin actor).
    /// </summary>
    private sealed class GrpcCall() : TaskCompletionSource<DnsPacket>(TaskCreationOptions.RunContinuationsAsynchronously), IReplyTarget
    {
        private byte[]? _reply;

        public int MaxReplySize(DnsRequest request) => MaxDnsMessage;

        public void Send(DnsRequest request, ReadOnlySpan<byte> reply) => _reply = reply.ToArray();

        public void Completed(DnsRequest request)
        {
            if (_reply is { } bytes)
            {
                DnsServerMetrics.Replies.Increment();
                TrySetResult(new DnsPacket { Msg = UnsafeByteOperations.UnsafeWrap(bytes) });
            }
            else
            {
                TrySetException(new RpcException(new Status(StatusCode.Internal, "no response")));
            }
        }
    }
}
