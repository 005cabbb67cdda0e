using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Rewrite;

/// <summary>CoreDNS's newRule and the per-field constructors, with their messages.</summary>
internal static class RuleParser
{
    public const int MaxRegexLength = 10000;

    public static RewriteRule NewRule(string[] args)
    {
        if (args.Length == 0) throw new RuleException("no rule type specified for rewrite");
        var arg0 = args[0].ToLowerInvariant();
        var stop = true;
        string type;
        int expect, start;
        switch (arg0)
        {
            case "continue":
                stop = false;
                if (args.Length < 2) throw new RuleException("continue rule must begin with a rule type");
                type = args[1].ToLowerInvariant();
                expect = args.Length - 1;
                start = 2;
                break;
            case "stop":
                if (args.Length < 2) throw new RuleException("stop rule must begin with a rule type");
                type = args[1].ToLowerInvariant();
                expect = args.Length - 1;
                start = 2;
                break;
            default:
                type = arg0;
                expect = args.Length;
                start = 1;
                break;
        }
        var rest = args[start..];
        RewriteRule rule = type switch
        {
            "answer" => throw new RuleException("response rewrites must begin with a name rule"),
            "name" => NameRule(rest),
            "class" => expect != 3 ? throw new RuleException($"{type} rules must have exactly two arguments") : ClassRule(rest),
            "type" => expect != 3 ? throw new RuleException($"{type} rules must have exactly two arguments") : TypeRule(rest),
            "edns0" => Edns0Parser.NewRule(rest),
            "ttl" => TtlRule(rest),
            "cname" => CnameRule(rest),
            "rcode" => RcodeRule(rest),
            _ => throw new RuleException($"invalid rule type \"{args[0]}\""),
        };
        rule.Stop = stop;
        return rule;
    }

    /// <summary>CoreDNS's plugin.Name(s).Normalize(): lower case, fully qualified.</summary>
    public static string Normalize(string s)
    {
        s = s.ToLowerInvariant();
        return s.EndsWith('.') ? s : s + ".";
    }

    /// <summary>A Go (RE2) pattern as a .NET regex: non-backtracking (linear time, like RE2), <c>(?P&lt;name&gt;</c> accepted.</summary>
    public static Regex? TryCompile(string pattern)
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

