using System.Runtime.CompilerServices;
using Akka.Dns.Http;
using Akka.Event;
using Microsoft.AspNetCore.Http;

namespace Akka.Dns.Plugins.Health;

/// <summary>
/// <c>health [ADDRESS] { lameduck DURATION }</c>: <c>/health</c> on ADDRESS (default <c>:8080</c>) answers 200 "OK"
/// while the process runs; lameduck delays the daemon's shutdown (listeners still serving) by DURATION.
/// </summary>
[Plugin("health")]
public sealed class HealthSetup : IPluginSetup
{
    public const string DefaultAddress = ":8080";

    /// <summary>CoreDNS reads every health line of a block; the last address and lameduck given win.</summary>
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var addr = "";
        long lameduck = 0;
        foreach (var r in context.Readers())
        {
            r.Next();
            addr = context.OptionalListenAddress(r, r.RemainingArgs(), addr);

            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "lameduck":
                        var a = r.RemainingArgs();
                        if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        if (!GoDuration.TryParse(a[0], out lameduck, out var why))
                            throw context.Error(r, $"unable to parse lameduck duration value: '{a[0]}' : {why}");
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }

        return new HealthPlugin(addr.Length == 0 ? DefaultAddress : addr, lameduck);
    }
}

/// <summary>
/// One block's health endpoint. Blocks naming the same address share one endpoint and one self check (a GET of
/// <c>/health</c> once a second, CoreDNS's coredns_health_* metrics); the daemon's lameduck is the longest one
/// configured, waited once.
/// </summary>
public sealed class HealthPlugin(string address, long lameduckNanoseconds) : SetupOnlyPlugin("health")
{
    private static readonly ConditionalWeakTable<HttpEndpoints, LameduckGate> Lameducks = new();
    private LameduckGate? _lameduck;
    private ILoggingAdapter? _log;
    private HealthSelfCheck? _check;

    public string Address { get; } = address;

    /// <summary>Zero or negative: no lameduck.</summary>
    public TimeSpan Lameduck { get; } = lameduckNanoseconds > 0 ? GoDuration.ToTimeSpan(lameduckNanoseconds) : TimeSpan.Zero;

    /// <summary>How the lameduck is waited (specs replace it to hold the shutdown deterministically).</summary>
    internal Func<TimeSpan, Task> Delay { get; set; } = d => Task.Delay(d);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        _log = Logging.GetLogger(host.System, "plugin/health");
        host.Http.Map(Address, "/health", Ok); // false when another block registered it: the endpoint is shared
        _lameduck = Lameducks.GetValue(host.Http, _ => new LameduckGate());
        _lameduck.Offer(Lameduck);
        _check = HealthSelfCheck.Acquire(Address, _log);
        return Task.CompletedTask;
    }

    /// <summary>Stops this block's share of the address's self check (the last block out stops the loop).</summary>
    public override Task StopAsync()
    {
        if (Interlocked.Exchange(ref _check, null) is not { } check) return Task.CompletedTask;
        return HealthSelfCheck.Release(Address, check);
    }

    /// <summary>The self check this block takes part in (null before start and after stop).</summary>
    internal HealthSelfCheck? SelfCheck => Volatile.Read(ref _check);

    private static Task Ok(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync("OK");
    }

    public override async Task OnShutdownAsync()
    {
        if (_lameduck is null || !_lameduck.TakeTurn(out var wait)) return;
        _log?.Info("plugin/health: Going into lameduck mode for {0}", GoDuration.Format(wait.Ticks * 100));
        await Delay(wait);
    }

    /// <summary>The longest lameduck of every health block of one server; the first shutdown hook waits it.</summary>
    private sealed class LameduckGate
    {
        private long _ticks;
        private int _taken;

        public void Offer(TimeSpan d)
        {
            long seen;
            while (d.Ticks > (seen = Interlocked.Read(ref _ticks)) && Interlocked.CompareExchange(ref _ticks, d.Ticks, seen) != seen)
            {
            }
        }

        public bool TakeTurn(out TimeSpan wait)
        {
            wait = TimeSpan.FromTicks(Interlocked.Read(ref _ticks));
            return wait > TimeSpan.Zero && Interlocked.Exchange(ref _taken, 1) == 0;
        }
    }
}
