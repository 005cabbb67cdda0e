namespace Akka.Dns;

/// <summary>A counter that many threads increment without a lock (striped per core).</summary>
public sealed class Counter
{
    private readonly long[] _cells = new long[Math.Max(1, Environment.ProcessorCount) * 8];

    public void Increment(long n = 1)
    {
        var i = (Thread.GetCurrentProcessorId() % (_cells.Length / 8)) * 8;
        Interlocked.Add(ref _cells[i], n);
    }

    public long Value
    {
        get
        {
            long s = 0;
            for (var i = 0; i < _cells.Length; i += 8) s += Interlocked.Read(ref _cells[i]);
            return s;
        }
    }
}

/// <summary>Process-wide server counters and hooks (the prometheus plugin exports panics, restarts and mailbox depths).</summary>
public static class DnsServerMetrics
{
    /// <summary>coredns_panics_total: plugin actors that threw.</summary>
    public static readonly Counter Panics = new();
    /// <summary>Packets that could not be parsed (FORMERR or dropped).</summary>
    public static readonly Counter Malformed = new();
    /// <summary>Packets dropped without an answer (shorter than a header, QR set).</summary>
    public static readonly Counter Dropped = new();
    /// <summary>Requests answered SERVFAIL by the deadline.</summary>
    public static readonly Counter TimedOut = new();
    /// <summary>Plugin actor restarts by supervision.</summary>
    public static readonly Counter Restarts = new();
    /// <summary>TCP connections refused because the listener was at its cap.</summary>
    public static readonly Counter TcpRejected = new();
    /// <summary>Replies written.</summary>
    public static readonly Counter Replies = new();

    /// <summary>Told of each plugin actor restarted by supervision: (block name, plugin). The prometheus plugin counts them.</summary>
    public static Action<string, string>? PluginRestarted { get; set; }

    /// <summary>The server blocks whose supervisors run now (the prometheus plugin samples their mailboxes at scrape time).</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<Server.Pipeline.BlockRuntime, byte> LiveBlocks = new();
}
