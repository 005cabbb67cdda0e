using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;

namespace Akka.Dns.Plugins.Forward;

/// <summary>A query waiting on an upstream's UDP socket for its reply; delivered at most once, from the receive loop.</summary>
public abstract class UdpPending
{
    internal ushort Id;
    internal byte[] Query = [];

    /// <summary>The matching reply (id and question checked). Runs on the receive loop: hand off, never block.</summary>
    public abstract void Deliver(byte[] reply);
}

/// <summary>Why an exchange failed, in words for the errors plugin.</summary>
public sealed class UpstreamException(string message) : Exception(message);

/// <summary>
/// One upstream of one forward stanza, shared by every pipeline replica of the block: one connected UDP socket
/// with one receive loop that hands each reply to the query waiting for its id and question (anything else is
/// dropped and counted), a pool of reused TCP (or TLS) connections that expire when idle, and the health state
/// its <see cref="HealthActor"/> keeps. No lock on the query path: the in-flight table and the pool are
/// concurrent collections; the fail count is an interlocked integer.
/// </summary>
public sealed class ForwardUpstream : IDisposable
{
    private readonly ForwardOptions _options;
    private readonly ConcurrentDictionary<ushort, UdpPending> _pending = new();
    private readonly ConcurrentQueue<StreamConn> _idle = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string? _serverName;
    private Socket? _udp;
    private int _fails;
    private int _inFlight;
    private long _dropped;

    /// <summary>UDP queries one upstream socket may have waiting (ids are 16 bits; past this a query fails at once).</summary>
    public const int MaxInFlight = 32768;

    public ForwardUpstream(UpstreamAddress address, ForwardOptions options)
    {
        Address = address;
        _options = options;
        _serverName = address.ServerName ?? options.TlsServerName;
        Metrics = new UpstreamMetrics(address.EndPoint.ToString());
    }

    /// <summary>This upstream's labeled metric children.</summary>
    public UpstreamMetrics Metrics { get; }

    public UpstreamAddress Address { get; }
    public IPEndPoint EndPoint => Address.EndPoint;

    /// <summary>Consecutive failed health checks.</summary>
    public int Fails => Volatile.Read(ref _fails);

    /// <summary>Replies dropped because no query waits for their id and question (spoofed, late or wrong).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Connections taken from the pool instead of dialled.</summary>
    public long PoolHits => Interlocked.Read(ref _poolHits);
    private long _poolHits;

    /// <summary>Connections dialled because the pool had none to reuse.</summary>
    public long PoolMisses => Interlocked.Read(ref _poolMisses);
    private long _poolMisses;

    /// <summary>CoreDNS's Proxy.Down: never with max_fails 0, else more failed checks than <paramref name="maxFails"/>.</summary>
    public bool Down(uint maxFails) => maxFails != 0 && (uint)Fails > maxFails;

    /// <summary>The actor that health-checks this upstream (null until the plugin started).</summary>
    public IActorRef? Health { get; internal set; }

    internal void CheckFailed()
    {
        Interlocked.Increment(ref _fails);
        Metrics.HealthcheckFailures.Inc();
    }
    internal void CheckPassed() => Volatile.Write(ref _fails, 0);

    // ---- UDP ----

    private Socket Udp()
    {
        var s = Volatile.Read(ref _udp);
        if (s is not null) return s;
        var created = new Socket(EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (_options.SourceAddress is { } src) created.Bind(new IPEndPoint(src, 0));
        created.Connect(EndPoint);
        if (Interlocked.CompareExchange(ref _udp, created, null) is { } other)
        {
            created.Dispose();
            return other;
        }
        _ = Task.Run(() => ReceiveLoop(created));
        return created;
    }

    /// <summary>Sends <paramref name="query"/> under a fresh id over UDP; <paramref name="pending"/> gets the reply. False (and nothing waits) when the send failed.</summary>
    public bool SendUdp(byte[] query, UdpPending pending, out string? error)
    {
        error = null;
        Socket socket;
        try
        {
            socket = Udp();
        }
        catch (SocketException e)
        {
            error = $"dial udp {EndPoint}: {e.Message}";
            return false;
        }
        if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            error = $"write udp {EndPoint}: {MaxInFlight} queries in flight";
            return false;
        }
        ushort id;
        do id = (ushort)Random.Shared.Next(0, 65536);
        while (!_pending.TryAdd(id, pending));
        pending.Id = id;
        pending.Query = ForwardWire.WithId(query, id);
        try
        {
            socket.Send(pending.Query);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Cancel(pending);
            error = $"write udp {EndPoint}: {e.Message}";
            return false;
        }
    }

    /// <summary>Stops waiting for <paramref name="pending"/> (timed out). A reply arriving later is dropped.</summary>
    public void Cancel(UdpPending pending)
    {
        if (_pending.TryRemove(new KeyValuePair<ushort, UdpPending>(pending.Id, pending))) Interlocked.Decrement(ref _inFlight);
    }

