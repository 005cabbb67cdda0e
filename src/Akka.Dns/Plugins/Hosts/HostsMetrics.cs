using Akka.Dns.Plugins.Prometheus;

namespace Akka.Dns.Plugins.Hosts;

/// <summary>The hosts plugin's gauges, set from each running instance when <c>/metrics</c> is read.</summary>
public static class HostsMetrics
{
    public static readonly global::Prometheus.Gauge Entries = PrometheusRegistry.Gauge("coredns_hosts_entries",
        "The combined number of entries in hosts and Corefile.", "hostsfile");

    public static readonly global::Prometheus.Gauge ReloadTimestamp = PrometheusRegistry.Gauge("coredns_hosts_reload_timestamp_seconds",
        "The timestamp of the last reload of hosts file.");

    /// <summary>Exports <paramref name="plugin"/>'s values until <see cref="Stop"/>.</summary>
    internal static void Start(HostsPlugin plugin) => PrometheusRegistry.AddScrapeSource(plugin, () =>
    {
        Entries.WithLabels(plugin.Options.Path).Set(plugin.Entries);
        ReloadTimestamp.Set(plugin.ReloadTimestampSeconds);
    });

    internal static void Stop(HostsPlugin plugin) => PrometheusRegistry.RemoveScrapeSource(plugin);
}
