using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Prometheus;

/// <summary>
/// prometheus's place in the chain (CoreDNS's metrics handler): marks the request to be counted by its block's
/// <see cref="RequestMetrics"/> once answered, and passes it on. UPDATE messages are counted too.
/// </summary>
public sealed class PrometheusActor : PluginActor
{
    private readonly RequestMetrics _metrics;

    public PrometheusActor(RequestMetrics metrics, ChainLink? next) : base("prometheus", next) => _metrics = metrics;

    public static Akka.Actor.Props Props(RequestMetrics metrics, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new PrometheusActor(metrics, next));

    protected override bool SeesUpdates => true;

    protected override void Handle(DnsRequest request)
    {
        request.Observer = _metrics;
        Next(request);
    }
}
