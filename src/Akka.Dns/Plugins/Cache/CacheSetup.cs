using System.Globalization;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Cache;

/// <summary>
/// <c>cache [TTL] [ZONES...] { success CAPACITY [TTL] [MINTTL]; denial CAPACITY [TTL] [MINTTL];
/// prefetch AMOUNT [[DURATION] [PERCENTAGE%]]; serve_stale [DURATION] [immediate [RESPONSE_TTL [FAILURE_RECHECK]] |
/// verify [VERIFY_TIMEOUT [RESPONSE_TTL [FAILURE_RECHECK]]]]; serve_stale_policy prefer_positive; servfail DURATION;
/// disable success|denial [ZONES...]; keepttl }</c>, with CoreDNS's cacheParse errors.
/// </summary>
[Plugin("cache")]
public sealed class CacheSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var o = new CacheOptions();
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length > 0 && GoStrconv.TryAtoi(args[0], out var ttl, out _))
            {
                if (ttl <= 0) throw context.Error(r, $"cache TTL can not be zero or negative: {ttl}");
                o = o with { SuccessTtl = Seconds(ttl), DenialTtl = Seconds(ttl) };
                args = args[1..];
            }
            o = o with { Zones = ZoneMatch.FromArgsOrBlock(args, context, r) };
            var serveStale = false;
            var policy = false;

            while (r.NextBlock())
            {
                var property = r.Val;
                switch (property)
                {
                    case "success":
                    case "denial":
                    {
                        var a = r.RemainingArgs();
                        if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        var capacity = Int(context, r, a[0]);
                        var max = property == "success" ? o.SuccessTtl : o.DenialTtl;
                        var min = property == "success" ? o.SuccessMinTtl : o.DenialMinTtl;
                        if (a.Length > 1)
                        {
                            var t = Int(context, r, a[1]);
                            if (t <= 0) throw context.Error(r, $"cache TTL can not be zero or negative: {t}");
                            max = Seconds(t);
                            if (a.Length > 2)
                            {
                                var m = Int(context, r, a[2]);
                                if (m < 0) throw context.Error(r, $"cache min TTL can not be negative: {m}");
                                min = Seconds(m);
                            }
                        }
                        var cap = (int)Math.Clamp(capacity, int.MinValue, int.MaxValue);
                        o = property == "success"
                            ? o with { SuccessCapacity = cap, SuccessTtl = max, SuccessMinTtl = min }
                            : o with { DenialCapacity = cap, DenialTtl = max, DenialMinTtl = min };
                        break;
                    }
                    case "prefetch":
                    {
                        var a = r.RemainingArgs();
                        if (a.Length is 0 or > 3) throw context.Error(r, r.ArgErr().Detail);
                        var amount = Int(context, r, a[0]);
                        if (amount < 0) throw context.Error(r, $"prefetch amount should be positive: {amount}");
                        o = o with { Prefetch = (int)Math.Min(amount, int.MaxValue) };
                        if (a.Length > 1) o = o with { PrefetchDuration = Duration(context, r, a[1]) };
                        if (a.Length > 2)
                        {
                            var pct = a[2];
                            if (pct.Length == 0 || pct[^1] != '%')
                                throw context.Error(r, $"last character of percentage should be `%`, but is: '{(pct.Length == 0 ? "" : pct[^1..])}'");
                            var num = Int(context, r, pct[..^1]);
                            if (num is < 10 or > 90) throw context.Error(r, $"percentage should fall in range [10, 90]: {num}");
                            o = o with { PrefetchPercentage = (int)num };
                        }
                        break;
                    }
                    case "serve_stale":
                        serveStale = true;
                        o = ServeStale(context, r, o);
                        break;
                    case "serve_stale_policy":
                    {
                        if (policy) throw context.Error(r, "serve_stale_policy can only be specified once");
                        policy = true;
                        var a = r.RemainingArgs();
                        if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        if (!a[0].Equals("prefer_positive", StringComparison.OrdinalIgnoreCase))
                            throw context.Error(r, $"invalid serve_stale_policy: {a[0]}");
                        o = o with { PreferPositive = true };
                        break;
                    }
                    case "servfail":
                    {
                        var a = r.RemainingArgs();
                        if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        var d = Duration(context, r, a[0]);
                        if (d < TimeSpan.Zero) throw context.Error(r, "invalid negative ttl for servfail");
                        // RFC 2308 prohibits caching SERVFAIL longer than 5 minutes.
                        if (d > TimeSpan.FromMinutes(5)) throw context.Error(r, "caching SERVFAIL responses over 5 minutes is not permitted");
                        o = o with { ServfailTtl = d };
                        break;
                    }
                    case "disable":
                    {
                        var a = r.RemainingArgs();
                        if (a.Length < 1) throw context.Error(r, r.ArgErr().Detail);
                        var zones = new List<string>();
                        if (a.Length > 1)
                            foreach (var z in a.AsSpan(1)) zones.Add(DnsName.Normalize(z));
                        else zones.Add(DnsName.Root);
                        o = a[0] switch
                        {
                            "denial" => o with { DenialExcept = zones },
                            "success" => o with { SuccessExcept = zones },
                            _ => throw context.Error(r, "cache type for disable must be \"success\" or \"denial\""),
                        };
                        break;
                    }
                    case "keepttl":
                        if (r.RemainingArgs().Length != 0) throw context.Error(r, r.ArgErr().Detail);
                        o = o with { KeepTtl = true };
                        break;
                    default:
                        throw context.Error(r, r.ArgErr().Detail);
                }
            }
            if (policy && !serveStale) throw context.Error(r, "serve_stale_policy requires serve_stale");
        }
        var plugin = new CachePlugin(o) { Server = Prometheus.BlockLabels.Server(context), BlockOptions = context.Options };
        plugin.Store.RefreshTimeout = context.Settings.RequestTimeout;
        return plugin;
    }

    private static CacheOptions ServeStale(SetupContext context, DirectiveReader r, CacheOptions o)
    {
        var a = r.RemainingArgs();
        if (a.Length > 5) throw context.Error(r, r.ArgErr().Detail);
        o = o with { StaleUpTo = TimeSpan.FromHours(1), StaleTtl = TimeSpan.Zero, StaleRecheck = TimeSpan.Zero, VerifyStale = false, VerifyStaleTimeout = TimeSpan.Zero };
        if (a.Length > 0)
        {
            var d = Duration(context, r, a[0]);
            if (d < TimeSpan.Zero) throw context.Error(r, "invalid negative duration for serve_stale");
            o = o with { StaleUpTo = d };
        }
        if (a.Length > 1)
        {
            var mode = a[1].ToLowerInvariant();
            if (mode is not ("immediate" or "verify")) throw context.Error(r, $"invalid value for serve_stale refresh mode: {mode}");
            o = o with { VerifyStale = mode == "verify" };
        }
        if (a.Length > 2)
        {
            var i = 2;
            if (o.VerifyStale)
            {
                if (!GoDuration.TryParse(a[2], out var ns, out var error))
                    throw context.Error(r, $"invalid serve_stale verify timeout: {error}");
                if (ns < 0) throw context.Error(r, "invalid negative timeout for serve_stale verify");
                o = o with { VerifyStaleTimeout = GoDuration.ToTimeSpan(ns) };
                i = 3;
            }
            else if (a.Length > 4)
            {
                throw context.Error(r, r.ArgErr().Detail);
            }
            if (a.Length > i) o = o with { StaleTtl = StaleTtl(context, r, a[i]) };
            if (a.Length > i + 1) o = o with { StaleRecheck = StaleRecheck(context, r, a[i + 1]) };
        }
        return o;
    }

    private static TimeSpan StaleTtl(SetupContext context, DirectiveReader r, string value)
    {
        if (!GoDuration.TryParse(value, out var ns, out var error)) throw context.Error(r, $"invalid serve_stale response TTL: {error}");
        if (ns < 0) throw context.Error(r, "invalid negative response TTL for serve_stale");
        if (ns % 1_000_000_000 != 0) throw context.Error(r, "serve_stale response TTL must be a whole number of seconds");
        if (ns / 1_000_000_000 > uint.MaxValue) throw context.Error(r, "serve_stale response TTL exceeds the DNS TTL range");
        return GoDuration.ToTimeSpan(ns);
    }

    private static TimeSpan StaleRecheck(SetupContext context, DirectiveReader r, string value)
    {
        if (!GoDuration.TryParse(value, out var ns, out var error)) throw context.Error(r, $"invalid serve_stale failure recheck: {error}");
        if (ns < 0) throw context.Error(r, "invalid negative failure recheck for serve_stale");
        if (ns > 300_000_000_000) throw context.Error(r, "serve_stale failure recheck cannot exceed 5 minutes");
        return GoDuration.ToTimeSpan(ns);
    }

    private static TimeSpan Seconds(long s) => TimeSpan.FromSeconds(s);

    private static long Int(SetupContext context, DirectiveReader r, string s) =>
        GoStrconv.TryAtoi(s, out var n, out var error) ? n : throw context.Error(r, error);

    private static TimeSpan Duration(SetupContext context, DirectiveReader r, string s) =>
        GoDuration.TryParse(s, out var ns, out var error) ? GoDuration.ToTimeSpan(ns) : throw context.Error(r, error);
}

/// <summary>One block's cache: its options and its one store, shared by every pipeline replica's actor.</summary>
public sealed class CachePlugin : Plugin
{
    public CachePlugin(CacheOptions options) : base("cache")
    {
        Options = options;
        Store = new CacheStore(options);
    }

    public CacheOptions Options { get; }
    public CacheStore Store { get; }

    /// <summary>The metrics' server label (the block's first listen address) and the block's options (view).</summary>
    public string Server { get; init; } = "";
    public BlockOptions BlockOptions { get; init; } = new();

    public override Props HandlerProps(ChainLink? next) => CacheActor.Props(Store, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        CacheMetrics.Start(this);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        CacheMetrics.Stop(this);
        return Task.CompletedTask;
    }
}
