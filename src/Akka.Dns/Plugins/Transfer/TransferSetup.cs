using System.Net;
using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Transfer;

/// <summary>
/// <c>transfer [ZONE...] { to ADDRESS...; source ADDRESS }</c>, as CoreDNS's parseTransfer reads it: the directive
/// may appear several times in a block (one rule each), <c>to</c> lines add up, every <c>to</c> address is an IP or
/// IP:port (port 53 when left out) or <c>*</c>, and a rule without <c>to</c> is an error.
/// </summary>
[Plugin("transfer")]
public sealed class TransferSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var rules = new List<TransferRule>();
        foreach (var r in context.Readers())
        {
            r.Next();
            var zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            var to = new List<TransferTarget>();
            IPAddress? source = null;
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "to":
                        var hosts = r.RemainingArgs();
                        if (hosts.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        foreach (var host in hosts)
                        {
                            if (host == "*")
                            {
                                to.Add(TransferTarget.Any);
                                continue;
                            }
                            if (!TransferTarget.TryParse(host, out var target, out var error)) throw context.Error(r, error);
                            to.Add(target);
                        }
                        break;
                    case "source":
                        var args = r.RemainingArgs();
                        if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        if (source is not null) throw context.Error(r, "source already specified");
                        source = GoNet.ParseIP(args[0]) ?? throw context.Error(r, $"invalid source address {GoNet.Quote(args[0])}");
                        break;
                    default:
                        throw context.Error(r, $"unknown property {GoNet.Quote(r.Val)}");
                }
            }
            if (to.Count == 0) throw context.Error(r, "'to' is required");
            rules.Add(new TransferRule(zones.ToArray(), to.ToArray(), source));
        }
        return new TransferPlugin(new TransferOptions(rules.ToArray()), context.Options);
    }
}

/// <summary>The block's <c>transfer</c> plugin: the query handler and, while started, the NOTIFY sender.</summary>
public sealed class TransferPlugin(TransferOptions options, BlockOptions block) : Plugin("transfer")
{
    private IActorRef? _notifier;
    private ActorSystem? _system;

    public TransferOptions Options { get; } = options;

    public override Props HandlerProps(ChainLink? next) => TransferActor.Props(Options, block, next);

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        _system = host.System;
        _notifier = host.System.ActorOf(NotifyActor.Props(Options, block));
        // Subscribed before StartAsync returns: no ZoneLoaded published after the server started is missed.
        host.System.EventStream.Subscribe(_notifier, typeof(File.ZoneLoaded));
        host.System.EventStream.Subscribe(_notifier, typeof(Server.ServerStarted));
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        if (_notifier is { } n && _system is { } s)
        {
            s.EventStream.Unsubscribe(n);
            s.Stop(n);
        }
        _notifier = null;
        return Task.CompletedTask;
    }
}

/// <summary>Every <c>transfer</c> directive of a block, in Corefile order.</summary>
public sealed record TransferOptions(TransferRule[] Rules)
{
    /// <summary>The rule whose zone is the longest match for <paramref name="name"/> (ties: the larger zone string), or null (CoreDNS's longestMatch).</summary>
    public TransferRule? LongestMatch(string name)
    {
        TransferRule? best = null;
        var zone = "";
        foreach (var rule in Rules)
        {
            var z = ZoneMatch.Longest(rule.Zones, name);
            if (z is null) continue;
            if (z.Length > zone.Length || (z.Length == zone.Length && string.CompareOrdinal(z, zone) > 0))
            {
                zone = z;
                best = rule;
            }
        }
        return best;
    }
}

/// <summary>One <c>transfer</c> directive: its zones, who may transfer them (and gets NOTIFY), and the NOTIFY source address.</summary>
public sealed record TransferRule(string[] Zones, TransferTarget[] To, IPAddress? Source)
{
    /// <summary>Whether <paramref name="client"/> may transfer: <c>*</c>, or an IP-address <c>to</c> equal to it (the port is not compared).</summary>
    public bool Allows(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var t in To)
        {
            if (t.IsAny) return true;
            if (t.Matchable && t.Address is { } a && a.AddressFamily == client.AddressFamily
                && a.GetAddressBytes().AsSpan().SequenceEqual(client.GetAddressBytes())) return true;
        }
        return false;
    }
}

/// <summary>A <c>to</c> address: <c>*</c>, or HOST:PORT normalised as CoreDNS's parse.HostPort writes it ("1.2.3.4:53", "[1::2]:34").</summary>
public sealed record TransferTarget(string Text, IPAddress? Address, int Port)
{
    public static readonly TransferTarget Any = new("*", null, 0);

    public bool IsAny => Text == "*";

    /// <summary>Where NOTIFY goes; null for <c>*</c> and for addresses with an interface zone .NET cannot resolve.</summary>
    public IPEndPoint? EndPoint => Address is null ? null : new IPEndPoint(Address, Port);

    /// <summary>parse.HostPort(host, "53"): an IP (zone allowed) with an optional numeric port; Go's wording on failure.</summary>
    public static bool TryParse(string s, out TransferTarget target, out string error)
    {
        target = Any;
        string host, port;
        if (!GoNet.TrySplitHostPort(s, out host, out port, out _))
        {
            host = s;
            port = "";
        }
        var zone = host.IndexOf('%');
        var bare = zone < 0 ? host : host[..zone];
        var ip = GoNet.ParseIP(bare);
        if (ip is null)
        {
            error = $"must specify an IP address: `{host}'";
            return false;
        }
        if (port == "") port = "53";
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p > 65535)
        {
            // CoreDNS keeps a bad port and fails later, when NOTIFY dials it; a port is checked here instead.
            error = $"invalid port {GoNet.Quote(port)} in {GoNet.Quote(s)}";
            return false;
        }
        var text = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        // CoreDNS compares the client's IP with the text of the address, so an address with a zone never matches
        // a client; it is still a NOTIFY target when the zone resolves.
        IPAddress? address = ip;
        if (zone >= 0) address = IPAddress.TryParse(host, out var scoped) ? scoped : null;
        target = new TransferTarget(text, address, p) { Matchable = zone < 0 };
        error = "";
        return true;
    }

    /// <summary>False for addresses with an interface zone (never equal to a client's IP in CoreDNS).</summary>
    public bool Matchable { get; init; } = true;
}
