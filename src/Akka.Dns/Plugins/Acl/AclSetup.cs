using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Acl;

/// <summary>
/// <c>acl [ZONES...] { ACTION [type QTYPE...] [net SOURCE...] }</c>, any number of times per block; each
/// occurrence is one rule (its zones and its policies, first match wins).
/// </summary>
[Plugin("acl")]
public sealed class AclSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var rules = new List<AclRule>();
        foreach (var r in context.Readers())
        {
            r.Next();
            var zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            var policies = new List<AclPolicy>();
            while (r.NextBlock())
            {
                var action = r.Val.ToLowerInvariant() switch
                {
                    "allow" => AclAction.Allow,
                    "block" => AclAction.Block,
                    "filter" => AclAction.Filter,
                    "drop" => AclAction.Drop,
                    _ => throw context.Error(r, $"unexpected token {GoNet.Quote(r.Val)}; expect 'allow', 'block', 'filter' or 'drop'"),
                };
                policies.Add(ParsePolicy(context, r, action, r.RemainingArgs()));
            }
            rules.Add(new AclRule([.. zones], [.. policies]));
        }
        return new AclPlugin([.. rules], new AclCounters(context.Options));
    }

    private static AclPolicy ParsePolicy(SetupContext context, DirectiveReader r, AclAction action, string[] tokens)
    {
        HashSet<ushort>? types = null;   // null: every type
        List<IPNetwork>? nets = null;    // null: every source
        var hasType = false;
        var hasNet = false;
        var i = 0;
        while (i < tokens.Length)
        {
            if (!IsSection(tokens[i])) throw context.Error(r, $"unexpected token {GoNet.Quote(tokens[i])}; expect 'type | net'");
            var section = tokens[i].ToLowerInvariant();
            var start = ++i;
            while (i < tokens.Length && !IsSection(tokens[i])) i++;
            if (i == start) throw context.Error(r, $"no token specified in {GoNet.Quote(section)} section");
            if (section == "type")
            {
                hasType = true;
                types ??= [];
                for (var t = start; t < i; t++)
                {
                    if (tokens[t] == "*")
                    {
                        types.Add(0);   // dns.TypeNone: every type
                        break;
                    }
                    // miekg/dns's StringToType: upper-case mnemonics only.
                    if (tokens[t] != tokens[t].ToUpperInvariant() || tokens[t].StartsWith("TYPE", StringComparison.Ordinal) ||
                        !RrType.TryParse(tokens[t], out var qtype))
                        throw context.Error(r, $"unexpected token {GoNet.Quote(tokens[t])}; expect legal QTYPE");
                    types.Add(qtype);
                }
            }
            else
            {
                hasNet = true;
                nets ??= [];
                for (var t = start; t < i; t++)
                {
                    if (tokens[t] == "*")
                    {
                        nets = [new IPNetwork(IPAddress.Any, 0), new IPNetwork(IPAddress.IPv6Any, 0)];
                        break;
                    }
                    var token = Normalize(tokens[t]);
                    if (!TryParseCidr(token, out var net)) throw context.Error(r, $"illegal CIDR notation {GoNet.Quote(token)}");
                    nets.Add(net);
                }
            }
        }
        var allTypes = !hasType || types!.Contains(0);
        if (!hasNet) nets = [new IPNetwork(IPAddress.Any, 0), new IPNetwork(IPAddress.IPv6Any, 0)];
        return new AclPolicy(action, allTypes ? null : types, [.. nets!]);
    }

    private static bool IsSection(string token) =>
        token.Equals("type", StringComparison.OrdinalIgnoreCase) || token.Equals("net", StringComparison.OrdinalIgnoreCase);

    /// <summary>A bare address gets /32 (IPv4) or /128 (anything with a colon), as CoreDNS's normalize.</summary>
    public static string Normalize(string raw) =>
        raw.Contains('/') ? raw : raw.Contains(':') ? raw + "/128" : raw + "/32";

    /// <summary>Go's net.ParseCIDR: a strict address, a prefix length within the family; host bits are masked off.</summary>
    public static bool TryParseCidr(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        if (slash < 0) return false;
        var ip = GoNet.ParseIP(text[..slash]);
        var bits = text[(slash + 1)..];
        if (ip is null || bits.Length is 0 or > 3 || !bits.All(char.IsAsciiDigit) || (bits.Length > 1 && bits[0] == '0')) return false;
        var prefix = int.Parse(bits, System.Globalization.CultureInfo.InvariantCulture);
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (prefix > max) return false;
        var bytes = ip.GetAddressBytes();
        for (var b = 0; b < bytes.Length; b++)
        {
            var keep = Math.Clamp(prefix - b * 8, 0, 8);
            bytes[b] &= (byte)(0xFF << (8 - keep));
        }
        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }
}

public enum AclAction { None, Allow, Block, Filter, Drop }

/// <summary>One ACTION line: the types it matches (null: all) and the source networks.</summary>
public sealed record AclPolicy(AclAction Action, IReadOnlySet<ushort>? Types, IPNetwork[] Nets)
{
    public bool Matches(ushort qtype, IPAddress source)
    {
        if (Types is not null && !Types.Contains(qtype)) return false;
        foreach (var n in Nets)
            if (n.Contains(source)) return true;
        return false;
    }
}

/// <summary>One <c>acl</c> directive: its zones and its policies in order.</summary>
public sealed record AclRule(string[] Zones, AclPolicy[] Policies);

public sealed class AclPlugin(AclRule[] rules, AclCounters counters) : Plugin("acl")
{
    public AclRule[] Rules { get; } = rules;

    public override Props HandlerProps(ChainLink? next) => AclActor.Props(Rules, counters, next);
}
