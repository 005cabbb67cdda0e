using System.Diagnostics;
using Akka.Event;

namespace Akka.Dns.Plugins.Health;

/// <summary>
/// CoreDNS's health "overloaded" loop: once a second, an HTTP GET of the address's own <c>/health</c> (3 s timeout,
/// no proxy); the time it took goes to <c>coredns_health_request_duration_seconds</c>, and a GET that got no response
/// at all (refused, reset, timed out) also counts in <c>coredns_health_request_failures_total</c>. Any HTTP status is
/// a response, as in CoreDNS. One single async loop per address, however many blocks name it.
/// </summary>
internal sealed class HealthSelfCheck
{
    /// <summary>CoreDNS's client timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private static readonly Dictionary<string, HealthSelfCheck> Running = new(StringComparer.OrdinalIgnoreCase);

    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _interval;
    private readonly TimeSpan _timeout;
    private readonly ILoggingAdapter? _log;
    private Task _loop = Task.CompletedTask;
    private int _users;
    private long _checks, _failures;

    public HealthSelfCheck(Uri uri, TimeSpan interval, TimeSpan timeout, ILoggingAdapter? log)
    {
        Uri = uri;
        _interval = interval;
        _timeout = timeout;
        _log = log;
    }

    /// <summary>What is polled: <c>http://ADDRESS/health</c>, an empty host or <c>localhost</c> as 127.0.0.1.</summary>
    public Uri Uri { get; }

    /// <summary>GETs done by this checker.</summary>
    public long Checks => Interlocked.Read(ref _checks);

    /// <summary>GETs of this checker that got no response.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The URL CoreDNS polls for a listen address (":8080" = localhost); null when it makes none.</summary>
    public static Uri? UriOf(string address)
    {
        var i = address.LastIndexOf(':');
        if (i < 0) return null;
        var host = address[..i];
        if (host.Length == 0 || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) host = "127.0.0.1";
        return Uri.TryCreate($"http://{host}:{address[(i + 1)..]}/health", UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>
    /// Joins (or starts) the checker of <paramref name="address"/>; <see cref="Release"/> once per call. Null when
    /// the address makes no URL (its endpoint fails to start anyway).
    /// </summary>
    public static HealthSelfCheck? Acquire(string address, ILoggingAdapter? log)
    {
        lock (Running)
        {
            if (!Running.TryGetValue(address, out var c))
            {
                if (UriOf(address) is not { } uri) return null;
                c = new HealthSelfCheck(uri, TimeSpan.FromSeconds(1), DefaultTimeout, log);
                Running[address] = c;
                c.Start();
            }
            c._users++;
            return c;
        }
    }

    /// <summary>Leaves the checker of <paramref name="address"/>; the last one out stops it.</summary>
    public static Task Release(string address, HealthSelfCheck check)
    {
        lock (Running)
        {
            if (--check._users > 0) return Task.CompletedTask;
            if (Running.TryGetValue(address, out var c) && ReferenceEquals(c, check)) Running.Remove(address);
        }
        return check.StopAsync();
    }

    public void Start() => _loop = Task.Run(LoopAsync);

    /// <summary>True once the loop has ended.</summary>
    public bool Stopped => _loop.IsCompleted;

    public async Task StopAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            var start = Stopwatch.GetTimestamp();
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            cts.CancelAfter(_timeout);
            string? error = null;
            try
            {
                using var response = await Client.GetAsync(Uri, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return; // stopped while a request was in flight: not a failure
            }
            catch (OperationCanceledException)
            {
                error = $"Get \"{Uri}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
            }
            catch (Exception e)
            {
                error = $"Get \"{Uri}\": {e.GetBaseException().Message}";
            }
            var elapsed = Stopwatch.GetElapsedTime(start);
            HealthMetrics.Duration.Observe(elapsed.TotalSeconds);
            Interlocked.Increment(ref _checks);
            if (error is not null)
            {
                HealthMetrics.Failures.Inc();
                Interlocked.Increment(ref _failures);
                _log?.Warning("plugin/health: Local health request to {0} failed: {1}", Uri, error);
            }
            else if (elapsed > TimeSpan.FromSeconds(1))
            {
                _log?.Warning("plugin/health: Local health request to {0} took more than 1s: {1}", Uri, GoDuration.Format(elapsed.Ticks * 100));
            }
        }
    }
}
