using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Rewrite;

/// <summary>
/// <c>rewrite [continue|stop] FIELD ...</c>, once per rule (the directive may repeat; rules run in line order). A line
/// with fewer than two arguments takes the tokens of its block as its arguments, as CoreDNS's rewriteParse does.
/// Every rule, regex included, is built here; the query path only runs them.
/// </summary>
[Plugin("rewrite")]
public sealed class RewriteSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var rules = new List<RewriteRule>();
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = new List<string>(r.RemainingArgs());
            if (args.Count < 2)
            {
                while (r.NextBlock())
                {
                    args.Add(r.Val);
                    args.AddRange(r.RemainingArgs());
                }
            }
            try
            {
                rules.Add(RuleParser.NewRule([.. args]));
            }
            catch (RuleException e)
            {
                throw context.Error(r, e.Message);
            }
        }
        return new RewritePlugin(rules.ToArray());
    }
}

/// <summary>A rule that does not parse; the message is CoreDNS's.</summary>
public sealed class RuleException(string message) : Exception(message);

public sealed class RewritePlugin(RewriteRule[] rules) : Plugin("rewrite")
{
    public IReadOnlyList<RewriteRule> Rules { get; } = rules;

    public override Props HandlerProps(ChainLink? next) => RewriteActor.Props(rules, next);
}
