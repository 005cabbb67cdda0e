using Akka.Dns.Plugins.Dynupdate;
using Akka.Dns.Tests.Wire;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Xunit;

namespace Akka.Dns.Tests.Plugins.Dynupdate;

/// <summary>
/// UPDATE messages built with ARSoft's <see cref="DnsUpdateMessage"/> (the independent encoder) and parsed back with
/// ours, records written in master-file form, and a small zone to update.
/// </summary>
internal static class UpdateTestKit
{
    public const string Origin = "example.org.";

    public const string ZoneText = """
        @        3600 IN SOA   ns1 hostmaster 10 7200 3600 1209600 300
        @        3600 IN NS    ns1
        @        3600 IN NS    ns2
        @         300 IN TXT   "v=spf1 -all"
        ns1       300 IN A     192.0.2.1
        ns2       300 IN A     192.0.2.2
        www       300 IN A     192.0.2.10
        www       300 IN A     192.0.2.11
        www       300 IN TXT   "hello"
        alias     300 IN CNAME www
        signed    300 IN CNAME www
        signed    300 IN NSEC  www.example.org. CNAME RRSIG NSEC
        mail      300 IN MX    10 mx.Example.ORG.
        a.b       300 IN A     192.0.2.20
        sub       300 IN NS    ns.sub
        """;

    public static RRsetSnapshot Zone(uint serial = 10) =>
        RRsetSnapshot.From(MasterFile.Parse(ZoneText.Replace(" 10 7200", $" {serial} 7200"), Origin, "spec"));

    public static DomainName N(string name) => DomainName.Parse(name);

    /// <summary>One record in master-file form (relative to example.org.).</summary>
    public static DnsRecord Rr(string line) => Assert.Single(MasterFile.Parse(line, Origin, "spec"));

    /// <summary>
    /// The record as an ARSoft record of its own type (an SOA, CNAME or MX whose names ARSoft compresses), made by
    /// letting ARSoft parse it from a message.
    /// </summary>
    public static DnsRecordBase Ar(string line) => Ar(Rr(line));

    public static DnsRecordBase Ar(DnsRecord r)
    {
        var m = new DnsMessage();
        m.AnswerRecords.Add(Unknown(r.Name, r.Type, r.Class, r.Ttl, r.RData));
        return Assert.Single(WireTestKit.Parse(WireTestKit.Encode(m)).AnswerRecords);
    }

    /// <summary>Any record ARSoft's typed classes would refuse (class ANY or NONE, meta types, odd TTLs).</summary>
    public static UnknownRecord Unknown(string name, ushort type, ushort cls, uint ttl, byte[] rdata) =>
        new(N(name), (RecordType)type, (RecordClass)cls, (int)ttl, rdata);

    // The five prerequisite forms (RFC 2136 §2.4) and four update forms (§2.5), as ARSoft writes them.
    public static PrequisiteBase Exists(string name, ushort type) => new RecordExistsValueIndependantPrequisite(N(name), (RecordType)type);
    public static PrequisiteBase ExistsValue(string line) => new RecordExistsValueDependantPrequisite(Ar(line));
    public static PrequisiteBase NotExists(string name, ushort type) => new RecordNotExistsPrequisite(N(name), (RecordType)type);
    public static PrequisiteBase InUse(string name) => new NameIsInUsePrequisite(N(name));
    public static PrequisiteBase NotInUse(string name) => new NameIsNotInUsePrequisite(N(name));
    /// <summary>A prerequisite record written as it is (class, RDATA; ARSoft always writes TTL 0).</summary>
    public static PrequisiteBase RawPrerequisite(UnknownRecord r) => new RecordExistsValueDependantPrequisite(r);

    public static UpdateBase Add(string line) => new AddRecordUpdate(Ar(line));
    /// <summary>An update record written as it is (AddRecordUpdate keeps the record's class and TTL).</summary>
    public static UpdateBase Raw(UnknownRecord r) => new AddRecordUpdate(r);
    public static UpdateBase DeleteRRset(string name, ushort type) => new DeleteAllRecordsUpdate(N(name), (RecordType)type);
    public static UpdateBase DeleteName(string name) => new DeleteAllRecordsUpdate(N(name), RecordType.Any);
    public static UpdateBase Delete(string line) => new DeleteRecordUpdate(Ar(line));

    public static byte[] Encode(IEnumerable<PrequisiteBase> prerequisites, IEnumerable<UpdateBase> updates, string zone = Origin, ushort id = 0x4242)
    {
        var m = new DnsUpdateMessage { ZoneName = N(zone), TransactionID = id };
        m.Prequisites.AddRange(prerequisites);
        m.Updates.AddRange(updates);
        return WireTestKit.Encode(m);
    }

    /// <summary>Encoded by ARSoft, parsed by <see cref="UpdateMessage.TryParse"/> (which must accept it).</summary>
    public static UpdateMessage Message(IEnumerable<PrequisiteBase> prerequisites, IEnumerable<UpdateBase> updates)
    {
        Assert.True(UpdateMessage.TryParse(Encode(prerequisites, updates), out var m, out var rcode), $"parse failed: {Rcode.ToString(rcode)}");
        return m;
    }

    /// <summary>A change as the specs write it: "owner TYPE: ttl rdata, ttl rdata" or "owner TYPE: deleted".</summary>
    public static string Show(RRsetChange c) =>
        c.IsDeletion
            ? $"{c.Owner} {RrType.ToString(c.Type)}: deleted"
            : $"{c.Owner} {RrType.ToString(c.Type)}: {string.Join(", ", c.Records.Select(r => $"{r.Ttl} {RData.ToText(r.Type, r.RData)}"))}";

    public static uint Serial(IRRsetView zone) => RRComparer.SoaSerial(zone.Get(Origin, RrType.SOA)![0].RData);
}
