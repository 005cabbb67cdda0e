using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Dns.Kubernetes.Api;
using Akka.Event;

namespace Akka.Dns.Kubernetes.Cluster;

/// <summary>The typed view of <c>akka.dns.kubernetes</c>.</summary>
public sealed record K8sHubSettings
{
    /// <summary>In a cluster, one watch for every node (a cluster singleton); off = every node watches by itself.</summary>
    public bool ClusterWatch { get; init; } = true;
    /// <summary>The cluster role that may hold the watch; "" = any node.</summary>
    public string Role { get; init; } = "";
    /// <summary>How often the singleton tells the replicas its latest publication.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>A replica that heard nothing for this long asks again (the singleton moved).</summary>
    public TimeSpan Silence { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>How often a silent replica asks.</summary>
    public TimeSpan Resubscribe { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The most bytes (roughly) one published part carries; below remoting's maximum-frame-size.</summary>
    public int PartBudget { get; init; } = 64 * 1024;

    public static K8sHubSettings Create(Config config)
    {
        var c = config.WithFallback(DnsSettings.DefaultConfig()).GetConfig("akka.dns.kubernetes");
        var s = new K8sHubSettings
        {
            ClusterWatch = c.GetBoolean("cluster-watch", true),
            Role = c.GetString("singleton-role", ""),
            Heartbeat = c.GetTimeSpan("heartbeat-interval", TimeSpan.FromSeconds(1)),
            Silence = c.GetTimeSpan("silence-timeout", TimeSpan.FromSeconds(3)),
            Resubscribe = c.GetTimeSpan("resubscribe-interval", TimeSpan.FromSeconds(1)),
            PartBudget = (int)(c.GetByteSize("part-size") ?? 64 * 1024),
        };
        if (s.Heartbeat <= TimeSpan.Zero) throw Bad("heartbeat-interval", "must be positive");
        if (s.Resubscribe <= TimeSpan.Zero) throw Bad("resubscribe-interval", "must be positive");
        if (s.Silence <= s.Heartbeat) throw Bad("silence-timeout", "must be longer than heartbeat-interval");
        if (s.PartBudget < 1024) throw Bad("part-size", "must be at least 1KiB");
        return s;
    }

    private static ConfigurationException Bad(string key, string what) =>
        new($"akka.dns.kubernetes.{key} {what}");
}

/// <summary>
/// One watch configuration: what identifies it (equal ids share one watch), the API it watches (for logs) and how
/// to start its watcher.
/// </summary>
public sealed record K8sWatchSpec(string Id, string Api, Func<ILoggingAdapter, K8sWatcher> Create)
{
    /// <summary>A short stable name for actors and logs.</summary>
    public string Name { get; } = "k8s-watch-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Id)))[..12];
}

/// <summary>A kubernetes plugin's hold on a watch; dispose it when the plugin stops.</summary>
public interface IK8sWatchLease : IDisposable
{
    IK8sViewSource Source { get; }

    /// <summary>"local" (this node watches) or "cluster" (a singleton somewhere watches for every node).</summary>
    string Mode { get; }
}

/// <summary>
/// Where a node's kubernetes plugins get their views, one per ActorSystem (so a watch outlives Corefile reloads):
/// plugins with the same watch configuration share one. In a clustered system (and with
/// <c>akka.dns.kubernetes.cluster-watch = on</c>) the watch is a cluster singleton that publishes to a replica on
/// every node, so N replicas cost the API server one watch; otherwise this node runs its own <see cref="K8sWatcher"/>.
/// </summary>
public sealed class K8sWatchHub : IExtension
{
    private readonly ExtendedActorSystem _system;
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public K8sWatchHub(ExtendedActorSystem system)
    {
        _system = system;
        Settings = K8sHubSettings.Create(system.Settings.Config);
        IsCluster = system.Provider is Akka.Cluster.ClusterActorRefProvider && Settings.ClusterWatch;
        if (IsCluster) system.Settings.InjectTopLevelFallback(ClusterSingleton.DefaultConfig());
        system.RegisterOnTermination(() =>
        {
            List<Entry> all;
            lock (_gate)
            {
                all = [.. _entries.Values];
                _entries.Clear();
            }
            foreach (var e in all) e.Close();
        });
    }

    public static K8sWatchHub Get(ActorSystem system) => system.WithExtension<K8sWatchHub, K8sWatchHubProvider>();

    public K8sHubSettings Settings { get; }

    /// <summary>Whether watches are shared by the cluster (else each node watches).</summary>
    public bool IsCluster { get; }

    /// <summary>How many watch configurations are held now (specs).</summary>
    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    public IK8sWatchLease Acquire(K8sWatchSpec spec)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(spec.Id, out var e))
            {
                e = IsCluster ? new ClusterEntry(this, spec) : new LocalEntry(this, spec);
                _entries[spec.Id] = e;
            }
            e.Users++;
            return new Lease(this, e);
        }
    }

    private void Release(Entry e)
    {
        lock (_gate)
        {
            if (--e.Users > 0) return;
            // A cluster watch stays for the life of the system: a singleton manager must not stop while its node
            // stays in the cluster (if this node is the oldest, the other nodes would wait for a watch that never
            // comes); a reload that keeps the same kubernetes stanza finds it here, listed.
            if (e is not LocalEntry) return;
            _entries.Remove(e.Spec.Id);
        }
        e.Close();
    }

    private abstract class Entry(K8sWatchSpec spec)
    {
        public K8sWatchSpec Spec { get; } = spec;
        public int Users;
        public abstract IK8sViewSource Source { get; }
        public abstract string Mode { get; }
        public abstract void Close();
    }

    private sealed class LocalEntry : Entry
    {
        private readonly K8sWatcher _watcher;

        public LocalEntry(K8sWatchHub hub, K8sWatchSpec spec) : base(spec)
        {
            _watcher = spec.Create(hub._system.Log);
            _watcher.Start();
        }

        public override IK8sViewSource Source => _watcher;
        public override string Mode => "local";

        public override void Close() => _ = _watcher.DisposeAsync().AsTask();
    }

    private sealed class ClusterEntry : Entry
    {
        private readonly ActorSystem _system;
        private readonly ViewFanout _fanout;
        private readonly IActorRef _manager, _proxy, _replica;

        public ClusterEntry(K8sWatchHub hub, K8sWatchSpec spec) : base(spec)
        {
            _system = hub._system;
            var s = hub.Settings;
            _fanout = new ViewFanout(_system.Log);
            var managerSettings = ClusterSingletonManagerSettings.Create(_system).WithSingletonName("watch");
            var proxySettings = ClusterSingletonProxySettings.Create(_system).WithSingletonName("watch");
            if (s.Role.Length > 0)
            {
                managerSettings = managerSettings.WithRole(s.Role);
                proxySettings = proxySettings.WithRole(s.Role);
            }
            _manager = hub._system.SystemActorOf(ClusterSingletonManager.Props(
                K8sWatchSingleton.Props(spec.Create, s, $"{spec.Api}, {spec.Name}"), PoisonPill.Instance, managerSettings), spec.Name);
            _proxy = hub._system.SystemActorOf(ClusterSingletonProxy.Props($"/system/{spec.Name}", proxySettings), spec.Name + "-proxy");
            _replica = hub._system.SystemActorOf(K8sViewReplica.Props(_proxy, _fanout, s), spec.Name + "-replica");
        }

        public override IK8sViewSource Source => _fanout;
        public override string Mode => "cluster";

        public override void Close()
        {
            _system.Stop(_replica);
            _system.Stop(_proxy);
            _system.Stop(_manager);
            _ = _fanout.DisposeAsync().AsTask();
        }
    }

    private sealed class Lease(K8sWatchHub hub, Entry entry) : IK8sWatchLease
    {
        private int _disposed;

        public IK8sViewSource Source => entry.Source;
        public string Mode => entry.Mode;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) hub.Release(entry);
        }
    }
}

public sealed class K8sWatchHubProvider : ExtensionIdProvider<K8sWatchHub>
{
    public override K8sWatchHub CreateExtension(ExtendedActorSystem system) => new(system);
}
