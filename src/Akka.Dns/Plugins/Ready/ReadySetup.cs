using Akka.Event;
using Microsoft.AspNetCore.Http;

namespace Akka.Dns.Plugins.Ready;

/// <summary>How often a plugin that reported ready is asked again.</summary>
public enum MonitorType
{
    /// <summary>Once a plugin reported ready it is not asked again (the default).</summary>
    UntilReady,

    /// <summary>Every request asks every plugin.</summary>
    Continuously,
}

/// <summary>
/// <c>ready [ADDRESS] { monitor until-ready|continuously }</c>: <c>/ready</c> on ADDRESS (default <c>:8181</c>)
/// answers 200 "OK" once every plugin that reports readiness is ready, else 503 and the sorted names of those that
/// are not; 503 "Shutting down" once the daemon is stopping.
/// </summary>
[Plugin("ready")]
public sealed class ReadySetup : IPluginSetup
{
    public const string DefaultAddress = ":8181";

    public Plugin Setup(SetupContext context)
    {
        var addr = DefaultAddress;
        var monitor = MonitorType.UntilReady;
        foreach (var r in context.Readers())
        {
            r.Next();
            addr = context.OptionalListenAddress(r, r.RemainingArgs(), addr);

            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "monitor":
                        var a = r.RemainingArgs();
                        if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        monitor = a[0] switch
                        {
                            "until-ready" => MonitorType.UntilReady,
                            "continuously" => MonitorType.Continuously,
                            _ => throw context.Error(r, $"monitor type '{a[0]}' not supported"),
                        };
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }

        return new ReadyPlugin(addr, monitor);
    }
}

/// <summary>One block's readiness endpoint; blocks naming the same address share the first one's endpoint.</summary>
public sealed class ReadyPlugin(string address, MonitorType monitor) : SetupOnlyPlugin("ready")
{
    private readonly object _gate = new();
    private readonly HashSet<string> _latched = new(StringComparer.Ordinal);
    private PluginHost? _host;
    private ILoggingAdapter? _log;

    public string Address { get; } = address;
    public MonitorType Monitor { get; } = monitor;

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        _host = host;
        _log = Logging.GetLogger(host.System, "plugin/ready");
        lock (_gate) _latched.Clear();
        host.Http.Map(Address, "/ready", HandleAsync); // false when another block registered it: shared
        return Task.CompletedTask;
    }

    private Task HandleAsync(HttpContext ctx)
    {
        var host = _host!;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        if (host.ShuttingDown())
        {
            ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return ctx.Response.WriteAsync("Shutting down");
        }

        var notReady = Check(host.Readiness());
        if (notReady.Length == 0)
        {
            ctx.Response.StatusCode = StatusCodes.Status200OK;
            return ctx.Response.WriteAsync("OK");
        }

        _log?.Info("plugin/ready: Plugins not ready: \"{0}\"", notReady);
        ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return ctx.Response.WriteAsync(notReady);
    }

    /// <summary>The comma-joined, sorted names of the plugins not ready ("" when all are). With until-ready a
    /// name whose every instance was ready is latched and not asked again.</summary>
    internal string Check(IEnumerable<(string Plugin, bool Ready)> readiness)
    {
        lock (_gate)
        {
            var notReady = new SortedSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, ready) in readiness)
            {
                if (_latched.Contains(name)) continue;
                seen.Add(name);
                if (!ready) notReady.Add(name);
            }

            if (Monitor == MonitorType.UntilReady)
                foreach (var name in seen)
                    if (!notReady.Contains(name)) _latched.Add(name);

            return string.Join(",", notReady);
        }
    }
}
