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

    // Items are lines (string) or flush markers (ManualResetEventSlim), in the order they were queued.
    private static readonly Channel<object> Lines = Channel.CreateBounded<object>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
        AllowSynchronousContinuations = false,
    });

    private static readonly object Gate = new();
    private static Action<string>[] _subscribers = [];
    private static long _dropped;
    private static long _droppedReported;
    private static TextWriter? _output;
    private static readonly Lazy<TextWriter> StandardOutput = new(() =>
        new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false });
    private static readonly Lazy<Thread> Writer = new(StartWriter, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Lines dropped because the channel was full, since the process started.</summary>
    public static long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Where lines go: standard output (buffered, flushed after each batch) unless replaced; null restores it.</summary>
    [System.Diagnostics.CodeAnalysis.AllowNull]
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
        if (Lines.Writer.TryWrite(line)) return true;
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

    /// <summary>
    /// Waits until every line queued before the call has been written (a marker queued behind them comes out).
    /// False when <paramref name="timeout"/> (default 5 s) passed first. Not for the query path: it waits.
    /// </summary>
    public static bool Flush(TimeSpan? timeout = null)
    {
        _ = Writer.Value;
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        using var done = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            Lines.Writer.WriteAsync(done, cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        return done.Wait(limit);
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
            List<ManualResetEventSlim>? markers = null;
            while (reader.TryRead(out var item))
            {
                // Subscribers read per line: one who subscribed during a batch sees every line written after it.
                if (item is string line) Emit(output, Volatile.Read(ref _subscribers), line);
                else (markers ??= []).Add((ManualResetEventSlim)item);
            }
            var dropped = Interlocked.Read(ref _dropped);
            if (dropped != _droppedReported)
            {
                Emit(output, Volatile.Read(ref _subscribers), $"[WARNING] log: dropped {dropped - _droppedReported} lines: the log writer could not keep up");
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
            if (markers is null) continue;
            foreach (var m in markers)
            {
                try
                {
                    m.Set();
                }
                catch (ObjectDisposedException)
                {
                    // The flusher gave up waiting.
                }
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
