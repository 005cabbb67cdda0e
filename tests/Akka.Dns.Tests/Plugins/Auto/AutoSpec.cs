using ARSoft.Tools.Net.Dns;
using Akka.Dns.Plugins.Auto;
using Akka.Dns.Plugins.File;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Auto;

public sealed class AutoSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-auto-").FullName;

    public AutoSpec(ITestOutputHelper output) : base(output: output) { }

    /// <summary>A zone whose www has <paramref name="www"/> and whose SOA has <paramref name="serial"/>.</summary>
    private static string ZoneText(uint serial, string www = "192.0.2.1") => $"""
        $TTL 3600
        @       IN SOA ns1 hostmaster ( {serial} 7200 3600 1209600 300 )
                IN NS  ns1
        ns1     IN A   192.0.2.53
        www     IN A   {www}
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static AutoPlugin AutoOf(PipelineHarness h) => h.Plan.Blocks.SelectMany(b => b.Plugins).OfType<AutoPlugin>().Single();

    private static async Task<string?> Www(PipelineHarness h, string zone)
    {
        var r = await h.QueryAsync($"www.{zone}");
        return r.Message.AnswerRecords.OfType<ARecord>().SingleOrDefault()?.Address.ToString();
    }

    /// <summary>Waits (bounded) until two more walks have completed: the second began after anything done before the call.</summary>
    private async Task TwoWalks(AutoPlugin auto)
    {
        var start = auto.Loader.Walks;
        await AwaitConditionAsync(() => Task.FromResult(auto.Loader.Walks >= start + 2), Bound, Poll);
    }

    private async Task<PipelineHarness> Started(string corefile)
    {
        var h = PipelineHarness.Start(Sys, corefile);
        await h.StartPluginsAsync(Sys);
        return h;
    }

    [Fact]
    public async Task Auto_should_serve_every_db_file_by_default_with_the_file_plugins_answers()
    {
        Write("db.example.org", ZoneText(1));
        Write("db.example.net", ZoneText(1, "198.51.100.7"));
        Write("example.com", ZoneText(1));   // does not match db\.(.*)
        await using var h = PipelineHarness.Start(Sys, $". {{\n auto {{\n  directory {_dir}\n }}\n}}\n");

        var r = await h.QueryAsync("www.example.org.");
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.True(r.Message.IsAuthoritiveAnswer);
        Assert.Equal("192.0.2.1", Assert.IsType<ARecord>(Assert.Single(r.Message.AnswerRecords)).Address.ToString());
        Assert.Equal("198.51.100.7", await Www(h, "example.net."));
        var nx = await h.QueryAsync("nothere.example.org.");
        Assert.Equal(ReturnCode.NxDomain, nx.Rcode);
        Assert.IsType<SoaRecord>(Assert.Single(nx.Message.AuthorityRecords));
        Assert.Equal(["example.net.", "example.org."], AutoOf(h).Current.Origins);
        // Inside the block's zones but no file for it, and auto ends the chain: REFUSED (auto.ServeDNS).
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("www.example.com.")).Rcode);
    }

    [Fact]
    public async Task Auto_should_take_origins_from_a_custom_regexp_and_template()
    {
        Write("db.example.org.zone", ZoneText(1));
        Write("db.example.net", ZoneText(1));
        Write("sub/db.example.com.zone", ZoneText(1, "203.0.113.9"));   // the walk is recursive
        await using var h = PipelineHarness.Start(Sys, $". {{\n auto {{\n  directory {_dir} db\\.(.*)\\.zone {{1}}\n }}\n}}\n");
        Assert.Equal(["example.com.", "example.org."], AutoOf(h).Current.Origins);
        Assert.Equal("192.0.2.1", await Www(h, "example.org."));
        Assert.Equal("203.0.113.9", await Www(h, "example.com."));
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("www.example.net.")).Rcode);
    }

    [Fact]
    public async Task Auto_should_make_origins_lower_case_and_keep_the_first_file_when_two_give_the_same_origin()
    {
        Write("Example.ORG.zone", ZoneText(1));
        Write("example.org.zone.bak", ZoneText(1, "192.0.2.99"));
        await using var h = PipelineHarness.Start(Sys, $". {{\n auto {{\n  directory {_dir} (.*)\\.zone {{1}}\n }}\n}}\n");
        Assert.Equal(["example.org."], AutoOf(h).Current.Origins);
        Assert.Equal("192.0.2.1", await Www(h, "EXAMPLE.org."));
    }

    [Fact]
    public async Task Auto_should_serve_only_origins_inside_its_zones_and_pass_other_names_on()
    {
        Write("db.example.org", ZoneText(1));
        Write("db.example.net", ZoneText(1));
        await using var h = PipelineHarness.Start(Sys, $". {{\n auto example.org {{\n  directory {_dir}\n }}\n whoami\n}}\n");
        Assert.Equal(["example.org."], AutoOf(h).Current.Origins);
        Assert.Equal("192.0.2.1", await Www(h, "example.org."));
        var other = await h.QueryAsync("www.example.net.");
        Assert.Equal(ReturnCode.NoError, other.Rcode);
        Assert.Contains(other.Message.AdditionalRecords, rr => rr is SrvRecord);   // whoami answered
    }

    [Fact]
    public async Task Auto_should_resolve_a_relative_directory_against_root()
    {
        Write("zones/db.example.org", ZoneText(1));
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n root {_dir}\n auto {{\n  directory zones\n }}\n}}\n");
        Assert.Equal("192.0.2.1", await Www(h, "example.org."));
    }

    [Fact]
    public async Task A_file_that_appears_should_be_served_after_a_walk()
    {
        await using var h = await Started($". {{\n auto {{\n  directory {_dir}\n  reload 100ms\n }}\n}}\n");
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("www.example.org.")).Rcode);
        Write("db.example.org", ZoneText(1));
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.1", await Www(h, "example.org.")), Bound, Poll);
    }

    [Fact]
    public async Task A_changed_file_should_be_served_only_when_its_serial_changed()
    {
        var db = Write("db.example.org", ZoneText(1));
        await using var h = await Started($". {{\n auto {{\n  directory {_dir}\n  reload 100ms\n }}\n}}\n");
        var auto = AutoOf(h);

        System.IO.File.WriteAllText(db, ZoneText(1, "192.0.2.2"));   // same serial: not reloaded
        await TwoWalks(auto);
        Assert.Equal("192.0.2.1", await Www(h, "example.org."));

        System.IO.File.WriteAllText(db, ZoneText(2, "192.0.2.3"));   // serial bump
        await AwaitAssertAsync(async () => Assert.Equal("192.0.2.3", await Www(h, "example.org.")), Bound, Poll);
    }

    [Fact]
    public async Task A_changed_zone_should_be_published_as_zone_loaded()
    {
        var db = Write("db.example.org", ZoneText(1));
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(ZoneLoaded));
        await using var h = await Started($". {{\n auto {{\n  directory {_dir}\n  reload 100ms\n }}\n}}\n");
        System.IO.File.WriteAllText(db, ZoneText(7));
        var loaded = await probe.FishForMessageAsync<ZoneLoaded>(z => z.Origin == "example.org." && z.Zone.Serial == 7, Bound);
        Assert.Same(loaded.Zone, AutoOf(h).GetZone("example.org."));
    }

    [Fact]
    public async Task A_vanished_file_should_drop_its_zone_so_the_next_plugin_answers()
    {
        var db = Write("db.example.org", ZoneText(1));
        Write("db.example.net", ZoneText(1));
        await using var h = await Started($". {{\n auto {{\n  directory {_dir}\n  reload 100ms\n }}\n whoami\n}}\n");
        Assert.Equal("192.0.2.1", await Www(h, "example.org."));
        System.IO.File.Delete(db);
        await AwaitAssertAsync(async () =>
        {
            var r = await h.QueryAsync("www.example.org.");
            Assert.Contains(r.Message.AdditionalRecords, rr => rr is SrvRecord);   // whoami answered
        }, Bound, Poll);
        Assert.Equal(["example.net."], AutoOf(h).Current.Origins);
        Assert.Equal("192.0.2.1", await Www(h, "example.net."));
    }

    [Fact]
    public async Task A_vanished_file_should_be_refused_when_auto_ends_the_chain()
    {
        var db = Write("db.example.org", ZoneText(1));
        await using var h = await Started($"example.org {{\n auto {{\n  directory {_dir}\n  reload 100ms\n }}\n}}\n");
        Assert.Equal(ReturnCode.NoError, (await h.QueryAsync("www.example.org.")).Rcode);
        System.IO.File.Delete(db);
        await AwaitAssertAsync(async () => Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("www.example.org.")).Rcode), Bound, Poll);
    }

    [Fact]
    public async Task A_broken_file_should_not_be_served_while_the_others_are()
    {
        Write("db.example.org", ZoneText(1, "300.0.0.1"));
        Write("db.example.net", ZoneText(1, "198.51.100.7"));
        await using var h = PipelineHarness.Start(Sys, $". {{\n auto {{\n  directory {_dir}\n }}\n}}\n");
        Assert.Equal(["example.net."], AutoOf(h).Current.Origins);
        Assert.Equal("198.51.100.7", await Www(h, "example.net."));
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("www.example.org.")).Rcode);
    }

    [Fact]
    public async Task A_loaded_zone_whose_file_breaks_should_keep_its_running_version()
    {
        var db = Write("db.example.org", ZoneText(1));
        await using var h = await Started($". {{\n auto {{\n  directory {_dir}\n  reload 100ms\n }}\n}}\n");
        System.IO.File.WriteAllText(db, ZoneText(2, "300.0.0.1"));
        await TwoWalks(AutoOf(h));
        Assert.Equal("192.0.2.1", await Www(h, "example.org."));
    }

    [Fact]
    public async Task Reload_zero_should_walk_only_at_start_up()
    {
        await using var h = await Started($". {{\n auto {{\n  directory {_dir}\n  reload 0\n }}\n}}\n");
        var auto = AutoOf(h);
        Assert.Equal(TimeSpan.Zero, auto.Reload);
        Assert.Equal(1, auto.Loader.Walks);
    }

    [Fact]
    public async Task Zone_transfers_should_be_refused_by_auto_itself_and_answered_by_transfer()
    {
        Write("db.example.org", ZoneText(1));
        await using (var alone = PipelineHarness.Start(Sys, $"example.org {{\n auto {{\n  directory {_dir}\n }}\n}}\n"))
            Assert.Equal(ReturnCode.Refused, (await alone.QueryAsync("example.org.", RrType.AXFR, transport: DnsTransport.Tcp)).Rcode);

        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n transfer {{\n  to *\n }}\n auto {{\n  directory {_dir}\n }}\n}}\n");
        var r = await h.QueryAsync("example.org.", RrType.AXFR, transport: DnsTransport.Tcp);
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.Equal(
            ["example.org. Soa", "example.org. Ns", "ns1.example.org. A", "www.example.org. A", "example.org. Soa"],
            r.Message.AnswerRecords.Select(rr => $"{rr.Name} {rr.RecordType}"));
    }

    [Fact]
    public async Task Transfer_should_pass_on_a_zone_auto_has_not_loaded()
    {
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n transfer {{\n  to *\n }}\n auto {{\n  directory {_dir}\n }}\n}}\n");
        // transfer goes on (ErrNotAuthoritative), auto has no file for it and ends the chain: REFUSED.
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("example.org.", RrType.AXFR, transport: DnsTransport.Tcp)).Rcode);
    }

    void IDisposable.Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
