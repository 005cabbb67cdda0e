using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.File;

/// <summary>
/// Published on the ActorSystem's EventStream each time a zone (re)loads: the <c>transfer</c> plugin sends
/// NOTIFY when the serial changed. Defined here until the <c>file</c> plugin, which publishes it, lands.
/// </summary>
public sealed record ZoneLoaded(string Origin, Zone Zone);
