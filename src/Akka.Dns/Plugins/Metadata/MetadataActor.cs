using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Metadata;

/// <summary>Asks every provider for its metadata when the query is in the zones (CoreDNS's Metadata.Collect), then passes it on.</summary>
public sealed class MetadataActor : PluginActor
{
    private readonly string[] _zones;
    private readonly IMetadataProvider[] _providers;

    public static Props Props(string[] zones, IMetadataProvider[] providers, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new MetadataActor(zones, providers, next));

    public MetadataActor(string[] zones, IMetadataProvider[] providers, ChainLink? next) : base("metadata", next)
    {
        _zones = zones;
        _providers = providers;
    }

    protected override void Handle(DnsRequest request)
    {
        if (_providers.Length > 0 && ZoneMatch.Longest(_zones, request.Name) is not null)
            foreach (var p in _providers) p.Provide(request);
        Next(request);
    }
}
