using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Header;

/// <summary>
/// <c>header { query|response set|clear aa|ra|rd... }</c>, read as CoreDNS's header parse does: each line is a
/// selector, an action and one or more flags; rules apply in order, so the last one touching a flag wins.
/// </summary>
[Plugin("header")]
public sealed class HeaderSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        Corefile.DirectiveReader? last = null;
        foreach (var r in context.Readers())
        {
            last = r;
            r.Next();
            var query = new List<HeaderRule>();
            var response = new List<HeaderRule>();
            while (r.NextBlock())
            {
                var selector = r.Val.ToLowerInvariant();
                var action = "";
                if (selector is "query" or "response")
                {
                    if (r.NextArg()) action = r.Val;
                }
                else
                {
                    throw context.Error(r, $"setting up rule: invalid selector={selector} should be query or response");
                }
                var rules = NewRules(action, r.RemainingArgs(), out var error);
                if (rules is null) throw context.Error(r, "setting up rule: " + error);
                (selector == "response" ? response : query).AddRange(rules);
            }
            if (query.Count > 0 || response.Count > 0) return new HeaderPlugin(new HeaderOptions(query, response));
        }
        throw context.Error(last!, last!.ArgErr().Detail);
    }

    private static List<HeaderRule>? NewRules(string action, string[] flags, out string error)
    {
        error = "";
        if (action.Length == 0)
        {
            error = "no flag action provided";
            return null;
        }
        if (flags.Length < 1)
        {
            error = "invalid length for flags, at least one should be provided";
            return null;
        }
        bool state;
        switch (action.ToLowerInvariant())
        {
            case "set": state = true; break;
            case "clear": state = false; break;
            default:
                error = $"unknown flag action={action.ToLowerInvariant()}, should be set or clear";
                return null;
        }
        var rules = new List<HeaderRule>(flags.Length);
        foreach (var f in flags)
        {
            var flag = f.ToLowerInvariant();
            var bit = flag switch
            {
                "aa" => HeaderRule.Aa,
                "ra" => HeaderRule.Ra,
                "rd" => HeaderRule.Rd,
                _ => (ushort)0,
            };
            if (bit == 0)
            {
                error = $"unknown/unsupported flag={flag}";
                return null;
            }
            rules.Add(new HeaderRule(bit, state));
        }
        return rules;
    }
}

/// <summary>Sets (<paramref name="State"/> true) or clears one header bit.</summary>
public readonly record struct HeaderRule(ushort Bit, bool State)
{
    public const ushort Aa = 0x0400, Rd = 0x0100, Ra = 0x0080;
}

/// <summary>The rules for queries and for responses, in Corefile order.</summary>
public sealed record HeaderOptions(IReadOnlyList<HeaderRule> Query, IReadOnlyList<HeaderRule> Response)
{
    /// <summary>Applies <paramref name="rules"/> in order to <paramref name="flags"/> (the last rule for a bit wins).</summary>
    public static ushort Apply(IReadOnlyList<HeaderRule> rules, ushort flags)
    {
        foreach (var rule in rules) flags = rule.State ? (ushort)(flags | rule.Bit) : (ushort)(flags & ~rule.Bit);
        return flags;
    }
}

public sealed class HeaderPlugin(HeaderOptions options) : Plugin("header")
{
    public HeaderOptions Options { get; } = options;

    public override Props HandlerProps(ChainLink? next) => HeaderActor.Props(Options, next);
}
