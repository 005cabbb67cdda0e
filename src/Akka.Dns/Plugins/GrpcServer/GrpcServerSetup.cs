using System.Globalization;
using Akka.Dns.Corefile;

namespace Akka.Dns.Plugins.GrpcServer;

/// <summary>
/// <c>grpc_server { max_streams N; max_connections N }</c>: limits of the block's grpc:// listener (CoreDNS's
/// plugin/grpc_server). The listener takes them from the first block on its address, as CoreDNS takes them from
/// the first config of the group; unset values keep CoreDNS's defaults (256 streams per connection, 200
/// connections; akka.dns.grpc). 0 = unbounded. Once per block.
/// </summary>
[Plugin("grpc_server")]
public sealed class GrpcServerSetup : IPluginSetup
{
    public Plugin Setup(SetupContext ctx)
    {
        int? streams = null, connections = null;
        foreach (var r in ctx.Readers())
        {
            r.Next();
            if (r.RemainingArgs().Length > 0) throw ctx.Error(r, r.ArgErr().Detail);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "max_streams":
                        var s = Parse(ctx, r, "max_streams");
                        if (streams is not null) throw ctx.Error(r, "max_streams already defined for this server block");
                        streams = s;
                        break;
                    case "max_connections":
                        var c = Parse(ctx, r, "max_connections");
                        if (connections is not null) throw ctx.Error(r, "max_connections already defined for this server block");
                        connections = c;
                        break;
                    default:
                        throw ctx.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        return new GrpcServerPlugin(streams, connections);
    }

    private static int Parse(SetupContext ctx, DirectiveReader r, string what)
    {
        var args = r.RemainingArgs();
        if (args.Length != 1) throw ctx.Error(r, r.ArgErr().Detail);
        var v = args[0];
        if (!int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            var digits = v.TrimStart('+', '-');
            var why = digits.Length > 0 && digits.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
            throw ctx.Error(r, $"invalid {what} value '{v}': strconv.Atoi: parsing {GoNet.Quote(v)}: {why}");
        }
        if (n < 0) throw ctx.Error(r, $"{what} must be a non-negative integer: {n}");
        return n;
    }
}

/// <summary>The block's grpc_server limits; null = not set here (the listener's default applies).</summary>
public sealed class GrpcServerPlugin(int? maxStreams, int? maxConnections) : SetupOnlyPlugin("grpc_server")
{
    /// <summary>Concurrent HTTP/2 streams per connection; 0 = unbounded.</summary>
    public int? MaxStreams { get; } = maxStreams;

    /// <summary>Concurrent connections to the listener; 0 = unbounded.</summary>
    public int? MaxConnections { get; } = maxConnections;
}
