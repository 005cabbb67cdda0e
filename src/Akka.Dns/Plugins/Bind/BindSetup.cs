using System.Net;
using System.Net.NetworkInformation;

namespace Akka.Dns.Plugins.Bind;

/// <summary>
/// <c>bind ADDRESS|IFACE ... { except ADDRESS|IFACE ... }</c>: the addresses the block's listeners bind to. Every
/// bind line of a block adds to the list; an interface name stands for the addresses it has at start-up;
/// <c>except</c> removes addresses from its own line only (CoreDNS's bind setup).
/// </summary>
[Plugin("bind")]
public sealed class BindSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    /// <summary>The host's interfaces as (name, addresses); replaceable in specs.</summary>
    internal Func<IReadOnlyList<(string Name, IReadOnlyList<IPAddress> Addresses)>> Interfaces { get; init; } = HostInterfaces;

    public Plugin Setup(SetupContext context)
    {
        var ifaces = Interfaces();
        var all = new List<IPAddress>();
        foreach (var r in context.Readers())
        {
            r.Next();
            var addrs = r.RemainingArgs();
            if (addrs.Length == 0) throw context.Error(r, "at least one address or interface name is expected");
            var ips = ListIP(context, r, addrs, ifaces);
            var excluded = new List<IPAddress>();
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "except":
                        var except = r.RemainingArgs();
                        if (except.Length == 0)
                            throw context.Error(r, "at least one address or interface must be given to except subdirective");
                        excluded = ListIP(context, r, except, ifaces); // a later except line replaces an earlier one, as in CoreDNS
                        break;
                    default:
                        throw context.Error(r, $"invalid option {GoNet.Quote(r.Val)}");
                }
            }

            foreach (var ip in ips)
                if (!excluded.Contains(ip)) all.Add(ip);
        }

        context.Options.Bind = all;
        return new BindPlugin(all);
    }

    private static List<IPAddress> ListIP(SetupContext context, Corefile.DirectiveReader r, string[] args,
        IReadOnlyList<(string Name, IReadOnlyList<IPAddress> Addresses)> ifaces)
    {
        var list = new List<IPAddress>();
        foreach (var a in args)
        {
            var isIface = false;
            foreach (var (name, addresses) in ifaces)
            {
                if (a != name) continue;
                isIface = true;
                list.AddRange(addresses);
            }

            if (isIface) continue;
            var ip = GoNet.ParseIP(a) ?? throw context.Error(r, $"not a valid IP address or interface name: {GoNet.Quote(a)}");
            list.Add(ip);
        }

        return list;
    }

    /// <summary>Every interface and its unicast addresses (IPv6 link-local ones keep their scope, as CoreDNS adds the zone).</summary>
    public static IReadOnlyList<(string Name, IReadOnlyList<IPAddress> Addresses)> HostInterfaces()
    {
        var list = new List<(string, IReadOnlyList<IPAddress>)>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                var addresses = new List<IPAddress>();
                foreach (var u in nic.GetIPProperties().UnicastAddresses) addresses.Add(u.Address);
                list.Add((nic.Name, addresses));
            }
        }
        catch (NetworkInformationException)
        {
            // CoreDNS warns and binds by address only; names then fail as invalid addresses.
        }

        return list;
    }
}

/// <summary>The addresses one block listens on; the server reads them from <see cref="BlockOptions.Bind"/>.</summary>
public sealed class BindPlugin(IReadOnlyList<IPAddress> addresses) : SetupOnlyPlugin("bind")
{
    public IReadOnlyList<IPAddress> Addresses { get; } = addresses;
}
