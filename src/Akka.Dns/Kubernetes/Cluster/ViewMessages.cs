using System.Collections.Immutable;
using Akka.Actor;
using Akka.Dns.Kubernetes.Model;

namespace Akka.Dns.Kubernetes.Cluster;

/// <summary>Every message between a node's <see cref="K8sViewReplica"/> and the cluster's <see cref="K8sWatchSingleton"/> (bound to <see cref="K8sViewSerializer"/>).</summary>
public interface IK8sViewMessage;

/// <summary>Replica → singleton (through the singleton proxy): send me the whole view, then every change.</summary>
public sealed record SubscribeView(IActorRef Replica) : IK8sViewMessage;

/// <summary>
/// Singleton → replicas, every heartbeat: the watch incarnation (<paramref name="Epoch"/>, new per singleton start)
/// and the sequence number of its latest publication (0 = nothing synced yet). A replica that is elsewhere
/// subscribes again; one that hears nothing for a while does too.
/// </summary>
public sealed record ViewAlive(long Epoch, long Seq) : IK8sViewMessage;

/// <summary>
/// One part of publication <paramref name="Seq"/>: a whole view when <paramref name="BaseSeq"/> is -1 (a new
/// subscriber, a new singleton), else the changes since publication <paramref name="BaseSeq"/>. A publication is cut
/// into parts of a bounded size (remoting has a frame limit); a replica applies it once every part arrived.
/// <paramref name="Removed"/> holds keys prefixed with their kind: 's' service, 'e' EndpointSlice, 'p' pod, 'n' namespace,
/// 'i' ServiceImport, 'm' multi-cluster EndpointSlice.
/// </summary>
public sealed record ViewPart(
    long Epoch,
    long Seq,
    long BaseSeq,
    int Part,
    int Parts,
    bool Synced,
    ImmutableArray<K8sService> Services,
    ImmutableArray<K8sEndpointSlice> Slices,
    ImmutableArray<K8sPod> Pods,
    ImmutableArray<K8sNamespace> Namespaces,
    ImmutableArray<string> Removed) : IK8sViewMessage
{
    public const long Whole = -1;

    /// <summary>ServiceImports (only watched for <c>multicluster</c> zones).</summary>
    public ImmutableArray<K8sServiceImport> Imports { get; init; } = ImmutableArray<K8sServiceImport>.Empty;

    /// <summary>Multi-Cluster Services EndpointSlices (only watched for <c>multicluster</c> zones).</summary>
    public ImmutableArray<K8sEndpointSlice> MultiClusterSlices { get; init; } = ImmutableArray<K8sEndpointSlice>.Empty;
}

/// <summary>Cuts views and changes into <see cref="ViewPart"/>s, and puts them back together.</summary>
public static class ViewParts
{
    /// <summary>The whole of <paramref name="view"/> as publication <paramref name="seq"/>.</summary>
    public static List<ViewPart> Whole(K8sView view, long epoch, long seq, int budget) =>
        Cut(epoch, seq, ViewPart.Whole, view.Synced, budget,
            view.Services.Values, view.EndpointSlices.Values, view.Pods.Values, view.Namespaces.Values,
            view.ServiceImports.Values, view.MultiClusterSlices.Values, []);

    /// <summary>
    /// What changed from <paramref name="old"/> to <paramref name="now"/> (objects compared by reference: the watcher
    /// replaces an object when the API changes it), as publication <paramref name="seq"/>; empty when nothing did.
    /// </summary>
    public static List<ViewPart> Changes(K8sView old, K8sView now, long epoch, long seq, int budget)
    {
        var removed = new List<string>();
        var services = Diff(old.Services, now.Services, 's', removed);
        var slices = Diff(old.EndpointSlices, now.EndpointSlices, 'e', removed);
        var pods = Diff(old.Pods, now.Pods, 'p', removed);
        var namespaces = Diff(old.Namespaces, now.Namespaces, 'n', removed);
        var imports = Diff(old.ServiceImports, now.ServiceImports, 'i', removed);
        var mcSlices = Diff(old.MultiClusterSlices, now.MultiClusterSlices, 'm', removed);
        if (services.Count + slices.Count + pods.Count + namespaces.Count + imports.Count + mcSlices.Count + removed.Count == 0
            && old.Synced == now.Synced)
            return [];
        return Cut(epoch, seq, seq - 1, now.Synced, budget, services, slices, pods, namespaces, imports, mcSlices, removed);
    }

    /// <summary>Applies a complete publication (its parts in order) to <paramref name="baseView"/> (ignored for a whole view).</summary>
    public static K8sView Apply(K8sView baseView, IReadOnlyList<ViewPart> parts)
    {
        var whole = parts[0].BaseSeq == ViewPart.Whole;
        var from = whole ? K8sView.Empty : baseView;
        var services = from.Services.ToBuilder();
        var slices = from.EndpointSlices.ToBuilder();
        var pods = from.Pods.ToBuilder();
        var namespaces = from.Namespaces.ToBuilder();
        var imports = from.ServiceImports.ToBuilder();
        var mcSlices = from.MultiClusterSlices.ToBuilder();
        foreach (var p in parts)
        {
            foreach (var s in p.Services) services[s.Key] = s;
            foreach (var e in p.Slices) slices[e.Key] = e;
            foreach (var o in p.Pods) pods[o.Key] = o;
            foreach (var n in p.Namespaces) namespaces[n.Name] = n;
            foreach (var i in p.Imports) imports[i.Key] = i;
            foreach (var m in p.MultiClusterSlices) mcSlices[m.Key] = m;
            foreach (var r in p.Removed)
            {
                var key = r[1..];
                switch (r[0])
                {
                    case 's': services.Remove(key); break;
                    case 'e': slices.Remove(key); break;
                    case 'p': pods.Remove(key); break;
                    case 'n': namespaces.Remove(key); break;
                    case 'i': imports.Remove(key); break;
                    case 'm': mcSlices.Remove(key); break;
                }
            }
        }
        return new K8sView(services.ToImmutable(), slices.ToImmutable(), pods.ToImmutable(), namespaces.ToImmutable(),
            parts[^1].Synced)
        {
            ServiceImports = imports.ToImmutable(),
            MultiClusterSlices = mcSlices.ToImmutable(),
        };
    }

