using Akka.Actor;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Log;

/// <summary>
/// <c>log [NAMES...] [FORMAT] { class success|denial|error|all... }</c>, read as CoreDNS's logParse does. One
/// argument is always a name; with more, the last is the format when it contains a '{' ({common} and
/// {combined} expand inside it). Each NAME gives a rule; a block's classes apply to that line's rules. Several
/// log lines add rules; a query uses the first rule whose NAME it falls under.
/// </summary>
[Plugin("log")]
public sealed class LogSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var rules = new List<LogRule>();
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            var format = LogFormat.Default;
            var names = new List<string>();
            switch (args.Length)
            {
                case 0:
                    names.Add(DnsName.Root);
                    break;
                case 1:
                    names.Add(Fqdn(args[0]));
                    break;
                default:
                    var n = args.Length;
                    if (args[^1].Contains('{'))
                    {
                        format = args[^1].Replace("{common}", LogFormat.Common).Replace("{combined}", LogFormat.Combined);
                        n--;
                    }
                    for (var i = 0; i < n; i++) names.Add(Fqdn(args[i]));
                    break;
            }

            var classes = new HashSet<ResponseClass>();
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "class":
                        var cls = r.RemainingArgs();
                        if (cls.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        foreach (var c in cls)
                        {
                            if (!Responses.TryParseClass(c, out var parsed)) throw context.Error(r, $"invalid Class: {c}");
                            classes.Add(parsed);
                        }
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
            if (classes.Count == 0) classes.Add(ResponseClass.All);
            var parsedFormat = new LogFormat(format);
            foreach (var name in names) rules.Add(new LogRule(name, classes, parsedFormat));
        }
        return new LogPlugin(rules);
    }

    /// <summary>dns.Fqdn: adds the final dot when missing (case kept; matching ignores case).</summary>
    private static string Fqdn(string s) => s.EndsWith('.') ? s : s + ".";
}

/// <summary>Queries at or below <see cref="NameScope"/> whose reply falls in one of <see cref="Classes"/> are logged with <see cref="Format"/>.</summary>
public sealed record LogRule(string NameScope, IReadOnlySet<ResponseClass> Classes, LogFormat Format)
{
    /// <summary>Whether a reply of class <paramref name="c"/> is logged.</summary>
    public bool Logs(ResponseClass c) => Classes.Contains(ResponseClass.All) || Classes.Contains(c);
}

public sealed class LogPlugin(IReadOnlyList<LogRule> rules) : Plugin("log")
{
    public IReadOnlyList<LogRule> Rules { get; } = rules;

    public override Props HandlerProps(ChainLink? next) => LogActor.Props(Rules, next);
}
