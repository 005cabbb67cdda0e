using System.Globalization;
using System.Net;
using System.Text;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Log;

/// <summary>
/// A log format parsed once into literals, placeholders and metadata labels (CoreDNS's plugin/pkg/replacer),
/// and rendered per reply into a thread-local builder: the only allocation per line is the line itself.
/// </summary>
public sealed class LogFormat
{
    /// <summary>The Common Log Format.</summary>
    public const string Common = "{remote}:{port} - {>id} \"{type} {class} {name} {proto} {size} {>do} {>bufsize}\" {rcode} {>rflags} {rsize} {duration}";
    /// <summary>The Common Log Format plus the query opcode.</summary>
    public const string Combined = Common + " \"{>opcode}\"";
    public const string Default = Common;
    private const string Empty = "-";

    private enum Kind { Literal, Label, Metadata }

    private static readonly HashSet<string> Labels =
    [
        "{type}", "{name}", "{class}", "{proto}", "{size}", "{remote}", "{port}", "{local}", "{>id}", "{>opcode}",
        "{>do}", "{>bufsize}", "{rcode}", "{rsize}", "{duration}", "{>rflags}",
    ];

    [ThreadStatic] private static StringBuilder? _builder;

    private readonly (Kind Kind, string Value)[] _nodes;

    public LogFormat(string format)
    {
        Text = format;
        _nodes = Parse(format);
    }

    /// <summary>The format as configured (after {common}/{combined} expansion).</summary>
    public string Text { get; }

    /// <summary>Splits the format the way CoreDNS's parseFormat does (innermost <c>{...}</c> before each <c>}</c>).</summary>
    private static (Kind, string)[] Parse(string s)
    {
        var nodes = new List<(Kind, string)>();
        while (true)
        {
            var j = s.IndexOf('}');
            if (j < 0) break;
            var i = s.LastIndexOf('{', j);
            if (i < 0)
            {
                nodes.Add((Kind.Literal, s[..(j + 1)]));
                s = s[(j + 1)..];
                continue;
            }
            var val = s[i..(j + 1)];
            Kind kind;
            if (Labels.Contains(val))
            {
                kind = Kind.Label;
            }
            else if (val.StartsWith("{/", StringComparison.Ordinal))
            {
                val = val[2..^1];
                kind = Kind.Metadata;
            }
            else
            {
                val = s[..(j + 1)];
                kind = Kind.Literal;
            }
            if (i != 0 && kind != Kind.Literal) nodes.Add((Kind.Literal, s[..i]));
            nodes.Add((kind, val));
            s = s[(j + 1)..];
        }
        if (s.Length != 0) nodes.Add((Kind.Literal, s));
        return [.. nodes];
    }

    /// <summary>One log line for <paramref name="request"/> answered by <paramref name="response"/>.</summary>
    public string Render(DnsRequest request, DnsResponse response, ResponseType type, ResponseClass cls)
    {
        var b = _builder ??= new StringBuilder(256);
        b.Clear();
        foreach (var (kind, value) in _nodes)
        {
            switch (kind)
            {
                case Kind.Literal:
                    b.Append(value);
                    break;
                case Kind.Label:
                    AppendLabel(b, value, request, response);
                    break;
                default:
                    if (value == "log/type") b.Append(type.Name());
                    else if (value == "log/class") b.Append(cls.Name());
                    else if (request.Metadata.TryGetValue(value, out var m)) b.Append(m);
                    else b.Append(Empty);
                    break;
            }
        }
        var line = b.ToString();
        if (b.Capacity > 4096) _builder = null;
        return line;
    }

    private static void AppendLabel(StringBuilder b, string label, DnsRequest request, DnsResponse response)
    {
        switch (label)
        {
            case "{type}": b.Append(RrType.ToString(request.Type)); break;
            case "{name}": b.Append(request.Name.ToLowerInvariant()); break;
            case "{class}": b.Append(RrClass.ToString(request.Class)); break;
            case "{proto}": b.Append(request.Proto); break;
            case "{size}": b.Append(request.Query.Packet.Length); break;
            case "{remote}": AppendAddress(b, request.Client.Address); break;
            case "{port}": b.Append(request.Client.Port); break;
            case "{local}": AppendAddress(b, request.Local.Address); break;
            case "{>id}": b.Append(request.Query.Id); break;
            case "{>opcode}": b.Append(request.Query.Opcode); break;
            case "{>do}": b.Append(request.Query.Do ? "true" : "false"); break;
            case "{>bufsize}": b.Append(BufSize(request)); break;
            case "{rcode}": AppendRcode(b, response.Rcode); break;
            case "{rsize}": b.Append(UncompressedLength(response)); break;
            case "{duration}":
                AppendSeconds(b, (System.Diagnostics.Stopwatch.GetTimestamp() - request.Received) / (double)System.Diagnostics.Stopwatch.Frequency);
                b.Append('s');
                break;
            case "{>rflags}": AppendFlags(b, response); break;
            default: b.Append(Empty); break;
        }
    }

