using System.Text;
using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Chaos;

/// <summary>
/// <c>chaos [VERSION] [AUTHORS...]</c>, read the way CoreDNS's chaos parse does: no arguments gives the default
/// version; one gives the version; more give the version and the authors (deduplicated, sorted). Every string
/// is cut to 255 octets (one TXT character-string) except, as in CoreDNS, a version followed by authors.
/// </summary>
[Plugin("chaos")]
public sealed class ChaosSetup : IPluginSetup
{
    /// <summary>Who answers authors.bind. when the Corefile names nobody (CoreDNS uses its OWNERS file; we have none).</summary>
    public static readonly IReadOnlyList<string> Owners = [];

    /// <summary>"Akka.Dns-0.1.0": CoreDNS's AppName-AppVersion with our name and assembly version.</summary>
    public static string DefaultVersion { get; } =
        "Akka.Dns-" + (typeof(ChaosSetup).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    public Plugin Setup(SetupContext context)
    {
        var options = new ChaosOptions(Trim(DefaultVersion), Owners);
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length == 1)
            {
                options = options with { Version = Trim(args[0]) };
            }
            else if (args.Length > 1)
            {
                var authors = new SortedSet<string>(StringComparer.Ordinal);
                for (var i = 1; i < args.Length; i++) authors.Add(Trim(args[i]));
                options = new ChaosOptions(args[0], [.. authors]);
            }
            if (r.NextBlock()) throw context.Error(r, $"unknown property '{r.Val}'");
        }
        return new ChaosPlugin(options);
    }

    /// <summary>Cuts <paramref name="s"/> to at most 255 UTF-8 octets, on a character boundary.</summary>
    internal static string Trim(string s)
    {
        if (Encoding.UTF8.GetByteCount(s) < 256) return s;
        var n = 0;
        var i = 0;
        while (i < s.Length)
        {
            var step = char.IsSurrogatePair(s, i) ? 2 : 1;
            var bytes = Encoding.UTF8.GetByteCount(s.AsSpan(i, step));
            if (n + bytes > 255) break;
            n += bytes;
            i += step;
        }
        return s[..i];
    }
}

/// <summary>What chaos answers: the version string and the authors.</summary>
public sealed record ChaosOptions(string Version, IReadOnlyList<string> Authors);

public sealed class ChaosPlugin(ChaosOptions options) : Plugin("chaos")
{
    public ChaosOptions Options { get; } = options;

    /// <summary>chaos lets CH-class queries through the server's class check.</summary>
    public override bool OpensNonInClasses => true;

    public override Props HandlerProps(ChainLink? next) => ChaosActor.Props(Options, next);
}