    private static int SubexpUsage(string s)
    {
        var n = 0;
        for (var i = 0; i <= 100; i++)
            if (s.Contains("{" + i.ToString(CultureInfo.InvariantCulture) + "}", StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>CoreDNS's isValidRegexPattern.</summary>
    public static Regex ValidRegex(string from, string to)
    {
        if (from.Length > MaxRegexLength) throw new RuleException($"regex pattern too long: {from.Length} > {MaxRegexLength}");
        var re = TryCompile(from) ?? throw new RuleException($"invalid regex matching pattern: {from}");
        if (SubexpUsage(to) > re.GetGroupNumbers().Length - 1)
            throw new RuleException($"the rewrite regex pattern ({to}) uses more subexpressions than its corresponding matching regex pattern ({from})");
        return re;
    }

    private static RewriteRule NameRule(string[] args)
    {
        if (args.Length < 2) throw new RuleException("too few arguments for a name rule");
        string match, from, to;
        if (args.Length == 2)
        {
            match = "exact";
            from = Normalize(args[0]);
            to = Normalize(args[1]);
        }
        else
        {
            match = args[0].ToLowerInvariant();
            if (match == "regex")
            {
                from = args[1];
                to = args[2];
            }
            else
            {
                from = Normalize(args[1]);
                to = Normalize(args[2]);
            }
        }
        var auto = false;
        IResponseRule[] answers = [];
        if (args.Length > 3) (auto, answers) = AnswerRules(match, args[3..]);
        switch (match)
        {
            case "exact":
                ValidRegex(to, from);
                return new ExactNameRule(from, to, answers);
            case "prefix":
                return new PrefixNameRule(from, to, auto, answers);
            case "suffix":
                return new SuffixNameRule(from, to, auto, answers);
            case "substring":
                return new SubstringNameRule(from, to, auto, answers);
            case "regex":
                var re = ValidRegex(from, to);
                return new RegexNameRule(re, Normalize(args[2]), auto, answers);
            default:
                throw new RuleException($"name rule supports only exact, prefix, suffix, substring, and regex name matching, received: {match}");
        }
    }

    private static (bool Auto, IResponseRule[] Rules) AnswerRules(string name, string[] args)
    {
        var auto = false;
        var rules = new List<IResponseRule>();
        var nameRules = 0;
        var arg = 0;
        var last = "";
        if (args.Length < 2) throw new RuleException($"invalid arguments for {name} rule");
        while (arg < args.Length)
        {
            if (last == "" && args[arg] != "answer")
                throw new RuleException($"exceeded the number of arguments for a non-answer rule argument for {name} rule");
            if (args[arg] == "answer") arg++;
            if (args.Length - arg == 0) throw new RuleException($"type missing for answer rule for {name} rule");
            last = args[arg++];
            switch (last)
            {
                case "auto":
                    auto = true;
                    continue;
                case "name":
                case "value":
                    if (args.Length - arg < 2) throw new RuleException($"{last} answer rule for {name} rule: 2 arguments required");
                    Regex re;
                    try
                    {
                        re = ValidRegex(args[arg], args[arg + 1]);
                    }
                    catch (RuleException e)
                    {
                        throw new RuleException($"{last} answer rule for {name} rule: {e.Message}");
                    }
                    var rewriter = new RegexRewriter(re, Normalize(args[arg + 1]));
                    rules.Add(last == "name" ? new NameResponseRule(rewriter) : new ValueResponseRule(rewriter));
                    if (last == "name") nameRules++;
                    arg += 2;
                    break;
                default:
                    throw new RuleException($"invalid type \"{last}\" for answer rule for {name} rule");
            }
        }
        if (auto && nameRules > 0) throw new RuleException("auto name answer rule cannot be combined with explicit name anwer rules");
        return (auto, [.. rules]);
    }

    private static RewriteRule ClassRule(string[] args)
    {
        return new ClassRule(Class(args[0]), Class(args[1]));
    }

    /// <summary>miekg/dns's StringToClass: IN, CS, CH, HS, NONE, ANY.</summary>
    private static ushort Class(string s) => s.ToUpperInvariant() switch
    {
        "IN" => RrClass.IN,
        "CS" => 2,
        "CH" => RrClass.CH,
        "HS" => RrClass.HS,
        "NONE" => RrClass.NONE,
        "ANY" => RrClass.ANY,
        _ => throw new RuleException($"invalid class \"{s.ToUpperInvariant()}\""),
    };

    private static RewriteRule TypeRule(string[] args)
    {
        if (!RrType.TryParse(args[0], out var from) || args[0].StartsWith("TYPE", StringComparison.OrdinalIgnoreCase)) throw new RuleException($"invalid type \"{args[0].ToUpperInvariant()}\"");
        if (!RrType.TryParse(args[1], out var to) || args[1].StartsWith("TYPE", StringComparison.OrdinalIgnoreCase)) throw new RuleException($"invalid type \"{args[1].ToUpperInvariant()}\"");
        return new TypeRule(from, to);
    }

    /// <summary>The name matcher of ttl and rcode rules: [exact|prefix|suffix|substring|regex] NAME.</summary>
    private static NameMatcher Matcher(string kind, string arg, string field)
    {
        switch (kind.ToLowerInvariant())
        {
            case "exact": return new NameMatcher(MatchKind.Exact, Normalize(arg), null);
            case "prefix": return new NameMatcher(MatchKind.Prefix, Normalize(arg), null);
            case "suffix": return new NameMatcher(MatchKind.Suffix, Normalize(arg), null);
            case "substring": return new NameMatcher(MatchKind.Substring, Normalize(arg), null);
            case "regex":
                if (arg.Length > MaxRegexLength) throw new RuleException($"regex pattern too long in a {field} rule: {arg.Length} > {MaxRegexLength}");
                var re = TryCompile(arg) ?? throw new RuleException($"invalid regex pattern in a {field} rule: {arg}");
                return new NameMatcher(MatchKind.Regex, arg, re);
            default:
                throw new RuleException($"{field} rule supports only exact, prefix, suffix, substring, and regex name matching");
        }
    }

    private static RewriteRule TtlRule(string[] args)
    {
        if (args.Length < 2) throw new RuleException($"too few ({args.Length}) arguments for a ttl rule");
        var s = args.Length == 2 ? args[1] : args.Length == 3 ? args[2] : "";
        if (!TryParseTtl(s, out var min, out var max)) throw new RuleException($"invalid TTL '{s}' for a ttl rule");
        if (args.Length == 3) return new TtlRule(Matcher(args[0], args[1], "ttl"), min, max);
        if (args.Length > 3) throw new RuleException("many few arguments for a ttl rule");
        return new TtlRule(new NameMatcher(MatchKind.Exact, Normalize(args[0]), null), min, max);
    }

    /// <summary>CoreDNS's isValidTTL: N, MIN-MAX, -MAX or MIN- (MAX 2147483647).</summary>
    public static bool TryParseTtl(string v, out uint min, out uint max)
    {
        min = max = 0;
        var parts = v.Split('-');
        if (parts.Length == 1)
        {
            if (!uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out min)) return false;
            max = min;
            return true;
        }
        if (parts.Length != 2) return false;
        if (parts[0] != "" && !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out min)) return false;
        if (parts[1] == "")
        {
            if (parts[0] == "") return false;
            max = 2147483647;
        }
        else if (!uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out max)) return false;
        return min <= max;
    }