    /// <summary>CoreDNS's request.Size: 65535 over TCP, else the (bufsize-lowered) EDNS size, at least 512.</summary>
    public static int BufSize(DnsRequest request) =>
        request.Proto == "tcp" ? 65535 : Math.Max(512, (int)request.UdpSize);

    private static void AppendAddress(StringBuilder b, IPAddress address)
    {
        var s = address.ToString();
        if (s.Contains(':')) b.Append('[').Append(s).Append(']');
        else b.Append(s);
    }

    /// <summary>miekg/dns's RcodeToString names; the number for rcodes it has no name for.</summary>
    public static void AppendRcode(StringBuilder b, int rcode)
    {
        var name = rcode switch
        {
            0 => "NOERROR", 1 => "FORMERR", 2 => "SERVFAIL", 3 => "NXDOMAIN", 4 => "NOTIMP", 5 => "REFUSED",
            6 => "YXDOMAIN", 7 => "YXRRSET", 8 => "NXRRSET", 9 => "NOTAUTH", 10 => "NOTZONE", 11 => "DSOTYPENI",
            16 => "BADSIG", 17 => "BADKEY", 18 => "BADTIME", 19 => "BADMODE", 20 => "BADNAME", 21 => "BADALG",
            22 => "BADTRUNC", 23 => "BADCOOKIE", _ => null,
        };
        if (name is null) b.Append(rcode);
        else b.Append(name);
    }

    /// <summary>"qr,aa,tc,rd,ra,ad,cd" (the set ones, in that order): replies always have qr.</summary>
    private static void AppendFlags(StringBuilder b, DnsResponse r)
    {
        b.Append("qr");
        if (r.Aa) b.Append(",aa");
        if (r.Tc) b.Append(",tc");
        if (r.Rd) b.Append(",rd");
        if (r.Ra) b.Append(",ra");
        if (r.Ad) b.Append(",ad");
        if (r.Cd) b.Append(",cd");
    }

    /// <summary>The reply's size without name compression, as the plugins left it (CoreDNS's "raw" rsize).</summary>
    public static int UncompressedLength(DnsResponse r)
    {
        var n = DnsReader.HeaderSize;
        if (r.QName is not null) n += NameLength(r.QName) + 4;
        n += Section(r.AnswerCount > 0 ? r.Answer : null) + Section(r.AuthorityCount > 0 ? r.Authority : null)
             + Section(r.AdditionalCount > 0 ? r.Additional : null);
        if (r.Edns is { } e)
        {
            n += 11;
            foreach (var (_, d) in e.Options) n += 4 + d.Length;
        }
        return n;
    }

    private static int Section(List<DnsRecord>? records)
    {
        if (records is null) return 0;
        var n = 0;
        foreach (var rr in records) n += NameLength(rr.Name) + 10 + rr.RData.Length;
        return n;
    }

    private static int NameLength(string name)
    {
        Span<byte> buf = stackalloc byte[DnsName.MaxWireLength + 2];
        var n = DnsName.TryWrite(name, buf);
        return n < 0 ? 0 : n;
    }

    /// <summary>Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an exponent.</summary>
    public static void AppendSeconds(StringBuilder b, double v)
    {
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        var e = s.IndexOf('E');
        if (e < 0)
        {
            b.Append(s);
            return;
        }
        var mantissa = s.AsSpan(0, e);
        var exp = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (mantissa[0] == '-')
        {
            b.Append('-');
            mantissa = mantissa[1..];
        }
        var dot = mantissa.IndexOf('.');
        var intLen = dot < 0 ? mantissa.Length : dot;
        Span<char> digits = stackalloc char[mantissa.Length];
        var d = 0;
        foreach (var c in mantissa)
            if (c != '.') digits[d++] = c;
        digits = digits[..d];
        var point = intLen + exp;
        if (point <= 0)
        {
            b.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            b.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            b.Append(digits[..point]).Append('.').Append(digits[point..]);
        }
    }
}
