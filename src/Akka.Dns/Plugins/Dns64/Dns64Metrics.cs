namespace Akka.Dns.Plugins.Dns64;

/// <summary>coredns_dns64_requests_translated_total (process-wide; the prometheus plugin exports it).</summary>
public static class Dns64Metrics
{
    public static readonly Counter Translated = new();
}
