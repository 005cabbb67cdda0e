using System.Collections.Immutable;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Dns.Kubernetes.Model;
using System.Runtime.Serialization;
using Akka.Serialization;

namespace Akka.Dns.Kubernetes.Cluster;

/// <summary>
/// A compact binary form for <see cref="IK8sViewMessage"/>s (remoting's default JSON would be several times larger
/// and slower for 60,000 objects). Strings repeated within one message (namespaces, protocols, port names, label
/// keys) are written once and referenced after, and read back as one shared instance, which also keeps a replica's
/// copy of the view as small as the watching node's.
/// </summary>
public sealed class K8sViewSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private const string SubscribeManifest = "S", AliveManifest = "A", PartManifest = "P";

    public override int Identifier => 7231;

    public override string Manifest(object o) => o switch
    {
        SubscribeView => SubscribeManifest,
        ViewAlive => AliveManifest,
        ViewPart => PartManifest,
        _ => throw new ArgumentException($"cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var ms = new MemoryStream();
        var w = new Writer(ms);
        switch (obj)
        {
            case SubscribeView s:
                w.Str(Akka.Serialization.Serialization.SerializedActorPath(s.Replica));
                break;
            case ViewAlive a:
                w.Long(a.Epoch);
                w.Long(a.Seq);
                break;
            case ViewPart p:
                w.Long(p.Epoch);
                w.Long(p.Seq);
                w.Long(p.BaseSeq);
                w.Int(p.Part);
                w.Int(p.Parts);
                w.Bool(p.Synced);
                w.Int(p.Namespaces.Length);
                foreach (var n in p.Namespaces) { w.Str(n.Name); w.Labels(n.Labels); }
                w.Int(p.Services.Length);
                foreach (var s in p.Services) w.Service(s);
                w.Int(p.Slices.Length);
                foreach (var e in p.Slices) w.Slice(e);
                w.Int(p.Pods.Length);
                foreach (var o in p.Pods) { w.Str(o.Namespace); w.Str(o.Name); w.Ips(o.PodIPs); w.Bool(o.Terminating); }
                w.Int(p.Removed.Length);
                foreach (var r in p.Removed) w.Str(r);
                w.Int(p.Imports.Length);
                foreach (var i in p.Imports) { w.Str(i.Namespace); w.Str(i.Name); w.Bool(i.Headless); w.Ips(i.IPs); w.Ports(i.Ports); }
                w.Int(p.MultiClusterSlices.Length);
                foreach (var m in p.MultiClusterSlices) w.Slice(m);
                break;
            default:
                throw new ArgumentException($"cannot serialize {obj.GetType()}", nameof(obj));
        }
        w.Flush();
        return ms.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new Reader(bytes);
        switch (manifest)
        {
            case SubscribeManifest:
                return new SubscribeView(system.Provider.ResolveActorRef(r.Str()!));
            case AliveManifest:
                return new ViewAlive(r.Long(), r.Long());
            case PartManifest:
            {
                long epoch = r.Long(), seq = r.Long(), baseSeq = r.Long();
                int part = r.Int(), parts = r.Int();
                var synced = r.Bool();
                var ns = Many(r, () => new K8sNamespace(r.Str()!, r.Labels()));
                var services = Many(r, r.Service);
                var slices = Many(r, r.Slice);
                var pods = Many(r, () => new K8sPod(r.Str()!, r.Str()!, r.Ips(), r.Bool()));
                var removed = Many(r, () => r.Str()!);
                var imports = Many(r, () => new K8sServiceImport(r.Str()!, r.Str()!, r.Bool(), r.Ips(), r.Ports()));
                var mcSlices = Many(r, r.Slice);
                return new ViewPart(epoch, seq, baseSeq, part, parts, synced, services, slices, pods, ns, removed)
                {
                    Imports = imports,
                    MultiClusterSlices = mcSlices,
                };
            }
            default:
                throw new SerializationException($"unknown kubernetes view manifest '{manifest}'");
        }
    }

    private static ImmutableArray<T> Many<T>(Reader r, Func<T> one)
    {
        var n = r.Int();
        var b = ImmutableArray.CreateBuilder<T>(n);
        for (var i = 0; i < n; i++) b.Add(one());
        return b.MoveToImmutable();
    }

    private sealed class Writer(Stream s) : BinaryWriter(s, Encoding.UTF8, leaveOpen: true)
    {
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

        public void Int(int v) => Write7BitEncodedInt(v);
        public void Long(long v) => Write7BitEncodedInt64(v);
        public void Bool(bool v) => Write(v);

        /// <summary>null → 0; first time → 1 + the text; again → 2 + its index.</summary>
        public void Str(string? v)
        {
            if (v is null) { Int(0); return; }
            if (_seen.TryGetValue(v, out var i)) { Int(i + 2); return; }
            _seen[v] = _seen.Count;
            Int(1);
            Write(v);
        }

        public void Ips(ImmutableArray<IPAddress> ips)
        {
            Int(ips.Length);
            Span<byte> buf = stackalloc byte[16];
            foreach (var ip in ips)
            {
                ip.TryWriteBytes(buf, out var n);
                Write((byte)n);
                Write(buf[..n]);
            }
        }

        public void Labels(ImmutableDictionary<string, string> labels)
        {
            Int(labels.Count);
            foreach (var (k, v) in labels) { Str(k); Str(v); }
        }

        public void Ports(ImmutableArray<K8sPort> ports)
        {
            Int(ports.Length);
            foreach (var p in ports) { Str(p.Name); Str(p.Protocol); Int(p.Port); }
        }

        public void Service(K8sService s)
        {
            Str(s.Namespace); Str(s.Name); Write((byte)s.Kind);
            Ips(s.ClusterIPs); Str(s.ExternalName); Ports(s.Ports); Ips(s.ExternalIPs);
            Int(s.ExternalHostnames.Length);
            foreach (var h in s.ExternalHostnames) Str(h);
            Labels(s.Labels);
        }

        public void Slice(K8sEndpointSlice e)
        {
            Str(e.Namespace); Str(e.Name); Str(e.ServiceName); Str(e.AddressType);
            Int(e.Endpoints.Length);
            foreach (var ep in e.Endpoints)
            {
                Ips(ep.Addresses); Bool(ep.Ready); Str(ep.Hostname); Str(ep.NodeName); Str(ep.PodName);
            }
            Ports(e.Ports);
            Str(e.ClusterId);
        }
    }

    private sealed class Reader(byte[] bytes) : BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8)
    {
        private readonly List<string> _seen = [];

        public int Int() => Read7BitEncodedInt();
        public long Long() => Read7BitEncodedInt64();
        public bool Bool() => ReadBoolean();

        public string? Str()
        {
            var tag = Int();
            if (tag == 0) return null;
            if (tag >= 2) return _seen[tag - 2];
            var v = ReadString();
            _seen.Add(v);
            return v;
        }

        public ImmutableArray<IPAddress> Ips()
        {
            var n = Int();
            if (n == 0) return [];
            var b = ImmutableArray.CreateBuilder<IPAddress>(n);
            for (var i = 0; i < n; i++) b.Add(new IPAddress(ReadBytes(ReadByte())));
            return b.MoveToImmutable();
        }

        public ImmutableDictionary<string, string> Labels()
        {
            var n = Int();
            if (n == 0) return ImmutableDictionary<string, string>.Empty;
            var b = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++) b[Str()!] = Str()!;
            return b.ToImmutable();
        }

        public ImmutableArray<K8sPort> Ports()
        {
            var n = Int();
            if (n == 0) return [];
            var b = ImmutableArray.CreateBuilder<K8sPort>(n);
            for (var i = 0; i < n; i++) b.Add(new K8sPort(Str()!, Str()!, Int()));
            return b.MoveToImmutable();
        }

        public K8sService Service()
        {
            var ns = Str()!;
            var name = Str()!;
            var kind = (ServiceKind)ReadByte();
            var clusterIPs = Ips();
            var externalName = Str();
            var ports = Ports();
            var externalIPs = Ips();
            var hn = Int();
            var hosts = ImmutableArray.CreateBuilder<string>(hn);
            for (var i = 0; i < hn; i++) hosts.Add(Str()!);
            return new K8sService(ns, name, kind, clusterIPs, externalName, ports, externalIPs, hosts.MoveToImmutable(), Labels());
        }

        public K8sEndpointSlice Slice()
        {
            var ns = Str()!;
            var name = Str()!;
            var service = Str()!;
            var type = Str()!;
            var n = Int();
            var eps = ImmutableArray.CreateBuilder<K8sEndpoint>(n);
            for (var i = 0; i < n; i++) eps.Add(new K8sEndpoint(Ips(), Bool(), Str(), Str(), Str()));
            var ports = Ports();
            return new K8sEndpointSlice(ns, name, service, type, eps.MoveToImmutable(), ports) { ClusterId = Str() };
        }
    }
}
