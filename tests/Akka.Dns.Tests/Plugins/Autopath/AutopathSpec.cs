using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Autopath;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Autopath;

/// <summary>Modelled on CoreDNS's plugin/autopath tests; the file plugin (one root zone) answers the walk.</summary>
public sealed class AutopathSpec : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const string Zone = """
        $ORIGIN .
        .                 3600 IN SOA ns.example. hostmaster.example. 1 7200 900 1209600 300
        .                 3600 IN NS  ns.example.
        ns.example.       3600 IN A   192.0.2.53
        b.com.            3600 IN A   192.0.2.1
        a.example.com.    3600 IN A   192.0.2.2
        a.example.org.    3600 IN TXT "only a TXT"
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("autopath").FullName;

    public AutopathSpec(ITestOutputHelper output) : base(output: output)
    {
        System.IO.File.WriteAllText(Path.Combine(_dir, "db.root"), Zone);
        System.IO.File.WriteAllText(Path.Combine(_dir, "resolv.conf"), "nameserver 1.2.3.4\ndomain foo.com\nsearch example.org example.com com\noptions ndots:5\n");
    }

    private string Db => Path.Combine(_dir, "db.root");
    private string Resolv => Path.Combine(_dir, "resolv.conf");

    public static TheoryData<string, ushort, ReturnCode, string[]> Cases => new()
    {
        // search path expansion: the CNAME sits before the answer
        { "b.example.org.", RrType.A, ReturnCode.NoError, ["b.example.org. CNAME b.com.", "b.com. A 192.0.2.1"] },
        { "B.Example.ORG.", RrType.A, ReturnCode.NoError, ["B.Example.ORG. CNAME b.com.", "b.com. A 192.0.2.1"] },
        // not in the first element of the search path: untouched
        { "a.example.com.", RrType.A, ReturnCode.NoError, ["a.example.com. A 192.0.2.2"] },
        // the name exists with another type: NODATA is not NXDOMAIN, so it is the answer (no CNAME: no records)
        { "a.example.org.", RrType.A, ReturnCode.NoError, [] },
        // every element NXDOMAIN: the first reply as is
        { "c.example.org.", RrType.A, ReturnCode.NxDomain, [] },
        // a deeper name keeps its labels
        { "x.b.example.org.", RrType.A, ReturnCode.NxDomain, [] },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Autopath_should_answer_as_coredns(string qname, ushort qtype, ReturnCode rcode, string[] answer)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n autopath {Resolv}\n file {Db} .\n}}\n");
        var m = (await h.QueryAsync(new QueryBuilder(qname, qtype))).Message;
        Assert.Equal(rcode, m.ReturnCode);
        Assert.Equal(qname, m.Questions[0].Name.ToString());
        Assert.Equal(answer, m.AnswerRecords.Select(Text).ToArray());
    }

    [Fact]
    public async Task Autopath_should_leave_names_outside_its_zones_alone()
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n autopath example.net {Resolv}\n file {Db} .\n}}\n");
        var m = (await h.QueryAsync(new QueryBuilder("b.example.org."))).Message;
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
    }

    /// <summary><c>pather</c>: a search path provider; clients from 10/8 get "example.org com", others none.</summary>
    private sealed class PatherSetup : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context) => new PatherPlugin();
    }

    private sealed class PatherPlugin() : SetupOnlyPlugin("pather"), IAutoPather
    {
        public IReadOnlyList<string>? AutoPath(DnsRequest request) =>
            request.Client.Address.GetAddressBytes()[0] == 10 ? ["example.org.", "com.", ""] : null;
    }

    private static readonly PluginCatalog Catalog = PluginCatalog.Default.With("pather", new PatherSetup(), after: "whoami");

    [Theory]
    [InlineData("10.1.2.3", ReturnCode.NoError)]
    [InlineData("192.0.2.9", ReturnCode.NxDomain)]
    public async Task Autopath_should_take_the_search_path_from_a_provider_plugin(string client, ReturnCode rcode)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n autopath @pather\n pather\n file {Db} .\n}}\n", Catalog);
        var m = (await h.QueryAsync(new QueryBuilder("b.example.org."), client: new IPEndPoint(IPAddress.Parse(client), 5353))).Message;
        Assert.Equal(rcode, m.ReturnCode);
    }

    [Fact]
    public async Task Autopath_should_do_nothing_when_the_named_provider_is_not_in_the_block()
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n autopath @kubernetes\n file {Db} .\n}}\n");
        await h.StartPluginsAsync(Sys);
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync(new QueryBuilder("b.example.org."))).Rcode);
    }

    [Fact]
    public async Task Autopath_should_fail_to_start_when_the_named_plugin_is_no_search_path_provider()
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n autopath @file\n file {Db} .\n}}\n");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => h.StartPluginsAsync(Sys));
        Assert.Equal("plugin/autopath: file does not implement the AutoPather interface", e.Message);
    }

    public static TheoryData<string, string, string?, string[]?> ValidSetups => new()
    {
        // arguments, first zone, provider, search path
        { "@kubernetes", ".", "kubernetes", null },
        { "example.org @kubernetes", "example.org.", "kubernetes", null },
        { "10.0.0.0/8 @kubernetes", "10.in-addr.arpa.", "kubernetes", null },
        { "RESOLV", ".", null, ["example.org.", "example.com.", "com.", ""] },
    };

    [Theory, MemberData(nameof(ValidSetups))]
    public void Autopath_should_accept_coredns_syntax(string args, string zone, string? provider, string[]? search)
    {
        var h = PipelineHarness.Start(Sys, $". {{\n autopath {args.Replace("RESOLV", Resolv)}\n whoami\n}}\n");
        var p = (AutopathPlugin)h.Plan.Blocks[0].Plugins.First(x => x.Name == "autopath");
        Assert.Equal(zone, p.Zones[0]);
        Assert.Equal(provider, p.Provider);
        Assert.Equal(search, p.SearchPath?.ToArray());
    }

    [Theory]
    [InlineData("autopath", "no resolv-conf specified")]
    [InlineData("autopath kubernetes", "failed to parse \"kubernetes\": open kubernetes: no such file or directory")]
    [InlineData("autopath \"\"", "failed to parse \"\": open : no such file or directory")]
    [InlineData("autopath\n autopath @k", "this plugin can only be used once per Server Block")]
    public void Autopath_should_reject_bad_configuration(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directive}\n}}\n"));
        Assert.EndsWith("Error during parsing: plugin/autopath: " + message, e.Message);
    }

    [Theory]
    [InlineData("search a.com b.com\n", new[] { "a.com.", "b.com." })]
    [InlineData("domain Foo.COM\n", new[] { "foo.com." })]
    [InlineData("search a.com\ndomain b.com\n", new[] { "b.com." })]
    [InlineData("# search x.com\nnameserver 1.1.1.1\n", new string[0])]
    public void Resolv_conf_should_be_read_as_miekg_dns_does(string text, string[] search) =>
        Assert.Equal(search, ResolvConf.Search(text.Split('\n')));

    private static string Text(DnsRecordBase r) => r switch
    {
        CNameRecord c => $"{c.Name} CNAME {c.CanonicalName}",
        ARecord a => $"{a.Name} A {a.Address}",
        _ => r.ToString(),
    };

    public new void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
