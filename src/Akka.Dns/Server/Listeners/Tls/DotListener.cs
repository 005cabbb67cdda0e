using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Dns.Plugins.Tls;
using Akka.Dns.Server.Routing;
using Akka.Dns.Wire;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Akka.Dns.Server.Listeners.Tls;

/// <summary>
/// DNS over TLS (RFC 7858) for one tls:// listen address: RFC 1035 TCP framing inside TLS, several pipelined
/// queries per connection answered as they complete (possibly out of order), the block's idle/read timeouts and
/// max-queries (timeouts plugin, else akka.dns.tcp.*), a connection cap and a handshake timeout
/// (akka.dns.dot.*). Without a tls plugin in the listener's blocks it serves plain TCP DNS, as CoreDNS does.
/// <para>
/// Why our own accept loop + <see cref="SslStream"/> and not Kestrel connection middleware: the DNS part of a
/// connection is the TCP listener's own code, unchanged — <see cref="StreamConnection"/> (dispatch, out-of-order
/// replies, query limit) and <see cref="DnsStreamSink"/> (framing, idle and read timeouts) — fed from the
/// decrypted stream through a small channel, and the replies drained into the stream, coalesced into one TLS
/// record per burst. Kestrel would give the same decrypted bytes (a duplex pipe) and the same two pumps, so it
/// reuses no more of our code, while adding an HTTP server's host, its limits and its shutdown to a transport
/// that needs none of them; the handshake timeout and connection cap it would provide are a dozen lines here.
/// Measured here (dnsperf -m dot, 4 connections, 3 s, 2 shared cores, whoami): this listener 58–63k qps, the same
/// pumps behind Kestrel's UseHttps(TlsHandshakeCallbackOptions) + connection middleware 56–57k, equal latency.
/// bench/encrypted.sh compares it with dnsdist/Unbound.
/// </para>
/// </summary>
public sealed class DotListener : IDnsListener
{
    private static readonly List<SslApplicationProtocol> Alpn = [new("dot")];   // RFC 7858's ALPN id

    /// <summary>Bytes read from the decrypted stream at a time (a TLS record holds at most 16 KiB; queries are small).</summary>
    private const int ReadBufferSize = 4096;

    /// <summary>Replies queued together are coalesced up to this into one write, one TLS record (its maximum plaintext).</summary>
    private const int WriteBufferSize = 16384;

    private readonly ListenerContext _context;
    // Kept by a reload only with an unchanged tls line (DnsServer.SameTls); TlsCredentials.Share keeps this instance watched across it.
    private readonly TlsCredentials? _tls;
    private readonly DotSettings _dot;
    private readonly ServerInfo _server;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _read;
    private readonly TimeSpan _write;
    private readonly int _maxQueries;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<IPEndPoint> _endPoints = [];
    private readonly List<Task> _accepting = [];
    private readonly Dictionary<StreamConnection, Task> _open = [];
    private IMaterializer? _materializer;
    private int _connections;
    private int _next;

    public DotListener(ListenerContext context)
    {
        _context = context;
        _tls = context.Tls;
        _dot = DotSettings.Create(context.System);
        _log = context.Log;
        var o = context.Options;
        _idle = o.IdleTimeout ?? context.Settings.TcpIdleTimeout;
        _read = o.ReadTimeout ?? context.Settings.TcpReadTimeout;
        _write = o.WriteTimeout ?? _dot.WriteTimeout;
        _maxQueries = o.MaxTcpQueries ?? context.Settings.TcpMaxQueries;
        _server = context.Server(DnsTransport.Tls, context.Plan.Port);
    }

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _endPoints;

    public DnsTransport Transport => DnsTransport.Tls;

