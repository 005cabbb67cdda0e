using System.Net;
using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Loadbalance;

public enum LoadbalancePolicy { RoundRobin, Weighted }

/// <summary>
/// <c>loadbalance [round_robin | weighted WEIGHTFILE] { reload DURATION | prefer CIDR... }</c>, parsed as CoreDNS's
/// loadbalance.parse: a weighted policy's block takes only <c>reload</c>; the round_robin block takes <c>prefer</c>.
/// </summary>
[Plugin("loadbalance")]
public sealed class LoadbalanceSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var policy = LoadbalancePolicy.RoundRobin;
        string? file = null;
        var reload = TimeSpan.FromSeconds(30);
        var prefer = new List<IPNetwork>();
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length > 0)
            {
                switch (args[0])
                {
                    case "round_robin":
                        if (args.Length > 1) throw context.Error(r, $"unknown property for {args[0]}");
                        policy = LoadbalancePolicy.RoundRobin;
                        break;
                    case "weighted":
                        if (args.Length < 2) throw context.Error(r, "missing weight file argument");
                        if (args.Length > 2) throw context.Error(r, "unexpected argument(s)");
                        policy = LoadbalancePolicy.Weighted;
                        file = Path.IsPathRooted(args[1]) || context.Options.Root is null ? args[1] : Path.Combine(context.Options.Root, args[1]);
                        while (r.NextBlock())
                        {
                            if (r.Val != "reload") throw context.Error(r, $"unknown property '{r.Val}'");
                            var t = r.RemainingArgs();
                            if (t.Length < 1) throw context.Error(r, "reload duration value is missing");
                            if (t.Length > 1) throw context.Error(r, "unexpected argument");
                            if (!GoDuration.TryParse(t[0], out var ns, out _)) throw context.Error(r, $"invalid reload duration '{t[0]}'");
                            reload = ns <= 0 ? TimeSpan.Zero : GoDuration.ToTimeSpan(ns);
                        }
                        // CoreDNS replaces its whole configuration here: prefer subnets given before are gone.
                        prefer.Clear();
                        break;
                    default:
                        throw context.Error(r, $"unknown policy: {args[0]}");
                }
            }
            while (r.NextBlock())
            {
                if (r.Val != "prefer") throw context.Error(r, $"unknown property '{r.Val}'");
                foreach (var cidr in r.RemainingArgs())
                {
                    if (!TryParseCidr(cidr, out var net)) throw context.Error(r, $"invalid CIDR \"{cidr}\": invalid CIDR address: {cidr}");
                    prefer.Add(net);
                }
            }
        }
        var options = new LoadbalanceOptions(policy, file, reload, prefer.ToArray());
        return new LoadbalancePlugin(options, policy == LoadbalancePolicy.Weighted ? new WeightStore(file!, reload) : null);
    }

    /// <summary>Go's net.ParseCIDR: ADDRESS/BITS required, the network masked.</summary>
    private static bool TryParseCidr(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(text[..slash], out var ip) || text[..slash].Contains('%')) return false;
        var bits = text[(slash + 1)..];
        if (bits.Length == 0 || bits.Length > 3 || !int.TryParse(bits, System.Globalization.NumberStyles.None, null, out var n)) return false;
        var max = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        if (n > max) return false;
        var bytes = ip.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(n - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        network = new IPNetwork(new IPAddress(bytes), n);
        return true;
    }
}

public sealed record LoadbalanceOptions(LoadbalancePolicy Policy, string? WeightFile, TimeSpan Reload, IPNetwork[] Prefer);

public sealed class LoadbalancePlugin(LoadbalanceOptions options, WeightStore? weights) : Plugin("loadbalance")
{
    public LoadbalanceOptions Options { get; } = options;
    public WeightStore? Weights { get; } = weights;

    public override Props HandlerProps(ChainLink? next) => LoadbalanceActor.Props(new LoadbalanceWriter(Options, Weights), next);

    /// <summary>Reads the weight file (a missing file only warns when it is reloaded; a bad one fails start-up) and starts the reload timer.</summary>
    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        Weights?.Start();
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        Weights?.Stop();
        return Task.CompletedTask;
    }
}
