using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Dns.Server;

namespace Akka.Dns.Plugins.Rewrite;

/// <summary>What a rule sees of one query: the request, its current name lower-cased, and the EDNS options being edited.</summary>
internal sealed class RewriteQuery
{
    private string? _name;

    public DnsRequest Request { get; private set; } = null!;
    public EdnsEdit Edns { get; } = new();

    /// <summary>CoreDNS's state.Name(): the current query name, lower-cased once per change.</summary>
    public string Name => _name ??= Request.Query.Name.ToLowerInvariant();

    public void Reset(DnsRequest request)
    {
        Request = request;
        _name = null;
        Edns.Reset(request.Query);
    }

    public void SetName(string name)
    {
        Request.Query.Name = name;
        _name = null;
    }
}

/// <summary>One rewrite rule: changes the query and/or returns the response rules to apply on the way out.</summary>
public abstract class RewriteRule
{
    /// <summary><c>stop</c> (the default): the last rule applied; <c>continue</c>: later rules run too.</summary>
    public bool Stop { get; internal set; } = true;

    /// <summary>Null when the rule does not apply; else the response rules it asks for (maybe none).</summary>
    internal abstract IResponseRule[]? Rewrite(RewriteQuery q);

    private protected static readonly IResponseRule[] None = [];

    /// <summary>CoreDNS's {N} substitution of regex groups into a replacement.</summary>
    internal static string Substitute(string replacement, Match m)
    {
        var s = replacement;
        if (s.IndexOf('{') < 0) return s;
        for (var i = 0; i < m.Groups.Count; i++)
            s = s.Replace("{" + i.ToString(CultureInfo.InvariantCulture) + "}", m.Groups[i].Value, StringComparison.Ordinal);
        return s;
    }
}

internal enum MatchKind { Exact, Prefix, Suffix, Substring, Regex }

/// <summary>The name test of ttl and rcode rules (on the lower-cased current name).</summary>
internal sealed record NameMatcher(MatchKind Kind, string Value, Regex? Pattern)
{
    public bool Matches(string name) => Kind switch
    {
        MatchKind.Exact => name == Value,
        MatchKind.Prefix => name.StartsWith(Value, StringComparison.Ordinal),
        MatchKind.Suffix => name.EndsWith(Value, StringComparison.Ordinal),
        MatchKind.Substring => name.Contains(Value, StringComparison.Ordinal),
        _ => Pattern!.IsMatch(name),
    };
}

/// <summary>The name rules' common part: the response rules for <c>answer auto</c> (a remap of the new name back to the old) and the static ones.</summary>
internal abstract class NameRuleBase(bool auto, IResponseRule[] responses) : RewriteRule
{
    public bool Auto { get; } = auto;
    public IResponseRule[] Responses { get; } = responses;

    protected IResponseRule[] Done(string newName, string oldName)
    {
        if (!Auto) return Responses;
        var rewriter = new RemapRewriter(newName, oldName);
        var rules = new IResponseRule[2 + Responses.Length];
        rules[0] = new NameResponseRule(rewriter);
        rules[1] = new ValueResponseRule(rewriter);
        Responses.CopyTo(rules, 2);
        return rules;
    }
}

internal sealed class ExactNameRule(string from, string to, IResponseRule[] responses) : NameRuleBase(true, responses)
{
    public string From { get; } = from;
    public string To { get; } = to;

    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        var name = q.Name;
        if (name != From) return null;
        q.SetName(To);
        return Done(To, name);
    }
}

internal sealed class PrefixNameRule(string prefix, string to, bool auto, IResponseRule[] responses) : NameRuleBase(auto, responses)
{
    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        var name = q.Name;
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var n = to + name[prefix.Length..];
        q.SetName(n);
        return Done(n, name);
    }
}