    public async Task StartAsync(CancellationToken ct)
    {
        var system = _context.System;
        var mat = system.Materializer(ActorMaterializerSettings.Create(system).WithDispatcher(_context.Settings.Dispatcher), namePrefix: "dns-dot");
        _materializer = mat;
        // As TcpListener: a stage actor created before the materializer's supervisor started fails.
        if (mat is ActorMaterializer am)
            await am.Supervisor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10), ct);

        var port = _context.Plan.Port;
        foreach (var endPoint in _context.EndPoints)
        {
            var ep = new IPEndPoint(endPoint.Address, port);
            var socket = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (ep.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;   // IPv4 has its own socket
                // SO_REUSEADDR alone (a restart binds past TIME_WAIT connections). .NET's ReuseAddress also sets
                // SO_REUSEPORT on Linux, which would let a second listener (a reload reopening this port) share the
                // port and split connections between old and new.
                if (OperatingSystem.IsLinux()) socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
                socket.Bind(ep);
                socket.Listen(_context.Settings.TcpBacklog);
            }
            catch (Exception e) when (_context.Plan.Address is null && ep.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.Dispose();
                _log.Warning("tls [::]:{0}: IPv6 is not available here, DoT is served over IPv4 only: {1}", port, e.Message);
                continue;
            }
            catch (Exception e)
            {
                socket.Dispose();
                throw new InvalidOperationException($"cannot listen on tls {ep}: {e.Message}", e);
            }
            var local = (IPEndPoint)socket.LocalEndPoint!;
            port = local.Port;   // port 0 (specs): the second family takes the port the first got
            _sockets.Add(socket);
            _endPoints.Add(local);
        }
        foreach (var socket in _sockets) _accepting.Add(AcceptLoopAsync(socket));
        if (_tls is null)
            _log.Info("{0}: no tls plugin in the block, serving plain TCP DNS (as CoreDNS)", _server.Label);
    }

    private async Task AcceptLoopAsync(Socket listen)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await listen.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Warning("{0}: accept failed: {1}", _server.Label, e.Message);
                continue;
            }
            if (Interlocked.Increment(ref _connections) > _dot.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                DotMetrics.Rejected.Increment();
                s.Dispose();
                continue;
            }
            _ = ServeAsync(s);
        }
    }

    /// <summary>One connection: handshake (unless clear text), then the TCP listener's framing and reply queue over the decrypted stream.</summary>
    private async Task ServeAsync(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        StreamConnection? conn = null;
        try
        {
            socket.NoDelay = true;
            var client = (IPEndPoint)socket.RemoteEndPoint!;
            var local = (IPEndPoint)socket.LocalEndPoint!;
            var tls = _tls;
            if (tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                handshake.CancelAfter(_dot.HandshakeTimeout);
                try
                {
                    // Options per connection: a certificate renewed on disk is presented to the next handshake.
                    await ssl.AuthenticateAsServerAsync(tls.ServerOptions(Alpn), handshake.Token);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    DotMetrics.HandshakeTimeouts.Increment();
                    return;
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or SocketException)
                {
                    DotMetrics.HandshakeFailures.Increment();
                    if (_log.IsDebugEnabled) _log.Debug("{0}: TLS handshake with {1} failed: {2}", _server.Label, client, e.Message);
                    return;
                }
            }
            DotMetrics.Connections.Increment();
            // Requests over TLS say _tls (whoami); a tls:// listener without certificate is plain TCP and says _tcp.
            conn = new StreamConnection(_context.Dispatcher, _server, tls is null ? DnsTransport.Tcp : DnsTransport.Tls, client, local,
                Interlocked.Increment(ref _next), _idle, _read, _maxQueries, _context.Settings.TcpMaxPendingReplies);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_open)
            {
                if (_stop.IsCancellationRequested) return;
                _open.Add(conn, done.Task);
            }
            try
            {
                await PumpAsync(stream, conn);
            }
            finally
            {
                lock (_open) _open.Remove(conn);
                done.TrySetResult();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the client went away
        }
        catch (Exception e)
        {
            _log.Error(e, "{0}: connection failed", _server.Label);
        }
        finally
        {
            conn?.Abort();
            await stream.DisposeAsync();
            Interlocked.Decrement(ref _connections);
        }
    }

    /// <summary>
    /// Reads the stream into <see cref="DnsStreamSink"/> (the TCP listener's framing and timers) and writes the
    /// connection's replies until its reply queue completes: the client closed, a timeout or the query limit
    /// ended the read side and every query read was answered, or the listener aborted it.
    /// </summary>
    private async Task PumpAsync(Stream stream, StreamConnection conn)
    {
        var inbound = Channel.CreateBounded<ByteString>(new BoundedChannelOptions(4)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        ChannelSource.FromReader(inbound.Reader).RunWith(Sink.FromGraph(new DnsStreamSink(conn)), _materializer!);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var reader = ReadAsync(stream, inbound.Writer, reading.Token);
        try
        {
            await WriteAsync(stream, conn);
            if (stream is SslStream ssl)
            {
                using var closing = new CancellationTokenSource(_write);
                await ssl.ShutdownAsync().WaitAsync(closing.Token);   // close_notify
            }
        }
        finally
        {
            reading.Cancel();
            await reader;
        }
    }

    private async Task ReadAsync(Stream stream, ChannelWriter<ByteString> inbound, CancellationToken ct)
    {
        var buf = new byte[ReadBufferSize];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buf, ct);
                if (n == 0) break;
                await inbound.WriteAsync(ByteString.CopyFrom(buf, 0, n), ct);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or ChannelClosedException)
        {
        }
        finally
        {
            inbound.TryComplete();   // the sink ends its read side (answers still go out)
        }
    }

    private async Task WriteAsync(Stream stream, StreamConnection conn)
    {
        var replies = conn.Replies;
        var buf = new byte[WriteBufferSize];
        using var timeout = new CancellationTokenSource();
        while (await replies.WaitToReadAsync())
        {
            // Everything queued now leaves in one write: one TLS record for a burst of pipelined answers.
            var len = 0;
            while (replies.TryRead(out var reply))
            {
                if (len + reply.Count > buf.Length)
                {
                    if (len > 0) await Write(buf.AsMemory(0, len));
                    len = 0;
                    if (reply.Count > buf.Length)
                    {
                        await Write(reply.ToArray());
                        continue;
                    }
                }
                reply.CopyTo(buf, len, reply.Count);
                len += reply.Count;
            }
            if (len > 0) await Write(buf.AsMemory(0, len));
        }

        async Task Write(ReadOnlyMemory<byte> data)
        {
            timeout.CancelAfter(_write);
            try
            {
                await stream.WriteAsync(data, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                DotMetrics.WriteTimeouts.Increment();
                throw;
            }
            if (!timeout.TryReset()) throw new OperationCanceledException();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var s in _sockets) s.Dispose();
        try
        {
            await Task.WhenAll(_accepting);
        }
        catch (Exception e)
        {
            _log.Warning("{0}: accept loop ended with {1}", _server.Label, e.Message);
        }
        KeyValuePair<StreamConnection, Task>[] open;
        lock (_open) open = [.. _open];
        foreach (var (conn, _) in open) conn.Abort();
        try
        {
            await Task.WhenAll(open.Select(o => o.Value)).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _log.Warning("{0}: {1} connection(s) did not close within 5 s", _server.Label, open.Length);
        }
        (_materializer as ActorMaterializer)?.Shutdown();
    }
}
