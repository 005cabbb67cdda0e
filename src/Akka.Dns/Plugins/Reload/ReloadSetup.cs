namespace Akka.Dns.Plugins.Reload;

/// <summary><c>reload [INTERVAL] [JITTER]</c>: Go durations; interval ≥ 2s (default 30s), jitter 0 or ≥ 1s (default 15s), at most half the interval.</summary>
[Plugin("reload")]
public sealed class ReloadSetup : IPluginSetup
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultJitter = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan MinJitter = TimeSpan.FromSeconds(1);

    public Plugin Setup(SetupContext context)
    {
        var r = context.Readers().Single();
        r.Next();
        var args = r.RemainingArgs();
        if (args.Length > 2) throw context.Error(r, r.ArgErr().Detail);
        var interval = DefaultInterval;
        if (args.Length > 0)
        {
            if (!GoDuration.TryParse(args[0], out var ns, out var error)) throw context.Error(r, error);
            interval = GoDuration.ToTimeSpan(ns);
        }
        if (interval < MinInterval) throw context.Error(r, "interval value must be greater or equal to 2s");
        var jitter = DefaultJitter;
        if (args.Length > 1)
        {
            if (!GoDuration.TryParse(args[1], out var ns, out var error)) throw context.Error(r, error);
            jitter = GoDuration.ToTimeSpan(ns);
        }
        if (jitter != TimeSpan.Zero && jitter < MinJitter) throw context.Error(r, "jitter value must be 0 or greater or equal to 1s");
        if (jitter > TimeSpan.Zero && jitter > interval / 2) jitter = interval / 2;
        return new ReloadPlugin(interval, jitter);
    }
}
