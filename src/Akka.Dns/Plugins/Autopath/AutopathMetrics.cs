namespace Akka.Dns.Plugins.Autopath;

/// <summary>coredns_autopath_success_total (process-wide; the prometheus plugin exports it).</summary>
public static class AutopathMetrics
{
    public static readonly Counter Success = new();
}
