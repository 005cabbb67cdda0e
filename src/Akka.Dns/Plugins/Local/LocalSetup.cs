using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Local;

/// <summary><c>local [{ localhost_prefix on|off }]</c>, parsed as CoreDNS's local.parse.</summary>
[Plugin("local")]
public sealed class LocalSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var prefix = true;
        foreach (var r in context.Readers())
        {
            r.Next();
            if (r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
            while (r.NextBlock())
            {
                if (r.Val != "localhost_prefix") throw context.Error(r, $"unknown property '{r.Val}'");
                var args = r.RemainingArgs();
                if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                prefix = args[0] switch
                {
                    "on" => true,
                    "off" => false,
                    _ => throw context.Error(r, $"localhost_prefix expects 'on' or 'off', got {GoNet.Quote(args[0])}"),
                };
            }
        }
        return new LocalPlugin(prefix, context.Options.Debug);
    }
}

/// <summary>Process-wide counters of <c>local</c> (exported later under CoreDNS's names).</summary>
public static class LocalMetrics
{
    /// <summary>coredns_local_localhost_requests_total: non-apex localhost queries (no server label, as in CoreDNS).</summary>
    public static readonly Counter LocalhostRequests = new();

    public static readonly global::Prometheus.Counter LocalhostRequestsTotal = Prometheus.PrometheusRegistry.Counter(
        "coredns_local_localhost_requests_total", "Counter of localhost.<domain> requests.");

    static LocalMetrics() => Prometheus.PrometheusRegistry.Follow(LocalhostRequestsTotal, LocalhostRequests);
}

public sealed class LocalPlugin(bool localhostPrefix, bool debug) : Plugin("local")
{
    public bool LocalhostPrefix { get; } = localhostPrefix;

    public override Props HandlerProps(ChainLink? next) => LocalActor.Props(LocalhostPrefix, debug, next);
}