    private static List<T> Diff<T>(ImmutableDictionary<string, T> old, ImmutableDictionary<string, T> now, char kind, List<string> removed)
        where T : class
    {
        var changed = new List<T>();
        if (ReferenceEquals(old, now)) return changed;
        foreach (var (k, v) in now)
            if (!old.TryGetValue(k, out var o) || !ReferenceEquals(o, v)) changed.Add(v);
        foreach (var k in old.Keys)
            if (!now.ContainsKey(k)) removed.Add(kind + k);
        return changed;
    }

    /// <summary>Roughly the bytes an object takes on the wire (strings as UTF-8, addresses as bytes).</summary>
    internal static int Weight(K8sService s)
    {
        var w = 16 + s.Namespace.Length + s.Name.Length + (s.ExternalName?.Length ?? 0);
        foreach (var ip in s.ClusterIPs) w += 17;
        foreach (var ip in s.ExternalIPs) w += 17;
        foreach (var h in s.ExternalHostnames) w += 2 + h.Length;
        foreach (var p in s.Ports) w += 8 + p.Name.Length + p.Protocol.Length;
        foreach (var (k, v) in s.Labels) w += 4 + k.Length + v.Length;
        return w;
    }

    internal static int Weight(K8sEndpointSlice e)
    {
        var w = 16 + e.Namespace.Length + e.Name.Length + e.ServiceName.Length + e.AddressType.Length + (e.ClusterId?.Length ?? 0);
        foreach (var p in e.Ports) w += 8 + p.Name.Length + p.Protocol.Length;
        foreach (var ep in e.Endpoints)
            w += 8 + ep.Addresses.Length * 17 + (ep.Hostname?.Length ?? 0) + (ep.NodeName?.Length ?? 0) + (ep.PodName?.Length ?? 0);
        return w;
    }

    internal static int Weight(K8sServiceImport i)
    {
        var w = 12 + i.Namespace.Length + i.Name.Length + i.IPs.Length * 17;
        foreach (var p in i.Ports) w += 8 + p.Name.Length + p.Protocol.Length;
        return w;
    }

    internal static int Weight(K8sPod p) => 12 + p.Namespace.Length + p.Name.Length + p.PodIPs.Length * 17;

    internal static int Weight(K8sNamespace n)
    {
        var w = 8 + n.Name.Length;
        foreach (var (k, v) in n.Labels) w += 4 + k.Length + v.Length;
        return w;
    }

    private static List<ViewPart> Cut(long epoch, long seq, long baseSeq, bool synced, int budget,
        IEnumerable<K8sService> services, IEnumerable<K8sEndpointSlice> slices, IEnumerable<K8sPod> pods,
        IEnumerable<K8sNamespace> namespaces, IEnumerable<K8sServiceImport> imports, IEnumerable<K8sEndpointSlice> mcSlices,
        IEnumerable<string> removed)
    {
        var cut = new List<(ImmutableArray<K8sService>, ImmutableArray<K8sEndpointSlice>, ImmutableArray<K8sPod>, ImmutableArray<K8sNamespace>,
            ImmutableArray<K8sServiceImport>, ImmutableArray<K8sEndpointSlice>, ImmutableArray<string>)>();
        var s = ImmutableArray.CreateBuilder<K8sService>();
        var e = ImmutableArray.CreateBuilder<K8sEndpointSlice>();
        var p = ImmutableArray.CreateBuilder<K8sPod>();
        var n = ImmutableArray.CreateBuilder<K8sNamespace>();
        var im = ImmutableArray.CreateBuilder<K8sServiceImport>();
        var m = ImmutableArray.CreateBuilder<K8sEndpointSlice>();
        var r = ImmutableArray.CreateBuilder<string>();
        var used = 0;

        void Room(int weight)
        {
            // An object bigger than the budget travels alone.
            if (used == 0 || used + weight <= budget)
            {
                used += weight;
                return;
            }
            Flush();
            used = weight;
        }

        void Flush()
        {
            cut.Add((s.ToImmutable(), e.ToImmutable(), p.ToImmutable(), n.ToImmutable(), im.ToImmutable(), m.ToImmutable(), r.ToImmutable()));
            s.Clear(); e.Clear(); p.Clear(); n.Clear(); im.Clear(); m.Clear(); r.Clear();
        }

        foreach (var x in namespaces) { Room(Weight(x)); n.Add(x); }
        foreach (var x in services) { Room(Weight(x)); s.Add(x); }
        foreach (var x in slices) { Room(Weight(x)); e.Add(x); }
        foreach (var x in pods) { Room(Weight(x)); p.Add(x); }
        foreach (var x in imports) { Room(Weight(x)); im.Add(x); }
        foreach (var x in mcSlices) { Room(Weight(x)); m.Add(x); }
        foreach (var x in removed) { Room(2 + x.Length); r.Add(x); }
        Flush();

        var parts = new List<ViewPart>(cut.Count);
        for (var i = 0; i < cut.Count; i++)
        {
            var (cs, ce, cp, cn, ci, cm, cr) = cut[i];
            parts.Add(new ViewPart(epoch, seq, baseSeq, i, cut.Count, synced, cs, ce, cp, cn, cr) { Imports = ci, MultiClusterSlices = cm });
        }
        return parts;
    }
}
