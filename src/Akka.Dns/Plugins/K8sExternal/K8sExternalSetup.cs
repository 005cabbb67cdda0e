using System.Collections.Immutable;
using System.Globalization;
using Akka.Dns.Corefile;

namespace Akka.Dns.Plugins.K8sExternal;

/// <summary>
/// <c>k8s_external [ZONE...] { apex APEX; ttl TTL; headless; fallthrough [ZONE...] }</c>, read as CoreDNS's parse
/// with its defaults (apex <c>dns</c>, ttl 5) and error texts. Like CoreDNS, every occurrence in a block is read
/// into one plugin (the last zone list wins). CoreDNS finds the block's <c>kubernetes</c> plugin at start-up and
/// fails there without one; we look for the directive here, so the same failure is a Corefile error with its line.
/// </summary>
[Plugin("k8s_external")]
public sealed class K8sExternalSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var o = new K8sExternalOptions();
        foreach (var r in context.Readers())
        {
            r.Next();
            o = o with { Zones = [.. ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r)] };
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "ttl":
                    {
                        var a = r.RemainingArgs();
                        if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        if (!GoStrconv.TryAtoi(a[0], out var t, out var why)) throw context.Error(r, why);
                        if (t is < 0 or > 3600) throw context.Error(r, $"ttl must be in range [0, 3600]: {t.ToString(CultureInfo.InvariantCulture)}");
                        o = o with { Ttl = (uint)t };
                        break;
                    }
                    case "apex":
                    {
                        var a = r.RemainingArgs();
                        if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        o = o with { Apex = a[0] };
                        break;
                    }
                    case "headless":
                        // CoreDNS reads no arguments here, so its next property is the first one: "unknown property".
                        if (r.RemainingArgs() is [var extra, ..]) throw context.Error(r, $"unknown property '{extra}'");
                        o = o with { Headless = true };
                        break;
                    case "fallthrough":
                        o = o with { Fallthrough = Fallthrough.FromArgs(r.RemainingArgs(), r) };
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }

        var hasKubernetes = false;
        foreach (var d in context.Block.Directives)
            if (d.Name == "kubernetes") hasKubernetes = true;
        if (!hasKubernetes)
        {
            var at = new DirectiveReader(context.Directives[0]);
            at.Next();
            throw context.Error(at, "kubernetes plugin not loaded");
        }
        return new K8sExternalPlugin(o, context.Options);
    }
}

/// <summary>Everything the <c>k8s_external</c> directive configured.</summary>
public sealed record K8sExternalOptions
{
    /// <summary>The zones it is authoritative for (lower case, fully qualified): its arguments, else the block's.</summary>
    public ImmutableArray<string> Zones { get; init; } = [];
    /// <summary>The label under each zone where the name server's records live (<c>ns1.APEX.ZONE</c>).</summary>
    public string Apex { get; init; } = "dns";
    /// <summary>The TTL of every record it answers, and the SOA minimum.</summary>
    public uint Ttl { get; init; } = 5;
    /// <summary>Answer headless services (without external IPs) with their ready endpoints.</summary>
    public bool Headless { get; init; }
    public Fallthrough Fallthrough { get; init; } = Fallthrough.Never;
}
