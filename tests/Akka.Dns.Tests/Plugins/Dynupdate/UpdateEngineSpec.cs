using Akka.Dns.Plugins.Dynupdate;
using Akka.Dns.Wire;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Xunit;
using static Akka.Dns.Tests.Plugins.Dynupdate.UpdateTestKit;

namespace Akka.Dns.Tests.Plugins.Dynupdate;

/// <summary>
/// RFC 2136 §3.2 and §3.4 against <see cref="UpdateTestKit.ZoneText"/> (SOA serial 10): one row per prerequisite form
/// and rcode, prescan error, update form, apex, CNAME and SOA rule, and order of application. A row gives the rcode,
/// the changed RRsets other than the SOA, and the serial after the changes are applied.
/// </summary>
public sealed class UpdateEngineSpec
{
    public sealed record Case(Func<UpdateMessage> Message, int Rcode, uint Serial, string[] Changes);

    private static Case Ok(PrequisiteBase[] pre, UpdateBase[] up, params string[] changes) =>
        new(() => Message(pre, up), Rcode.NoError, changes.Length == 0 ? 10u : 11u, changes);

    private static Case Fails(int rcode, PrequisiteBase[] pre, UpdateBase[] up) => new(() => Message(pre, up), rcode, 10, []);

    private static Case Direct(int rcode, DnsRecord[] pre, DnsRecord[] up) =>
        new(() => new UpdateMessage(Origin, RrClass.IN, pre, up), rcode, 10, []);

