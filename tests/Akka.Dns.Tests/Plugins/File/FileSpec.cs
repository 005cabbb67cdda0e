using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.File;

public sealed class FileSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-file-").FullName;

    public FileSpec(ITestOutputHelper output) : base(output: output) { }

    private string Zone(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private const string ExampleOrg = """
        $TTL 3600
        @       IN SOA ns1 hostmaster ( 2026112501 7200 3600 1209600 300 )
                IN NS  ns1
        ns1     IN A   192.0.2.53
        www     IN A   192.0.2.1
        out     IN CNAME www.example.net.
        """;

    private const string ExampleNet = """
        $TTL 3600
        @       IN SOA ns1 hostmaster 1 7200 3600 1209600 300
                IN NS  ns1
        ns1     IN A   192.0.2.153
        www     IN A   198.51.100.7
        """;

    [Fact]
    public async Task File_should_answer_authoritatively_from_the_zone()
    {
        var db = Zone("db.example.org", ExampleOrg);
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {db}\n}}\n");
        var r = await h.QueryAsync("www.example.org.");
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.True(r.Message.IsAuthoritiveAnswer);
        Assert.Equal("192.0.2.1", Assert.IsType<ARecord>(Assert.Single(r.Message.AnswerRecords)).Address.ToString());
        Assert.Single(r.Message.AuthorityRecords.OfType<NsRecord>());
        var nx = await h.QueryAsync("nothere.example.org.");
        Assert.Equal(ReturnCode.NxDomain, nx.Rcode);
        Assert.Equal(300, Assert.IsType<SoaRecord>(Assert.Single(nx.Message.AuthorityRecords)).TimeToLive);
    }

    [Fact]
    public async Task A_cname_leaving_the_zone_should_be_followed_through_the_whole_server()
    {
        var org = Zone("db.example.org", ExampleOrg);
        var net = Zone("db.example.net", ExampleNet);
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {org}\n}}\nexample.net {{\n file {net}\n}}\n");
        var r = await h.QueryAsync("out.example.org.");
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.Collection(r.Message.AnswerRecords,
            c => Assert.Equal("www.example.net", Assert.IsType<CNameRecord>(c).CanonicalName.ToString().TrimEnd('.')),
            a => Assert.Equal("198.51.100.7", Assert.IsType<ARecord>(a).Address.ToString()));
    }

    [Fact]
    public async Task A_cname_to_a_name_no_block_serves_should_answer_the_cname_alone()
    {
        var org = Zone("db.example.org", ExampleOrg);
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {org}\n}}\n");
        var r = await h.QueryAsync("out.example.org.");
        // The re-entered query is REFUSED (no zone): CoreDNS then answers the CNAME with NOERROR.
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.IsType<CNameRecord>(Assert.Single(r.Message.AnswerRecords));
    }

    [Fact]
    public async Task Fallthrough_should_pass_a_name_error_to_the_next_plugin()
    {
        var org = Zone("db.example.org", ExampleOrg);
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {org} {{\n  fallthrough\n }}\n whoami\n}}\n");
        var r = await h.QueryAsync("nothere.example.org.");
        Assert.Equal(ReturnCode.NoError, r.Rcode);
        Assert.Contains(r.Message.AdditionalRecords, rr => rr is SrvRecord);   // whoami answered
        Assert.Equal(ReturnCode.NoError, (await h.QueryAsync("www.example.org.")).Rcode);
    }

    [Fact]
    public async Task Zone_transfers_should_be_refused_by_file_itself()
    {
        var org = Zone("db.example.org", ExampleOrg);
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {org}\n}}\n");
        Assert.Equal(ReturnCode.Refused, (await h.QueryAsync("example.org.", RrType.AXFR, transport: Akka.Dns.Server.DnsTransport.Tcp)).Rcode);
    }

    [Fact]
    public async Task A_changed_serial_should_be_reloaded_and_a_broken_file_should_keep_the_old_zone()
    {
        var db = Zone("db.example.org", ExampleOrg);
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {db} {{\n  reload 200ms\n }}\n}}\n");
        await h.StartPluginsAsync(Sys);
        System.IO.File.WriteAllText(db, ExampleOrg.Replace("2026112501", "2026112502").Replace("192.0.2.1", "192.0.2.2"));
        await AwaitAssertAsync(async () =>
        {
            var r = await h.QueryAsync("www.example.org.");
            Assert.Equal("192.0.2.2", Assert.IsType<ARecord>(Assert.Single(r.Message.AnswerRecords)).Address.ToString());
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        System.IO.File.WriteAllText(db, ExampleOrg.Replace("2026112501", "2026112503").Replace("192.0.2.1", "300.0.0.1"));
        await Task.Delay(1000);
        var still = await h.QueryAsync("www.example.org.");
        Assert.Equal("192.0.2.2", Assert.IsType<ARecord>(Assert.Single(still.Message.AnswerRecords)).Address.ToString());
    }

    [Fact]
    public void A_zone_file_with_an_error_should_stop_start_up_naming_file_and_line()
    {
        var db = Zone("db.example.org", ExampleOrg.Replace("192.0.2.1", "300.0.0.1"));
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $"example.org {{\n file {db}\n}}\n"));
        Assert.StartsWith($"Corefile:2 - Error during parsing: plugin/file: {db}:5: ", e.Message);
    }

    [Theory]
    [InlineData("file", "Corefile:2 - Error during parsing: plugin/file: Wrong argument count or unexpected line ending after 'file'")]
    [InlineData("file db.x {\n  reload\n }", "Corefile:3 - Error during parsing: plugin/file: reload duration value is expected")]
    [InlineData("file db.x {\n  bogus\n }", "Corefile:3 - Error during parsing: plugin/file: unknown property 'bogus'")]
    public void Setup_errors_should_read_as_coredns_does(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $"example.org {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task A_missing_file_with_reload_should_answer_servfail_until_it_appears()
    {
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n file {Path.Combine(_dir, "later.db")} {{\n  reload 200ms\n }}\n}}\n");
        await h.StartPluginsAsync(Sys);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("www.example.org.")).Rcode);
        Zone("later.db", ExampleOrg);
        await AwaitAssertAsync(async () => Assert.Equal(ReturnCode.NoError, (await h.QueryAsync("www.example.org.")).Rcode),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
    }

    void IDisposable.Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
