using Akka.Dns.Plugins.Dynupdate;
using Akka.Dns.Wire;
using Xunit;
using static Akka.Dns.Tests.Plugins.Dynupdate.UpdateTestKit;

namespace Akka.Dns.Tests.Plugins.Dynupdate;

public sealed class RRsetSnapshotSpec
{
    [Fact]
    public void Snapshot_should_group_records_into_RRsets_and_look_owners_up_case_insensitively()
    {
        var zone = Zone();
        Assert.Equal(13, zone.Count);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], zone.Get("WWW.example.ORG.", RrType.A)!.Select(r => r.RDataText()));
        Assert.Equal([RrType.A, RrType.TXT], zone.TypesAt("www.example.org."));
        Assert.Null(zone.Get("www.example.org.", RrType.AAAA));
        Assert.Empty(zone.TypesAt("nope.example.org."));
    }

    [Theory]
    [InlineData("www.example.org.", true)]
    [InlineData("Www.Example.Org.", true)]
    [InlineData("a.b.example.org.", true)]
    [InlineData("b.example.org.", false)]      // an empty non-terminal holds no RR
    [InlineData("nope.example.org.", false)]
    public void Snapshot_should_say_a_name_is_in_use_only_when_it_owns_RRs(string name, bool inUse)
    {
        Assert.Equal(inUse, Zone().NameInUse(name));
    }

    [Fact]
    public void Apply_should_return_a_new_snapshot_and_leave_this_one_unchanged()
    {
        var before = Zone();
        var after = before.Apply(
        [
            new RRsetChange("www.example.org.", RrType.A, []),
            new RRsetChange("new.example.org.", RrType.A, [Rr("new 300 IN A 192.0.2.99")]),
            new RRsetChange("WWW.example.org.", RrType.TXT, [Rr("www 60 IN TXT \"bye\"")]),
        ]);

        Assert.Null(after.Get("www.example.org.", RrType.A));
        Assert.Equal("\"bye\"", Assert.Single(after.Get("www.example.org.", RrType.TXT)!).RDataText());
        Assert.True(after.NameInUse("new.example.org."));
        Assert.Equal(2, before.Get("www.example.org.", RrType.A)!.Count);
        Assert.False(before.NameInUse("new.example.org."));
    }

    [Fact]
    public void Apply_should_free_a_name_when_its_last_RRset_goes()
    {
        var after = Zone().Apply([new RRsetChange("alias.example.org.", RrType.CNAME, [])]);
        Assert.False(after.NameInUse("alias.example.org."));
        Assert.DoesNotContain(after.RRsets(), s => s.Owner == "alias.example.org.");
    }

    [Fact]
    public void Records_should_list_every_record_by_owner_then_type()
    {
        var zone = RRsetSnapshot.From([Rr("b 300 IN TXT \"x\""), Rr("a 300 IN A 192.0.2.1"), Rr("b 300 IN A 192.0.2.2")]);
        Assert.Equal(
            ["a.example.org. A", "b.example.org. A", "b.example.org. TXT"],
            zone.Records().Select(r => $"{r.Name} {RrType.ToString(r.Type)}"));
        Assert.Equal(0, RRsetSnapshot.Empty.Count);
    }

    [Fact]
    public void The_engine_and_the_snapshot_should_round_trip_an_update()
    {
        var zone = Zone();
        var result = UpdateEngine.Apply(Message([], [Add("new 300 IN A 192.0.2.99"), DeleteName("www.example.org")]), zone);
        var after = zone.Apply(result.Changes);
        Assert.Equal("192.0.2.99", Assert.Single(after.Get("new.example.org.", RrType.A)!).RDataText());
        Assert.False(after.NameInUse("www.example.org."));
        Assert.Equal(11u, Serial(after));
        // Applying the same update again changes nothing more (the name is already gone, the A already there).
        Assert.Empty(UpdateEngine.Apply(Message([], [Add("new 300 IN A 192.0.2.99"), DeleteName("www.example.org")]), after).Changes);
    }
}
