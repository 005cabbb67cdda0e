namespace Akka.Dns.Wire;

/// <summary>
/// A reply on its way out: header bits, the question, the three sections and the EDNS part. Plugins build
/// it; response writers may change it (copy first when it may be shared, e.g. one a cache holds); the
/// server encodes it once, at the end, with <see cref="DnsWriter"/>.
/// </summary>
public sealed class DnsResponse
{
    private List<DnsRecord>? _answer, _authority, _additional;

    public ushort Id { get; set; }
    public int Opcode { get; set; }
    public bool Aa { get; set; }
    public bool Tc { get; set; }
    public bool Rd { get; set; }
    public bool Ra { get; set; }
    public bool Ad { get; set; }
    public bool Cd { get; set; }
    /// <summary>Full 12-bit rcode: the low 4 bits go in the header, the rest in the OPT record.</summary>
    public int Rcode { get; set; }

    /// <summary>The question to echo; null for header-only replies (FORMERR of an unparsable question).</summary>
    public string? QName { get; set; }
    public ushort QType { get; set; }
    public ushort QClass { get; set; }

    public List<DnsRecord> Answer => _answer ??= new List<DnsRecord>(2);
    public List<DnsRecord> Authority => _authority ??= new List<DnsRecord>(1);
    public List<DnsRecord> Additional => _additional ??= new List<DnsRecord>(2);
    public int AnswerCount => _answer?.Count ?? 0;
    public int AuthorityCount => _authority?.Count ?? 0;
    public int AdditionalCount => _additional?.Count ?? 0;

    /// <summary>The OPT record to send, or null for none. The server fills it from the query's (CoreDNS's ScrubWriter).</summary>
    public EdnsRecord? Edns { get; set; }

    /// <summary>Why the chain failed (for the errors plugin); null when a plugin answered normally.</summary>
    public string? Error { get; set; }

    /// <summary>
    /// The server's own reply to a message it rejects (miekg/dns's reject path: NOTIMP for UPDATE): written as
    /// it is, without the OPT record mirrored from the query.
    /// </summary>
    public bool NoOptMirror { get; set; }
    /// <summary>Which plugin wrote the reply (the "plugin" label of coredns_dns_responses_total).</summary>
    public string? Plugin { get; set; }

    /// <summary>A reply to <paramref name="q"/>: id, opcode, RD and CD copied, question echoed (miekg's SetReply).</summary>
    public static DnsResponse ReplyTo(DnsQuery q, int rcode = Wire.Rcode.NoError)
    {
        var r = new DnsResponse
        {
            Id = q.Id,
            Opcode = q.Opcode,
            Rcode = rcode,
        };
        if (q.Opcode == Wire.Opcode.Query)
        {
            r.Rd = q.Rd;
            r.Cd = q.Cd;
        }
        if (q.QuestionEnd > 0)
        {
            r.QName = q.Name;
            r.QType = q.Type;
            r.QClass = q.Class;
        }
        return r;
    }

    /// <summary>Takes these lists as the three sections (no copy: the caller hands them over).</summary>
    public void Adopt(List<DnsRecord> answer, List<DnsRecord> authority, List<DnsRecord> additional)
    {
        _answer = answer;
        _authority = authority;
        _additional = additional;
    }

    /// <summary>A shallow copy with fresh section lists (records themselves are immutable).</summary>
    public DnsResponse Copy()
    {
        var c = (DnsResponse)MemberwiseClone();
        c._answer = _answer is null ? null : [.. _answer];
        c._authority = _authority is null ? null : [.. _authority];
        c._additional = _additional is null ? null : [.. _additional];
        c.Edns = Edns?.Copy();
        return c;
    }

    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append($";; {Wire.Opcode.ToString(Opcode)} {Wire.Rcode.ToString(Rcode)} id {Id}{(Aa ? " aa" : "")}{(Tc ? " tc" : "")}{(Rd ? " rd" : "")}{(Ra ? " ra" : "")}\n");
        if (QName is not null) sb.Append($";{QName}\t{RrClass.ToString(QClass)}\t{RrType.ToString(QType)}\n");
        foreach (var r in _answer ?? []) sb.Append(r).Append('\n');
        foreach (var r in _authority ?? []) sb.Append(r).Append('\n');
        foreach (var r in _additional ?? []) sb.Append(r).Append('\n');
        return sb.ToString();
    }
}

/// <summary>The OPT pseudo-record of a reply.</summary>
public sealed class EdnsRecord
{
    public ushort UdpSize { get; set; } = 1232;
    public byte Version { get; set; }
    public bool Do { get; set; }
    public List<(ushort Code, byte[] Data)> Options { get; private set; } = [];

    public EdnsRecord Copy()
    {
        var c = (EdnsRecord)MemberwiseClone();
        c.Options = [.. Options];
        return c;
    }

    public bool HasOption(ushort code)
    {
        foreach (var (c, _) in Options)
            if (c == code) return true;
        return false;
    }
}
