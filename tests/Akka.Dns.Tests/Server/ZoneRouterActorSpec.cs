using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Server.Routing;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Server;

public sealed class ZoneRouterActorSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    [Fact]
    public async Task Router_should_route_requests_told_to_it_and_swap_its_table_whole()
    {
        await using var h = PipelineHarness.Start(Sys, "example.org {\n fault stall x.example.org\n}\n", TestPlugins.Catalog);
        var dispatcher = h.Dispatchers.Single();
        var router = Sys.ActorOf(ZoneRouterActor.Props(dispatcher));

        var target = new RecordingTarget(1232);
        router.Tell(PipelineHarness.CreateRequest(new QueryBuilder("www.example.org.").Build(), DnsTransport.Udp, target), TestActor);
        Assert.Equal(ReturnCode.NoError, (await target.NextAsync(TimeSpan.FromSeconds(5))).Rcode);

        // After the swap to an empty table nothing matches: REFUSED.
        router.Tell(new SwapZoneTable(ZoneTable.Empty), TestActor);
        ExpectMsg<ZoneTableSwapped>();
        router.Tell(PipelineHarness.CreateRequest(new QueryBuilder("www.example.org.").Build(), DnsTransport.Udp, target), TestActor);
        Assert.Equal(ReturnCode.Refused, (await target.NextAsync(TimeSpan.FromSeconds(5))).Rcode);
        Assert.Same(ZoneTable.Empty, dispatcher.Table);
    }
}
