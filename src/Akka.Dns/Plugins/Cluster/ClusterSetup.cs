using System.Globalization;
using Akka.Actor;
using Akka.Dns.Cluster;
using Akka.Dns.Corefile;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Cluster;

/// <summary>
/// <c>cluster [ZONES...] { ttl SECONDS; fallthrough [ZONES...] }</c>: ZONES default to the block's; ttl is 0..3600
/// (default 5), worded as CoreDNS's kubernetes plugin words it. Once per block.
/// </summary>
[Plugin("cluster")]
public sealed class ClusterSetup : IPluginSetup
{
    public const uint DefaultTtl = 5;

    public Plugin Setup(SetupContext context)
    {
        IReadOnlyList<string> zones = context.Zones;
        var ttl = DefaultTtl;
        var fall = Fallthrough.Never;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            zones = ZoneMatch.FromArgsOrBlock(args, context, r);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "ttl":
                        ttl = ParseTtl(context, r);
                        break;
                    case "fallthrough":
                        fall = Fallthrough.FromArgs(r.RemainingArgs(), r);
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        return new ClusterPlugin(new ClusterOptions(zones, ttl, fall));
    }

    private static uint ParseTtl(SetupContext context, DirectiveReader r)
    {
        var args = r.RemainingArgs();
        if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
        var s = args[0];
        var digits = s.Length > 0 && s[0] is '+' or '-' ? s[1..] : s;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            throw context.Error(r, $"strconv.Atoi: parsing {GoNet.Quote(s)}: invalid syntax");
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var t))
            throw context.Error(r, $"strconv.Atoi: parsing {GoNet.Quote(s)}: value out of range");
        if (t is < 0 or > 3600) throw context.Error(r, $"ttl must be in range [0, 3600]: {t}");
        return (uint)t;
    }
}

/// <summary>What one cluster directive configured.</summary>
public sealed record ClusterOptions(IReadOnlyList<string> Zones, uint Ttl, Fallthrough Fallthrough);

/// <summary>The block's cluster plugin: every pipeline replica's <see cref="ClusterActor"/> reads <see cref="DnsMembership"/>.</summary>
public sealed class ClusterPlugin(ClusterOptions options) : Plugin("cluster")
{
    public ClusterOptions Options { get; } = options;

    public override Props HandlerProps(ChainLink? next) => ClusterActor.Props(Options, next);
}
