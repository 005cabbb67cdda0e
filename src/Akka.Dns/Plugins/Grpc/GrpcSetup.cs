using System.Globalization;
using System.Net;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Forward;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>
/// <c>grpc FROM TO... { except IGNORED_NAMES...; tls [CERT KEY [CA]]; tls_servername NAME; policy
/// random|round_robin|sequential; fallthrough [ZONES...] }</c> (CoreDNS's plugin/grpc), with CoreDNS's error
/// messages. Once per block.
/// </summary>
[Plugin("grpc")]
public sealed class GrpcSetup : IPluginSetup
{
    public Plugin Setup(SetupContext ctx)
    {
        GrpcOptions? options = null;
        DirectiveReader? last = null;
        foreach (var r in ctx.Readers())
        {
            r.Next();
            options = ParseStanza(ctx, r);
            last = r;
        }
        if (options!.Upstreams.Count > GrpcOptions.MaxUpstreams)
            throw ctx.Error(last!, $"more than {GrpcOptions.MaxUpstreams} TOs configured: {options.Upstreams.Count}");
        return new GrpcPlugin(options);
    }

    private static GrpcOptions ParseStanza(SetupContext ctx, DirectiveReader r)
    {
        if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
        var fromArg = r.Val;
        var zones = ZoneMatch.NormalizeExact([fromArg], r);
        if (zones.Count == 0) throw ctx.Error(r, $"unable to normalize '{fromArg}'");
        var o = new GrpcOptions { From = zones[0] };
        var to = r.RemainingArgs();
        if (to.Length == 0) throw ctx.Error(r, r.ArgErr().Detail);
        var upstreams = new List<IPEndPoint>();
        foreach (var t in to) upstreams.AddRange(ParseTo(ctx, r, t));
        if (upstreams.Count == 0) throw ctx.Error(r, "no nameservers found");
        o = o with { Upstreams = upstreams };

        while (r.NextBlock())
        {
            switch (r.Val)
            {
                case "except":
                {
                    var ignore = r.RemainingArgs();
                    if (ignore.Length == 0) throw ctx.Error(r, r.ArgErr().Detail);
                    o = o with { Ignored = [.. o.Ignored, .. ZoneMatch.NormalizeExact(ignore, r)] };
                    break;
                }
                case "tls":
                {
                    var args = r.RemainingArgs();
                    if (args.Length > 3) throw ctx.Error(r, r.ArgErr().Detail);
                    for (var i = 0; i < args.Length; i++) args[i] = ctx.ResolvePath(args[i]);
                    o = o with { Tls = ForwardSetup.LoadTls(ctx, r, args) };
                    break;
                }
                case "tls_servername":
                    if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
                    o = o with { TlsServerName = r.Val };
                    break;
                case "policy":
                    if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
                    o = o with
                    {
                        Policy = r.Val switch
                        {
                            "random" => ForwardPolicy.Random,
                            "round_robin" => ForwardPolicy.RoundRobin,
                            "sequential" => ForwardPolicy.Sequential,
                            _ => throw ctx.Error(r, $"unknown policy '{r.Val}'"),
                        },
                    };
                    break;
                case "fallthrough":
                    o = o with { Fall = Fallthrough.FromArgs(r.RemainingArgs(), r) };
                    break;
                default:
                    throw ctx.Error(r, $"unknown property '{r.Val}'");
            }
        }
        return o;
    }

    /// <summary>
    /// One TO as CoreDNS's parse.HostPortOrFile reads it: IP[:PORT] (port 53 when absent, as CoreDNS), [::1]:PORT,
    /// grpc://IP[:PORT] (443), or a resolv.conf-style file whose nameservers are taken on port 53.
    /// </summary>
    private static IEnumerable<IPEndPoint> ParseTo(SetupContext ctx, DirectiveReader r, string to)
    {
        var host = to;
        var defaultPort = 53;
        var scheme = to.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var s = to[..scheme];
            host = to[(scheme + 3)..];
            if (s == "grpc") defaultPort = 443;
            else if (s != "dns")
                throw ctx.Error(r, $"'{s}' is not supported as a destination protocol in grpc: {to}");
        }
        if (host.Length == 0) throw ctx.Error(r, $"invalid address: {GoNet.Quote(to)}");
        if (GoNet.TrySplitHostPort(host, out var h, out var p, out _))
        {
            var ip = GoNet.ParseIP(h);
            if (ip is null) return ForwardSetup.FromFile(ctx, r, host, tls: false).Select(u => u.EndPoint);
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                throw ctx.Error(r, $"invalid port in address: {GoNet.Quote(to)}");
            return [new IPEndPoint(ip, port)];
        }
        var bare = host.Trim('[', ']');
        var addr = GoNet.ParseIP(bare);
        return addr is null
            ? ForwardSetup.FromFile(ctx, r, bare, tls: false).Select(u => u.EndPoint)
            : [new IPEndPoint(addr, defaultPort)];
    }
}
