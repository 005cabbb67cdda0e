using System.Text;
using Akka.Dns.Wire;

namespace Akka.Dns.Zones;

/// <summary>
/// RFC 1035 §5 master files ("zone files"), read the way miekg/dns's ZoneParser (CoreDNS's) reads them.
/// <para>Default TTL, as miekg/dns: <c>$TTL</c> sets it; until a <c>$TTL</c> is seen, every explicit TTL on a record
/// becomes the default for the records after it ("last explicit TTL", RFC 1035 §5.1). A record with no TTL and no
/// default is an error ("missing TTL with no previous value") when it is written "owner TYPE …"; written with a
/// class or with an inherited owner it gets TTL 0, exactly as miekg/dns. The SOA MINIMUM is never used as a default
/// (BIND's habit; RFC 2308 made it the negative-caching TTL).</para>
/// <para>The class defaults to IN on every line (it is not inherited). Owners are kept as written, made absolute.</para>
/// </summary>
public static class MasterFile
{
    /// <summary>How deep <c>$INCLUDE</c> may nest (miekg/dns's maxIncludeDepth).</summary>
    public const int MaxIncludeDepth = 7;

    public static IReadOnlyList<DnsRecord> Parse(string text, string origin, string fileName, string? includeBaseDirectory = null)
    {
        var records = new List<DnsRecord>();
        var baseDir = includeBaseDirectory ?? Path.GetDirectoryName(fileName) ?? "";
        new Parser(fileName, baseDir, ZoneNames.Fqdn(origin), null, 0, records).Run(text);
        return records;
    }

