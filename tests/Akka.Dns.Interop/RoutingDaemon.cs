using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// One daemon for the client specs (dig, kdig): several blocks on the -dns.port, no root block. example.org
/// answers whoami; empty.example.org is an empty block (REFUSED); two CIDR keys make reverse zones.
/// </summary>
public sealed class RoutingDaemon : DaemonFixture
{
    protected override string Corefile => """
        example.org {
            whoami
        }
        empty.example.org {
        }
        10.0.0.0/24 {
            whoami
        }
        192.168.1.0/25 {
            whoami
        }
        """;
}

[CollectionDefinition(Name)]
public sealed class RoutingCollection : ICollectionFixture<RoutingDaemon>
{
    public const string Name = "routing daemon";
}
