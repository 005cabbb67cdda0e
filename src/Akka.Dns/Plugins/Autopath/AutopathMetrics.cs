using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Autopath;

/// <summary>coredns_autopath_success_total: counted process-wide on the query path, exported at scrape time.</summary>
public static class AutopathMetrics
{
    public static readonly Counter Success = new();

    public static readonly global::Prometheus.Counter SuccessTotal = PrometheusRegistry.Counter("coredns_autopath_success_total",
        "Counter of requests that did autopath.", "server");

    /// <summary>The labeled counter (server only: one for the process).</summary>
    public static readonly RequestCounter SuccessByServer = new(SuccessTotal, new BlockOptions());
}
