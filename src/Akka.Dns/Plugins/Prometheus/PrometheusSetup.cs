using Akka.Actor;
using Akka.Dns.Http;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Microsoft.AspNetCore.Http;

namespace Akka.Dns.Plugins.Prometheus;

/// <summary>
/// <c>prometheus [ADDRESS] { runtime_metrics }</c>: counts the block's requests (CoreDNS's metrics handler) and
/// serves the process-wide registry on <c>http://ADDRESS/metrics</c> (default <c>localhost:9153</c>). Once per
/// block; blocks naming the same address share its endpoint.
/// </summary>
[Plugin("prometheus")]
public sealed class PrometheusSetup : IPluginSetup
{
    public const string DefaultAddress = "localhost:9153";

    public Plugin Setup(SetupContext context)
    {
        var address = DefaultAddress;
        foreach (var r in context.Readers())
        {
            r.Next();
            address = context.OptionalListenAddress(r, r.RemainingArgs(), DefaultAddress);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "runtime_metrics":
                        // Go's runtime/metrics set; the .NET runtime's dotnet_* and process_* are always exported.
                        if (r.RemainingArgs().Length != 0) throw context.Error(r, r.ArgErr().Detail);
                        break;
                    case "tls":
                        throw context.Error(r, "tls is not supported by Akka.Dns's prometheus plugin (serve /metrics behind a TLS proxy)");
                    default:
                        throw context.Error(r, $"unknown option: {r.Val}");
                }
            }
        }
        return new PrometheusPlugin(address, context.Block, context.Options, context.DnsPort);
    }
}

/// <summary>One block's prometheus: its request counters (<see cref="Metrics"/>) and its share of <c>/metrics</c>.</summary>
public sealed class PrometheusPlugin : SetupOnlyPlugin
{
    private readonly Corefile.ServerBlock _block;
    private readonly BlockOptions _options;
    private readonly int _dnsPort;
    private List<(string, string, string, string)> _enabled = [];

    public PrometheusPlugin(string address, Corefile.ServerBlock block, BlockOptions options, int dnsPort) : base("prometheus")
    {
        Address = address;
        _block = block;
        _options = options;
        _dnsPort = dnsPort;
        Metrics = new RequestMetrics(options);
    }

    /// <summary>HOST:PORT of the <c>/metrics</c> endpoint.</summary>
    public string Address { get; }

    public RequestMetrics Metrics { get; }

    /// <summary>The block's requests are counted once answered: the dispatcher attaches this when it routes to the block.</summary>
    public override IReplyObserver Observer => Metrics;

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        host.Http.Map(Address, "/metrics", Serve);   // false when another block already serves it here: shared
        PrometheusMetrics.WatchCluster(host.System);
        _enabled = Enabled().ToList();
        PrometheusMetrics.Enable(_enabled);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        PrometheusMetrics.Disable(_enabled);
        _enabled = [];
        return Task.CompletedTask;
    }

    private static async Task Serve(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await PrometheusRegistry.WriteAsync(ctx.Response.Body, ctx.RequestAborted);
    }

    /// <summary>coredns_plugin_enabled's label sets: every listen address and zone of the block times its handler plugins.</summary>
    private IEnumerable<(string, string, string, string)> Enabled()
    {
        var view = BlockLabels.View(_options);
        var hosts = _options.Bind is { } bind ? bind.Select(a => a.ToString()).ToList() : [""];
        foreach (var key in _block.Keys)
        {
            var port = key.ResolvePort(_dnsPort);
            foreach (var zone in key.Zones)
                foreach (var h in hosts)
                {
                    var server = new ServerInfo(h, port, BlockLabels.Transport(key.Transport)).Label;
                    foreach (var p in _options.Plugins)
                        if (p.IsHandler || p is PrometheusPlugin) yield return (server, zone, view, p.Name);   // CoreDNS lists its handlers, prometheus one of them
                }
        }
    }
}
