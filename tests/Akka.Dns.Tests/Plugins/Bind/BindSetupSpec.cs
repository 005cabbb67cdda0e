using System.Net;
using System.Net.NetworkInformation;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Bind;

public sealed class BindSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ServerPlan Plan(string corefile, int dnsPort = 1053) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), dnsPort);

    private static string[] Bound(ServerPlan plan) =>
        plan.Blocks[0].Options.Bind!.Select(a => a.ToString()).ToArray();

    [Theory]
    [InlineData("bind 1.2.3.4", new[] { "1.2.3.4" })]
    [InlineData("bind 1.2.3.4 ::5", new[] { "1.2.3.4", "::5" })]
    [InlineData("bind ::1 1.2.3.4 ::5 127.9.9.0", new[] { "::1", "1.2.3.4", "::5", "127.9.9.0" })]
    [InlineData("bind 127.0.0.1\n bind ::1", new[] { "127.0.0.1", "::1" })]
    [InlineData("bind 127.0.0.1 ::1 {\n except 127.0.0.1\n }", new[] { "::1" })]
    [InlineData("bind 127.0.0.1 {\n except ::1\n }\n bind ::1", new[] { "127.0.0.1", "::1" })]
    public void Bind_should_merge_every_bind_line_of_a_block_into_the_listen_addresses(string directives, string[] expected)
    {
        var plan = Plan($". {{\n {directives}\n}}\n");
        Assert.Equal(expected, Bound(plan));
        Assert.Equal(expected, plan.Listeners.Select(l => l.Address!.ToString()).ToArray());
        Assert.All(plan.Listeners, l => Assert.Equal(1053, l.Port));
    }

    [Fact]
    public void Bind_should_resolve_an_interface_name_to_the_addresses_of_that_interface()
    {
        var lo = NetworkInterface.GetAllNetworkInterfaces().First(n => n.NetworkInterfaceType == NetworkInterfaceType.Loopback);
        var expected = lo.GetIPProperties().UnicastAddresses.Select(u => u.Address.ToString()).ToArray();
        Assert.NotEmpty(expected);

        Assert.Equal(expected, Bound(Plan($". {{\n bind {lo.Name}\n}}\n")));
        Assert.Equal(["1.2.3.4", .. expected], Bound(Plan($". {{\n bind 1.2.3.4 {lo.Name}\n}}\n")));
        var v4 = expected.First(a => !a.Contains(':'));
        Assert.Equal(expected.Where(a => a != v4).ToArray(), Bound(Plan($". {{\n bind {lo.Name} {{\n  except {v4}\n }}\n}}\n")));
        var none = Plan($". {{\n bind {lo.Name} {{\n  except {lo.Name}\n }}\n}}\n");
        Assert.Empty(Bound(none));
        Assert.Empty(none.Listeners); // CoreDNS: every address excepted, nothing to listen on
    }

    [Fact]
    public void Bind_should_leave_the_block_on_every_interface_without_a_bind_line()
    {
        var plan = Plan(". {\n whoami\n}\n");
        Assert.Null(plan.Blocks[0].Options.Bind);
        Assert.Null(Assert.Single(plan.Listeners).Address);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 1053), plan.Listeners[0].EndPoint);
    }

    [Theory]
    [InlineData("bind", "Corefile:2 - Error during parsing: plugin/bind: at least one address or interface name is expected")]
    [InlineData("bind 1.2.3.invalid", "Corefile:2 - Error during parsing: plugin/bind: not a valid IP address or interface name: \"1.2.3.invalid\"")]
    [InlineData("bind ::1 1.2.3.4 ::5 127.9.9.0 noone", "Corefile:2 - Error during parsing: plugin/bind: not a valid IP address or interface name: \"noone\"")]
    [InlineData("bind 10", "Corefile:2 - Error during parsing: plugin/bind: not a valid IP address or interface name: \"10\"")]
    [InlineData("bind 010.0.0.1", "Corefile:2 - Error during parsing: plugin/bind: not a valid IP address or interface name: \"010.0.0.1\"")]
    [InlineData("bind fe80::1%eth0", "Corefile:2 - Error during parsing: plugin/bind: not a valid IP address or interface name: \"fe80::1%eth0\"")]
    [InlineData("bind 127.0.0.1 {\n except\n }", "Corefile:3 - Error during parsing: plugin/bind: at least one address or interface must be given to except subdirective")]
    [InlineData("bind 127.0.0.1 {\n except 300.1.1.1\n }", "Corefile:3 - Error during parsing: plugin/bind: not a valid IP address or interface name: \"300.1.1.1\"")]
    [InlineData("bind 127.0.0.1 {\n only ::1\n }", "Corefile:3 - Error during parsing: plugin/bind: invalid option \"only\"")]
    public void Bind_should_reject_a_bad_line_with_coredns_error(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan($". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Bind_should_let_two_blocks_serve_the_same_zone_on_different_addresses()
    {
        var plan = Plan("example.org {\n bind 127.0.0.1\n whoami\n}\nexample.org {\n bind ::1\n whoami\n}\n");
        Assert.Equal(2, plan.Listeners.Count);
        Assert.Equal(IPAddress.Loopback, plan.Listeners[0].Address);
        Assert.Same(plan.Blocks[0], Assert.Single(plan.Listeners[0].Zones).Block);
        Assert.Equal(IPAddress.IPv6Loopback, plan.Listeners[1].Address);
        Assert.Same(plan.Blocks[1], Assert.Single(plan.Listeners[1].Zones).Block);
        Assert.Equal(["example.org.:1053 on 127.0.0.1", "example.org.:1053 on ::1"], plan.StartupLines);
    }

    [Fact]
    public void Bind_should_let_one_block_serve_several_zones_on_several_addresses()
    {
        var plan = Plan("example.org example.net {\n bind 127.0.0.1 ::1\n whoami\n}\n");
        Assert.Equal(2, plan.Listeners.Count);
        Assert.All(plan.Listeners, l => Assert.Equal(["example.org.", "example.net."], l.Zones.Select(z => z.Zone)));
    }

    [Fact]
    public void Bind_should_refuse_the_same_zone_twice_on_the_same_address()
    {
        var e = Assert.Throws<CorefileException>(() =>
            Plan("example.org {\n bind 127.0.0.1\n whoami\n}\nexample.org {\n bind ::1 127.0.0.1\n whoami\n}\n"));
        Assert.Equal("Corefile:5 - Error during parsing: cannot serve dns://example.org.:1053 on 127.0.0.1 - it is already defined", e.Message);
    }

    [Fact]
    public void Bind_should_refuse_an_address_given_twice_in_one_block()
    {
        var e = Assert.Throws<CorefileException>(() => Plan("example.org {\n bind 127.0.0.1 127.0.0.1\n}\n"));
        Assert.Equal("Corefile:1 - Error during parsing: cannot serve dns://example.org.:1053 on 127.0.0.1 - it is already defined", e.Message);
    }

    [Fact]
    public void Bind_should_refuse_a_zone_both_bound_and_unbound_on_one_port()
    {
        var e = Assert.Throws<CorefileException>(() => Plan("example.org {\n bind 127.0.0.1\n}\nexample.org {\n whoami\n}\n"));
        Assert.Equal("Corefile:4 - Error during parsing: cannot serve dns://example.org.:1053 - zone overlap listener capacity with dns://example.org.:1053 on 127.0.0.1", e.Message);
    }
}
