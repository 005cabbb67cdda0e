
namespace Akka.Dns.Plugins.Hosts;

/// <summary>What every pipeline replica answers from: the file's map and the inline map, swapped as a whole.</summary>
public sealed record HostsSnapshot(HostsMap File, HostsMap Inline)
{
    /// <summary>CoreDNS's coredns_hosts_entries: inline plus file entries.</summary>
    public int Entries => File.Count + Inline.Count;
}

/// <summary>
/// The one owner of a hosts plugin instance's data. It reads the file when started and then every
/// <c>reload</c> period from its own timer, re-parsing only when the file's modification time or size changed
/// (CoreDNS's readHosts), and publishes each result as an immutable <see cref="HostsSnapshot"/> through a
/// volatile field: the actors of every replica read <see cref="Current"/> without a lock, and an actor restart
/// loses nothing because the data lives here. A file that cannot be opened keeps the last snapshot.
/// </summary>
public sealed class HostsSource
{
    private readonly object _gate = new();
    private volatile HostsSnapshot _current;
    private Timer? _timer;
    private DateTime _mtime;
    private long _size = -1;
    private long _reloadTimestampTicks;

    public HostsSource(HostsOptions options, HostsMap inline)
    {
        Options = options;
        _current = new HostsSnapshot(HostsMap.Empty, inline);
    }

    public HostsOptions Options { get; }

    /// <summary>The snapshot queries are answered from.</summary>
    public HostsSnapshot Current => _current;

    /// <summary>The modification time (Unix seconds) of the file as last read, 0 before the first read
    /// (CoreDNS's coredns_hosts_reload_timestamp_seconds).</summary>
    public double ReloadTimestampSeconds
    {
        get
        {
            var ticks = Interlocked.Read(ref _reloadTimestampTicks);
            return ticks == 0 ? 0 : (ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;
        }
    }

    /// <summary>How many times the file was parsed (the first read included).</summary>
    public int Loads => Volatile.Read(ref _loads);

    private int _loads;
    private bool _started;

    /// <summary>Reads the file once (CoreDNS's OnStartup) and starts the reload timer; a no-op when running.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started) return;
            _started = true;
            SafeReload();
            if (Options.Reload > TimeSpan.Zero)
                _timer = new Timer(static s => ((HostsSource)s!).Tick(), this, Options.Reload, Options.Reload);
        }
    }

    /// <summary>Stops the timer (CoreDNS's OnShutdown); <see cref="Start"/> may run it again.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
            _started = false;
        }
    }

    private void Tick()
    {
        // A tick that finds the previous one still parsing is dropped, as a Go ticker drops them.
        if (!Monitor.TryEnter(_gate)) return;
        try
        {
            if (_started) SafeReload();
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    private void SafeReload()
    {
        try
        {
            Reload();
        }
        catch (Exception e)
        {
            // Never let a read take the process (timer thread) or the block down; the next tick tries again.
            LineLog.Warning($"plugin/hosts: reading {Options.Path} failed: {e.Message}");
        }
    }

    /// <summary>Re-reads the file when its modification time or size changed. Caller holds the gate.</summary>
    private void Reload()
    {
        FileStream file;
        try
        {
            file = new FileStream(Options.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // Missing or unreadable: setup already warned; keep serving what we have.
            return;
        }

        using (file)
        {
            DateTime mtime;
            long size;
            try
            {
                mtime = System.IO.File.GetLastWriteTimeUtc(file.SafeFileHandle);
                size = file.Length;
            }
            catch (IOException)
            {
                return;
            }

            if (mtime == _mtime && size == _size) return;

            HostsMap map;
            using (var reader = new StreamReader(file))
                map = HostsMap.Parse(reader, Options.Origins, Options.AutoReverse);
            if (Options.Debug) LineLog.Debug($"plugin/hosts: Parsed hosts file into {map.Count} entries");

            _current = new HostsSnapshot(map, _current.Inline);
            _mtime = mtime;
            _size = size;
            Interlocked.Exchange(ref _reloadTimestampTicks, mtime.Ticks);
            Interlocked.Increment(ref _loads);
        }
    }
}
