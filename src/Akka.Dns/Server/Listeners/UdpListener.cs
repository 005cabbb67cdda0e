using System.Net;
using System.Net.Sockets;
using Akka.Dns.Server.Routing;
using Akka.Dns.Wire;
using Akka.Event;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// One UDP socket and its receive threads. Each thread blocks in <c>ReceiveFrom(Span, SocketAddress)</c> with
/// one buffer and one SocketAddress of its own, parses the packet, and Tells the request straight to a plugin
/// actor of the matched block (replica = thread index).
/// Why no Akka.Streams stage between the socket and the first actor: DESIGN.md measured a ChannelSource stage
/// there at 49 % of the bare loop on the channel-executor (every query crossed executors twice) against 79–84 %
/// for a direct Tell, so the "stage" here is the receive thread itself. With the default inline executor
/// (reference.conf, akka.dns.dispatcher) an idle plugin actor then runs on this thread; replies are sent by
/// whichever actor answers, with SendTo on the same socket.
/// </summary>
public sealed class UdpListener : IReplyTarget, IDisposable
{
    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly ServerInfo _server;
    private readonly int _maxUdp;
    private readonly ILoggingAdapter _log;
    private readonly Thread[] _threads;
    private volatile bool _stopping;

    public UdpListener(IPEndPoint endPoint, RequestDispatcher dispatcher, ServerInfo server, DnsSettings settings, ILoggingAdapter log)
    {
        _dispatcher = dispatcher;
        _server = server;
        _maxUdp = settings.MaxUdpSize;
        _log = log;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                _socket.DualMode = true;
            if (settings.UdpReceiveBuffer > 0) _socket.ReceiveBufferSize = settings.UdpReceiveBuffer;
            if (settings.UdpSendBuffer > 0) _socket.SendBufferSize = settings.UdpSendBuffer;
            _socket.Bind(endPoint);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _threads = new Thread[settings.UdpReceiveThreads];
        for (var i = 0; i < _threads.Length; i++)
        {
            var index = i;
            _threads[i] = new Thread(() => ReceiveLoop(index))
            {
                IsBackground = true,
                Name = $"dns-udp-{LocalEndPoint.Port}-{i}",
            };
        }
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Start()
    {
        foreach (var t in _threads) t.Start();
    }

    private void ReceiveLoop(int index)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(ReplyWriter.MaxMessageSize);
        var address = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, SocketFlags.None, address);
            }
            catch (SocketException e) when (!_stopping)
            {
                // ICMP errors from earlier sends surface here on some platforms: not fatal.
                if (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize or SocketError.NetworkReset) continue;
                _log.Error("udp {0}: receive failed: {1}", LocalEndPoint, e.Message);
                continue;
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            try
            {
                Handle(buffer, n, address, index);
            }
            catch (Exception e)
            {
                // Never let one packet end the loop.
                DnsServerMetrics.Malformed.Increment();
                _log.Error(e, "udp {0}: packet handling failed", LocalEndPoint);
            }
        }
    }

    private void Handle(byte[] buffer, int n, SocketAddress from, int index)
    {
        if (n < DnsReader.HeaderSize)
        {
            DnsServerMetrics.Dropped.Increment();
            return;
        }
        var packet = buffer.AsSpan(0, n).ToArray();
        var q = PacketHandler.Accept(packet, n, out var direct);
        if (q is null)
        {
            if (direct is not null) SendDirect(direct, from);
            return;
        }
        var client = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(client.Buffer.Span);
        var request = new DnsRequest(q, DnsTransport.Udp, this, _server, client, null, LocalEndPoint);
        _dispatcher.Dispatch(request, index);
    }

    private void SendDirect(DnsResponse reply, SocketAddress to)
    {
        var buf = PacketHandler.Encode(reply, ReplyWriter.MinUdpSize, out var len);
        try
        {
            if (len > 0) SendTo(buf.AsSpan(0, len), to);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private void SendTo(ReadOnlySpan<byte> bytes, SocketAddress to)
    {
        try
        {
            _socket.SendTo(bytes, SocketFlags.None, to);
            DnsServerMetrics.Replies.Increment();
        }
        catch (SocketException)
        {
            // The client is gone or the buffer is full: UDP gives no guarantee, neither do we.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    int IReplyTarget.MaxReplySize(DnsRequest request) => ReplyWriter.UdpLimit(request, _maxUdp);

    void IReplyTarget.Send(DnsRequest request, ReadOnlySpan<byte> reply) => SendTo(reply, request.ClientAddress!);

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        foreach (var t in _threads)
            if (t.IsAlive) t.Join(TimeSpan.FromSeconds(2));
    }
}
