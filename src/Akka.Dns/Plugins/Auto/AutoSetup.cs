using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Auto;

/// <summary>
/// <c>auto [ZONES...] { directory DIR [REGEXP ORIGIN_TEMPLATE]; reload DURATION }</c>, as CoreDNS's autoParse. The
/// directive may be repeated in a block, as in CoreDNS, where the occurrences configure one instance: the last
/// ZONES and the last <c>directory</c> win, a REGEXP or <c>reload</c> holds until another replaces it. The directory
/// is walked once here, so the block starts with its zones loaded (CoreDNS walks at start-up); an error in a zone
/// file never stops start-up.
/// </summary>
[Plugin("auto")]
public sealed class AutoSetup : IPluginSetup
{
    /// <summary>CoreDNS's maxRegexpLen.</summary>
    public const int MaxRegexpLength = 10000;

    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        IReadOnlyList<string> origins = context.Zones;
        var directory = "";
        var regex = new Regex(@"db\.(.*)", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        var template = "${1}";
        TimeSpan? reload = null;
        foreach (var r in context.Readers())
        {
            r.Next();
            origins = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "directory":
                    {
                        if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        directory = context.ResolvePath(r.Val);
                        if (!System.IO.Directory.Exists(directory) && !System.IO.File.Exists(directory))
                            LineLog.Warning($"plugin/auto: Directory does not exist: {directory}");
                        if (r.NextArg())
                        {
                            if (r.Val.Length > MaxRegexpLength) throw context.Error(r, "regexp too large");
                            if (!GoRegexp.TryCompile(r.Val, out var re, out var why)) throw context.Error(r, why);
                            if (GoRegexp.NumSubexp(re!) == 0) throw context.Error(r, "Need at least one sub expression");
                            if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                            regex = re!;
                            template = GoRegexp.RewriteToExpand(r.Val);
                        }
                        if (r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        break;
                    }
                    case "reload":
                    {
                        var t = r.RemainingArgs();
                        if (t.Length < 1) throw context.Error(r, "reload duration value is expected");
                        if (!GoDuration.TryParse(t[0], out var ns, out var why)) throw context.Error(r, $"plugin/file: {why}");
                        if (ns < 0) throw context.Error(r, "plugin/file: invalid duration");
                        reload = GoDuration.ToTimeSpan(ns);
                        break;
                    }
                    case "upstream":
                        r.RemainingArgs();   // accepted and ignored, as CoreDNS does
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        var loader = new AutoLoader(directory, regex, template, origins);
        loader.Walk();
        return new AutoPlugin(loader, reload ?? TimeSpan.FromMinutes(1));
    }
}

/// <summary>
/// One auto instance of a block: the loader (owned by <see cref="AutoOwnerActor"/> once started) and the zone set it
/// publishes, read by every <see cref="AutoActor"/> replica and by transfer.
/// </summary>
public sealed class AutoPlugin(AutoLoader loader, TimeSpan reload) : Plugin("auto"), ITransferer
{
    private IActorRef? _owner;

    public AutoLoader Loader { get; } = loader;

    /// <summary>How often the directory is walked; zero walks only at start-up.</summary>
    public TimeSpan Reload { get; } = reload;

    /// <summary>The zones auto is authoritative for (its ZONES, or the block's).</summary>
    public IReadOnlyList<string> Origins => Loader.Zones;

    /// <summary>The zones loaded right now.</summary>
    public ZoneSet Current => Loader.Current;

    public override Props HandlerProps(ChainLink? next) => AutoActor.Props(this, next);

    /// <summary>The loaded zones (CoreDNS's auto.Transfer knows no others: ErrNotAuthoritative, transfer goes on).</summary>
    public IEnumerable<string> TransferZones => Current.Origins;

    public Zone? GetZone(string origin) => Current.Get(origin);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        if (Reload > TimeSpan.Zero && _owner is null) _owner = host.System.ActorOf(AutoOwnerActor.Props(Loader, Reload));
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        _owner?.Tell(PoisonPill.Instance);
        _owner = null;
        return Task.CompletedTask;
    }
}
