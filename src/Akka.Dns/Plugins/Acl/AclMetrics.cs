namespace Akka.Dns.Plugins.Acl;

/// <summary>coredns_acl_{blocked,filtered,allowed,dropped}_requests_total (process-wide; the prometheus plugin exports them, labels to come with it).</summary>
public static class AclMetrics
{
    public static readonly Counter Blocked = new();
    public static readonly Counter Filtered = new();
    public static readonly Counter Allowed = new();
    public static readonly Counter Dropped = new();
}
