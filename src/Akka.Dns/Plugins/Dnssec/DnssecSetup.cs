using Akka.Actor;
using Akka.Dns.Dnssec;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Dnssec;

/// <summary>What <c>dnssec</c> was configured with.</summary>
public sealed record DnssecOptions
{
    /// <summary>dnssec.go defaultCap.</summary>
    public const int DefaultCapacity = 10000;

    public IReadOnlyList<string> Zones { get; init; } = [];
    /// <summary>The base names of the key pairs (root applied), in order.</summary>
    public IReadOnlyList<string> KeyFiles { get; init; } = [];
    public int Capacity { get; init; } = DefaultCapacity;
}

/// <summary>
/// <c>dnssec [ZONES...] { key file KEY...; cache_capacity CAPACITY }</c>, once per block, parsed as CoreDNS's
/// dnssecParse: keys are read (and checked against the zones) at setup, with CoreDNS's errors.
/// <c>key aws_secretsmanager</c> is refused: there is no AWS client here.
/// </summary>
[Plugin("dnssec")]
public sealed class DnssecSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var o = new DnssecOptions();
        var texts = new List<(string, string, string, string)>();
        foreach (var r in context.Readers())
        {
            r.Next();
            o = o with { Zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r) };
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "key":
                    {
                        if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        var source = r.Val;
                        var keys = r.RemainingArgs();
                        switch (source)
                        {
                            case "file":
                                if (keys.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                                var files = new List<string>(o.KeyFiles);
                                foreach (var k in keys)
                                {
                                    var b = context.ResolvePath(KeyFile.BaseName(k));
                                    try
                                    {
                                        var t = (KeyFile.ReadText(b + ".key"), KeyFile.ReadText(b + ".private"), b + ".key", b + ".private");
                                        // Checked here to point at this line; the KeyRing parses them again.
                                        using (var key = KeyFile.Parse(t.Item1, t.Item2, t.Item3, t.Item4))
                                            KeyFile.CheckZones([key], o.Zones);
                                        texts.Add(t);
                                    }
                                    catch (DnssecKeyException e)
                                    {
                                        throw context.Error(r, e.Message);
                                    }
                                    files.Add(b);
                                }
                                o = o with { KeyFiles = files };
                                break;
                            case "aws_secretsmanager":
                                if (keys.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                                throw context.Error(r, "key aws_secretsmanager is not supported: use key file with the key's .key and .private files");
                            default:
                                throw context.Error(r, $"unknown key source '{source}': use key file");
                        }
                        break;
                    }
                    case "cache_capacity":
                    {
                        if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        if (!GoStrconv.TryAtoi(r.Val, out var n, out var error)) throw context.Error(r, error);
                        o = o with { Capacity = (int)Math.Clamp(n, int.MinValue, int.MaxValue) };
                        break;
                    }
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }

            var ring = texts.Count == 0 ? KeyRing.Empty : new KeyRing(texts);
            return new DnssecPlugin(o, ring) { Server = Prometheus.BlockLabels.Server(context) };
        }
        throw new InvalidOperationException("dnssec: no directive");
    }
}

/// <summary>One block's dnssec: its keys, its signature cache and the signer every pipeline replica shares.</summary>
public sealed class DnssecPlugin : Plugin
{
    private Timer? _clean;

    public DnssecPlugin(DnssecOptions options, KeyRing keys) : base("dnssec")
    {
        Options = options;
        Cache = new SignatureCache(options.Capacity);
        Signer = new DnssecSigner(options.Zones, keys, Cache);
    }

    public DnssecOptions Options { get; }
    public SignatureCache Cache { get; }
    public DnssecSigner Signer { get; }
    public KeyRing Keys => Signer.Keys;

    /// <summary>The metrics' server label (the block's first listen address).</summary>
    public string Server { get; init; } = "";

    public override Props HandlerProps(ChainLink? next) => DnssecActor.Props(Signer, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        DnssecMetrics.Start(this);
        // cache.go periodicClean: every 8 hours, drop the signatures due for refresh.
        var every = TimeSpan.FromHours(8);
        _clean = new Timer(static s =>
        {
            var p = (DnssecPlugin)s!;
            p.Cache.Clean(p.Signer.Clock.GetUtcNow().ToUnixTimeSeconds());
        }, this, every, every);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        _clean?.Dispose();
        DnssecMetrics.Stop(this);
        return Task.CompletedTask;
    }
}
