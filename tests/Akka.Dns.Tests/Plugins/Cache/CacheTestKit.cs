using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Cache;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.Plugins.Cache;

/// <summary>
/// What stands behind <c>cache</c> in these specs: <c>stub ID</c> answers with <see cref="Backend.Answer"/>,
/// counts every query it sees, and holds them while <see cref="Backend.Hold"/> is set.
/// </summary>
public sealed class Backend
{
    private static readonly ConcurrentDictionary<string, Backend> Registry = new();
    private static int _next;
    private readonly ConcurrentQueue<DnsRequest> _held = new();
    private int _calls;

    public Backend() => Id = "b" + Interlocked.Increment(ref _next);

    public string Id { get; }
    public int Calls => Volatile.Read(ref _calls);
    public volatile bool Hold;
    public Func<DnsRequest, DnsResponse> Answer { get; set; } = r => A(r, 300, "192.0.2.1");
    public ConcurrentQueue<DnsRequest> Seen { get; } = new();

    public static Backend Register(Backend b)
    {
        Registry[b.Id] = b;
        return b;
    }

    internal static Backend Get(string id) => Registry[id];

    internal void Handle(DnsRequest r)
    {
        Interlocked.Increment(ref _calls);
        Seen.Enqueue(r);
        if (Hold) _held.Enqueue(r);
        else r.Respond(Answer(r));
    }

    public void Release()
    {
        Hold = false;
        while (_held.TryDequeue(out var r)) r.Respond(Answer(r));
    }

    public static DnsResponse A(DnsRequest r, uint ttl, string ip)
    {
        var m = r.CreateReply();
        m.Ra = true;
        m.Answer.Add(DnsRecord.A(r.Name, ttl, IPAddress.Parse(ip)));
        return m;
    }

    public static DnsRecord Soa(string zone, uint ttl, uint minimum) =>
        DnsRecord.Soa(zone, ttl, "ns." + zone, "hostmaster." + zone, 1, 7200, 3600, 1209600, minimum);

    public static DnsResponse NxDomain(DnsRequest r, uint soaTtl, uint minimum)
    {
        var m = r.CreateReply(Rcode.NxDomain);
        m.Authority.Add(Soa("example.org.", soaTtl, minimum));
        return m;
    }
}

public sealed class ManualClock : TimeProvider
{
    private long _ticks = 1_000_000_000;
    public override long TimestampFrequency => 1_000_000;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public void Advance(TimeSpan d) => Interlocked.Add(ref _ticks, (long)(d.TotalSeconds * TimestampFrequency));
}

public static class CacheTestKit
{
    public static PluginCatalog Catalog { get; } = TestPlugins.Catalog.With("stub", new StubSetup(), after: "whoami");

    /// <summary>A harness running <c>example.org { cache ...; stub }</c> with a manual clock on the cache's store.</summary>
    public static (PipelineHarness Harness, CacheStore Store, ManualClock Clock, Backend Backend) Start(ActorSystem sys, string cache, string zone = "example.org")
    {
        var backend = Backend.Register(new Backend());
        var h = PipelineHarness.Start(sys, $"{zone} {{\n {cache}\n stub {backend.Id}\n}}\n", Catalog);
        var store = h.Plan.Blocks[0].Plugins.OfType<CachePlugin>().Single().Store;
        var clock = new ManualClock();
        store.Clock = clock;
        return (h, store, clock, backend);
    }

    private sealed class StubSetup : IPluginSetup
    {
        public Plugin Setup(SetupContext context)
        {
            var id = "";
            foreach (var r in context.Readers())
            {
                r.Next();
                if (r.NextArg()) id = r.Val;
            }
            return new StubPlugin(id);
        }
    }

    private sealed class StubPlugin(string id) : Plugin("stub")
    {
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new StubActor(id, next));
    }

    private sealed class StubActor(string id, ChainLink? next) : PluginActor("stub", next)
    {
        protected override void Handle(DnsRequest request) => Backend.Get(id).Handle(request);
    }
}
