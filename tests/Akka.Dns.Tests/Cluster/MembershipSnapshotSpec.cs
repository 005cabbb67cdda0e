using System.Net;
using Akka.Configuration;
using Akka.Dns.Cluster;
using Xunit;

namespace Akka.Dns.Tests.Cluster;

public sealed class MembershipSnapshotSpec
{
    [Fact]
    public void NodeInfo_should_round_trip_through_its_published_form()
    {
        var info = new NodeInfo("node1", IPAddress.Parse("fd00::1"), 1053,
            [new ServiceInfo("web", 8080, ["v1", "blue"]), new ServiceInfo("db", 5432, [])]);
        Assert.Equal("v1|node1|fd00::1|1053|web,8080,v1,blue;db,5432", info.Encode());
        Assert.True(NodeInfo.TryDecode(info.Encode(), out var back));
        Assert.Equal(info.Name, back!.Name);
        Assert.Equal(info.Address, back.Address);
        Assert.Equal(info.DnsPort, back.DnsPort);
        Assert.Equal(["web:8080:v1,blue", "db:5432:"], back.Services.Select(s => $"{s.Name}:{s.Port}:{string.Join(',', s.Tags)}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("v2|node1|10.0.0.1|1053|")]
    [InlineData("v1|Node_1|10.0.0.1|1053|")]
    [InlineData("v1|node1|not-an-ip|1053|")]
    [InlineData("v1|node1|10.0.0.1|70000|")]
    [InlineData("v1|node1|10.0.0.1|1053|web")]
    [InlineData("v1|node1|10.0.0.1|1053|web,0")]
    [InlineData("v1|node1|10.0.0.1|1053")]
    public void NodeInfo_should_refuse_an_entry_it_cannot_read(string value)
    {
        Assert.False(NodeInfo.TryDecode(value, out _));
    }

    [Fact]
    public void Snapshot_should_hold_only_up_reachable_published_members_ordered_by_name()
    {
        string P(string name, string ip) => new NodeInfo(name, IPAddress.Parse(ip), 53, []).Encode();
        MemberState[] members =
        [
            new("a:3", "Up", true, []), new("a:1", "Up", true, ["x"]), new("a:2", "Up", false, []),
            new("a:4", "WeaklyUp", true, []), new("a:5", "Exiting", true, []), new("a:6", "Down", true, []),
            new("a:7", "Up", true, []), new("a:8", "Up", true, []),
        ];
        var published = new Dictionary<string, string>
        {
            ["a:1"] = P("zeta", "10.0.0.1"), ["a:2"] = P("two", "10.0.0.2"), ["a:3"] = P("alpha", "10.0.0.3"),
            ["a:4"] = P("four", "10.0.0.4"), ["a:5"] = P("five", "10.0.0.5"), ["a:6"] = P("six", "10.0.0.6"),
            ["a:7"] = "garbage",
        };
        var s = MembershipSnapshot.Build(members, "a:2", published, 7);
        Assert.Equal(["alpha", "zeta"], s.Members.Select(m => m.Name));
        Assert.Equal(["x"], s.Members[1].Roles);
        Assert.Null(s.Leader);   // a:2 is unreachable
        Assert.Equal(7u, s.Serial);
        Assert.Equal("zeta", MembershipSnapshot.Build(members, "a:1", published, 7).Leader!.Name);
        Assert.NotEqual(s.Version, MembershipSnapshot.Build(members, "a:1", published, 7).Version);
    }

    [Fact]
    public void Settings_should_default_to_derived_name_and_address_and_no_services()
    {
        var s = ClusterNodeSettings.Create(ConfigurationFactory.Empty);
        Assert.Equal("", s.MemberName);
        Assert.Null(s.AdvertiseAddress);
        Assert.Empty(s.Services);
        Assert.Equal("127-0-0-1-4053", ClusterNodeSettings.NameFrom("127.0.0.1", 4053));
        Assert.Equal("fd00--1-4053", ClusterNodeSettings.NameFrom("fd00::1", 4053));
        Assert.Equal("my-host", ClusterNodeSettings.Sanitize("My_Host"));
    }

    [Fact]
    public void Settings_should_read_name_address_and_services()
    {
        var s = ClusterNodeSettings.Create(ConfigurationFactory.ParseString("""
            akka.dns.cluster {
              member-name = Node1
              advertise-address = "192.0.2.1"
              services = [{ name = web, port = 8080, tags = [v1, Blue] }, { name = db, port = 5432 }]
            }
            """));
        Assert.Equal("node1", s.MemberName);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), s.AdvertiseAddress);
        Assert.Equal(["web:8080:v1,blue", "db:5432:"], s.Services.Select(x => $"{x.Name}:{x.Port}:{string.Join(',', x.Tags)}"));
    }

    [Theory]
    [InlineData("member-name = node_1", "akka.dns.cluster.member-name must be a DNS label (letters, digits and '-', at most 63), got node_1")]
    [InlineData("member-name = members", "akka.dns.cluster.member-name must not be one of members, leader, service, ns, got members")]
    [InlineData("advertise-address = localhost", "akka.dns.cluster.advertise-address must be an IP address or \"\", got localhost")]
    [InlineData("services = [{ name = web, port = 0 }]", "akka.dns.cluster.services[0].port must be a port 1..65535, got 0")]
    [InlineData("services = [{ port = 80 }]", "akka.dns.cluster.services[0].name must be a DNS label (letters, digits and '-', at most 63), got ")]
    [InlineData("services = [{ name = web, port = 80, tags = [\"a b\"] }]", "akka.dns.cluster.services[0].tags must be DNS labels (letters, digits and '-', at most 63), got a b")]
    public void Settings_should_name_the_key_and_the_rule_for_a_bad_value(string hocon, string message)
    {
        var e = Assert.Throws<ConfigurationException>(() => ClusterNodeSettings.Create(ConfigurationFactory.ParseString("akka.dns.cluster." + hocon)));
        Assert.Equal(message, e.Message);
    }
}
