using System.Net;
using Akka.Actor;
using Akka.Dns.Tests.Plugins.Dynupdate;
using Akka.Dns.Wire;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Cluster.Durable;

/// <summary>
/// Issue 5 end to end on one node: an RFC 2136 UPDATE taken by dynupdate on a single-node cluster whose config
/// includes hocon/durable-sqlite.conf (dynupdate's keys durable) is served by a new ActorSystem on the same directory.
/// </summary>
public sealed class DurableDynupdateSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Corefile = "example.org {\n dynupdate\n}\n";
    private readonly string _dir = DurableTestConfig.NewDir();

    [Fact]
    public async Task An_update_should_be_served_after_the_whole_node_restarts()
    {
        var first = await StartAsync("first");
        try
        {
            await using var h = await DynupdatePluginSpec.StartAsync(first, Corefile);
            var r = await h.SendAsync(DynupdatePluginSpec.Update("example.org", m =>
                m.Updates.Add(new AddRecordUpdate(DynupdatePluginSpec.A("svc.example.org", "198.51.100.7")))), client: new IPEndPoint(IPAddress.Loopback, 1));
            Assert.Equal(ReturnCode.NoError, r.Rcode);
        }
        finally
        {
            await first.Terminate();
        }
        Assert.True(File.Exists(Path.Combine(_dir, "ddata.db")));

        var second = await StartAsync("second");
        try
        {
            await using var again = await DynupdatePluginSpec.StartAsync(second, Corefile);
            await AwaitAssertAsync(async () =>
            {
                var a = await again.QueryAsync("svc.example.org.");
                Assert.Equal("198.51.100.7", Assert.IsType<ARecord>(Assert.Single(a.Message.AnswerRecords)).Address.ToString());
                Assert.Equal(2u, DynupdatePluginSpec.Serial(await again.QueryAsync("example.org.", RrType.SOA)));
            }, TimeSpan.FromSeconds(30));
        }
        finally
        {
            await second.Terminate();
        }
    }

    private async Task<ActorSystem> StartAsync(string name)
    {
        // the fragment's own keys (dynupdate's), not the test keys of DurableTestConfig.For
        var config = Akka.Configuration.ConfigurationFactory.ParseString("akka.cluster.distributed-data.durable.keys = [\"dns-rrsets:*\", \"dns-serial:*\"]")
            .WithFallback(DurableTestConfig.For(_dir));
        Assert.Equal(DurableTestConfig.Fragment().GetStringList("akka.cluster.distributed-data.durable.keys"),
            config.GetStringList("akka.cluster.distributed-data.durable.keys"));
        var system = ActorSystem.Create(name, config);
        await DurableTestConfig.JoinSelfAsync(system);
        return system;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DurableTestConfig.Delete(_dir);
    }
}