    private static RewriteRule RcodeRule(string[] args)
    {
        if (args.Length < 3) throw new RuleException($"too few ({args.Length}) arguments for a rcode rule");
        string oldS = "", newS = "";
        if (args.Length == 3) (oldS, newS) = (args[1], args[2]);
        if (args.Length == 4) (oldS, newS) = (args[2], args[3]);
        if (!TryParseRcode(oldS, out var old)) throw new RuleException($"invalid matching RCODE '{oldS}' for a rcode rule");
        if (!TryParseRcode(newS, out var @new)) throw new RuleException($"invalid replacement RCODE '{newS}' for a rcode rule");
        if (args.Length == 4) return new RcodeRule(Matcher(args[0], args[1], "rcode"), old, @new);
        if (args.Length > 4) throw new RuleException("many few arguments for a rcode rule");
        return new RcodeRule(new NameMatcher(MatchKind.Exact, Normalize(args[0]), null), old, @new);
    }

    /// <summary>CoreDNS's isValidRCode: 0..23, or a mnemonic of miekg/dns's StringToRcode.</summary>
    private static bool TryParseRcode(string v, out int rcode)
    {
        if (ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            rcode = (int)Math.Min(n, int.MaxValue);
            return n <= 23;
        }
        rcode = v.ToUpperInvariant() switch
        {
            "NOERROR" => 0, "FORMERR" => 1, "SERVFAIL" => 2, "NXDOMAIN" => 3, "NOTIMP" => 4, "REFUSED" => 5,
            "YXDOMAIN" => 6, "YXRRSET" => 7, "NXRRSET" => 8, "NOTAUTH" => 9, "NOTZONE" => 10, "BADSIG" => 16,
            "BADVERS" => 16, "BADKEY" => 17, "BADTIME" => 18, "BADMODE" => 19, "BADNAME" => 20, "BADALG" => 21,
            "BADTRUNC" => 22, "BADCOOKIE" => 23, _ => -1,
        };
        return rcode >= 0;
    }

    private static RewriteRule CnameRule(string[] args)
    {
        string kind, from, to;
        if (args.Length == 3)
        {
            kind = args[0].ToLowerInvariant();
            if (kind is not ("exact" or "prefix" or "suffix" or "substring" or "regex")) throw new RuleException($"unknown cname rewrite type: {kind}");
            (from, to) = (args[1].ToLowerInvariant(), args[2].ToLowerInvariant());
        }
        else if (args.Length == 2)
        {
            kind = "exact";
            (from, to) = (args[0].ToLowerInvariant(), args[1].ToLowerInvariant());
        }
        else
        {
            throw new RuleException($"too few ({args.Length}) arguments for a cname rule");
        }
        if (kind == "exact") (from, to) = (Normalize(from), Normalize(to));
        Regex? re = null;
        if (kind == "regex")
        {
            if (from.Length > MaxRegexLength) throw new RuleException($"regex pattern too long in a cname rule: {from.Length} > {MaxRegexLength}");
            re = TryCompile(from) ?? throw new RuleException($"invalid cname rewrite regex pattern: error parsing regexp: {from}");
        }
        var matchKind = kind switch
        {
            "exact" => MatchKind.Exact,
            "prefix" => MatchKind.Prefix,
            "suffix" => MatchKind.Suffix,
            "substring" => MatchKind.Substring,
            _ => MatchKind.Regex,
        };
        return new CnameRule(matchKind, from, to, re);
    }
}