    public static IReadOnlyList<DnsRecord> ParseFile(string path, string origin)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MasterFileException(path, 0, $"cannot read the file: {e.Message}", e);
        }
        return Parse(text, origin, path);
    }

    /// <summary>One record per line: absolute owner, TTL, class, type and RDATA in presentation format (tab-separated).</summary>
    public static string Write(IEnumerable<DnsRecord> records)
    {
        var sb = new StringBuilder();
        foreach (var r in records)
        {
            sb.Append(r.Name).Append('\t').Append(r.Ttl).Append('\t').Append(RrClass.ToString(r.Class)).Append('\t')
                .Append(RrType.ToString(r.Type)).Append('\t').Append(RData.ToText(r.Type, r.RData)).Append('\n');
        }
        return sb.ToString();
    }

    private sealed class Parser(string file, string baseDir, string origin, uint? defaultTtl, int depth, List<DnsRecord> records)
    {
        private string _origin = origin;
        private uint? _defaultTtl = defaultTtl;
        private bool _ttlByDirective;
        private string? _lastOwner;
        private readonly List<string> _rdata = new(8);

        public void Run(string text)
        {
            var lexer = new ZoneLexer(text.StartsWith('\uFEFF') ? text[1..] : text, file);
            var tokens = new List<string>(16);
            var lines = new List<int>(16);
            while (lexer.NextLine(tokens, lines, out var line, out var leadingBlank))
            {
                if (!leadingBlank && tokens[0].StartsWith('$')) Directive(tokens, lines[0]);
                else Record(tokens, lines, line, leadingBlank);
            }
        }

        private MasterFileException Error(int line, string reason) => new(file, line, reason);

        private void Directive(List<string> tokens, int line)
        {
            var name = tokens[0].ToUpperInvariant();
            switch (name)
            {
                case "$ORIGIN":
                {
                    if (tokens.Count != 2) throw Error(line, "$ORIGIN needs exactly one domain name");
                    _origin = ZoneNames.Absolute(tokens[1], _origin) ?? throw Error(line, $"bad $ORIGIN name '{tokens[1]}'");
                    break;
                }
                case "$TTL":
                {
                    if (tokens.Count != 2) throw Error(line, "$TTL needs exactly one TTL");
                    if (!Presentation.TryParseTtl(tokens[1], out var ttl)) throw Error(line, $"bad $TTL value '{tokens[1]}'");
                    _defaultTtl = ttl;
                    _ttlByDirective = true;
                    break;
                }
                case "$INCLUDE":
                    Include(tokens, line);
                    break;
                case "$GENERATE":
                    throw Error(line, "$GENERATE is not supported");
                default:
                    throw Error(line, $"unknown directive '{tokens[0]}'");
            }
        }

        /// <summary>
        /// miekg/dns: the included file starts with the current (or the given) origin and the current default TTL;
        /// what it changes ($ORIGIN, $TTL, the last owner) does not leak back into the including file.
        /// </summary>
        private void Include(List<string> tokens, int line)
        {
            if (tokens.Count is < 2 or > 3) throw Error(line, "$INCLUDE needs a file name and optionally an origin");
            var includeOrigin = _origin;
            if (tokens.Count == 3)
                includeOrigin = ZoneNames.Absolute(tokens[2], _origin) ?? throw Error(line, $"bad $INCLUDE origin '{tokens[2]}'");
            if (depth + 1 > MaxIncludeDepth) throw Error(line, "$INCLUDE nested too deeply");
            var path = Path.IsPathRooted(tokens[1]) ? tokens[1] : Path.Combine(baseDir, tokens[1]);
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new MasterFileException(file, line, $"cannot open $INCLUDE file '{path}': {e.Message}", e);
            }
            new Parser(path, Path.GetDirectoryName(path) ?? "", includeOrigin, _defaultTtl, depth + 1, records) { _ttlByDirective = _ttlByDirective }.Run(text);
        }

        private void Record(List<string> tokens, List<int> lines, int line, bool leadingBlank)
        {
            var i = 0;
            string owner;
            if (leadingBlank)
            {
                owner = _lastOwner ?? throw Error(line, "no owner name: the first record starts with a blank");
            }
            else
            {
                owner = ZoneNames.Absolute(tokens[0], _origin) ?? throw Error(line, $"bad owner name '{tokens[0]}'");
                i = 1;
            }
            uint? ttl = null;
            ushort? cls = null;
            ushort type = 0;
            var haveType = false;
            for (; i < tokens.Count && !haveType; i++)
            {
                var t = tokens[i];
                if (t.Length > 0 && char.IsAsciiDigit(t[0]))
                {
                    if (ttl is not null) throw Error(lines[i], $"expecting RR type or class, not '{t}'");
                    if (!Presentation.TryParseTtl(t, out var v)) throw Error(lines[i], $"bad TTL '{t}'");
                    ttl = v;
                }
                else if (cls is null && RrClass.TryParse(t, out var c))
                {
                    cls = c;
                }
                else if (RrType.TryParse(t, out type))
                {
                    haveType = true;
                }
                else
                {
                    throw Error(lines[i], $"unknown RR type '{t}'");
                }
            }
            if (!haveType) throw Error(lines[^1], "missing RR type");
            if (type is RrType.OPT or RrType.TSIG or RrType.IXFR or RrType.AXFR or RrType.ANY or 249 or 253 or 254 or 0)
                throw Error(lines[i - 1], $"RR type {RrType.ToString(type)} does not belong in a zone file");

            if (ttl is { } explicitTtl)
            {
                if (!_ttlByDirective) _defaultTtl = explicitTtl;
            }
            else if (_defaultTtl is { } d)
            {
                ttl = d;
            }
            else if (!leadingBlank && cls is null)
            {
                throw Error(line, "missing TTL with no previous value");
            }

            _rdata.Clear();
            var first = i;
            for (; i < tokens.Count; i++) _rdata.Add(tokens[i]);
            byte[] rdata;
            try
            {
                rdata = RData.Parse(type, _rdata, _origin);
            }
            catch (RData.RDataFormatException e)
            {
                // Name the line of the token at fault: a multi-line record's error is on the line that is wrong.
                throw Error(e.Field >= 0 ? lines[first + e.Field] : lines[first - 1], e.Message);
            }
            records.Add(new DnsRecord(owner, type, cls ?? RrClass.IN, ttl ?? 0, rdata));
            _lastOwner = owner;
        }
    }
}
