using System.Globalization;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Hosts;

/// <summary>
/// <c>hosts [FILE [ZONES...]] { INLINE... ttl SECONDS; no_reverse; reload DURATION; fallthrough [ZONES...];
/// fallthrough_unsupported }</c>, read the way CoreDNS's hostsParse does: a relative FILE is taken from root
/// (the default /etc/hosts is not), ZONES default to the block's, and any line in the block that is not a
/// property is an inline hosts entry, until <c>fallthrough</c> has been seen; after it, an unknown word is an
/// error. Once per block.
/// </summary>
[Plugin("hosts")]
public sealed class HostsSetup : IPluginSetup
{
    public const string DefaultPath = "/etc/hosts";

    public Plugin Setup(SetupContext context)
    {
        var path = DefaultPath;
        IReadOnlyList<string> origins = context.Zones;
        uint ttl = 3600;
        var autoReverse = true;
        var reload = TimeSpan.FromSeconds(5);
        IReadOnlyList<string> fall = [];
        var fallUnsupported = false;
        var inline = new List<string>();
        DirectiveReader? last = null;

        foreach (var r in context.Readers())
        {
            last = r;
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length >= 1)
            {
                path = context.ResolvePath(args[0]);
                if (Directory.Exists(path)) LineLog.Warning($"plugin/hosts: Hosts file {GoNet.Quote(path)} is a directory");
                else if (!System.IO.File.Exists(path)) LineLog.Warning($"plugin/hosts: File does not exist: {path}");
                if (args.Length > 1) origins = ZoneMatch.NormalizeExact(args[1..], r);
            }

            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "fallthrough":
                        var zones = r.RemainingArgs();
                        fall = zones.Length == 0 ? ["."] : ZoneMatch.NormalizeExact(zones, r);
                        break;
                    case "fallthrough_unsupported":
                        if (r.RemainingArgs().Length != 0) throw context.Error(r, r.ArgErr().Detail);
                        fallUnsupported = true;
                        break;
                    case "no_reverse":
                        autoReverse = false;
                        break;
                    case "ttl":
                        ttl = ParseTtl(context, r);
                        break;
                    case "reload":
                        reload = ParseReload(context, r);
                        break;
                    default:
                        if (fall.Count == 0)
                        {
                            var first = r.Val;
                            var rest = r.RemainingArgs();
                            inline.Add(rest.Length == 0 ? first : first + " " + string.Join(' ', rest));
                            continue;
                        }

                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }

        if (fallUnsupported && fall.Count == 0) throw context.Error(last!, "fallthrough_unsupported requires fallthrough");

        var options = new HostsOptions(path, origins, ttl, autoReverse, reload, fall, fallUnsupported, context.Options.Debug);
        var inlineMap = inline.Count == 0
            ? HostsMap.Empty
            : HostsMap.Parse(new StringReader(string.Join('\n', inline)), origins, autoReverse);
        return new HostsPlugin(new HostsSource(options, inlineMap));
    }

    private static uint ParseTtl(SetupContext context, DirectiveReader r)
    {
        var args = r.RemainingArgs();
        if (args.Length < 1) throw context.Error(r, "ttl needs a time in second");
        // Go's strconv.Atoi: an optional sign and decimal digits, within 64 bits.
        if (!long.TryParse(args[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ttl))
            throw context.Error(r, "ttl needs a number of second");
        if (ttl is <= 0 or > 65535) throw context.Error(r, "ttl provided is invalid");
        return (uint)ttl;
    }

    private static TimeSpan ParseReload(SetupContext context, DirectiveReader r)
    {
        var args = r.RemainingArgs();
        if (args.Length != 1) throw context.Error(r, "reload needs a duration (zero seconds to disable)");
        if (!GoDuration.TryParse(args[0], out var ns, out _)) throw context.Error(r, $"invalid duration for reload '{args[0]}'");
        if (ns < 0) throw context.Error(r, $"invalid negative duration for reload '{args[0]}'");
        if (ns == 0) return TimeSpan.Zero;
        // A timer ticks at most every millisecond and at least every 49.7 days; Go's ticker has no such bounds.
        var ms = Math.Clamp(ns / 1_000_000, 1, uint.MaxValue - 1L);
        return TimeSpan.FromMilliseconds(ms);
    }
}

/// <summary>What one hosts directive configured. <paramref name="Fallthrough"/> empty means no fallthrough.</summary>
public sealed record HostsOptions(
    string Path,
    IReadOnlyList<string> Origins,
    uint Ttl,
    bool AutoReverse,
    TimeSpan Reload,
    IReadOnlyList<string> Fallthrough,
    bool FallthroughUnsupported,
    bool Debug)
{
    /// <summary>fall.F.Through: the name lies in one of the fallthrough zones.</summary>
    public bool FallsThrough(string qname) => HostsMap.InZones(Fallthrough, qname);
}

/// <summary>
/// The block's hosts plugin. It holds the <see cref="HostsSource"/> (the data and its reload timer), which every
/// pipeline replica's <see cref="HostsActor"/> reads; the source starts with the first actor or with the server,
/// whichever comes first, and stops with the plugin.
/// </summary>
public sealed class HostsPlugin(HostsSource source) : Plugin("hosts")
{
    public HostsSource Source { get; } = source;
    public HostsOptions Options => Source.Options;

    /// <summary>coredns_hosts_entries{hostsfile=PATH}: entries in the file plus the inline ones (metrics wait for prometheus).</summary>
    public int Entries => Source.Current.Entries;

    /// <summary>coredns_hosts_reload_timestamp_seconds: the file's modification time when it was last read.</summary>
    public double ReloadTimestampSeconds => Source.ReloadTimestampSeconds;

    public override Props HandlerProps(ChainLink? next)
    {
        Source.Start();
        return HostsActor.Props(Source, next);
    }

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        Source.Start();
        HostsMetrics.Start(this);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        HostsMetrics.Stop(this);
        Source.Stop();
        return Task.CompletedTask;
    }
}
