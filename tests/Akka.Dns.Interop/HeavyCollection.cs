namespace Akka.Dns.Interop;

/// <summary>Process- and socket-heavy classes run one after another, never beside each other (2-core CI boxes).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyCollection
{
    public const string Name = "heavy (serial)";
}
