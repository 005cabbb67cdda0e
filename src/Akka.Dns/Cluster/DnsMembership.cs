using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;

namespace Akka.Dns.Cluster;

/// <summary>
/// The membership the cluster plugin answers from, one per ActorSystem (so it outlives Corefile reloads). In a
/// clustered system (<c>akka.actor.provider = cluster</c>) it starts a <see cref="MembershipView"/>, which joins the
/// cluster as configured, publishes this node and swaps a new <see cref="MembershipSnapshot"/> in after every change;
/// in a local system the snapshot is this node alone. <see cref="Current"/> is a volatile read: no lock, no Ask.
/// </summary>
public sealed class DnsMembership : IExtension
{
    private readonly ActorSystem _system;
    private readonly IActorRef? _view;
    private volatile MembershipSnapshot _current = MembershipSnapshot.Empty;
    private volatile int _dnsPort;

    public DnsMembership(ExtendedActorSystem system)
    {
        _system = system;
        Settings = ClusterNodeSettings.Create(system.Settings.Config);
        IsCluster = system.Provider is Akka.Cluster.ClusterActorRefProvider;
        if (IsCluster)
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var self = cluster.SelfAddress;
            MemberName = Settings.MemberName.Length > 0 ? Settings.MemberName : ClusterNodeSettings.NameFrom(self.Host ?? "", self.Port);
            AdvertiseAddress = Settings.AdvertiseAddress ?? Resolve(self.Host, system.Log);
            _view = system.SystemActorOf(MembershipView.Props(this), "dns-membership");
        }
        else
        {
            MemberName = Settings.MemberName.Length > 0 ? Settings.MemberName : ClusterNodeSettings.Sanitize(System.Net.Dns.GetHostName());
            AdvertiseAddress = Settings.AdvertiseAddress ?? IPAddress.Loopback;
        }
    }

    public static DnsMembership Get(ActorSystem system) => system.WithExtension<DnsMembership, DnsMembershipProvider>();

    public ClusterNodeSettings Settings { get; }

    /// <summary>Whether the system is clustered (else the snapshot is this node alone).</summary>
    public bool IsCluster { get; }

    /// <summary>This node's member name (configured or derived).</summary>
    public string MemberName { get; }

    /// <summary>The DNS address this node publishes (configured or derived).</summary>
    public IPAddress AdvertiseAddress { get; }

    /// <summary>The DNS port this node publishes; 0 until <see cref="SetDnsPort"/>.</summary>
    public int DnsPort => _dnsPort;

    /// <summary>The membership as of the last change.</summary>
    public MembershipSnapshot Current => _current;

    /// <summary>This node's entry, once its DNS port is known.</summary>
    public NodeInfo? Self => DnsPort == 0 ? null : new NodeInfo(MemberName, AdvertiseAddress, DnsPort, Settings.Services);

    /// <summary>
    /// Sets the DNS port this node publishes (the daemon's first dns:// listener) and publishes this node: until
    /// then the node is not in any answer, not even its own. Called again after a reload that moved the port.
    /// </summary>
    public void SetDnsPort(int port)
    {
        if (port is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), port, "a DNS port is 1..65535");
        _dnsPort = port;
        if (_view is not null)
        {
            _view.Tell(new MembershipView.PublishSelf(Self!));
            return;
        }
        var self = Self!;
        var member = new MemberEntry(self.Name, self.Address, self.DnsPort, [], self.Services, "local", "up");
        Swap(new MembershipSnapshot([member], member, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    }

    /// <summary>Replaces the snapshot queries see (the view after each change; specs with fake members).</summary>
    internal void Swap(MembershipSnapshot snapshot) => _current = snapshot;

    /// <summary>The remoting host as an IP: itself when it is one, else resolved once (IPv4 first); loopback when empty or unresolvable.</summary>
    private static IPAddress Resolve(string? host, ILoggingAdapter log)
    {
        if (string.IsNullOrEmpty(host)) return IPAddress.Loopback;
        if (IPAddress.TryParse(host, out var ip)) return ip;
        try
        {
            var all = System.Net.Dns.GetHostAddresses(host);
            foreach (var a in all)
                if (a.AddressFamily == AddressFamily.InterNetwork) return a;
            if (all.Length > 0) return all[0];
        }
        catch (SocketException e)
        {
            log.Warning("plugin/cluster: cannot resolve the remoting host {0} ({1}); publishing 127.0.0.1: set akka.dns.cluster.advertise-address", host, e.Message);
        }
        return IPAddress.Loopback;
    }
}

public sealed class DnsMembershipProvider : ExtensionIdProvider<DnsMembership>
{
    public override DnsMembership CreateExtension(ExtendedActorSystem system) => new(system);
}
