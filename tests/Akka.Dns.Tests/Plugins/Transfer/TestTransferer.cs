using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Tests.Plugins.Transfer;

/// <summary>
/// A test-only transferer, <c>testzone ORIGIN...</c>, placed right after <c>transfer</c> in a copy of the catalog:
/// it serves (for transfer) the zones the spec put in <see cref="Zones"/> (a listed origin with no zone there is
/// "not loaded") and answers every query that reaches it NXDOMAIN, so a query transfer passed on is visible.
/// </summary>
public sealed class TestTransferer : IPluginSetup
{
    public ConcurrentDictionary<string, Zone> Zones { get; } = new(StringComparer.OrdinalIgnoreCase);

    public PluginCatalog Catalog => PluginCatalog.Default.With("testzone", this, after: "transfer");

    public Plugin Setup(SetupContext context)
    {
        var origins = new List<string>();
        foreach (var r in context.Readers())
        {
            r.Next();
            foreach (var a in r.RemainingArgs()) origins.Add(DnsName.Normalize(a));
        }
        return new TestZonePlugin(this, origins);
    }

    /// <summary>SOA, two apex NS, <paramref name="hosts"/> A records (host0..), in that order.</summary>
    public static Zone Build(string origin, uint serial, int hosts = 2)
    {
        var records = new List<DnsRecord>
        {
            DnsRecord.Soa(origin, 3600, "ns1." + origin, "hostmaster." + origin, serial, 7200, 1800, 86400, 100),
            DnsRecord.Ns(origin, 3600, "ns1." + origin),
            DnsRecord.Ns(origin, 3600, "ns2." + origin),
        };
        for (var i = 0; i < hosts; i++)
            records.Add(DnsRecord.A($"host{i}.{origin}", 300, new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i])));
        return Zone.Build(origin, records);
    }

    private sealed class TestZonePlugin(TestTransferer owner, List<string> origins) : Plugin("testzone"), ITransferer
    {
        public IEnumerable<string> TransferZones => origins;

        public Zone? GetZone(string origin) => owner.Zones.TryGetValue(origin, out var z) ? z : null;

        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new NxActor(next));
    }

    private sealed class NxActor(ChainLink? next) : PluginActor("testzone", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var reply = request.CreateReply(Rcode.NxDomain);
            reply.Plugin = "testzone";
            request.Respond(reply);
        }
    }
}
