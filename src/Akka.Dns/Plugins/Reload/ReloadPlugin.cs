using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Reload;

/// <summary>
/// coredns_reload_failed_total: reload attempts that kept the old config (the daemon counts them);
/// coredns_reload_version_info: 1 under the digest of the Corefile running (or last tried).
/// </summary>
public static class ReloadMetrics
{
    public static readonly Counter Failed = new();

    public static readonly global::Prometheus.Counter FailedTotal = PrometheusRegistry.Counter("coredns_reload_failed_total",
        "Counter of the number of failed reload attempts.");

    public static readonly global::Prometheus.Gauge VersionInfo = PrometheusRegistry.Gauge("coredns_reload_version_info",
        "A metric with a constant '1' value labeled by hash, and value which type of hash generated.", "hash", "value");

    private static readonly object Gate = new();
    private static string? _version;

    static ReloadMetrics() => PrometheusRegistry.Follow(FailedTotal, Failed);

    /// <summary>The digest <see cref="VersionInfo"/> shows now (null: none yet).</summary>
    public static string? Version
    {
        get
        {
            lock (Gate) return _version;
        }
    }

    /// <summary>Shows <paramref name="digest"/> (hash "sha512") in place of the digest shown before, as CoreDNS does.</summary>
    internal static void SetVersion(string digest)
    {
        lock (Gate)
        {
            if (_version == digest) return;
            if (_version is not null) VersionInfo.RemoveLabelled("sha512", _version);
            VersionInfo.WithLabels("sha512", digest).Set(1);
            _version = digest;
        }
    }
}

/// <summary>
/// Polls the Corefile's digest every <see cref="Period"/> (the interval moved by a random amount within ±jitter/2,
/// drawn once per start, as CoreDNS does) and reloads through the daemon when it changed. One poller per
/// process: the most recently started reload plugin polls, the others stand by.
/// </summary>
public sealed class ReloadPlugin : SetupOnlyPlugin
{
    private static ReloadPlugin? _active;
    private readonly CancellationTokenSource _stop = new();

    public ReloadPlugin(TimeSpan interval, TimeSpan jitter) : base("reload")
    {
        Interval = interval;
        Jitter = jitter;
        Period = jitter > TimeSpan.Zero
            ? interval + TimeSpan.FromTicks(Random.Shared.NextInt64(jitter.Ticks) - jitter.Ticks / 2)
            : interval;
    }

    public TimeSpan Interval { get; }
    /// <summary>The jitter after capping at half the interval.</summary>
    public TimeSpan Jitter { get; }
    /// <summary>The check period this instance uses.</summary>
    public TimeSpan Period { get; }

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        if (host.Reloader is not { } reloader) return Task.CompletedTask;   // in-process: no daemon to reload
        Volatile.Write(ref _active, this);
        var digest = reloader.Digest();
        if (digest is not null) ReloadMetrics.SetVersion(digest);
        _ = Task.Run(() => PollAsync(reloader, digest), CancellationToken.None);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        _stop.Cancel();
        return Task.CompletedTask;
    }

    private async Task PollAsync(ICorefileReloader reloader, string? last)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (!ReferenceEquals(Volatile.Read(ref _active), this)) return;
                var digest = reloader.Digest();
                if (digest is null || digest == last) continue;
                last = digest;
                ReloadMetrics.SetVersion(digest); // CoreDNS shows the new digest whether or not the reload succeeds
                // A successful reload stops this instance (its server is replaced); the new one polls on.
                if (await reloader.ReloadAsync()) return;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
