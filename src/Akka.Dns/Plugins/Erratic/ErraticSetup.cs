using System.Globalization;
using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Erratic;

/// <summary>
/// <c>erratic { drop [AMOUNT]; truncate [AMOUNT]; delay [AMOUNT [DURATION]]; large }</c>, parsed as CoreDNS's
/// parseErratic: drop defaults to 1 in 2, unless delay or truncate is given without drop.
/// </summary>
[Plugin("erratic")]
public sealed class ErraticSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        ulong drop = 2, delay = 0, truncate = 0;
        var duration = TimeSpan.Zero;
        var large = false;
        var sawDrop = false;
        foreach (var r in context.Readers())
        {
            r.Next();
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "drop":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length > 1) throw context.Error(r, r.ArgErr().Detail);
                        if (args.Length == 0) continue;
                        drop = Amount(context, r, args[0]);
                        sawDrop = true;
                        break;
                    }
                    case "delay":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length > 2) throw context.Error(r, r.ArgErr().Detail);
                        delay = 2;
                        duration = TimeSpan.FromMilliseconds(100);
                        if (args.Length == 0) continue;
                        delay = Amount(context, r, args[0]);
                        if (args.Length > 1)
                        {
                            if (!GoDuration.TryParse(args[1], out var ns, out var error)) throw context.Error(r, error);
                            duration = GoDuration.ToTimeSpan(ns);
                        }
                        break;
                    }
                    case "truncate":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length > 1) throw context.Error(r, r.ArgErr().Detail);
                        truncate = 2;
                        if (args.Length == 0) continue;
                        truncate = Amount(context, r, args[0]);
                        break;
                    }
                    case "large":
                        large = true;
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        // delay or truncate without an explicit drop: no dropping.
        if ((delay > 0 || truncate > 0) && !sawDrop) drop = 0;
        return new ErraticPlugin(new ErraticOptions(drop, delay, truncate, duration < TimeSpan.Zero ? TimeSpan.Zero : duration, large));
    }

    /// <summary>Go's strconv.ParseInt(s, 10, 32) and CoreDNS's negative check, with their messages.</summary>
    internal static ulong Amount(SetupContext context, Corefile.DirectiveReader r, string arg)
    {
        if (!long.TryParse(arg, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
        {
            var digits = arg.Length > 0 && arg.TrimStart('+', '-').Length > 0 && arg.TrimStart('+', '-').All(char.IsAsciiDigit) && arg.Length - arg.TrimStart('+', '-').Length <= 1;
            throw context.Error(r, $"strconv.ParseInt: parsing {GoNet.Quote(arg)}: {(digits ? "value out of range" : "invalid syntax")}");
        }
        if (v is > int.MaxValue or < int.MinValue) throw context.Error(r, $"strconv.ParseInt: parsing {GoNet.Quote(arg)}: value out of range");
        if (v < 0) throw context.Error(r, $"illegal amount value given {GoNet.Quote(arg)}");
        return (ulong)v;
    }
}

/// <summary>1 in <see cref="Drop"/> queries dropped, 1 in <see cref="Delay"/> delayed by <see cref="Duration"/>, 1 in <see cref="Truncate"/> truncated (0 = never).</summary>
public sealed record ErraticOptions(ulong Drop, ulong Delay, ulong Truncate, TimeSpan Duration, bool Large);

/// <summary>One query counter per plugin instance, shared by every pipeline replica of the block (CoreDNS's atomic counter).</summary>
public sealed class ErraticCounter
{
    private long _next;

    /// <summary>This query's number, counted from 0.</summary>
    public ulong Take() => (ulong)(Interlocked.Increment(ref _next) - 1);
}

public sealed class ErraticPlugin(ErraticOptions options) : Plugin("erratic")
{
    public ErraticOptions Options { get; } = options;
    public ErraticCounter Counter { get; } = new();

    /// <summary>Always ready (CoreDNS: erratic implements ready.Readiness and returns true).</summary>
    public override bool? Ready => true;

    public override Props HandlerProps(ChainLink? next) => ErraticActor.Props(Options, Counter, next);
}
