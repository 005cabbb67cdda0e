using System.Net;
using System.Threading.Channels;
using Akka.Dns.Server.Routing;
using Akka.IO;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// One TCP (or DoT) connection: requests it read are answered, possibly out of order, into a bounded queue
/// that the connection's write side drains. When the read side is done (client closed, timeout, query limit)
/// the write side completes once every request read on it was answered, then the socket closes.
/// </summary>
internal sealed class StreamConnection : IReplyTarget
{
    private readonly Channel<ByteString> _out;
    private readonly RequestDispatcher _dispatcher;
    private readonly ServerInfo _server;
    private readonly DnsTransport _transport;
    private readonly IPEndPoint _client;
    private readonly IPEndPoint _local;
    private readonly int _replica;
    private readonly int _maxQueries;
    private int _outstanding;
    private int _queries;
    private volatile bool _inputDone;

    public StreamConnection(RequestDispatcher dispatcher, ServerInfo server, DnsTransport transport, IPEndPoint client, IPEndPoint local,
        int replica, TimeSpan idleTimeout, TimeSpan readTimeout, int maxQueries, int maxPending)
    {
        _dispatcher = dispatcher;
        _server = server;
        _transport = transport;
        _client = client.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(client.Address.MapToIPv4(), client.Port) : client;
        _local = local;
        _replica = replica;
        IdleTimeout = idleTimeout;
        ReadTimeout = readTimeout;
        _maxQueries = maxQueries;
        _out = Channel.CreateBounded<ByteString>(new BoundedChannelOptions(maxPending)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public TimeSpan IdleTimeout { get; }
    public TimeSpan ReadTimeout { get; }
    public ChannelReader<ByteString> Replies => _out.Reader;

    /// <summary>One framed message from the client. False when the connection must stop reading.</summary>
    public bool OnMessage(byte[] message)
    {
        var q = PacketHandler.Accept(message, message.Length, out var direct);
        if (q is null)
        {
            if (direct is not null)
            {
                Interlocked.Increment(ref _outstanding);
                var buf = PacketHandler.Encode(direct, ReplyWriter.MaxMessageSize, out var len);
                try
                {
                    if (len > 0) Write(buf.AsSpan(0, len));
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buf);
                }
                Answered();
            }
        }
        else
        {
            Interlocked.Increment(ref _outstanding);
            var request = new DnsRequest(q, _transport, this, _server, null, _client, _local);
            _dispatcher.Dispatch(request, _replica);
        }
        return _maxQueries < 0 || ++_queries < _maxQueries;
    }

    public void OnInputDone(string? reason)
    {
        _inputDone = true;
        if (Volatile.Read(ref _outstanding) == 0) _out.Writer.TryComplete();
    }

    /// <summary>Closes the write side now (listener shutdown).</summary>
    public void Abort() => _out.Writer.TryComplete();

    int IReplyTarget.MaxReplySize(DnsRequest request) => ReplyWriter.MaxMessageSize;

    void IReplyTarget.Send(DnsRequest request, ReadOnlySpan<byte> reply) => Write(reply);

    void IReplyTarget.Completed(DnsRequest request) => Answered();

    private void Write(ReadOnlySpan<byte> reply)
    {
        var framed = new byte[reply.Length + 2];
        framed[0] = (byte)(reply.Length >> 8);
        framed[1] = (byte)reply.Length;
        reply.CopyTo(framed.AsSpan(2));
        if (_out.Writer.TryWrite(ByteString.FromBytes(framed))) DnsServerMetrics.Replies.Increment();
        else DnsServerMetrics.Dropped.Increment();   // the client does not read its replies
    }

    private void Answered()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0 && _inputDone) _out.Writer.TryComplete();
    }
}
