using Akka.Dns.Server;

namespace Akka.Dns.Plugins.Prometheus;

/// <summary>The <c>server</c> and <c>view</c> label values of a block, for metrics a plugin keeps per instance.</summary>
public static class BlockLabels
{
    /// <summary>"dns://:53", "dns://127.0.0.1:1053" ...: every listen address of every key of the block (bind applied).</summary>
    public static IReadOnlyList<string> Servers(Corefile.ServerBlock block, BlockOptions options, int dnsPort)
    {
        var hosts = options.Bind is { } bind ? bind.Select(a => a.ToString()).ToList() : [""];
        var servers = new List<string>();
        foreach (var key in block.Keys)
            foreach (var h in hosts)
            {
                var label = new ServerInfo(h, key.ResolvePort(dnsPort), Transport(key.Transport)).Label;
                if (!servers.Contains(label)) servers.Add(label);
            }
        return servers;
    }

    /// <summary>The block's first server label, for a metric a plugin cannot split per listener ("" without one).</summary>
    public static string Server(SetupContext ctx) => Servers(ctx.Block, ctx.Options, ctx.DnsPort).FirstOrDefault() ?? "";

    /// <summary>The block's view name, or "" (read once every plugin of the block is set up).</summary>
    public static string View(BlockOptions options) => options.Plugins.OfType<IRequestFilter>().FirstOrDefault()?.ViewName ?? "";

    public static DnsTransport Transport(Corefile.Transport t) => t switch
    {
        Corefile.Transport.Tls => DnsTransport.Tls,
        Corefile.Transport.Https => DnsTransport.Https,
        Corefile.Transport.Grpc => DnsTransport.Grpc,
        _ => DnsTransport.Udp,
    };
}