    private static readonly byte[] Ip = [192, 0, 2, 99];

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // §3.2.1 RRset exists (value independent): class ANY, type T.
        ["prerequisite RRset exists holds for a present RRset"] = Ok([Exists("www.example.org", RrType.A)], []),
        ["prerequisite RRset exists compares the owner case-insensitively"] = Ok([Exists("WWW.Example.ORG", RrType.A)], []),
        ["prerequisite RRset exists fails NXRRSET for an absent type"] = Fails(Rcode.NxRrset, [Exists("www.example.org", RrType.AAAA)], []),
        ["prerequisite RRset exists fails NXRRSET at an empty non-terminal"] = Fails(Rcode.NxRrset, [Exists("b.example.org", RrType.A)], []),
        // §3.2.3 RRset exists (value dependent): class ZCLASS, the whole RRset.
        ["prerequisite RRset equals holds for exactly the RRset"] =
            Ok([ExistsValue("www 0 IN A 192.0.2.11"), ExistsValue("www 0 IN A 192.0.2.10")], []),
        ["prerequisite RRset equals counts a repeated RR once"] =
            Ok([ExistsValue("www 0 IN A 192.0.2.10"), ExistsValue("www 0 IN A 192.0.2.10"), ExistsValue("www 0 IN A 192.0.2.11")], []),
        ["prerequisite RRset equals compares names in RFC 1035 RDATA case-insensitively"] = Ok([ExistsValue("mail 0 IN MX 10 MX.EXAMPLE.org.")], []),
        ["prerequisite RRset equals compares TXT case-sensitively"] = Fails(Rcode.NxRrset, [ExistsValue("www 0 IN TXT \"HELLO\"")], []),
        ["prerequisite RRset equals fails NXRRSET for a subset"] = Fails(Rcode.NxRrset, [ExistsValue("www 0 IN A 192.0.2.10")], []),
        ["prerequisite RRset equals fails NXRRSET for a superset"] =
            Fails(Rcode.NxRrset, [ExistsValue("www 0 IN A 192.0.2.10"), ExistsValue("www 0 IN A 192.0.2.11"), ExistsValue("www 0 IN A 192.0.2.12")], []),
        ["prerequisite RRset equals fails NXRRSET for an absent RRset"] = Fails(Rcode.NxRrset, [ExistsValue("www 0 IN AAAA 2001:db8::1")], []),
        // §3.2.2 RRset does not exist: class NONE, type T.
        ["prerequisite RRset does not exist holds for an absent type"] = Ok([NotExists("www.example.org", RrType.AAAA)], []),
        ["prerequisite RRset does not exist fails YXRRSET for a present RRset"] = Fails(Rcode.YxRrset, [NotExists("www.example.org", RrType.A)], []),
        // §3.2.4 name is in use: class ANY, type ANY.
        ["prerequisite name in use holds for a name with data"] = Ok([InUse("www.example.org")], []),
        ["prerequisite name in use fails NXDOMAIN for an absent name"] = Fails(Rcode.NxDomain, [InUse("nope.example.org")], []),
        ["prerequisite name in use fails NXDOMAIN at an empty non-terminal"] = Fails(Rcode.NxDomain, [InUse("b.example.org")], []),
        // §3.2.5 name is not in use: class NONE, type ANY.
        ["prerequisite name not in use holds for an absent name"] = Ok([NotInUse("nope.example.org")], []),
        ["prerequisite name not in use holds at an empty non-terminal"] = Ok([NotInUse("b.example.org")], []),
        ["prerequisite name not in use fails YXDOMAIN for a name with data"] = Fails(Rcode.YxDomain, [NotInUse("alias.example.org")], []),
        // §3.2: format and zone errors, and which failure wins.
        ["prerequisite outside the zone fails NOTZONE"] = Fails(Rcode.NotZone, [Exists("www.example.com", RrType.A)], []),
        ["prerequisite with a TTL fails FORMERR"] = Direct(Rcode.FormErr, [new("www.example.org.", RrType.A, RrClass.ANY, 5, [])], []),
        ["prerequisite TTL is checked before the zone"] = Direct(Rcode.FormErr, [new("www.example.com.", RrType.A, RrClass.ANY, 5, [])], []),
        ["prerequisite of class ANY with RDATA fails FORMERR"] =
            Fails(Rcode.FormErr, [RawPrerequisite(Unknown("www.example.org", RrType.A, RrClass.ANY, 0, Ip))], []),
        ["prerequisite of class NONE with RDATA fails FORMERR"] =
            Fails(Rcode.FormErr, [RawPrerequisite(Unknown("www.example.org", RrType.A, RrClass.NONE, 0, Ip))], []),
        ["prerequisite of another class fails FORMERR"] =
            Fails(Rcode.FormErr, [RawPrerequisite(Unknown("www.example.org", RrType.A, RrClass.CH, 0, Ip))], []),
        ["the first failing prerequisite decides the rcode"] =
            Fails(Rcode.YxRrset, [NotExists("www.example.org", RrType.A), InUse("nope.example.org")], []),
        ["value-dependent prerequisites are compared after all the others"] =
            Fails(Rcode.NxDomain, [ExistsValue("www 0 IN A 192.0.2.99"), InUse("nope.example.org")], []),
        ["a failed prerequisite changes nothing"] = Fails(Rcode.NxRrset, [Exists("www.example.org", RrType.AAAA)], [Add("new 300 IN A 192.0.2.99")]),
        ["a prerequisite that holds lets the update through"] =
            Ok([NotInUse("new.example.org"), ExistsValue("www 0 IN A 192.0.2.10"), ExistsValue("www 0 IN A 192.0.2.11")],
                [Add("new 300 IN A 192.0.2.99")], "new.example.org. A: 300 192.0.2.99"),

