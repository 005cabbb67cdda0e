using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Metadata;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Metadata;

[Collection(Akka.Dns.Tests.Logging.LineLogCollection.Name)]
public sealed class MetadataSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary><c>mdtest</c>: a metadata provider that sets test/name to the query name and test/empty to "".</summary>
    private sealed class ProviderSetup : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context) => new ProviderPlugin();
    }

    private sealed class ProviderPlugin() : SetupOnlyPlugin("mdtest"), IMetadataProvider
    {
        public void Provide(DnsRequest request)
        {
            request.Metadata["test/name"] = request.Name;
            request.Metadata["test/empty"] = "";
        }
    }

    private static PluginCatalog Catalog => RecordsSetup.Catalog("a.example.org. 60 IN A 192.0.2.1\nb.other.org. 60 IN A 192.0.2.2\n")
        .With("mdtest", new ProviderSetup(), after: "records");

    /// <summary>CoreDNS's TestSetup: zones from the arguments or the block; no block, once per server block.</summary>
    [Theory]
    [InlineData("example.org {\n metadata\n}\n", new[] { "example.org." })]
    [InlineData(". {\n metadata example.com.\n}\n", new[] { "example.com." })]
    [InlineData(". {\n metadata example.com. net.\n}\n", new[] { "example.com.", "net." })]
    public void Metadata_should_take_zones_from_its_arguments_or_the_block(string corefile, string[] zones) =>
        Assert.Equal(zones, PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<MetadataPlugin>().Single().Zones);

    [Theory]
    [InlineData(". {\n metadata example.com. {\n  some_param\n }\n}\n", "Corefile:3 - Error during parsing: plugin/metadata: Wrong argument count or unexpected line ending after 'some_param'")]
    public void Metadata_should_reject_a_block(string corefile, string message) =>
        Assert.Equal(message, Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, corefile)).Message);

    [Fact]
    public void Metadata_should_be_allowed_once_per_block() =>
        Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, ". {\n metadata\n metadata\n}\n"));

    [Fact]
    public void Metadata_should_find_the_providers_of_its_block()
    {
        var plan = PluginPlans.Plan(Sys, ". {\n metadata\n mdtest\n records\n}\n", Catalog);
        Assert.Single(plan.Blocks[0].Plugins.OfType<MetadataPlugin>().Single().Providers);
    }

    /// <summary>Providers' values reach later plugins (rewrite reads {test/name}) only for names in the metadata zones.</summary>
    [Theory]
    [InlineData("metadata", "a.example.org.", "65518=612E6578616D706C652E6F72672E")]
    [InlineData("metadata example.org", "a.example.org.", "65518=612E6578616D706C652E6F72672E")]
    [InlineData("metadata example.org", "b.other.org.", "")]
    [InlineData("", "a.example.org.", "")]
    public async Task Metadata_should_make_provider_values_available_to_later_plugins(string metadata, string qname, string option)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {metadata}\n mdtest\n rewrite edns0 local set 0xffee {{test/name}}\n records echo\n}}\n", Catalog);
        var m = (await h.QueryAsync(qname)).Message;
        var seen = m.AdditionalRecords.OfType<ARSoft.Tools.Net.Dns.TxtRecord>().Single(t => t.Name.ToString() == "seen.").TextParts.ToArray();
        Assert.Equal(option, string.Join(" ", seen[4..]));
    }

    [Fact]
    public async Task Metadata_should_treat_an_empty_value_as_no_metadata()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n metadata\n mdtest\n rewrite edns0 local set 0xffee {test/empty}\n records echo\n}\n", Catalog);
        var m = (await h.QueryAsync("a.example.org.")).Message;
        var seen = m.AdditionalRecords.OfType<ARSoft.Tools.Net.Dns.TxtRecord>().Single(t => t.Name.ToString() == "seen.").TextParts.ToArray();
        Assert.Equal(4, seen.Length);
    }

    [Fact]
    public async Task Metadata_should_let_log_print_a_provider_value_with_a_slash_label()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var h = PipelineHarness.Start(Sys, ". {\n metadata\n log . \"{remote}:{port} md={/test/name} none={/test/missing}\"\n mdtest\n records\n}\n", Catalog);
        using (LineLog.Subscribe(seen.Enqueue))
        {
            await h.QueryAsync(new QueryBuilder("a.example.org."), DnsTransport.Udp, client: new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 47311));
            Assert.True(LineLog.Flush());
        }
        Assert.Contains("[INFO] 127.0.0.1:47311 md=a.example.org. none=-", seen);
    }
}