    private async Task ReceiveLoop(Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65535, pinned: true);
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP unreachable on a connected socket, and the like: the waiting query times out
            }
            var m = buffer.AsSpan(0, n);
            var id = ForwardWire.IdOf(m);
            if (_pending.TryGetValue(id, out var p) && ForwardWire.Matches(m, p.Query, id)
                && _pending.TryRemove(new KeyValuePair<ushort, UdpPending>(id, p)))
            {
                Interlocked.Decrement(ref _inFlight);
                p.Deliver(m.ToArray());
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    // ---- TCP and TLS ----

    private sealed class StreamConn(Socket socket, Stream stream) : IDisposable
    {
        public readonly Socket Socket = socket;
        public readonly Stream Stream = stream;
        public readonly long Created = Stopwatch.GetTimestamp();
        public long Used = Stopwatch.GetTimestamp();
        public readonly byte[] Length = new byte[2];

        public void Dispose()
        {
            Stream.Dispose();
            Socket.Dispose();
        }
    }

    /// <summary>
    /// One exchange over a pooled TCP (TLS for tls:// upstreams) connection: a reused one when an idle one has not
    /// expired, else a new one. Replies with another id are skipped; a reply with the right id and the wrong question
    /// fails the exchange. Throws <see cref="UpstreamException"/> on failure or after <paramref name="timeout"/>.
    /// </summary>
    public async Task<byte[]> ExchangeStreamAsync(byte[] query, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(timeout);
        var id = (ushort)Random.Shared.Next(0, 65536);
        var packet = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(packet, (ushort)query.Length);
        query.CopyTo(packet, 2);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), id);
        var proto = Address.Tls ? "tcp-tls" : "tcp";
        for (var attempt = 0; ; attempt++)
        {
            var conn = TakeIdle();
            var cached = conn is not null;
            if (!cached) Interlocked.Increment(ref _poolMisses);
            try
            {
                conn ??= await DialAsync(cts.Token);
                await conn.Stream.WriteAsync(packet, cts.Token);
                await conn.Stream.FlushAsync(cts.Token);
                while (true)
                {
                    await conn.Stream.ReadExactlyAsync(conn.Length, cts.Token);
                    var len = BinaryPrimitives.ReadUInt16BigEndian(conn.Length);
                    var reply = new byte[len];
                    await conn.Stream.ReadExactlyAsync(reply, cts.Token);
                    if (ForwardWire.IdOf(reply) != id)
                    {
                        Interlocked.Increment(ref _dropped);
                        continue; // out of order: not ours
                    }
                    if (!ForwardWire.Matches(reply, packet.AsSpan(2), id))
                    {
                        Interlocked.Increment(ref _dropped);
                        conn.Dispose();
                        throw new UpstreamException($"read {proto} {EndPoint}: reply does not match the question");
                    }
                    Yield(conn);
                    return reply;
                }
            }
            catch (UpstreamException)
            {
                throw;
            }
            catch (Exception e) when (cached && !cts.IsCancellationRequested && e is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
            {
                conn!.Dispose(); // the upstream closed the cached connection: dial a new one (CoreDNS's ErrCachedClosed)
                if (attempt >= 2) throw new UpstreamException($"read {proto} {EndPoint}: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                conn?.Dispose();
                throw new UpstreamException($"read {proto} {EndPoint}: i/o timeout");
            }
            catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                conn?.Dispose();
                throw new UpstreamException($"{proto} {EndPoint}: {e.Message}");
            }
        }
    }

    private StreamConn? TakeIdle()
    {
        var now = Stopwatch.GetTimestamp();
        while (_idle.TryDequeue(out var c))
        {
            if (Stopwatch.GetElapsedTime(c.Used, now) > _options.Expire
                || (_options.MaxAge > TimeSpan.Zero && Stopwatch.GetElapsedTime(c.Created, now) > _options.MaxAge))
            {
                c.Dispose();
                continue;
            }
            Interlocked.Increment(ref _poolHits);
            return c;
        }
        return null;
    }

    private void Yield(StreamConn c)
    {
        c.Used = Stopwatch.GetTimestamp();
        if (_stop.IsCancellationRequested || (_options.MaxIdleConns > 0 && _idle.Count >= _options.MaxIdleConns))
        {
            c.Dispose();
            return;
        }
        _idle.Enqueue(c);
    }

    private async Task<StreamConn> DialAsync(CancellationToken ct)
    {
        var socket = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (_options.SourceAddress is { } src) socket.Bind(new IPEndPoint(src, 0));
            await socket.ConnectAsync(EndPoint, ct);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (Address.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, ValidateServer);
                var tls = _options.Tls;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = _serverName ?? EndPoint.Address.ToString(),
                    ClientCertificates = tls?.ClientCertificate is { } cert ? [cert] : null,
                    EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                }, ct);
                stream = ssl;
            }
            return new StreamConn(socket, stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The system roots, or the CA of <c>tls CERT KEY CA</c> / <c>tls CA</c>; the name must match either way.</summary>
    private bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        ValidateServer(_options.Tls, certificate, chain, errors);

    /// <summary>The check of <see cref="ValidateServer(object, X509Certificate?, X509Chain?, SslPolicyErrors)"/>, shared with the grpc plugin.</summary>
    internal static bool ValidateServer(ForwardTls? tls, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (tls?.Roots is not { } roots || certificate is null) return false;
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var el in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(el.Certificate);
        return custom.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    public void Dispose()
    {
        _stop.Cancel();
        Interlocked.Exchange(ref _udp, null)?.Dispose();
        while (_idle.TryDequeue(out var c)) c.Dispose();
    }
}