/// <summary>For a suffix rule, <c>answer auto</c> is the suffix swapped back (fixed at setup).</summary>
internal sealed class SuffixNameRule(string suffix, string to, bool auto, IResponseRule[] responses)
    : NameRuleBase(false, auto ? [new NameResponseRule(new SuffixRewriter(to, suffix)), new ValueResponseRule(new SuffixRewriter(to, suffix)), .. responses] : responses)
{
    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        var name = q.Name;
        if (!name.EndsWith(suffix, StringComparison.Ordinal)) return null;
        q.SetName(string.Concat(name.AsSpan(0, name.Length - suffix.Length), to));
        return Responses;
    }
}

internal sealed class SubstringNameRule(string substring, string to, bool auto, IResponseRule[] responses) : NameRuleBase(auto, responses)
{
    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        var name = q.Name;
        if (!name.Contains(substring, StringComparison.Ordinal)) return null;
        var n = name.Replace(substring, to, StringComparison.Ordinal);
        q.SetName(n);
        return Done(n, name);
    }
}

internal sealed class RegexNameRule(Regex pattern, string replacement, bool auto, IResponseRule[] responses) : NameRuleBase(auto, responses)
{
    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        var name = q.Name;
        var m = pattern.Match(name);
        if (!m.Success) return null;
        var n = Substitute(replacement, m);
        q.SetName(n);
        return Done(n, name);
    }
}

internal sealed class TypeRule(ushort from, ushort to) : RewriteRule
{
    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        if (q.Request.Query.Type != from) return null;
        q.Request.Query.Type = to;
        return None;
    }
}

internal sealed class ClassRule(ushort from, ushort to) : RewriteRule
{
    internal override IResponseRule[]? Rewrite(RewriteQuery q)
    {
        if (q.Request.Query.Class != from) return null;
        q.Request.Query.Class = to;
        return None;
    }
}

internal sealed class TtlRule(NameMatcher matcher, uint min, uint max) : RewriteRule
{
    private readonly IResponseRule[] _rules = [new TtlResponseRule(min, max)];

    public uint Min { get; } = min;
    public uint Max { get; } = max;

    internal override IResponseRule[]? Rewrite(RewriteQuery q) => matcher.Matches(q.Name) ? _rules : null;
}

internal sealed class RcodeRule(NameMatcher matcher, int old, int @new) : RewriteRule
{
    private readonly IResponseRule[] _rules = [new RcodeResponseRule(old, @new)];

    internal override IResponseRule[]? Rewrite(RewriteQuery q) => matcher.Matches(q.Name) ? _rules : null;
}

/// <summary>
/// <c>cname [TYPE] FROM TO</c>: in the reply, a CNAME whose target matches is retargeted and the new target is
/// looked up through the whole server; the answer keeps the CNAMEs up to that one, then the new target's answer.
/// The actor does this (it needs a lookup); the rule only marks the query.
/// </summary>
internal sealed class CnameRule(MatchKind kind, string from, string to, Regex? pattern) : RewriteRule
{
    private readonly IResponseRule[] _marker = [CnameMarker.Instance];

    internal override IResponseRule[]? Rewrite(RewriteQuery q) => from.Length > 0 && to.Length > 0 ? _marker : null;

    /// <summary>CoreDNS's getFromAndToTarget: the new target for <paramref name="target"/>, or null.</summary>
    public string? NewTarget(string target)
    {
        switch (kind)
        {
            case MatchKind.Exact:
                return target == from ? to : null;
            case MatchKind.Prefix:
                return target.StartsWith(from, StringComparison.Ordinal) ? to + target[from.Length..] : null;
            case MatchKind.Suffix:
                return target.EndsWith(from, StringComparison.Ordinal) ? string.Concat(target.AsSpan(0, target.Length - from.Length), to) : null;
            case MatchKind.Substring:
                return target.Contains(from, StringComparison.Ordinal) ? target.Replace(from, to, StringComparison.Ordinal) : null;
            default:
                var m = pattern!.Match(target);
                return m.Success ? Substitute(to, m) : null;
        }
    }
}
