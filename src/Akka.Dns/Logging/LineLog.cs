using System.Threading.Channels;

// Namespace Akka.Dns, not Akka.Dns.Logging: that name would hide Akka.Event.Logging inside Akka.Dns.*.
namespace Akka.Dns;

/// <summary>
/// The process-wide line logger the query path writes through (CoreDNS's plugin/pkg/log: <c>[INFO] msg</c>
/// on standard output). Callers format the line on their own thread; <see cref="Info"/> and friends only put
/// it in a bounded channel and return. One background thread drains the channel to standard output (and to
/// any <see cref="Subscribe"/>rs). When the channel is full a line is dropped and counted, never waited for:
/// logging must not slow answers down. The writer reports drops as a <c>[WARNING]</c> line once it catches up.
/// </summary>
public static class LineLog
{
    /// <summary>Lines that may wait for the writer before new ones are dropped.</summary>
    public const int Capacity = 65536;

    private static readonly Channel<string> Lines = Channel.CreateBounded<string>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
        AllowSynchronousContinuations = false,
    });

    private static readonly object Gate = new();
    private static Action<string>[] _subscribers = [];
    private static long _enqueued;
    private static long _written;
    private static long _dropped;
    private static long _droppedReported;
    private static TextWriter? _output;
    private static readonly Lazy<TextWriter> StandardOutput = new(() =>
        new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false });
    private static readonly Lazy<Thread> Writer = new(StartWriter, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Lines dropped because the channel was full, since the process started.</summary>
    public static long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Where lines go: standard output (buffered, flushed after each batch) unless replaced; null restores it.</summary>
    public static TextWriter Output
    {
        get => Volatile.Read(ref _output) ?? StandardOutput.Value;
        set => Volatile.Write(ref _output, value);
    }

    public static void Debug(string message) => Write("[DEBUG] ", message);
    public static void Info(string message) => Write("[INFO] ", message);
    public static void Warning(string message) => Write("[WARNING] ", message);
    public static void Error(string message) => Write("[ERROR] ", message);

    /// <summary>Queues a line that already carries its level prefix (e.g. "[INFO] ...").</summary>
    public static bool WriteLine(string line)
    {
        _ = Writer.Value;
        if (Lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _enqueued);
            return true;
        }
        Interlocked.Increment(ref _dropped);
        return false;
    }

    private static void Write(string level, string message) => WriteLine(string.Concat(level, message));

    /// <summary>
    /// Calls <paramref name="onLine"/> with every line written from now on (on the writer thread, full line with
    /// its level prefix) until the returned handle is disposed. For tests and embedding hosts.
    /// </summary>
    public static IDisposable Subscribe(Action<string> onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        lock (Gate) _subscribers = [.. _subscribers, onLine];
        return new Subscription(onLine);
    }

    /// <summary>Waits until every line queued before the call has been written. False when <paramref name="timeout"/> passed first.</summary>
    public static bool Flush(TimeSpan? timeout = null)
    {
        var target = Interlocked.Read(ref _enqueued);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        lock (Gate)
        {
            while (Interlocked.Read(ref _written) < target)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero) return false;
                Monitor.Wait(Gate, left);
            }
        }
        return true;
    }

    private static Thread StartWriter()
    {
        var t = new Thread(Drain) { IsBackground = true, Name = "Akka.Dns.LineLog" };
        t.Start();
        return t;
    }

    private static void Drain()
    {
        var reader = Lines.Reader;
        while (true)
        {
            if (!reader.TryPeek(out _)) reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult();
            var output = Output;
            var subscribers = Volatile.Read(ref _subscribers);
            var n = 0;
            while (reader.TryRead(out var line))
            {
                Emit(output, subscribers, line);
                n++;
            }
            var dropped = Interlocked.Read(ref _dropped);
            if (dropped != _droppedReported)
            {
                Emit(output, subscribers, $"[WARNING] log: dropped {dropped - _droppedReported} lines: the log writer could not keep up");
                _droppedReported = dropped;
            }
            try
            {
                output.Flush();
            }
            catch (Exception)
            {
                // Standard output closed: keep draining so writers never block.
            }
            lock (Gate)
            {
                Interlocked.Add(ref _written, n);
                Monitor.PulseAll(Gate);
            }
        }
    }

    private static void Emit(TextWriter output, Action<string>[] subscribers, string line)
    {
        try
        {
            output.WriteLine(line);
        }
        catch (Exception)
        {
            // See Drain.
        }
        foreach (var s in subscribers)
        {
            try
            {
                s(line);
            }
            catch (Exception)
            {
                // A subscriber's failure is its own.
            }
        }
    }

    private sealed class Subscription(Action<string> onLine) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            lock (Gate)
            {
                var list = new List<Action<string>>(_subscribers);
                list.Remove(onLine);
                _subscribers = [.. list];
            }
        }
    }
}
