namespace Akka.Dns.Plugins.Metadata;

/// <summary>Metadata labels are "plugin/name" (CoreDNS's metadata.IsLabel: a '/' that is neither first nor last).</summary>
public static class MetadataLabel
{
    public static bool IsValid(string label)
    {
        var p = label.IndexOf('/');
        return p > 0 && p < label.Length - 1;
    }
}
