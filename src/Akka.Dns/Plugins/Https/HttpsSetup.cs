namespace Akka.Dns.Plugins.Https;

/// <summary>
/// <c>https { max_connections N }</c>: options of the block's DNS-over-HTTPS listener (CoreDNS's plugin/https).
/// Once per block; the listener takes them from the first block it serves, as CoreDNS takes its group's first config.
/// </summary>
[Plugin("https")]
public sealed class HttpsSetup : IPluginSetup
{
    /// <summary>CoreDNS's DefaultHTTPSMaxConnections.</summary>
    public const int DefaultMaxConnections = 200;

    public Plugin Setup(SetupContext context)
    {
        int? maxConnections = null;
        foreach (var r in context.Readers())
        {
            r.Next();
            if (r.RemainingArgs().Length > 0) throw context.Error(r, r.ArgErr().Detail);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "max_connections":
                        var args = r.RemainingArgs();
                        if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        if (!GoStrconv.TryAtoi(args[0], out var n, out var why))
                            throw context.Error(r, $"invalid max_connections value '{args[0]}': {why}");
                        if (n < 0) throw context.Error(r, $"max_connections must be a non-negative integer: {n}");
                        if (maxConnections is not null) throw context.Error(r, "max_connections already defined for this server block");
                        maxConnections = n > int.MaxValue ? int.MaxValue : (int)n;
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        return new HttpsPlugin(maxConnections ?? DefaultMaxConnections);
    }
}

/// <summary>What the block's https:// listener reads: its connection cap (0 = unlimited).</summary>
public sealed class HttpsPlugin(int maxConnections) : SetupOnlyPlugin("https")
{
    public int MaxConnections { get; } = maxConnections;
}
