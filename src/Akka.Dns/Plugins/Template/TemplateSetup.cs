using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Template;

/// <summary>
/// <c>template CLASS TYPE [ZONE...] { match REGEX...; answer|additional|authority RR...; rcode CODE;
/// ederror CODE [REASON]; fallthrough [ZONES...]; upstream }</c>, once per template (the directive repeats;
/// templates are tried in order). Regexes and templates are compiled here.
/// </summary>
[Plugin("template")]
public sealed class TemplateSetup : IPluginSetup
{
    public const int MaxRegexLength = 10000;

    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var templates = new List<TemplateRule>();
        var allZones = new List<string>();
        foreach (var r in context.Readers())
        {
            r.Next();
            if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
            var cls = Class(r.Val) ?? throw context.Error(r, $"invalid query class {r.Val}");
            if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
            if (!RrType.TryParse(r.Val, out var type) || r.Val != r.Val.ToUpperInvariant() || r.Val.StartsWith("TYPE", StringComparison.Ordinal))
                throw context.Error(r, $"invalid RR class {r.Val}");
            var zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            allZones.AddRange(zones);
            var regexes = new List<Regex>();
            var answer = new List<GoTemplate>();
            var additional = new List<GoTemplate>();
            var authority = new List<GoTemplate>();
            var rcode = Rcode.NoError;
            (ushort Code, string Reason)? ede = null;
            var fall = Fallthrough.Never;
            while (r.NextBlock())
            {
                var property = r.Val;
                switch (property)
                {
                    case "match":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        foreach (var pattern in args)
                        {
                            if (pattern.Length > MaxRegexLength) throw context.Error(r, $"regex pattern too long: {pattern.Length} > {MaxRegexLength}");
                            var re = Compile(pattern) ?? throw context.Error(r, $"could not parse regex: {pattern}, error parsing regexp: {pattern}");
                            regexes.Add(re);
                        }
                        break;
                    }
                    case "answer":
                    case "additional":
                    case "authority":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        var list = property == "answer" ? answer : property == "additional" ? additional : authority;
                        foreach (var text in args)
                        {
                            try
                            {
                                list.Add(GoTemplate.Parse(property, text));
                            }
                            catch (TemplateException e)
                            {
                                throw context.Error(r, $"could not compile template: {r.Val}, {e.Message}");
                            }
                        }
                        break;
                    }
                    case "rcode":
                        if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        rcode = RcodeOf(r.Val) ?? throw context.Error(r, $"unknown rcode {r.Val}");
                        break;
                    case "ederror":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length is not (1 or 2)) throw context.Error(r, r.ArgErr().Detail);
                        if (!ushort.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
                            throw context.Error(r, $"error parsing extended DNS error code {r.Val}, strconv.ParseUint: parsing {GoNet.Quote(args[0])}: invalid syntax");
                        ede = (code, args.Length == 2 ? args[1] : "");
                        break;
                    }
                    case "fallthrough":
                        fall = Fallthrough.FromArgs(r.RemainingArgs(), r);
                        break;
                    case "upstream":
                        r.RemainingArgs();
                        break;
                    case "var":
                    case "expr":
                        throw context.Error(r, $"'{property}' is not supported yet (no expression language in Akka.Dns's template)");
                    default:
                        throw context.Error(r, r.ArgErr().Detail);
                }
            }
            if (regexes.Count == 0) regexes.Add(Compile(".*")!);
            templates.Add(new TemplateRule(cls, type, [.. zones], [.. regexes], [.. answer], [.. additional], [.. authority], rcode, ede, fall));
        }
        return new TemplatePlugin([.. templates], [.. allZones], new TemplateCounters(context.Options));
    }

    /// <summary>A Go (RE2) pattern as a .NET regex: non-backtracking (linear, like RE2), <c>(?P&lt;name&gt;</c> accepted.</summary>
    internal static Regex? Compile(string pattern)
    {
        try
        {
            return new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>miekg/dns's StringToClass (case-sensitive, as CoreDNS looks it up).</summary>
    private static ushort? Class(string s) => s switch
    {
        "IN" => RrClass.IN,
        "CS" => 2,
        "CH" => RrClass.CH,
        "HS" => RrClass.HS,
        "NONE" => RrClass.NONE,
        "ANY" => RrClass.ANY,
        _ => null,
    };

    /// <summary>miekg/dns's StringToRcode (case-sensitive).</summary>
    private static int? RcodeOf(string s) => s switch
    {
        "NOERROR" => 0, "FORMERR" => 1, "SERVFAIL" => 2, "NXDOMAIN" => 3, "NOTIMP" => 4, "REFUSED" => 5,
        "YXDOMAIN" => 6, "YXRRSET" => 7, "NXRRSET" => 8, "NOTAUTH" => 9, "NOTZONE" => 10, "BADSIG" => 16,
        "BADVERS" => 16, "BADKEY" => 17, "BADTIME" => 18, "BADMODE" => 19, "BADNAME" => 20, "BADALG" => 21,
        "BADTRUNC" => 22, "BADCOOKIE" => 23,
        _ => null,
    };
}

/// <summary>One <c>template</c> directive.</summary>
public sealed record TemplateRule(
    ushort Class,
    ushort Type,
    string[] Zones,
    Regex[] Regexes,
    GoTemplate[] Answer,
    GoTemplate[] Additional,
    GoTemplate[] Authority,
    int Rcode,
    (ushort Code, string Reason)? Ede,
    Fallthrough Fall);

public sealed class TemplatePlugin(TemplateRule[] templates, string[] zones, TemplateCounters counters) : Plugin("template")
{
    public IReadOnlyList<TemplateRule> Templates { get; } = templates;
    public IReadOnlyList<string> Zones { get; } = zones;

    public override Props HandlerProps(ChainLink? next) => TemplateActor.Props(templates, zones, counters, next);
}
