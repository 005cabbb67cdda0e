using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Actor;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Hosts;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Hosts;

public sealed class HostsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>CoreDNS's hosts_test.go example, plus lines from hostsfile_test.go (comments, aliases, bogus lines, zones).</summary>
    internal const string HostsText = """
        127.0.0.1 localhost localhost.domain
        ::1 localhost localhost.domain
        10.0.0.1 example.org
        ::FFFF:10.0.0.2 example.com
        10.0.0.3 fallthrough-example.org
        1.2.3.4 aa.example.com
        5.6.7.8 *.apps.example.com
        reload 5s
        timeout 3600
        # comments and aliases
        127.0.0.2	odin
        127.0.0.3	odin  # inline comment
        ::2             odin
        127.1.1.2	ullr ullrhost
        fe80::1%lo0	Thor.Example.NET
        # Bogus entries that must be ignored.
        123.123.123	loki
        321.321.321.321 loki
        010.0.0.1 loki
        """;

    /// <summary>A test-only plugin placed right after hosts: answers anything with A 192.0.2.99, TTL 7, no AA.</summary>
    private static readonly PluginCatalog Catalog = PluginCatalog.Default.With("hostsnext", new NextSetup(), after: "hosts");

    private const string FromNext = "192.0.2.99";

    private sealed class NextSetup : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context) => new NextPlugin();
    }

    private sealed class NextPlugin() : Akka.Dns.Plugins.Plugin("hostsnext")
    {
        public override Props HandlerProps(ChainLink? next) => Akka.Actor.Props.Create(() => new NextActor(next));
    }

    private sealed class NextActor(ChainLink? next) : PluginActor("hostsnext", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var reply = request.CreateReply();
            reply.Answer.Add(DnsRecord.A(request.Name, 7, IPAddress.Parse(FromNext)));
            request.Respond(reply);
        }
    }

    /// <summary>One record as text. The owner is lower-cased here: hosts writes it lower-cased (CoreDNS's
    /// request.Name), but our writer compresses it against the question, so the client reads the question's case.</summary>
    private static string Show(DnsRecordBase r) => r switch
    {
        ARecord a => $"{Owner(r)} {r.TimeToLive} A {a.Address}",
        AaaaRecord a => $"{Owner(r)} {r.TimeToLive} AAAA {a.Address}",
        PtrRecord p => $"{Owner(r)} {r.TimeToLive} PTR {p.PointerDomainName}",
        _ => r.ToString() ?? "",
    };

    private static string Owner(DnsRecordBase r) => r.Name.ToString().ToLowerInvariant();

    private static string[] Answers(Reply reply) => reply.Message.AnswerRecords.Select(Show).ToArray();

    /// <summary>qname, qtype, rcode, AA, answers (in order).</summary>
    public static TheoryData<string, ushort, ReturnCode, bool, string[]> Cases => new()
    {
        { "example.org.", RrType.A, ReturnCode.NoError, true, ["example.org. 3600 A 10.0.0.1"] },
        { "EXAMPLE.Org.", RrType.A, ReturnCode.NoError, true, ["example.org. 3600 A 10.0.0.1"] },
        { "example.com.", RrType.A, ReturnCode.NoError, true, ["example.com. 3600 A 10.0.0.2"] },
        { "localhost.", RrType.AAAA, ReturnCode.NoError, true, ["localhost. 3600 AAAA ::1"] },
        { "localhost.domain.", RrType.A, ReturnCode.NoError, true, ["localhost.domain. 3600 A 127.0.0.1"] },
        { "odin.", RrType.A, ReturnCode.NoError, true, ["odin. 3600 A 127.0.0.2", "odin. 3600 A 127.0.0.3"] },
        { "odin.", RrType.AAAA, ReturnCode.NoError, true, ["odin. 3600 AAAA ::2"] },
        { "ullrhost.", RrType.A, ReturnCode.NoError, true, ["ullrhost. 3600 A 127.1.1.2"] },
        { "thor.example.net.", RrType.AAAA, ReturnCode.NoError, true, ["thor.example.net. 3600 AAAA fe80::1"] },
        { "1.0.0.10.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, true, ["1.0.0.10.in-addr.arpa. 3600 PTR example.org."] },
        { "2.0.0.10.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, true, ["2.0.0.10.in-addr.arpa. 3600 PTR example.com."] },
        { "1.0.0.127.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, true, ["1.0.0.127.in-addr.arpa. 3600 PTR localhost.", "1.0.0.127.in-addr.arpa. 3600 PTR localhost.domain."] },
        { "2.1.1.127.In-Addr.Arpa.", RrType.PTR, ReturnCode.NoError, true, ["2.1.1.127.in-addr.arpa. 3600 PTR ullr.", "2.1.1.127.in-addr.arpa. 3600 PTR ullrhost."] },
        { V6Reverse("::1"), RrType.PTR, ReturnCode.NoError, true, [$"{V6Reverse("::1")} 3600 PTR localhost.", $"{V6Reverse("::1")} 3600 PTR localhost.domain."] },
        { V6Reverse("fe80::1"), RrType.PTR, ReturnCode.NoError, true, [$"{V6Reverse("fe80::1")} 3600 PTR thor.example.net."] },
        // Go's reverse6 + IP.String turns the ip6.arpa name of ::ffff:10.0.0.2 into "10.0.0.2".
        { V6Reverse("::ffff:10.0.0.2"), RrType.PTR, ReturnCode.NoError, true, [$"{V6Reverse("::ffff:10.0.0.2")} 3600 PTR example.com."] },
        // Name present, other type: NODATA, authoritative, no SOA.
        { "example.org.", RrType.AAAA, ReturnCode.NoError, true, [] },
        { "example.org.", RrType.MX, ReturnCode.NoError, true, [] },
        { "example.com.", RrType.AAAA, ReturnCode.NoError, true, [] },
        { "x.apps.example.com.", RrType.TXT, ReturnCode.NoError, true, [] },
        // Wildcards: one label below, not the apex, not deeper.
        { "x.apps.example.com.", RrType.A, ReturnCode.NoError, true, ["x.apps.example.com. 3600 A 5.6.7.8"] },
        { "Other.Apps.Example.Com.", RrType.A, ReturnCode.NoError, true, ["other.apps.example.com. 3600 A 5.6.7.8"] },
        { "apps.example.com.", RrType.A, ReturnCode.ServerFailure, false, [] },
        { "deep.x.apps.example.com.", RrType.A, ReturnCode.ServerFailure, false, [] },
        // Absent names without fallthrough: SERVFAIL (CoreDNS has no SOA to make an NXDOMAIN).
        { "missing.example.org.", RrType.A, ReturnCode.ServerFailure, false, [] },
        { "missing.example.org.", RrType.MX, ReturnCode.ServerFailure, false, [] },
        { "loki.", RrType.A, ReturnCode.ServerFailure, false, [] },
        { "reload.", RrType.A, ReturnCode.ServerFailure, false, [] },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Hosts_should_answer_like_coredns(string qname, ushort qtype, ReturnCode rcode, bool aa, string[] answers)
    {
        using var file = new TempHosts(HostsText);
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path}\n}}\n");
        var reply = await h.QueryAsync(new QueryBuilder(qname, qtype) { UdpSize = 1232 });
        Assert.Equal(rcode, reply.Rcode);
        Assert.Equal(aa, reply.Message.IsAuthoritiveAnswer);
        Assert.Equal(answers, Answers(reply));
        Assert.Empty(reply.Message.AuthorityRecords);
        Assert.Equal(qname, reply.Message.Questions[0].Name.ToString(), StringComparer.Ordinal);
    }

    /// <summary>Cases that go to the next plugin (which answers A 192.0.2.99) rather than being answered by hosts.</summary>
    public static TheoryData<string, string, ushort> PassedOn => new()
    {
        // A PTR hosts does not have always goes on, fallthrough or not.
        { "", "9.9.9.9.in-addr.arpa.", RrType.PTR },
        // Wildcards make no PTR.
        { "", "8.7.6.5.in-addr.arpa.", RrType.PTR },
        // A PTR query for a name that is not a reverse name.
        { "", "example.org.", RrType.PTR },
        { "", "1.0.0.0.10.in-addr.arpa.", RrType.PTR },
        // Outside ZONES: next, fallthrough or not.
        { "example.org", "example.com.", RrType.A },
        { "example.org", "example.net.", RrType.MX },
        // fallthrough: an absent name goes on.
        { " {\n  fallthrough\n }", "missing.example.org.", RrType.A },
        { " {\n  fallthrough example.org\n }", "missing.example.org.", RrType.AAAA },
        { " {\n  fallthrough\n  fallthrough_unsupported\n }", "example.org.", RrType.TXT },
        { " {\n  no_reverse\n }", "1.0.0.10.in-addr.arpa.", RrType.PTR },
    };

    [Theory, MemberData(nameof(PassedOn))]
    public async Task Hosts_should_pass_to_the_next_plugin(string tail, string qname, ushort qtype)
    {
        using var file = new TempHosts(HostsText);
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path} {tail}\n hostsnext\n}}\n", Catalog);
        var reply = await h.QueryAsync(qname, qtype);
        Assert.Equal(ReturnCode.NoError, reply.Rcode);
        Assert.False(reply.Message.IsAuthoritiveAnswer);
        Assert.Equal([$"{qname} 7 A {FromNext}"], Answers(reply));
    }

    public static TheoryData<string, string, ushort, ReturnCode, string[]> Kept => new()
    {
        // PTR is answered for any reverse name it has, though in-addr.arpa is not in ZONES.
        { "example.org", "1.0.0.10.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, ["1.0.0.10.in-addr.arpa. 3600 PTR example.org."] },
        // Entries outside ZONES are not loaded at all (no PTR for example.com's address either: it goes on).
        { "example.org", "example.org.", RrType.A, ReturnCode.NoError, ["example.org. 3600 A 10.0.0.1"] },
        // fallthrough for other zones only: SERVFAIL here.
        { " {\n  fallthrough example.net\n }", "missing.example.org.", RrType.A, ReturnCode.ServerFailure, [] },
        // Without fallthrough_unsupported, an unsupported type for a present name is NODATA even with fallthrough.
        { " {\n  fallthrough\n }", "example.org.", RrType.TXT, ReturnCode.NoError, [] },
        // fallthrough_unsupported respects the fallthrough zones.
        { " {\n  fallthrough example.net\n  fallthrough_unsupported\n }", "example.org.", RrType.TXT, ReturnCode.NoError, [] },
        // no_reverse keeps A and AAAA.
        { " {\n  no_reverse\n }", "example.org.", RrType.A, ReturnCode.NoError, ["example.org. 3600 A 10.0.0.1"] },
        // ttl applies to forward and reverse records.
        { " {\n  ttl 300\n }", "localhost.", RrType.AAAA, ReturnCode.NoError, ["localhost. 300 AAAA ::1"] },
        { " {\n  ttl 300\n }", "1.0.0.10.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, ["1.0.0.10.in-addr.arpa. 300 PTR example.org."] },
    };

    [Theory, MemberData(nameof(Kept))]
    public async Task Hosts_should_answer_itself_under_zones_and_options(string tail, string qname, ushort qtype, ReturnCode rcode, string[] answers)
    {
        using var file = new TempHosts(HostsText);
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path} {tail}\n hostsnext\n}}\n", Catalog);
        var reply = await h.QueryAsync(qname, qtype);
        Assert.Equal(rcode, reply.Rcode);
        Assert.Equal(answers, Answers(reply));
    }

    [Fact]
    public async Task Hosts_should_send_out_of_zone_ptr_without_data_to_the_next_plugin_when_zones_exclude_the_entry()
    {
        using var file = new TempHosts(HostsText);
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path} example.org\n hostsnext\n}}\n", Catalog);
        var reply = await h.QueryAsync("2.0.0.10.in-addr.arpa.", RrType.PTR);
        Assert.Equal([$"2.0.0.10.in-addr.arpa. 7 A {FromNext}"], Answers(reply));
    }

    [Fact]
    public async Task Hosts_should_serve_inline_entries_after_the_file_entries()
    {
        using var file = new TempHosts("10.0.0.1 example.org\n");
        await using var h = PipelineHarness.Start(Sys,
            $". {{\n hosts {file.Path} example.org {{\n  10.0.0.7 example.org Alias.Example.Org\n  10.9.9.9 outside.example.net\n  fallthrough\n }}\n hostsnext\n}}\n", Catalog);

        Assert.Equal(["example.org. 3600 A 10.0.0.1", "example.org. 3600 A 10.0.0.7"], Answers(await h.QueryAsync("example.org.")));
        Assert.Equal(["alias.example.org. 3600 A 10.0.0.7"], Answers(await h.QueryAsync("alias.example.org.")));
        Assert.Equal(["7.0.0.10.in-addr.arpa. 3600 PTR example.org.", "7.0.0.10.in-addr.arpa. 3600 PTR alias.example.org."],
            Answers(await h.QueryAsync("7.0.0.10.in-addr.arpa.", RrType.PTR)));
        // The inline line outside the block's zone was dropped: its PTR goes on.
        Assert.Equal([$"9.9.9.10.in-addr.arpa. 7 A {FromNext}"], Answers(await h.QueryAsync("9.9.9.10.in-addr.arpa.", RrType.PTR)));
    }

    [Fact]
    public async Task Hosts_should_serve_inline_entries_without_a_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), "akka-dns-hosts-" + Guid.NewGuid().ToString("N"));
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {missing} example.org {{\n  10.0.0.1 example.org\n }}\n}}\n");
        var reply = await h.QueryAsync("example.org.");
        Assert.True(reply.Message.IsAuthoritiveAnswer);
        Assert.Equal(["example.org. 3600 A 10.0.0.1"], Answers(reply));
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("www.example.org.")).Rcode);
    }

    [Fact]
    public async Task Hosts_should_pick_up_a_rewritten_file_on_reload()
    {
        using var file = new TempHosts("10.0.0.1 example.org\n");
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path} {{\n  reload 50ms\n }}\n}}\n");
        var plugin = h.Plan.Blocks[0].Plugins.OfType<HostsPlugin>().Single();
        Assert.Equal(["example.org. 3600 A 10.0.0.1"], Answers(await h.QueryAsync("example.org.")));
        Assert.Equal(2, plugin.Entries);

        var before = System.IO.File.GetLastWriteTimeUtc(file.Path);
        System.IO.File.WriteAllText(file.Path, "10.0.0.9 example.org\n10.0.0.10 example.org www.example.org\n");
        System.IO.File.SetLastWriteTimeUtc(file.Path, before.AddSeconds(2));

        // The timer may read the new contents before the test sets the mtime: wait for both to be seen.
        var stamp = (before.AddSeconds(2).Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerSecond;
        string[] answers = [];
        for (var i = 0; i < 400; i++)
        {
            answers = Answers(await h.QueryAsync("example.org."));
            if (answers.Length == 2 && Math.Abs(plugin.ReloadTimestampSeconds - stamp) < 0.001) break;
            await Task.Delay(25);
        }

        Assert.Equal(["example.org. 3600 A 10.0.0.9", "example.org. 3600 A 10.0.0.10"], answers);
        Assert.Equal(["www.example.org. 3600 A 10.0.0.10"], Answers(await h.QueryAsync("www.example.org.")));
        Assert.Equal(6, plugin.Entries);
        Assert.Equal(stamp, plugin.ReloadTimestampSeconds);
    }

    [Fact]
    public async Task Hosts_should_keep_serving_the_last_file_contents_when_the_file_is_deleted()
    {
        using var file = new TempHosts("10.0.0.1 example.org\n");
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path} {{\n  reload 50ms\n  10.0.0.2 inline.example.org\n }}\n}}\n");
        var plugin = h.Plan.Blocks[0].Plugins.OfType<HostsPlugin>().Single();
        System.IO.File.Delete(file.Path);
        // Reload on demand through the same path the timer takes: nothing to open, nothing changes.
        plugin.Source.Stop();
        plugin.Source.Start();
        Assert.Equal(["example.org. 3600 A 10.0.0.1"], Answers(await h.QueryAsync("example.org.")));
        Assert.Equal(["inline.example.org. 3600 A 10.0.0.2"], Answers(await h.QueryAsync("inline.example.org.")));
    }

    [Fact]
    public async Task Hosts_should_read_the_file_once_for_all_replicas_and_keep_the_snapshot_in_the_plugin()
    {
        using var file = new TempHosts(HostsText);
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path}\n}}\n");
        var plugin = h.Plan.Blocks[0].Plugins.OfType<HostsPlugin>().Single();
        var snapshot = plugin.Source.Current;
        Assert.Equal(1, plugin.Source.Loads);
        // A re-created actor (what a restart does) gets the same source: nothing is read again, nothing is lost.
        plugin.HandlerProps(null);
        Assert.Equal(1, plugin.Source.Loads);
        Assert.Same(snapshot, plugin.Source.Current);
    }

    [Fact]
    public async Task Hosts_should_count_entries_like_coredns()
    {
        using var file = new TempHosts(HostsText);
        await using var h = PipelineHarness.Start(Sys, $". {{\n hosts {file.Path} {{\n  10.1.1.1 one.example two.example\n }}\n}}\n");
        var plugin = h.Plan.Blocks[0].Plugins.OfType<HostsPlugin>().Single();
        // File: 17 for CoreDNS's example (A 6, AAAA 2, wildcard 1, PTR 8) + odin 3 A/AAAA + 3 PTR, ullr 2 + 2,
        // thor 1 + 1 = 29. Inline: 2 A + 2 PTR.
        Assert.Equal(29 + 4, plugin.Entries);
    }

    /// <summary>The ip6.arpa name of an IPv6 address (32 nibbles).</summary>
    private static string V6Reverse(string address)
    {
        var bytes = IPAddress.Parse(address).GetAddressBytes();
        var nibbles = new List<string>();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            nibbles.Add((bytes[i] & 0xF).ToString("x"));
            nibbles.Add((bytes[i] >> 4).ToString("x"));
        }

        return string.Join('.', nibbles) + ".ip6.arpa.";
    }
}

/// <summary>A hosts file in a fresh temp directory, deleted with it.</summary>
internal sealed class TempHosts : IDisposable
{
    public TempHosts(string text)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("akka-dns-hosts-").FullName;
        Path = System.IO.Path.Combine(Directory, "hosts");
        System.IO.File.WriteAllText(Path, text);
    }

    public string Directory { get; }
    public string Path { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
