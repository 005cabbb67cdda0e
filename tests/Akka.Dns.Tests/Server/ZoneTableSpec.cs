using Akka.Dns.Plugins;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Server.Routing;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Server;

public sealed class ZoneTableSpec
{
    private static BlockRuntime Block(string name) => new(name, [], 1);

    private static readonly BlockRuntime Root = Block(".");
    private static readonly BlockRuntime Org = Block("example.org.");
    private static readonly BlockRuntime Sub = Block("sub.example.org.");
    private static readonly BlockRuntime Net = Block("example.net.");

    private static ZoneTable Table(bool withRoot = true)
    {
        var zones = new List<KeyValuePair<string, BlockRuntime>>
        {
            new("example.org.", Org), new("sub.example.org.", Sub), new("example.net.", Net),
        };
        if (withRoot) zones.Add(new(".", Root));
        return new ZoneTable(zones);
    }

    public static TheoryData<string, ushort, string, string> Cases => new()
    {
        { "a.sub.example.org.", RrType.A, "sub.example.org.", "sub.example.org." },
        { "A.SUB.Example.ORG.", RrType.A, "sub.example.org.", "sub.example.org." },
        { "sub.example.org.", RrType.A, "sub.example.org.", "sub.example.org." },
        { "b.example.org.", RrType.A, "example.org.", "example.org." },
        { "example.org.", RrType.SOA, "example.org.", "example.org." },
        { "c.net.", RrType.A, ".", "." },
        { ".", RrType.NS, ".", "." },
        { "fooexample.org.", RrType.A, ".", "." },
        // DS belongs to the parent: keep walking, the shortest matching zone wins.
        { "sub.example.org.", RrType.DS, "example.org.", "example.org." },
        { "x.sub.example.org.", RrType.DS, "example.org.", "example.org." },
        // Only one zone matched: that (child) block answers the DS query.
        { "example.net.", RrType.DS, "example.net.", "example.net." },
    };

    [Theory, MemberData(nameof(Cases))]
    public void Route_should_pick_the_longest_zone_suffix_with_the_ds_exception(string qname, ushort qtype, string block, string zone)
    {
        var b = Table().Route(qname, qtype, out var z);
        Assert.NotNull(b);
        Assert.Equal(block, b!.Name);
        Assert.Equal(zone, z);
    }

    [Fact]
    public void Route_should_find_nothing_without_a_root_block_for_names_outside_every_zone()
    {
        Assert.Null(Table(withRoot: false).Route("www.example.com.", RrType.A, out _));
        Assert.Null(Table(withRoot: false).Route("org.", RrType.A, out _));
    }

    [Fact]
    public void Route_should_not_let_a_ds_query_outside_every_zone_escape_the_root()
    {
        var b = Table().Route("example.com.", RrType.DS, out var zone);
        Assert.Same(Root, b);
        Assert.Equal(".", zone);
    }

    [Fact]
    public void Table_should_open_non_in_classes_only_when_a_block_loads_a_plugin_that_asks_for_it()
    {
        Assert.False(Table().OpensNonInClasses);
        var chaos = new BlockRuntime("x.", [new OpenPlugin()], 1);
        Assert.True(new ZoneTable([new("x.", chaos)]).OpensNonInClasses);
    }

    private sealed class OpenPlugin() : Plugin("open")
    {
        public override bool OpensNonInClasses => true;
        public override Akka.Actor.Props HandlerProps(ChainLink? next) => Akka.Actor.Props.Empty;
    }
}
