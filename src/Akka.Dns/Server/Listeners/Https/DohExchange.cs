using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;

namespace Akka.Dns.Server.Listeners.Https;

/// <summary>
/// The reply handle of one DoH request: the server writes the encoded reply into it and completes it, and the
/// HTTP handler awaits it as a <see cref="ValueTask{T}"/> (no Ask, no blocked thread, no TaskCompletionSource).
/// Pooled: a handler rents one, awaits it and returns it once the reply bytes were written to the response.
/// The request's deadline guarantees completion (SERVFAIL at akka.dns.server.request-timeout), so a handler never
/// gives one back while the server may still write to it.
/// </summary>
internal sealed class DohExchange : IReplyTarget, IValueTaskSource<int>
{
    private const int PoolSize = 256;
    private static readonly ConcurrentQueue<DohExchange> Pool = new();
    private static int _pooled;

    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };
    private byte[] _buffer = [];
    private int _length;

    /// <summary>The reply (valid once the task completed with a positive length).</summary>
    public ReadOnlyMemory<byte> Reply => _buffer.AsMemory(0, _length);

    public static DohExchange Rent()
    {
        if (Pool.TryDequeue(out var e))
        {
            Interlocked.Decrement(ref _pooled);
            return e;
        }
        return new DohExchange();
    }

    public static void Return(DohExchange e)
    {
        e._core.Reset();
        e._length = 0;
        if (e._buffer.Length > 4096)
        {
            ArrayPool<byte>.Shared.Return(e._buffer);
            e._buffer = [];
        }
        if (Interlocked.Increment(ref _pooled) <= PoolSize) Pool.Enqueue(e);
        else Interlocked.Decrement(ref _pooled);
    }

    /// <summary>Completes with the reply length, or 0 when nothing was written (a plugin dropped the request).</summary>
    public ValueTask<int> Task => new(this, _core.Version);

    int IReplyTarget.MaxReplySize(DnsRequest request) => ReplyWriter.MaxMessageSize;

    /// <summary>Keeps the last message written, as CoreDNS's DoHWriter does (a transfer's last envelope).</summary>
    void IReplyTarget.Send(DnsRequest request, ReadOnlySpan<byte> reply)
    {
        if (_buffer.Length < reply.Length)
        {
            if (_buffer.Length > 4096) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = reply.Length <= 4096 ? new byte[4096] : ArrayPool<byte>.Shared.Rent(reply.Length);
        }
        reply.CopyTo(_buffer);
        _length = reply.Length;
    }

    void IReplyTarget.Completed(DnsRequest request) => _core.SetResult(_length);

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
