using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Secondary;

public sealed class SecondarySpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private async Task<PipelineHarness> StartAsync(FakePrimary primary, string extra = "")
    {
        var h = PipelineHarness.Start(Sys, $"example.org {{\n secondary {{\n  transfer from 127.0.0.1:{primary.Port}\n{extra} }}\n}}\n");
        await h.StartPluginsAsync(Sys);
        return h;
    }

    private static async Task<string?> WwwAsync(PipelineHarness h)
    {
        var r = await h.QueryAsync("www.example.org.");
        return r.Rcode == ReturnCode.NoError ? Assert.IsType<ARecord>(Assert.Single(r.Message.AnswerRecords)).Address.ToString() : r.Rcode.ToString();
    }

    [Fact]
    public async Task Secondary_should_answer_from_the_transferred_zone_as_file_does()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7));
        await using var h = await StartAsync(primary);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);

        var www = await h.QueryAsync("www.example.org.");
        Assert.True(www.Message.IsAuthoritiveAnswer);
        Assert.Single(www.Message.AuthorityRecords.OfType<NsRecord>());
        var alias = await h.QueryAsync("alias.example.org.");
        Assert.Equal(["CName", "A"], alias.Message.AnswerRecords.Select(r => r.RecordType.ToString()));
        var srv = await h.QueryAsync("_sip._tcp.example.org.", RrType.SRV);
        Assert.Equal("sip.example.org.", Assert.IsType<SrvRecord>(Assert.Single(srv.Message.AnswerRecords)).Target.ToString());
        var nx = await h.QueryAsync("nothere.example.org.");
        Assert.Equal(ReturnCode.NxDomain, nx.Rcode);
        Assert.Equal(7u, Assert.IsType<SoaRecord>(Assert.Single(nx.Message.AuthorityRecords)).SerialNumber);
        var referral = await h.QueryAsync("a.sub.example.org.");
        Assert.False(referral.Message.IsAuthoritiveAnswer);
        Assert.Single(referral.Message.AuthorityRecords.OfType<NsRecord>());
        var axfr = await h.QueryAsync("example.org.", RrType.AXFR, transport: DnsTransport.Tcp);
        Assert.Equal(ReturnCode.Refused, axfr.Rcode);
    }

    [Fact]
    public async Task Secondary_should_answer_SERVFAIL_until_the_first_transfer_and_keep_trying()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7)) { Rcode = Rcode.Refused };
        await using var h = await StartAsync(primary);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("www.example.org.")).Rcode);
        primary.Rcode = Rcode.NoError;
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
    }

    [Fact]
    public async Task Secondary_should_transfer_again_on_refresh_when_the_serial_is_newer()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7, refresh: 1, retry: 1, expire: 3600));
        await using var h = await StartAsync(primary);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);

        // Same serial, other data: the refresh checks see no increase and do not transfer.
        primary.Records = SecondaryZones.ExampleOrg(7, "192.0.2.2", refresh: 1, retry: 1, expire: 3600);
        await AwaitConditionAsync(() => Task.FromResult(primary.SoaQueries >= 2), Patience);
        Assert.Equal(1, primary.Axfrs);
        Assert.Equal("192.0.2.1", await WwwAsync(h));

        primary.Records = SecondaryZones.ExampleOrg(8, "192.0.2.3", refresh: 1, retry: 1, expire: 3600);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.3", await WwwAsync(h)), Patience);
        Assert.Equal(2, primary.Axfrs);
    }

    [Fact]
    public async Task Secondary_should_take_a_serial_that_wrapped_around_as_newer()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(uint.MaxValue, refresh: 1, retry: 1, expire: 3600));
        await using var h = await StartAsync(primary);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
        primary.Records = SecondaryZones.ExampleOrg(1, "192.0.2.4", refresh: 1, retry: 1, expire: 3600);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.4", await WwwAsync(h)), Patience);
    }

    [Fact]
    public async Task Secondary_should_expire_the_zone_when_the_primary_stays_away_and_serve_it_again_when_it_is_back()
    {
        var primary = new FakePrimary(SecondaryZones.ExampleOrg(7, refresh: 1, retry: 1, expire: 3));
        await using var h = await StartAsync(primary);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
        var records = primary.Records;
        var port = primary.Port;
        primary.Dispose();

        await AwaitAssertAsync(async () => Assert.Equal("ServerFailure", await WwwAsync(h)), Patience);
        using var back = new FakePrimaryAt(port, records);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
    }

    [Fact]
    public async Task Secondary_should_publish_zone_loaded_for_each_new_version()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(ZoneLoaded));
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7, refresh: 1, retry: 1, expire: 3600));
        await using var h = await StartAsync(primary);
        var first = probe.ExpectMsg<ZoneLoaded>(Patience);
        Assert.Equal(("example.org.", 7u), (first.Origin, first.Zone.Serial));
        primary.Records = SecondaryZones.ExampleOrg(9, refresh: 1, retry: 1, expire: 3600);
        var second = probe.ExpectMsg<ZoneLoaded>(Patience);
        Assert.Equal(9u, second.Zone.Serial);
    }

    [Fact]
    public async Task Notify_from_the_primary_should_be_answered_with_AA_and_trigger_a_transfer()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7));
        await using var h = await StartAsync(primary);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
        primary.Records = SecondaryZones.ExampleOrg(8, "192.0.2.8");

        var reply = await h.QueryAsync(new QueryBuilder("example.org.", RrType.SOA) { Opcode = Opcode.Notify, Rd = false, Id = 77 },
            client: new IPEndPoint(IPAddress.Loopback, 5353));
        Assert.Equal(ReturnCode.NoError, reply.Rcode);
        Assert.Equal(OperationCode.Notify, reply.Message.OperationCode);
        Assert.True(reply.Message.IsAuthoritiveAnswer);
        Assert.True(reply.Message.IsQuery == false);
        Assert.Equal(77, reply.Message.TransactionID);
        Assert.Equal("example.org.", Assert.Single(reply.Message.Questions).Name.ToString());
        Assert.Empty(reply.Message.AnswerRecords);

        // refresh is an hour: only the NOTIFY can have brought the new version.
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.8", await WwwAsync(h)), Patience);
        Assert.Equal(1, primary.SoaQueries);
    }

    [Fact]
    public async Task Notify_from_another_address_should_get_no_answer_and_change_nothing()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7));
        await using var h = await StartAsync(primary);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
        primary.Records = SecondaryZones.ExampleOrg(8, "192.0.2.8");

        var target = new CompletionTarget();
        var request = PipelineHarness.CreateRequest(new QueryBuilder("example.org.", RrType.SOA) { Opcode = Opcode.Notify }.Build(),
            DnsTransport.Udp, target, new IPEndPoint(IPAddress.Parse("192.0.2.9"), 5353))!;
        h.Dispatchers.First().Dispatch(request, 0);
        await target.Done.Task.WaitAsync(Patience);
        Assert.Equal(0, target.Sent);

        // The dropped NOTIFY started no check.
        Assert.Equal(0, primary.SoaQueries);
        Assert.Equal("192.0.2.1", await WwwAsync(h));
    }

    [Fact]
    public async Task Transfer_should_serve_the_secondary_zone_onwards_once_it_is_loaded()
    {
        var zone = SecondaryZones.ExampleOrg(7);
        using var primary = new FakePrimary(zone) { Rcode = Rcode.Refused };
        var h = PipelineHarness.Start(Sys, $"example.org {{\n secondary {{\n  transfer from 127.0.0.1:{primary.Port}\n }}\n transfer {{\n  to *\n }}\n}}\n");
        await using var _ = h;
        await h.StartPluginsAsync(Sys);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("example.org.", RrType.AXFR, transport: DnsTransport.Tcp)).Rcode);
        primary.Rcode = Rcode.NoError;
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);

        var axfr = await h.QueryAsync("example.org.", RrType.AXFR, transport: DnsTransport.Tcp);
        Assert.Equal(ReturnCode.NoError, axfr.Rcode);
        var records = axfr.Message.AnswerRecords;
        Assert.Equal(zone.Count + 1, records.Count);
        Assert.IsType<SoaRecord>(records[0]);
        Assert.IsType<SoaRecord>(records[^1]);
    }

    [Fact]
    public async Task Notify_for_a_file_zone_should_get_no_answer_as_in_CoreDNS()
    {
        var dir = Directory.CreateTempSubdirectory("akka-dns-secondary-").FullName;
        using var cleanup = new DirectoryCleanup(dir);
        var db = Path.Combine(dir, "db.example.org");
        await System.IO.File.WriteAllTextAsync(db, Akka.Dns.Zones.MasterFile.Write(SecondaryZones.ExampleOrg(7)));
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {db}\n}}\n");
        var target = new CompletionTarget();
        var request = PipelineHarness.CreateRequest(new QueryBuilder("example.org.", RrType.SOA) { Opcode = Opcode.Notify }.Build(),
            DnsTransport.Udp, target, new IPEndPoint(IPAddress.Loopback, 5353))!;
        h.Dispatchers.First().Dispatch(request, 0);
        await target.Done.Task.WaitAsync(Patience);
        Assert.Equal(0, target.Sent);
        Assert.Equal(ReturnCode.NoError, (await h.QueryAsync("www.example.org.")).Rcode);
    }

    [Fact]
    public async Task Fallthrough_should_pass_names_the_zone_does_not_have_on()
    {
        using var primary = new FakePrimary(SecondaryZones.ExampleOrg(7));
        var h = PipelineHarness.Start(Sys, $"example.org {{\n secondary {{\n  transfer from 127.0.0.1:{primary.Port}\n  fallthrough\n }}\n whoami\n}}\n");
        await using var _ = h;
        await h.StartPluginsAsync(Sys);
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await WwwAsync(h)), Patience);
        var nx = await h.QueryAsync("nothere.example.org.");
        Assert.Equal(ReturnCode.NoError, nx.Rcode);
        Assert.Empty(nx.Message.AuthorityRecords);   // whoami answered: no SOA of the zone
        Assert.NotEmpty(nx.Message.AdditionalRecords);
    }

    /// <summary>A reply target that records whether anything was written and when the request completed.</summary>
    private sealed class CompletionTarget : IReplyTarget
    {
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Sent;
        public int MaxReplySize(DnsRequest request) => 65535;
        public void Send(DnsRequest request, ReadOnlySpan<byte> reply) => Interlocked.Increment(ref Sent);
        public void Completed(DnsRequest request) => Done.TrySetResult();
    }

    private sealed class DirectoryCleanup(string dir) : IDisposable
    {
        public void Dispose() => Directory.Delete(dir, recursive: true);
    }

    /// <summary>A fake primary brought back on a given port.</summary>
    private sealed class FakePrimaryAt : IDisposable
    {
        private readonly FakePrimary _inner;
        public FakePrimaryAt(int port, IReadOnlyList<DnsRecord> records) => _inner = new FakePrimary(records, port);
        public void Dispose() => _inner.Dispose();
    }
}
