using System.Diagnostics;
using Akka.Dns.Wire;

namespace Akka.Dns.Server;

/// <summary>
/// The requests of one listener that are not answered yet, in arrival order, so the deadline can answer the
/// ones nobody answered (SERVFAIL after <c>akka.dns.server.request-timeout</c>). A ring of slots: adding is one
/// interlocked increment and one store, answering clears the slot so the request can be collected at once, and
/// the sweep walks from the oldest slot until it meets one still within its deadline. When the ring is full the
/// oldest unanswered request is failed to make room: the number of queries in flight is bounded.
/// </summary>
public sealed class InFlightTable
{
    private readonly DnsRequest?[] _slots;
    private readonly long _mask;
    private readonly long _timeoutTicks;
    private long _head;   // next slot to fill
    private long _tail;   // oldest slot not yet swept
    private long _timedOut;
    private long _evicted;

    public InFlightTable(int capacity, TimeSpan timeout)
    {
        var size = 1;
        while (size < capacity) size <<= 1;
        _slots = new DnsRequest?[size];
        _mask = size - 1;
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    public long TimedOut => Interlocked.Read(ref _timedOut);
    public long Evicted => Interlocked.Read(ref _evicted);
    public int Capacity => _slots.Length;

    public void Add(DnsRequest request)
    {
        var seq = Interlocked.Increment(ref _head) - 1;
        var i = seq & _mask;
        var old = Interlocked.Exchange(ref _slots[i], null);
        if (old is not null && !old.Answered)
        {
            Interlocked.Increment(ref _evicted);
            old.InFlight = null;
            old.Fail(Rcode.ServFail, "too many queries in flight: the oldest was dropped (raise akka.dns.server.max-in-flight)");
        }
        request.InFlight = this;
        request.InFlightSlot = seq;
        Volatile.Write(ref _slots[i], request);
        if (request.Answered) Remove(request);
    }

    public void Remove(DnsRequest request)
    {
        var seq = request.InFlightSlot;
        if (seq < 0) return;
        Interlocked.CompareExchange(ref _slots[seq & _mask], null, request);
    }

    /// <summary>Fails every request past its deadline. Called by the listener's timer; returns how many it failed.</summary>
    public int Sweep(long now)
    {
        var failed = 0;
        var head = Volatile.Read(ref _head);
        var tail = Math.Max(_tail, head - _slots.Length);
        for (; tail < head; tail++)
        {
            var r = Volatile.Read(ref _slots[tail & _mask]);
            if (r is null || r.Answered || r.InFlightSlot != tail) continue;
            if (now - r.Received < _timeoutTicks) break;
            if (r.Fail(Rcode.ServFail, $"request timed out after {Stopwatch.GetElapsedTime(r.Received, now).TotalMilliseconds:F0} ms"))
            {
                failed++;
                Interlocked.Increment(ref _timedOut);
            }
        }
        _tail = tail;
        return failed;
    }
}
