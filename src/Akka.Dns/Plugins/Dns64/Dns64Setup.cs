using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Acl;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Dns64;

/// <summary>
/// <c>dns64 [PREFIX]</c> or <c>dns64 [PREFIX] { prefix PREFIX; translate_all; allow_ipv4 }</c>. Each occurrence
/// sets what it names, later ones win (CoreDNS parses all of them into one plugin).
/// </summary>
[Plugin("dns64")]
public sealed class Dns64Setup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var prefix = new IPNetwork(IPAddress.Parse("64:ff9b::"), 96);
        var translateAll = false;
        var allowIpv4 = false;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length > 1) throw context.Error(r, r.ArgErr().Detail);
            if (args.Length == 1) prefix = ParsePrefix(context, r, args[0]);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "prefix":
                        if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                        prefix = ParsePrefix(context, r, r.Val);
                        break;
                    case "translate_all":
                        translateAll = true;
                        break;
                    case "allow_ipv4":
                        allowIpv4 = true;
                        break;
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        return new Dns64Plugin(new Dns64Options(prefix, translateAll, allowIpv4));
    }

    /// <summary>An IPv6 CIDR whose length is a multiple of 8 from 32 to 96 (RFC 6052's prefix lengths).</summary>
    private static IPNetwork ParsePrefix(SetupContext context, DirectiveReader r, string text)
    {
        if (!AclSetup.TryParseCidr(text, out var net)) throw context.Error(r, $"invalid CIDR address: {text}");
        if (net.BaseAddress.AddressFamily != AddressFamily.InterNetworkV6)
            throw context.Error(r, $"invalid netmask 32 IPv6 address: {GoNet.Quote(net.ToString())}");
        if (net.PrefixLength % 8 != 0 || net.PrefixLength < 32 || net.PrefixLength > 96)
            throw context.Error(r, $"invalid prefix length {GoNet.Quote(net.ToString())}");
        return net;
    }
}

/// <summary>What one block's dns64 was configured with.</summary>
public sealed record Dns64Options(IPNetwork Prefix, bool TranslateAll, bool AllowIpv4)
{
    /// <summary>RFC 6052's embedding of <paramref name="v4"/> after the prefix, skipping octet 8 (bits 64–71).</summary>
    public IPAddress To6(ReadOnlySpan<byte> v4)
    {
        Span<byte> v6 = stackalloc byte[16];
        Span<byte> p = stackalloc byte[16];
        v6.Clear();   // SkipLocalsInit: the octets the loops skip must be zero
        Prefix.BaseAddress.TryWriteBytes(p, out _);
        var n = Prefix.PrefixLength / 8;
        int i = 0, j = 0;
        for (; i < n; i++) v6[i] = p[i];
        for (; i < 8; i++, j++) v6[i] = v4[j];
        if (i == 8) i++;
        for (; j < 4; i++, j++) v6[i] = v4[j];
        return new IPAddress(v6);
    }
}

public sealed class Dns64Plugin(Dns64Options options) : Plugin("dns64")
{
    public Dns64Options Options { get; } = options;

    public override Props HandlerProps(ChainLink? next) => Dns64Actor.Props(Options, next);
}
