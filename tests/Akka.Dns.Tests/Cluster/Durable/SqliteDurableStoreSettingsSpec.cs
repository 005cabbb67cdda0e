using Akka.Actor;
using Akka.Configuration;
using Akka.Dns.Cluster.Durable;
using Xunit;

namespace Akka.Dns.Tests.Cluster.Durable;

public sealed class SqliteDurableStoreSettingsSpec
{
    private static readonly Address Node = new("akka.tcp", "dns", "127.0.0.1", 2552);

    [Theory]
    [InlineData("/var/lib/akka-dns/ddata", "/var/lib/akka-dns/ddata-dns-ddataReplicator-127.0.0.1-2552")]
    [InlineData("/var/lib/akka-dns/ddata/", "/var/lib/akka-dns/ddata-dns-ddataReplicator-127.0.0.1-2552")]
    [InlineData("/var/lib/akka-dns/node1-ddata", "/var/lib/akka-dns/node1-ddata-dns-ddataReplicator-127.0.0.1-2552")]
    [InlineData("/var/lib/akka-dns/store", "/var/lib/akka-dns/store")]
    [InlineData("/var/lib/akka-dns/ddata.d", "/var/lib/akka-dns/ddata.d")]
    public void Dir_should_get_the_node_appended_only_when_it_ends_with_ddata(string dir, string expected)
    {
        var s = new SqliteDurableStoreSettings { Dir = dir };
        Assert.Equal(expected, s.ResolveDirectory("dns", "ddataReplicator", Node));
    }

    [Fact]
    public void Dir_should_default_to_ddata_beside_the_working_directory_with_the_node_appended()
    {
        var s = SqliteDurableStoreSettings.Create(Akka.Configuration.Config.Empty);
        Assert.Equal(Path.GetFullPath("ddata-dns-ddataReplicator-127.0.0.1-2552"), s.ResolveDirectory("dns", "ddataReplicator", Node));
        Assert.Equal(TimeSpan.Zero, s.WriteBehindInterval);
    }

    [Fact]
    public void Dir_should_keep_an_ipv6_host_in_one_path_segment()
    {
        var s = new SqliteDurableStoreSettings { Dir = "/x/ddata" };
        Assert.Equal("/x/ddata-dns-r-__1-2552", s.ResolveDirectory("dns", "r", new Address("akka.tcp", "dns", "::1", 2552)));
    }

    [Theory]
    [InlineData("off", 0)]
    [InlineData("false", 0)]
    [InlineData("200 ms", 200)]
    [InlineData("2s", 2000)]
    public void Write_behind_interval_should_read_off_or_a_duration(string value, int ms)
    {
        var s = SqliteDurableStoreSettings.Create(ConfigurationFactory.ParseString($"sqlite.write-behind-interval = {value}"));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), s.WriteBehindInterval);
    }

    [Fact]
    public void The_repo_fragment_should_name_this_store_and_parse_to_the_defaults()
    {
        var durable = DurableTestConfig.Fragment().GetConfig("akka.cluster.distributed-data.durable");
        Assert.Equal("Akka.Dns.Cluster.Durable.SqliteDurableStore, Akka.Dns", durable.GetString("store-actor-class"));
        Assert.Equal(typeof(SqliteDurableStore), Type.GetType(durable.GetString("store-actor-class")));
        var s = SqliteDurableStoreSettings.Create(durable);
        Assert.Equal(new SqliteDurableStoreSettings(), s);
    }
}
