using System.Net;
using System.Net.Sockets;
using Akka.Dns.Server.Routing;
using Akka.Dns.Wire;
using Akka.Event;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// One UDP socket and its receive threads. Each thread blocks in recvmmsg(2) (<see cref="UdpBatch"/>; on
/// other platforms, or with akka.dns.udp.batch = 1, in <c>ReceiveFrom(Span, SocketAddress)</c>), parses each
/// packet, and Tells the request straight to a plugin actor of the matched block (replica = thread index);
/// replies written on the thread during the batch leave in one sendmmsg(2).
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
    private readonly int _batchSize;
    private readonly int _fd;
    private volatile bool _stopping;

    /// <summary>The batch the current thread is filling, while it handles the packets of one recvmmsg.</summary>
    [ThreadStatic] private static ThreadBatch? t_batch;

    private sealed class ThreadBatch(UdpListener owner, UdpBatch batch)
    {
        public readonly UdpListener Owner = owner;
        public readonly UdpBatch Batch = batch;
    }

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
        _batchSize = UdpBatch.Supported ? settings.UdpBatch : 1;
        _fd = (int)_socket.SafeHandle.DangerousGetHandle();
        if (_batchSize > 1) UdpBatch.SetReceiveTimeout(_socket, TimeSpan.FromMilliseconds(250));
        _threads = new Thread[settings.UdpReceiveThreads];
        for (var i = 0; i < _threads.Length; i++)
        {
            var index = i;
            _threads[i] = new Thread(() =>
            {
                if (_batchSize > 1) BatchLoop(index);
                else ReceiveLoop(index);
            })
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

    /// <summary>
    /// The receive loop with recvmmsg/sendmmsg (<see cref="UdpBatch"/>): replies written on this thread while
    /// it handles one batch (the inline executor runs an idle plugin actor here) are queued and leave in one
    /// sendmmsg after the batch; replies from any other thread go out at once with SendTo.
    /// </summary>
    private void BatchLoop(int index)
    {
        var added = false;
        _socket.SafeHandle.DangerousAddRef(ref added);
        using var batch = new UdpBatch(_batchSize, ReplyWriter.MaxMessageSize);
        var mine = new ThreadBatch(this, batch);
        var from = new SocketAddress(_socket.AddressFamily);
        try
        {
            while (!_stopping)
            {
                var n = batch.Receive(_fd);
                if (n < 0)
                {
                    var error = (SocketError)(-n);
                    if (error is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize) continue;
                    _log.Error("udp {0}: receive failed: errno {1}", LocalEndPoint, -n);
                    Thread.Sleep(10);
                    continue;
                }
                if (n == 0) continue;
                t_batch = mine;
                try
                {
                    for (var i = 0; i < n && !_stopping; i++)
                    {
                        try
                        {
                            batch.CopySender(i, from);
                            Handle(batch.Packet(i), from, index);
                        }
                        catch (Exception e)
                        {
                            DnsServerMetrics.Malformed.Increment();
                            _log.Error(e, "udp {0}: packet handling failed", LocalEndPoint);
                        }
                    }
                }
                finally
                {
                    t_batch = null;
                    var sent = batch.Flush(_fd);
                    if (sent > 0) DnsServerMetrics.Replies.Increment(sent);
                }
            }
        }
        finally
        {
            if (added) _socket.SafeHandle.DangerousRelease();
        }
    }

    private void Handle(byte[] buffer, int n, SocketAddress from, int index) => Handle(buffer.AsSpan(0, n), from, index);

    private void Handle(ReadOnlySpan<byte> received, SocketAddress from, int index)
    {
        var n = received.Length;
        if (n < DnsReader.HeaderSize)
        {
            DnsServerMetrics.Dropped.Increment();
            return;
        }
        var packet = received.ToArray();
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
        var queued = t_batch;
        if (queued is not null && queued.Owner == this && queued.Batch.TryQueue(_fd, bytes, to)) return;
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
