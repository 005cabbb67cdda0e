namespace Akka.Dns.Plugins;

/// <summary>
/// A plugin found a condition the server must not run with (loop's forwarding loop: CoreDNS's log.Fatal). It is
/// published on the actor system's event stream; the daemon prints <see cref="Message"/> and exits with status 1.
/// </summary>
public sealed record PluginFatal(string Plugin, string Message)
{
    /// <summary>"[FATAL] plugin/loop: ..." as CoreDNS's log prints it.</summary>
    public override string ToString() => $"[FATAL] plugin/{Plugin}: {Message}";
}
