using System.Net;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Xunit;

namespace Akka.Dns.Tests.Server;

public sealed class ServerPlanSpec
{
    private static ServerPlan Build(string corefile, int dnsPort = 1053) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Akka.Configuration.ConfigurationFactory.Empty), dnsPort);

    private static string Error(string corefile) => Assert.Throws<CorefileException>(() => Build(corefile)).Message;

    [Fact]
    public void Plan_should_refuse_a_zone_defined_twice_on_one_listener()
    {
        Assert.Equal("Corefile:4 - Error during parsing: cannot serve dns://example.org.:1053 - it is already defined",
            Error("example.org {\n whoami\n}\nexample.org {\n whoami\n}\n"));
    }

    [Fact]
    public void Plan_should_allow_the_same_zone_on_two_ports()
    {
        var plan = Build("example.org {\n whoami\n}\nexample.org:1054 {\n whoami\n}\n");
        Assert.Equal([1053, 1054], plan.Listeners.Select(l => l.Port).Order());
    }

    [Fact]
    public void Plan_should_refuse_a_plugin_used_twice_where_coredns_allows_it_once()
    {
        Assert.Equal("Corefile:3 - Error during parsing: plugin/whoami: this plugin can only be used once per Server Block",
            Error(". {\n whoami\n whoami\n}\n"));
    }

    [Fact]
    public void Plan_should_name_a_coredns_plugin_that_is_not_built_yet()
    {
        Assert.Equal("Corefile:2 - Error during parsing: plugin/etcd: not built into Akka.Dns yet; it is a CoreDNS plugin this build does not have (akka-dns -plugins lists the ones it has)",
            Error(". {\n etcd\n whoami\n}\n"));
    }

    [Theory]
    [InlineData("tls://.", Transport.Tls, 853)]
    [InlineData("https://.", Transport.Https, 443)]
    [InlineData("grpc://.", Transport.Grpc, 443)]
    [InlineData("dns://.", Transport.Dns, 1053)]
    public void Plan_should_serve_every_scheme_CoreDNS_documents_on_its_default_port(string key, Transport transport, int port)
    {
        var plan = ServerPlan.Build(CorefileParser.Parse($"{key} {{\n whoami\n}}\n", "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Akka.Configuration.ConfigurationFactory.Empty), 1053);
        var l = Assert.Single(plan.Listeners);
        Assert.Equal(transport, l.Transport);
        Assert.Equal(port, l.Port);
    }

    [Fact]
    public void Plan_should_apply_the_dns_port_only_to_keys_without_a_port()
    {
        var plan = Build("a.example {\n whoami\n}\nb.example:2053 {\n whoami\n}\n", dnsPort: 5300);
        Assert.Equal(5300, plan.Listeners.Single(l => l.Zones.Any(z => z.Zone == "a.example.")).Port);
        Assert.Equal(2053, plan.Listeners.Single(l => l.Zones.Any(z => z.Zone == "b.example.")).Port);
    }

    [Fact]
    public void Plan_should_serve_one_block_with_several_keys_and_zones_from_one_chain()
    {
        var plan = Build("example.org example.net 10.0.0.0/15 {\n whoami\n}\n");
        var block = Assert.Single(plan.Blocks);
        var listener = Assert.Single(plan.Listeners);
        Assert.Equal(["0.10.in-addr.arpa.", "1.10.in-addr.arpa.", "example.net.", "example.org."], listener.Zones.Select(z => z.Zone).Order());
        Assert.All(listener.Zones, z => Assert.Same(block, z.Block));
    }

    [Fact]
    public void Plan_should_order_the_chain_by_plugin_cfg_not_by_the_corefile()
    {
        var catalog = TestKit.TestPlugins.Catalog;
        var doc = CorefileParser.Parse(". {\n pass\n fault stall x.\n whoami\n}\n", "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        var plan = ServerPlan.Build(doc, catalog, DnsSettings.Create(Akka.Configuration.ConfigurationFactory.Empty), 1053);
        Assert.Equal(["whoami", "fault", "pass"], plan.Blocks[0].Plugins.Select(p => p.Name));
    }

    [Fact]
    public void Plan_should_print_each_served_key_as_coredns_does()
    {
        var plan = Build(". {\n whoami\n}\nexample.org:1054 {\n whoami\n}\n");
        Assert.Equal([".:1053", "example.org.:1054"], plan.StartupLines);
    }

    [Fact]
    public void Plan_should_listen_on_every_interface_without_bind()
    {
        var l = Assert.Single(Build(". {\n whoami\n}\n").Listeners);
        Assert.Null(l.Address);
        Assert.Equal(IPAddress.IPv6Any, l.EndPoint.Address);
    }
}
