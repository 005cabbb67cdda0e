using System.Globalization;

namespace Akka.Dns.Plugins.Timeouts;

/// <summary>
/// <c>timeouts { read D; write D; idle D; maxtcpqueries N }</c>: the stream transports' timeouts (1s..24h; a bare
/// number is seconds) and the queries served per TCP connection (-1 = unlimited). At least one is required.
/// </summary>
[Plugin("timeouts")]
public sealed class TimeoutsSetup : IPluginSetup
{
    private const long Second = 1_000_000_000;
    private const long Day = 24 * 3600 * Second;

    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var o = context.Options;
        foreach (var r in context.Readers())
        {
            r.Next();
            if (r.RemainingArgs().Length > 0) throw context.Error(r, r.ArgErr().Detail);

            var count = 0;
            while (r.NextBlock())
            {
                var option = r.Val;
                var args = r.RemainingArgs();
                if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);

                if (option == "maxtcpqueries")
                {
                    if (!GoStrconv.TryAtoi(args[0], out var n, out var why))
                        throw context.Error(r, $"invalid value for maxtcpqueries '{args[0]}': {why}");
                    if (n == 0 || n < -1)
                        throw context.Error(r, $"maxtcpqueries provided '{n}' needs to be -1 (unlimited) or a positive integer");
                    o.MaxTcpQueries = n > int.MaxValue ? int.MaxValue : (int)n;
                    count++;
                    continue;
                }

                // As in CoreDNS the value is checked before the option's name.
                if (!GoDuration.TryParseArg(args[0], out var ns, out var error)) throw context.Error(r, error);
                if (ns < Second || ns > Day)
                    throw context.Error(r, $"timeout provided '{GoDuration.Format(ns)}' needs to be between 1 second and 24 hours");
                var timeout = GoDuration.ToTimeSpan(ns);
                switch (option)
                {
                    case "read":
                        o.ReadTimeout = timeout;
                        break;
                    case "write":
                        o.WriteTimeout = timeout;
                        break;
                    case "idle":
                        o.IdleTimeout = timeout;
                        break;
                    default:
                        throw context.Error(r, $"unknown option: '{option}'");
                }

                count++;
            }

            if (count == 0) throw context.Error(r, "timeouts block with no timeouts specified");
        }

        return new TimeoutsPlugin(o.ReadTimeout, o.WriteTimeout, o.IdleTimeout, o.MaxTcpQueries);
    }
}

/// <summary>What the block's TCP listener reads (through <see cref="BlockOptions"/>); null = the HOCON default.</summary>
public sealed class TimeoutsPlugin(TimeSpan? read, TimeSpan? write, TimeSpan? idle, int? maxTcpQueries) : SetupOnlyPlugin("timeouts")
{
    public TimeSpan? Read { get; } = read;
    public TimeSpan? Write { get; } = write;
    public TimeSpan? Idle { get; } = idle;
    public int? MaxTcpQueries { get; } = maxTcpQueries;
}
