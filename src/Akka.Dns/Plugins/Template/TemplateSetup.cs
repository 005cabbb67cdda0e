using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Dns.Plugins.View;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Template;

/// <summary>
/// <c>template CLASS TYPE [ZONE...] { match REGEX...; var NAME EXPR; expr EXPR; answer|additional|authority RR...;
/// rcode CODE; ederror CODE [REASON]; fallthrough [ZONES...]; upstream }</c>, once per template (the directive
/// repeats; templates are tried in order). Regexes, expressions and templates are compiled here.
/// </summary>
[Plugin("template")]
public sealed class TemplateSetup : IPluginSetup
{
    public const int MaxRegexLength = 10000;

    public bool AllowMultiple => true;

    /// <summary>expr-lang's identifier rule, as CoreDNS checks a variable's name.</summary>
    private static readonly Regex VarName = new("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant);

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
            var scope = TemplateEnv.Scope;
            var vars = new List<TemplateVar>();
            var exprs = new List<ViewExpression>();
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
                    {
                        var args = r.RemainingArgs();
                        if (args.Length < 2) throw context.Error(r, r.ArgErr().Detail);
                        var varName = args[0];
                        if (!VarName.IsMatch(varName)) throw context.Error(r, $"invalid variable name {GoNet.Quote(varName)}");
                        if (ViewExpression.Reserved.Contains(varName) || TemplateEnv.Scope.Functions.ContainsKey(varName) || scope.VariableIndex(varName) >= 0)
                            throw context.Error(r, $"variable name {GoNet.Quote(varName)} is reserved");
                        ViewExpression e;
                        try
                        {
                            e = ViewExpression.Compile(string.Join(" ", args, 1, args.Length - 1), scope);
                        }
                        catch (FormatException x)
                        {
                            throw context.Error(r, $"could not compile expression: {varName}, {x.Message}");
                        }
                        scope = scope.With(varName, e.Type);
                        vars.Add(new TemplateVar(varName, e));
                        break;
                    }
                    case "expr":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        try
                        {
                            exprs.Add(ViewExpression.Compile(string.Join(" ", args), scope));
                        }
                        catch (FormatException x)
                        {
                            throw context.Error(r, $"could not compile expression: {x.Message}");
                        }
                        break;
                    }
                    default:
                        throw context.Error(r, r.ArgErr().Detail);
                }
            }
            if (regexes.Count == 0) regexes.Add(Compile(".*")!);
            templates.Add(new TemplateRule(cls, type, [.. zones], [.. regexes], [.. answer], [.. additional], [.. authority], rcode, ede, fall)
            {
                Vars = [.. vars],
                Exprs = [.. exprs],
            });
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
    Fallthrough Fall)
{
    /// <summary><c>var</c>s in order: each evaluated for a matching query, later ones reading earlier ones.</summary>
    public TemplateVar[] Vars { get; init; } = [];

    /// <summary><c>expr</c>s: all must be true for the template to match.</summary>
    public ViewExpression[] Exprs { get; init; } = [];
}

/// <summary>One <c>var NAME EXPRESSION</c>; its slot in <see cref="TemplateEnv"/> is its index in the template's vars.</summary>
public sealed record TemplateVar(string Name, ViewExpression Expression);

public sealed class TemplatePlugin(TemplateRule[] templates, string[] zones, TemplateCounters counters) : Plugin("template")
{
    public IReadOnlyList<TemplateRule> Templates { get; } = templates;
    public IReadOnlyList<string> Zones { get; } = zones;

    public override Props HandlerProps(ChainLink? next) => TemplateActor.Props(templates, zones, counters, next);
}
