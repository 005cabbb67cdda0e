using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Akka.Dns.Plugins.Secondary;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Dynupdate;

/// <summary>
/// An RFC 2136 UPDATE (opcode 5) as the engine needs it: the zone (section 1, exactly one record of type SOA), the
/// prerequisites (section 2, counted by ANCOUNT) and the updates (section 3, NSCOUNT). The additional section is
/// checked to be well formed and otherwise ignored (TSIG is verified before the engine runs). Names are kept as sent;
/// the engine compares them case-insensitively. Immutable.
/// </summary>
public sealed class UpdateMessage
{
    public UpdateMessage(string zone, ushort zoneClass, IReadOnlyList<DnsRecord> prerequisites, IReadOnlyList<DnsRecord> updates,
        ushort id = 0, ushort flags = Opcode.Update << 11)
    {
        Zone = zone;
        ZoneClass = zoneClass;
        Prerequisites = prerequisites;
        Updates = updates;
        Id = id;
        Flags = flags;
    }

    public ushort Id { get; }
    /// <summary>The header's second 16 bits (QR, opcode, ... rcode) as received.</summary>
    public ushort Flags { get; }
    /// <summary>ZNAME as sent, fully qualified.</summary>
    public string Zone { get; }
    /// <summary>ZCLASS: the class every added record must carry.</summary>
    public ushort ZoneClass { get; }
    public IReadOnlyList<DnsRecord> Prerequisites { get; }
    public IReadOnlyList<DnsRecord> Updates { get; }

    /// <summary>
    /// Parses an UPDATE from its wire bytes. Returns true with <paramref name="message"/> and
    /// <paramref name="rcode"/> NOERROR; false with <paramref name="rcode"/> NOTIMP when the opcode is not UPDATE and
    /// FORMERR for everything else: a response (QR set), ZOCOUNT other than 1, a zone type other than SOA, a record
    /// that does not parse, or a message that ends early. Never throws.
    /// </summary>
    /// <remarks>
    /// As BIND's message parser does, a record may have an RDLENGTH of 0 (empty RDATA) whatever its type when it is a
    /// prerequisite of class ANY or NONE or an update of class ANY; any other record is read as its type demands
    /// (RFC 2136 §2.4, §2.5; the engine then checks the RDLENGTH rules of §3.2 and §3.4.1).
    /// </remarks>
    public static bool TryParse(ReadOnlySpan<byte> packet, [NotNullWhen(true)] out UpdateMessage? message, out int rcode)
    {
        message = null;
        rcode = Rcode.FormErr;
        if (!DnsReader.TryReadHeader(packet, out var id, out var flags)) return false;
        if ((flags & 0x8000) != 0) return false;
        if (((flags >> 11) & 0xF) != Opcode.Update)
        {
            rcode = Rcode.NotImp;
            return false;
        }
        var zocount = BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
        var prcount = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
        var upcount = BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        var adcount = BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        if (zocount != 1) return false;

        var off = DnsReader.HeaderSize;
        if (!DnsName.TryRead(packet, ref off, out var zone) || off + 4 > packet.Length) return false;
        var ztype = BinaryPrimitives.ReadUInt16BigEndian(packet[off..]);
        var zclass = BinaryPrimitives.ReadUInt16BigEndian(packet[(off + 2)..]);
        off += 4;
        if (ztype != RrType.SOA) return false;

        var prerequisites = new DnsRecord[prcount];
        for (var i = 0; i < prcount; i++)
        {
            if (!TryReadRecord(packet, ref off, prerequisite: true, out var rr)) return false;
            prerequisites[i] = rr;
        }
        var updates = new DnsRecord[upcount];
        for (var i = 0; i < upcount; i++)
        {
            if (!TryReadRecord(packet, ref off, prerequisite: false, out var rr)) return false;
            updates[i] = rr;
        }
        for (var i = 0; i < adcount; i++)
        {
            if (!DnsReader.TrySkipRecord(packet, ref off)) return false;
        }

        message = new UpdateMessage(zone, zclass, prerequisites, updates, id, flags);
        rcode = Rcode.NoError;
        return true;
    }

    private static bool TryReadRecord(ReadOnlySpan<byte> packet, ref int off, bool prerequisite, [NotNullWhen(true)] out DnsRecord? rr)
    {
        if (!AxfrClient.TryReadRecord(packet, ref off, emptyRData: true, out rr)) return false;
        if (rr.RData.Length > 0) return true;
        var mayBeEmpty = rr.Class == RrClass.ANY || (prerequisite && rr.Class == RrClass.NONE);
        // Empty RDATA elsewhere must be valid for the type (it is for RFC 3597 unknown types, not for A or NS).
        return mayBeEmpty || RData.TryReadFromMessage(rr.Type, [], 0, 0, out _);
    }

    public override string ToString() =>
        $"UPDATE {Zone} {RrClass.ToString(ZoneClass)}: {Prerequisites.Count} prerequisite(s), {Updates.Count} update(s)";
}
