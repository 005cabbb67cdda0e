using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Akka.Configuration;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Dynupdate;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Tests.Wire;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Dynupdate;

/// <summary>What a client of the dynupdate plugin sees, through the whole pipeline, on a plain (non-cluster) node.</summary>
public sealed class DynupdatePluginSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 5353);

    internal static byte[] Update(string zone, Action<DnsUpdateMessage> build, ushort id = 0x2136)
    {
        var m = new DnsUpdateMessage { ZoneName = DomainName.Parse(zone), TransactionID = id };
        build(m);
        return WireTestKit.Encode(m);
    }

    internal static ARecord A(string name, string ip, int ttl = 300) => new(DomainName.Parse(name), ttl, IPAddress.Parse(ip));

    internal static async Task<PipelineHarness> StartAsync(Akka.Actor.ActorSystem sys, string corefile)
    {
        var h = PipelineHarness.Start(sys, corefile);
        await h.StartPluginsAsync(sys);
        return h;
    }

    internal static uint Serial(Reply r) => Assert.IsType<SoaRecord>(Assert.Single(r.Message.AnswerRecords)).SerialNumber;

    [Fact]
    public async Task An_added_record_should_be_answered_and_raise_the_serial()
    {
        await using var h = await StartAsync(Sys, "example.org {\n dynupdate\n}\n");
        var before = Serial(await h.QueryAsync("example.org.", RrType.SOA));
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("www.example.org.")).Rcode);

        var r = await h.SendAsync(Update("example.org", m => m.Updates.Add(new AddRecordUpdate(A("www.example.org", "192.0.2.7")))), client: Loopback);
        Assert.Equal((ReturnCode.NoError, OperationCode.Update, 0x2136), (r.Rcode, r.Message.OperationCode, (int)r.Message.TransactionID));

        await AwaitAssertAsync(async () =>
        {
            var a = await h.QueryAsync("www.example.org.");
            Assert.Equal("192.0.2.7", Assert.IsType<ARecord>(Assert.Single(a.Message.AnswerRecords)).Address.ToString());
            Assert.True(a.Message.IsAuthoritiveAnswer);
        });
        Assert.Equal(before + 1, Serial(await h.QueryAsync("example.org.", RrType.SOA)));
    }

    [Fact]
    public async Task A_SOA_update_should_compare_with_and_set_the_serial_clients_see()
    {
        await using var h = await StartAsync(Sys, "example.org {\n dynupdate\n}\n");
        SoaRecord Soa(uint serial) => new(DomainName.Parse("example.org"), 3600, DomainName.Parse("ns.example.org"), DomainName.Parse("hostmaster.example.org"), serial, 7200, 1800, 1209600, 30);
        for (var i = 0; i < 3; i++)
            Assert.Equal(ReturnCode.NoError, (await h.SendAsync(Update("example.org", m => m.Updates.Add(new AddRecordUpdate(A($"h{i}.example.org", "192.0.2.1")))), client: Loopback)).Rcode);
        Assert.Equal(4u, Serial(await h.QueryAsync("example.org.", RrType.SOA)));
        // 3 is below what clients see (4): ignored, nothing changes
        Assert.Equal(ReturnCode.NoError, (await h.SendAsync(Update("example.org", m => m.Updates.Add(new AddRecordUpdate(Soa(3)))), client: Loopback)).Rcode);
        Assert.Equal(4u, Serial(await h.QueryAsync("example.org.", RrType.SOA)));
        // 2024 is above: clients see exactly 2024
        Assert.Equal(ReturnCode.NoError, (await h.SendAsync(Update("example.org", m => m.Updates.Add(new AddRecordUpdate(Soa(2024)))), client: Loopback)).Rcode);
        Assert.Equal(2024u, Serial(await h.QueryAsync("example.org.", RrType.SOA)));
        Assert.Equal(ReturnCode.NoError, (await h.SendAsync(Update("example.org", m => m.Updates.Add(new AddRecordUpdate(A("h9.example.org", "192.0.2.9")))), client: Loopback)).Rcode);
        Assert.Equal(2025u, Serial(await h.QueryAsync("example.org.", RrType.SOA)));
    }

    [Fact]
    public async Task A_client_outside_allow_should_be_refused_and_change_nothing()
    {
        await using var h = await StartAsync(Sys, "example.org {\n dynupdate {\n  allow 10.0.0.0/8\n }\n}\n");
        var packet = Update("example.org", m => m.Updates.Add(new AddRecordUpdate(A("www.example.org", "192.0.2.7"))));
        Assert.Equal(ReturnCode.Refused, (await h.SendAsync(packet, client: new IPEndPoint(IPAddress.Parse("192.168.1.1"), 5000))).Rcode);
        Assert.Equal(ReturnCode.Refused, (await h.SendAsync(packet, client: Loopback)).Rcode);   // loopback is only the default
        Assert.Equal(ReturnCode.NoError, (await h.SendAsync(packet, client: new IPEndPoint(IPAddress.Parse("10.1.2.3"), 5000))).Rcode);
    }

    [Fact]
    public async Task An_update_that_requires_a_key_should_be_refused_unsigned()
    {
        await using var h = await StartAsync(Sys, "example.org {\n dynupdate {\n  key update-key.\n }\n}\n");
        var r = await h.SendAsync(Update("example.org", m => m.Updates.Add(new AddRecordUpdate(A("www.example.org", "192.0.2.7")))), client: Loopback);
        Assert.Equal(ReturnCode.Refused, r.Rcode);
    }

    [Theory]
    [InlineData("example.net.")]   // in the block, not a dynupdate zone
    [InlineData("sub.example.org.")]   // below a dynupdate zone: not its apex
    [InlineData("example.com.")]   // no block at all
    public async Task An_update_for_a_zone_dynupdate_does_not_serve_should_get_NOTIMP(string zone)
    {
        await using var h = await StartAsync(Sys, "example.org example.net {\n dynupdate example.org\n}\n");
        var r = await h.SendAsync(Update(zone, m => m.Updates.Add(new AddRecordUpdate(A("x." + zone, "192.0.2.7")))), client: Loopback);
        Assert.Equal(ReturnCode.NotImplemented, r.Rcode);
    }

    [Fact]
    public async Task A_failed_prerequisite_should_answer_its_rcode_and_change_nothing()
    {
        await using var h = await StartAsync(Sys, "example.org {\n dynupdate\n}\n");
        var add = Update("example.org", m => m.Updates.Add(new AddRecordUpdate(A("www.example.org", "192.0.2.7"))));
        Assert.Equal(ReturnCode.NoError, (await h.SendAsync(add, client: Loopback)).Rcode);
        var guarded = Update("example.org", m =>
        {
            m.Prequisites.Add(new NameIsNotInUsePrequisite(DomainName.Parse("www.example.org")));
            m.Updates.Add(new AddRecordUpdate(A("www.example.org", "192.0.2.8")));
        });
        Assert.Equal(ReturnCode.YXDomain, (await h.SendAsync(guarded, client: Loopback)).Rcode);
        var a = await h.QueryAsync("www.example.org.");
        Assert.Equal(["192.0.2.7"], a.Message.AnswerRecords.OfType<ARecord>().Select(x => x.Address.ToString()));
    }

    [Fact]
    public async Task Updates_should_overlay_a_zone_that_file_serves_in_the_same_block()
    {
        var zone = Path.GetTempFileName();
        try
        {
            await System.IO.File.WriteAllTextAsync(zone, """
                $ORIGIN example.org.
                @ 3600 IN SOA ns.example.org. admin.example.org. 100 7200 3600 1209600 300
                @ 3600 IN NS ns.example.org.
                ns 3600 IN A 192.0.2.53
                www 3600 IN A 192.0.2.80
                mail 3600 IN A 192.0.2.25
                """);
            await using var h = await StartAsync(Sys, $"example.org {{\n dynupdate\n file {zone}\n}}\n");
            Assert.Equal(100u, Serial(await h.QueryAsync("example.org.", RrType.SOA)));
            var r = await h.SendAsync(Update("example.org", m =>
            {
                m.Updates.Add(new DeleteAllRecordsUpdate(DomainName.Parse("www.example.org")));
                m.Updates.Add(new AddRecordUpdate(A("api.example.org", "192.0.2.90")));
            }), client: Loopback);
            Assert.Equal(ReturnCode.NoError, r.Rcode);
            await AwaitAssertAsync(async () => Assert.Equal(101u, Serial(await h.QueryAsync("example.org.", RrType.SOA))));
            Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("www.example.org.")).Rcode);
            Assert.Single((await h.QueryAsync("api.example.org.")).Message.AnswerRecords);
            Assert.Single((await h.QueryAsync("mail.example.org.")).Message.AnswerRecords);
        }
        finally
        {
            System.IO.File.Delete(zone);
        }
    }

    [Theory]
    [InlineData("dynupdate {\n  allow 10.0.0.0/33\n }", "Corefile:3 - Error during parsing: plugin/dynupdate: invalid network '10.0.0.0/33': want an address or CIDR")]
    [InlineData("dynupdate {\n  allow\n }", "Corefile:3 - Error during parsing: plugin/dynupdate: Wrong argument count or unexpected line ending after 'allow'")]
    [InlineData("dynupdate {\n  bogus\n }", "Corefile:3 - Error during parsing: plugin/dynupdate: unknown property 'bogus'")]
    public void Setup_should_reject_bad_properties(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $"example.org {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}

/// <summary>dynupdate on a one-node cluster: the write goes through Akka.DistributedData with WriteMajority.</summary>
public sealed class DynupdateClusterSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(ClusterConfig, output: output)
{
    private static readonly Akka.Configuration.Config ClusterConfig = ConfigurationFactory.ParseString("""
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.distributed-data.notify-subscribers-interval = 50ms
        """);

    private async Task JoinSelfAsync()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        await AwaitConditionAsync(() => Task.FromResult(cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task An_update_should_be_replicated_data_that_a_new_replica_serves()
    {
        await JoinSelfAsync();
        await using (var h = await DynupdatePluginSpec.StartAsync(Sys, "example.org {\n dynupdate\n}\n"))
        {
            var r = await h.SendAsync(DynupdatePluginSpec.Update("example.org", m =>
                m.Updates.Add(new AddRecordUpdate(DynupdatePluginSpec.A("svc.example.org", "198.51.100.1")))), client: new IPEndPoint(IPAddress.Loopback, 1));
            Assert.Equal(ReturnCode.NoError, r.Rcode);
        }

        // The first pipeline and its replica are gone: a new one (a reload) finds the record in DData.
        await using var again = await DynupdatePluginSpec.StartAsync(Sys, "example.org {\n dynupdate\n}\n");
        await AwaitAssertAsync(async () =>
        {
            var a = await again.QueryAsync("svc.example.org.");
            Assert.Equal("198.51.100.1", Assert.IsType<ARecord>(Assert.Single(a.Message.AnswerRecords)).Address.ToString());
            Assert.Equal(2u, DynupdatePluginSpec.Serial(await again.QueryAsync("example.org.", RrType.SOA)));
        }, TimeSpan.FromSeconds(10));
    }
}
