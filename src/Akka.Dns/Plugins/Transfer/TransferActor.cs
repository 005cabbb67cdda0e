using System.Buffers.Binary;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Transfer;

/// <summary>
/// Answers AXFR and IXFR over TCP for the zones of a transferer in the block (CoreDNS's Transfer.ServeDNS): other
/// query types go on; over UDP REFUSED; a client no <c>to</c> allows REFUSED; an IXFR whose authority is not one SOA
/// SERVFAIL; a zone no transferer serves goes on; a zone a transferer serves but has not loaded SERVFAIL. An IXFR
/// whose serial is the zone's (or newer) gets the SOA alone; anything else the whole zone, SOA first and last, in
/// messages of at most ~63,000 bytes of records.
/// </summary>
public sealed class TransferActor : PluginActor
{
    /// <summary>CoreDNS flushes a batch before its records (uncompressed) pass this many bytes.</summary>
    public const int BatchBytes = 63000;

    private readonly TransferOptions _options;
    private readonly BlockOptions _block;

    public static Props Props(TransferOptions options, BlockOptions block, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new TransferActor(options, block, next));

    public TransferActor(TransferOptions options, BlockOptions block, ChainLink? next) : base("transfer", next)
    {
        _options = options;
        _block = block;
    }

    protected override void Handle(DnsRequest request)
    {
        if (request.Type is not (RrType.AXFR or RrType.IXFR))
        {
            Next(request);
            return;
        }
        if (request.Transport == DnsTransport.Udp)
        {
            request.Fail(Rcode.Refused, null, Name);
            return;
        }
        var name = DnsName.Normalize(request.Name);
        var rule = _options.LongestMatch(name);
        if (rule is null)
        {
            Next(request);
            return;
        }
        if (!rule.Allows(request.Client.Address))
        {
            var refused = request.CreateReply(Rcode.Refused);
            refused.Plugin = Name;
            request.Respond(refused);
            return;
        }

        uint serial = 0;
        if (request.Type == RrType.IXFR && !TryReadIxfrSerial(request.Query, out serial))
        {
            request.Fail(Rcode.ServFail, null, Name);
            return;
        }

        var found = false;
        Zone? zone = null;
        foreach (var p in _block.Plugins)
        {
            if (p is not ITransferer t || !Serves(t, name)) continue;
            found = true;
            zone = t.GetZone(name);
            break;
        }
        if (!found)
        {
            Next(request);
            return;
        }
        if (zone is null)
        {
            request.Fail(Rcode.ServFail, $"plugin/transfer: zone {name} is not loaded", Name);
            return;
        }

        var client = request.Client.Address.ToString();
        if (serial != 0 && SerialAtLeast(serial, zone.Serial))
        {
            // CoreDNS writes this one with SetReply only: no AA bit.
            var up = request.CreateReply();
            up.Answer.Add(zone.Soa);
            up.Plugin = Name;
            request.Respond(up);
            LineLog.Info($"plugin/transfer: Outgoing noop, incremental transfer for up to date zone {GoNet.Quote(name)} to {client} for {zone.Serial} SOA serial");
            return;
        }

        var messages = Batches(request, zone);
        request.RespondMany(messages);
        LineLog.Info($"plugin/transfer: Outgoing transfer of {zone.Records.Count + 1} records of zone {GoNet.Quote(name)} to {client} for {zone.Serial} SOA serial");
    }

    private static bool Serves(ITransferer t, string name)
    {
        foreach (var z in t.TransferZones)
            if (DnsName.EqualsIgnoreCase(z, name)) return true;
        return false;
    }

    /// <summary>The zone's records then its SOA again, cut into messages whose records take at most <see cref="BatchBytes"/> uncompressed.</summary>
    public static List<DnsResponse> Batches(DnsRequest request, Zone zone)
    {
        var messages = new List<DnsResponse>();
        var current = NewMessage(request);
        var size = 0;
        var records = zone.Records;
        for (var i = 0; i <= records.Count; i++)
        {
            var rr = i < records.Count ? records[i] : zone.Soa;
            var len = WireLength(rr);
            if (current.AnswerCount > 0 && size + len > BatchBytes)
            {
                messages.Add(current);
                current = NewMessage(request);
                size = 0;
            }
            current.Answer.Add(rr);
            size += len;
        }
        messages.Add(current);
        return messages;
    }

    private static DnsResponse NewMessage(DnsRequest request)
    {
        // miekg's Transfer.Out: SetReply (the question in every message) and AA.
        var m = request.CreateReply();
        m.Aa = true;
        m.Plugin = "transfer";
        return m;
    }

    /// <summary>The record's uncompressed size on the wire (miekg's dns.Len).</summary>
    public static int WireLength(DnsRecord rr)
    {
        Span<byte> name = stackalloc byte[DnsName.MaxWireLength + 2];
        var n = DnsName.TryWrite(rr.Name, name);
        return (n > 0 ? n : DnsName.MaxWireLength) + 10 + rr.RData.Length;
    }

    /// <summary>RFC 1982: <paramref name="client"/> equals <paramref name="zone"/> or is newer (less than 2^31 ahead).</summary>
    public static bool SerialAtLeast(uint client, uint zone) => unchecked((int)(client - zone)) >= 0;

    /// <summary>
    /// The serial of the one SOA in an IXFR query's authority section (skipping the header, the question and any
    /// answer records). False when the authority is not exactly one well-formed SOA.
    /// </summary>
    public static bool TryReadIxfrSerial(DnsQuery query, out uint serial)
    {
        serial = 0;
        if (query.NsCount != 1) return false;
        var p = query.Packet.AsSpan();
        var off = query.QuestionEnd;
        for (var i = 0; i < query.AnCount; i++)
            if (!DnsReader.TrySkipRecord(p, ref off)) return false;
        if (!DnsName.TrySkip(p, ref off) || off + 10 > p.Length) return false;
        if (BinaryPrimitives.ReadUInt16BigEndian(p[off..]) != RrType.SOA) return false;
        var rdlen = BinaryPrimitives.ReadUInt16BigEndian(p[(off + 8)..]);
        off += 10;
        var end = off + rdlen;
        if (end > p.Length) return false;
        var rdata = p[..end];
        if (!DnsName.TrySkip(rdata, ref off) || !DnsName.TrySkip(rdata, ref off) || off + 20 > end) return false;
        serial = BinaryPrimitives.ReadUInt32BigEndian(p[off..]);
        return true;
    }
}