        // §3.4.1 prescan: nothing is applied when any update RR is wrong.
        ["update outside the zone fails NOTZONE"] = Fails(Rcode.NotZone, [], [Add("x.example.com. 300 IN A 192.0.2.99")]),
        ["update below another zone's name fails NOTZONE"] = Fails(Rcode.NotZone, [], [Add("notexample.org. 300 IN A 192.0.2.99")]),
        ["prescan rejects the whole update before any RR is applied"] =
            Fails(Rcode.NotZone, [], [Add("new 300 IN A 192.0.2.99"), Add("x.example.com. 300 IN A 192.0.2.99")]),
        ["prerequisites are checked before the prescan"] = Fails(Rcode.NxRrset, [Exists("www.example.org", RrType.AAAA)], [Add("x.example.com. 300 IN A 192.0.2.99")]),
        ["adding type ANY fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.ANY, RrClass.IN, 300, []))]),
        ["adding type AXFR fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.AXFR, RrClass.IN, 300, []))]),
        ["adding type IXFR fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.IXFR, RrClass.IN, 300, []))]),
        ["adding type MAILA fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", 254, RrClass.IN, 300, []))]),
        ["adding type MAILB fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", 253, RrClass.IN, 300, []))]),
        ["adding type TSIG fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.TSIG, RrClass.IN, 0, []))]),
        ["adding a record without RDATA fails FORMERR"] = Direct(Rcode.FormErr, [], [new("www.example.org.", RrType.A, RrClass.IN, 300, [])]),
        ["deleting with class ANY and a TTL fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.A, RrClass.ANY, 5, []))]),
        ["deleting with class ANY and RDATA fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.A, RrClass.ANY, 0, Ip))]),
        ["deleting with class ANY and type AXFR fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.AXFR, RrClass.ANY, 0, []))]),
        ["deleting with class NONE and a TTL fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.A, RrClass.NONE, 5, Ip))]),
        ["deleting with class NONE and type ANY fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.ANY, RrClass.NONE, 0, []))]),
        ["an update of another class fails FORMERR"] = Fails(Rcode.FormErr, [], [Raw(Unknown("www.example.org", RrType.A, RrClass.CH, 300, Ip))]),

        // §3.4.2.2 add to an RRset.
        ["add creates a name"] = Ok([], [Add("new 300 IN A 192.0.2.99")], "new.example.org. A: 300 192.0.2.99"),
        ["add joins an RRset"] = Ok([], [Add("www 300 IN A 192.0.2.12")], "www.example.org. A: 300 192.0.2.10, 300 192.0.2.11, 300 192.0.2.12"),
        ["add of a duplicate RR changes nothing"] = Ok([], [Add("www 300 IN A 192.0.2.10")]),
        ["add of a duplicate MX compares its name case-insensitively"] = Ok([], [Add("mail 300 IN MX 10 MX.EXAMPLE.ORG.")]),
        ["add of a duplicate with another TTL sets the RRset TTL"] = Ok([], [Add("www 60 IN A 192.0.2.10")], "www.example.org. A: 60 192.0.2.10, 60 192.0.2.11"),
        ["add of a new RR with another TTL sets the RRset TTL"] =
            Ok([], [Add("www 60 IN A 192.0.2.12")], "www.example.org. A: 60 192.0.2.10, 60 192.0.2.11, 60 192.0.2.12"),
        ["add of a TXT differing only in case is a new RR"] = Ok([], [Add("www 300 IN TXT \"HELLO\"")], "www.example.org. TXT: 300 \"hello\", 300 \"HELLO\""),
        // CNAME rules (§3.4.2.2; RFC 4035 §2.5).
        ["add of a CNAME to a name with other data is ignored"] = Ok([], [Add("www 300 IN CNAME ns1")]),
        ["add of other data to a CNAME is ignored"] = Ok([], [Add("alias 300 IN A 192.0.2.99")]),
        ["add of a CNAME replaces the CNAME"] = Ok([], [Add("alias 60 IN CNAME ns1")], "alias.example.org. CNAME: 60 ns1.example.org."),
        ["add of a CNAME creates a name"] = Ok([], [Add("c2 300 IN CNAME www")], "c2.example.org. CNAME: 300 www.example.org."),
        ["add of a CNAME replaces a CNAME that has an NSEC beside it"] = Ok([], [Add("signed 300 IN CNAME ns1")], "signed.example.org. CNAME: 300 ns1.example.org."),
        ["add of an NSEC to a CNAME is allowed"] =
            Ok([], [Add("alias 300 IN NSEC www.example.org. CNAME RRSIG NSEC")], "alias.example.org. NSEC: 300 www.example.org. CNAME RRSIG NSEC"),
        ["add of a CNAME beside an NSEC is allowed"] =
            Ok([], [Add("n 300 IN NSEC www.example.org. CNAME RRSIG NSEC"), Add("n 300 IN CNAME www")],
                "n.example.org. NSEC: 300 www.example.org. CNAME RRSIG NSEC", "n.example.org. CNAME: 300 www.example.org."),
        ["add of a CNAME after other data in the same update is ignored"] =
            Ok([], [Add("x 300 IN A 192.0.2.99"), Add("x 300 IN CNAME www")], "x.example.org. A: 300 192.0.2.99"),
        ["add of other data after a CNAME in the same update is ignored"] =
            Ok([], [Add("x 300 IN CNAME www"), Add("x 300 IN A 192.0.2.99")], "x.example.org. CNAME: 300 www.example.org."),
        // SOA rules.
        ["add of a SOA with a greater serial replaces it and keeps its serial"] =
            new(() => Message([], [Add("@ 3600 IN SOA ns2 hostmaster 20 7200 3600 1209600 300")]), Rcode.NoError, 20,
                ["example.org. SOA: 3600 ns2.example.org. hostmaster.example.org. 20 7200 3600 1209600 300"]),
        ["add of a SOA with the same serial is ignored"] = Ok([], [Add("@ 3600 IN SOA ns2 hostmaster 10 7200 3600 1209600 300")]),
        ["add of a SOA with a lower serial is ignored"] = Ok([], [Add("@ 3600 IN SOA ns2 hostmaster 9 7200 3600 1209600 300")]),
        ["add of a SOA with a serial 2^31 ahead is ignored (not greater by RFC 1982)"] = Ok([], [Add("@ 3600 IN SOA ns2 hostmaster 2147483658 7200 3600 1209600 300")]),
        ["add of a SOA below the apex is ignored"] = Ok([], [Add("www 3600 IN SOA ns2 hostmaster 20 7200 3600 1209600 300")]),
        ["add of an ignored SOA still lets the serial go up for other changes"] =
            Ok([], [Add("@ 3600 IN SOA ns2 hostmaster 9 7200 3600 1209600 300"), Add("new 300 IN A 192.0.2.99")], "new.example.org. A: 300 192.0.2.99"),
        ["a SOA set by the update is not incremented again"] =
            new(() => Message([], [Add("new 300 IN A 192.0.2.99"), Add("@ 3600 IN SOA ns1 hostmaster 20 7200 3600 1209600 300")]), Rcode.NoError, 20,
                ["new.example.org. A: 300 192.0.2.99", "example.org. SOA: 3600 ns1.example.org. hostmaster.example.org. 20 7200 3600 1209600 300"]),

        // §3.4.2.3 delete an RRset, delete all RRsets from a name (class ANY).
        ["delete RRset removes it"] = Ok([], [DeleteRRset("www.example.org", RrType.A)], "www.example.org. A: deleted"),
        ["delete RRset of an absent type changes nothing"] = Ok([], [DeleteRRset("www.example.org", RrType.AAAA)]),
        ["delete RRset never deletes the apex SOA"] = Ok([], [DeleteRRset("example.org", RrType.SOA)]),
        ["delete RRset never deletes the apex NS"] = Ok([], [DeleteRRset("example.org", RrType.NS)]),
        ["delete RRset deletes a delegation's NS"] = Ok([], [DeleteRRset("sub.example.org", RrType.NS)], "sub.example.org. NS: deleted"),
        ["delete all RRsets of a name"] = Ok([], [DeleteName("www.example.org")], "www.example.org. A: deleted", "www.example.org. TXT: deleted"),
        ["delete all RRsets at the apex keeps SOA and NS"] = Ok([], [DeleteName("example.org")], "example.org. TXT: deleted"),
        ["delete all RRsets of an absent name changes nothing"] = Ok([], [DeleteName("nope.example.org")]),
        ["delete all RRsets compares the owner case-insensitively"] = Ok([], [DeleteName("ALIAS.example.org")], "alias.example.org. CNAME: deleted"),

        // §3.4.2.4 delete an RR (class NONE).
        ["delete RR removes it from its RRset"] = Ok([], [Delete("www 0 IN A 192.0.2.10")], "www.example.org. A: 300 192.0.2.11"),
        ["delete RR of the last RR removes the RRset"] = Ok([], [Delete("alias 0 IN CNAME www")], "alias.example.org. CNAME: deleted"),
        ["delete RR compares names in RFC 1035 RDATA case-insensitively"] = Ok([], [Delete("alias 0 IN CNAME WWW.Example.ORG.")], "alias.example.org. CNAME: deleted"),
        ["delete RR compares TXT case-sensitively"] = Ok([], [Delete("www 0 IN TXT \"HELLO\"")]),
        ["delete RR of an absent RR changes nothing"] = Ok([], [Delete("www 0 IN A 192.0.2.99")]),
        ["delete RR never deletes the SOA"] = Ok([], [Delete("@ 0 IN SOA ns1 hostmaster 10 7200 3600 1209600 300")]),
        ["delete RR deletes an apex NS that is not the last"] = Ok([], [Delete("@ 0 IN NS ns2")], "example.org. NS: 3600 ns1.example.org."),
        ["delete RR never deletes the last apex NS"] = Ok([], [Delete("@ 0 IN NS ns1"), Delete("@ 0 IN NS ns2")], "example.org. NS: 3600 ns2.example.org."),
        ["delete RR deletes a delegation's last NS"] = Ok([], [Delete("sub 0 IN NS ns.sub")], "sub.example.org. NS: deleted"),

        // §3.4.2 each RR against the zone as the earlier ones left it.
        ["add then delete of the same RR changes nothing"] = Ok([], [Add("new 300 IN A 192.0.2.99"), Delete("new 0 IN A 192.0.2.99")]),
        ["delete then add of the same RR changes nothing"] = Ok([], [Delete("www 0 IN A 192.0.2.10"), Add("www 300 IN A 192.0.2.10")]),
        ["delete RRset then add replaces the RRset"] =
            Ok([], [DeleteRRset("www.example.org", RrType.A), Add("www 300 IN A 192.0.2.99")], "www.example.org. A: 300 192.0.2.99"),
        ["add then delete RRset deletes it"] = Ok([], [Add("www 300 IN A 192.0.2.99"), DeleteRRset("www.example.org", RrType.A)], "www.example.org. A: deleted"),
        ["delete name then add of a CNAME turns the name into an alias"] =
            Ok([], [DeleteName("www.example.org"), Add("www 300 IN CNAME ns1")],
                "www.example.org. A: deleted", "www.example.org. TXT: deleted", "www.example.org. CNAME: 300 ns1.example.org."),
        ["delete of a CNAME then add of data at its name"] =
            Ok([], [DeleteRRset("alias.example.org", RrType.CNAME), Add("alias 300 IN A 192.0.2.99")],
                "alias.example.org. CNAME: deleted", "alias.example.org. A: 300 192.0.2.99"),
        ["changes are listed once each in the order first touched"] =
            Ok([], [Add("b2 300 IN A 192.0.2.1"), Add("a2 300 IN A 192.0.2.1"), Add("b2 300 IN A 192.0.2.2")],
                "b2.example.org. A: 300 192.0.2.1, 300 192.0.2.2", "a2.example.org. A: 300 192.0.2.1"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Theory, MemberData(nameof(CaseNames))]
    public void Update_should_give_the_rcode_and_the_changes_of_RFC_2136(string name)
    {
        var c = Cases[name];
        var zone = Zone();
        var result = UpdateEngine.Apply(c.Message(), zone);

        Assert.Equal(Rcode.ToString(c.Rcode), Rcode.ToString(result.Rcode));
        var shown = result.Changes.Select(Show).ToList();
        var expectsSoa = c.Changes.Any(s => s.StartsWith("example.org. SOA:"));
        if (!expectsSoa && c.Serial != 10)
        {
            // The serial went up by one: the SOA comes last, otherwise unchanged.
            Assert.Equal("example.org. SOA: 3600 ns1.example.org. hostmaster.example.org. 11 7200 3600 1209600 300", shown[^1]);
            shown.RemoveAt(shown.Count - 1);
        }
        Assert.Equal(c.Changes, shown);
        Assert.Equal(c.Serial, Serial(zone.Apply(result.Changes)));
    }

    [Fact]
    public void Every_update_form_and_rcode_should_have_a_row()
    {
        // The table must keep covering each rcode the engine can give.
        var rcodes = Cases.Values.Select(c => c.Rcode).ToHashSet();
        foreach (var r in new[] { Rcode.NoError, Rcode.FormErr, Rcode.NxDomain, Rcode.YxDomain, Rcode.NxRrset, Rcode.YxRrset, Rcode.NotZone })
            Assert.Contains(r, rcodes);
    }

    [Fact]
    public void Update_should_leave_the_view_it_was_given_unchanged()
    {
        var zone = Zone();
        var result = UpdateEngine.Apply(Message([], [DeleteName("www.example.org"), Add("new 300 IN A 192.0.2.99")]), zone);
        Assert.Equal(4, result.Changes.Count);   // www A, www TXT, new A, the SOA
        Assert.Equal(2, zone.Get("www.example.org.", RrType.A)!.Count);
        Assert.Null(zone.Get("new.example.org.", RrType.A));
        Assert.Equal(10u, Serial(zone));
    }

    [Fact]
    public void Update_should_spell_an_added_RR_as_its_RRset_and_a_new_RRset_as_sent()
    {
        var result = UpdateEngine.Apply(Message([], [Add("WWW 300 IN A 192.0.2.12"), Add("NeW 300 IN A 192.0.2.99")]), Zone());
        Assert.All(result.Changes[0].Records, r => Assert.Equal("www.example.org.", r.Name));
        Assert.Equal("NeW.example.org.", Assert.Single(result.Changes[1].Records).Name);
        Assert.Equal("new.example.org.", result.Changes[1].Owner);
    }

    [Fact]
    public void Update_should_wrap_the_serial_past_zero_to_one()
    {
        var result = UpdateEngine.Apply(Message([], [Add("new 300 IN A 192.0.2.99")]), Zone(uint.MaxValue));
        Assert.Equal(1u, Serial(Zone(uint.MaxValue).Apply(result.Changes)));
    }

    [Fact]
    public void Update_should_not_increment_the_serial_when_told_not_to()
    {
        var result = UpdateEngine.Apply(Message([], [Add("new 300 IN A 192.0.2.99")]), Zone(), incrementSerial: false);
        Assert.Equal("new.example.org. A: 300 192.0.2.99", Show(Assert.Single(result.Changes)));
    }

    [Fact]
    public void Update_should_answer_NOTAUTH_for_a_zone_class_of_ANY_or_NONE()
    {
        Assert.Equal(Rcode.NotAuth, UpdateEngine.Apply(new UpdateMessage(Origin, RrClass.ANY, [], []), Zone()).Rcode);
        Assert.Equal(Rcode.NotAuth, UpdateEngine.Apply(new UpdateMessage(Origin, RrClass.NONE, [], []), Zone()).Rcode);
    }

    [Theory]
    [InlineData(11u, 10u, true)]
    [InlineData(10u, 10u, false)]
    [InlineData(9u, 10u, false)]
    [InlineData(0u, uint.MaxValue, true)]
    [InlineData(2147483657u, 10u, true)]    // 10 + 2^31 - 1
    [InlineData(2147483658u, 10u, false)]   // 10 + 2^31: undefined in RFC 1982, not greater
    public void Serial_comparison_should_follow_RFC_1982(uint a, uint b, bool greater)
    {
        Assert.Equal(greater, RRComparer.SerialGreater(a, b));
    }
}
