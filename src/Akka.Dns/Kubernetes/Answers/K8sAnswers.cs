using System.Net;
using Akka.Dns.Plugins;
using Akka.Dns.Kubernetes.Model;
using Akka.Dns.Wire;

namespace Akka.Dns.Kubernetes.Answers;

/// <summary>What the plugin actor does with a question after <see cref="K8sAnswers.Answer"/>.</summary>
public enum K8sOutcome
{
    /// <summary>The reply is filled in (records, rcode, AA): respond with it.</summary>
    Answered,
    /// <summary>A name error under <c>fallthrough</c>: pass the query to the next plugin.</summary>
    Fallthrough,
    /// <summary>The name is in none of the plugin's zones: pass the query on (CoreDNS's NextOrFailure).</summary>
    NotOurZone,
}

/// <summary>
/// The outcome, and for an ExternalName answered with a CNAME to a name outside the plugin's zones the target to
/// resolve upstream and append (CoreDNS's Upstream lookup in plugin.A); null otherwise.
/// </summary>
public readonly record struct K8sResult(K8sOutcome Outcome, string? ChaseTarget = null);

/// <summary>
/// The kubernetes plugin's answers (CoreDNS's plugin/kubernetes ServeDNS with plugin/backend_lookup.go and the
/// Kubernetes DNS specification), as a pure function of an index and a question: no I/O, no actors, no locks.
/// Names in the answer keep the question's case; matching is case-insensitive.
/// </summary>
public static class K8sAnswers
{
    /// <summary>CoreDNS's DNSSchemaVersion: the schema version of the Kubernetes DNS specification.</summary>
    public const string DnsSchemaVersion = "1.1.0";
    private const uint DnsVersionTtl = 28800;
    private const int MaxCnameChain = 7;

    private enum Err { None, NoItems, Invalid, NsNotExposed }

    /// <summary>One result of a lookup (CoreDNS's msg.Service): an address or a CNAME target, a port, and what names it.</summary>
    private struct Item
    {
        public byte[]? RData;
        public string? Cname;
        public int Port;
        public ServiceEntry? Service;
        /// <summary>The endpoint's label (headless) or the pod's label.</summary>
        public string? Host;
        /// <summary>Set for pod items: the namespace label of the pod name.</summary>
        public string? PodNamespace;
        /// <summary>Set for items of a ServiceImport (multicluster zones), instead of <see cref="Service"/>.</summary>
        public ImportEntry? Import;
        /// <summary>The source cluster of a multi-cluster endpoint item.</summary>
        public string? Cluster;
    }

    [ThreadStatic] private static List<Item>? t_items;

    /// <summary>
    /// Answers <paramref name="qname"/>/<paramref name="qtype"/> from <paramref name="index"/> into
    /// <paramref name="reply"/> (from <c>DnsRequest.CreateReply()</c>): answer, additional, authority, rcode, AA.
    /// </summary>
    public static K8sResult Answer(K8sIndex index, string qname, ushort qtype, DnsResponse reply)
    {
        var zoneNorm = ZoneMatch.Longest(index.Options.Zones, qname);
        if (zoneNorm is null) return new K8sResult(K8sOutcome.NotOurZone);
        var zoneLen = zoneNorm.Length;
        var items = t_items ??= new List<Item>(8);
        items.Clear();
        string? chase = null;
        var err = Err.None;
        var answer = reply.Answer;
        switch (qtype)
        {
            case RrType.A:
            case RrType.AAAA:
                err = Address(index, qname, zoneLen, qtype, items, answer, 0, ref chase);
                break;
            case RrType.TXT:
                err = Txt(index, qname, zoneLen, items, answer);
                break;
            case RrType.CNAME:
                err = Services(index, qname, zoneLen, qtype, items);
                if (err == Err.None && items.Count > 0 && items[0].Cname is { } target)
                    answer.Add(DnsRecord.Cname(qname, index.Options.Ttl, target));
                break;
            case RrType.PTR:
                err = Ptr(index, qname, zoneLen, items, answer);
                break;
            case RrType.SRV:
                err = Srv(index, qname, zoneLen, items, answer, reply.Additional);
                break;
            case RrType.SOA:
                if (qname.Length == zoneLen) answer.Add(Soa(index, qname));
                break;
            case RrType.AXFR:
            case RrType.IXFR:
                reply.Rcode = Rcode.Refused;
                return new K8sResult(K8sOutcome.Answered);
            case RrType.NS when qname.Length == zoneLen:
                Ns(index, qname, answer, reply.Additional);
                break;
            default:
                // CoreDNS does a fake A lookup to tell NODATA from NXDOMAIN.
                err = Services(index, qname, zoneLen, RrType.A, items);
                break;
        }
        items.Clear();

        reply.Aa = true;
        if (err != Err.None)
        {
            if (index.Options.Fallthrough.Through(qname)) return new K8sResult(K8sOutcome.Fallthrough);
            return Error(index, qname, zoneLen, reply, index.Synced ? Rcode.NxDomain : Rcode.ServFail);
        }
        if (answer.Count == 0) return Error(index, qname, zoneLen, reply, Rcode.NoError);
        reply.Rcode = Rcode.NoError;
        return new K8sResult(K8sOutcome.Answered, chase);
    }

    /// <summary>CoreDNS's BackendError: a fresh message with the rcode and the zone's SOA in authority.</summary>
    private static K8sResult Error(K8sIndex index, string qname, int zoneLen, DnsResponse reply, int rcode)
    {
        reply.Answer.Clear();
        if (reply.AdditionalCount > 0) reply.Additional.Clear();
        reply.Rcode = rcode;
        reply.Authority.Add(Soa(index, qname[^zoneLen..]));
        return new K8sResult(K8sOutcome.Answered);
    }

    private static DnsRecord Soa(K8sIndex index, string zone)
    {
        var ttl = index.Options.Ttl;
        return DnsRecord.Soa(zone, Math.Min(ttl, 300u), Join("ns.dns.", zone), Join("hostmaster.", zone), index.Serial, 7200, 1800, 86400, ttl);
    }

    private static string Join(string label, string zone) => zone == DnsName.Root ? label : label + zone;

    // ---- the record kinds (plugin/backend_lookup.go) ----

    private static Err Address(K8sIndex index, string qname, int zoneLen, ushort qtype, List<Item> items, List<DnsRecord> answer, int depth, ref string? chase)
    {
        var err = Services(index, qname, zoneLen, qtype, items);
        if (err != Err.None) return err;
        var ttl = index.Options.Ttl;
        var want = qtype == RrType.A ? 4 : 16;
        var first = answer.Count;
        for (var i = 0; i < items.Count; i++)
        {
            var it = items[i];
            if (it.Cname is { } target)
            {
                if (DnsName.EqualsIgnoreCase(target, qname) || depth >= MaxCnameChain) continue;
                var cname = DnsRecord.Cname(qname, ttl, target);
                var zone = qname[^zoneLen..];
                if (DnsName.IsSubdomain(target, zone))
                {
                    var next = new List<DnsRecord>();
                    string? ignored = null;
                    if (Address(index, target, zoneLen, qtype, new List<Item>(), next, depth + 1, ref ignored) == Err.None && next.Count > 0)
                    {
                        answer.Add(cname);
                        answer.AddRange(next);
                    }
                    continue;
                }
                answer.Add(cname);
                chase = target;
                continue;
            }
            if (it.RData is not { } rdata || rdata.Length != want || Seen(answer, first, rdata)) continue;
            answer.Add(new DnsRecord(qname, qtype, RrClass.IN, ttl, rdata));
        }
        return Err.None;
    }

    /// <summary>Whether an address record with this RDATA was already added (CoreDNS's dup map; RDATA arrays are shared per address).</summary>
    private static bool Seen(List<DnsRecord> answer, int first, byte[] rdata)
    {
        for (var j = first; j < answer.Count; j++)
        {
            var r = answer[j].RData;
            if (ReferenceEquals(r, rdata) || (answer[j].Type is RrType.A or RrType.AAAA && r.AsSpan().SequenceEqual(rdata))) return true;
        }
        return false;
    }

    private static Err Txt(K8sIndex index, string qname, int zoneLen, List<Item> items, List<DnsRecord> answer)
    {
        var b = Base(qname, zoneLen);
        if (b.Equals("dns-version", StringComparison.OrdinalIgnoreCase))
        {
            answer.Add(DnsRecord.Txt(qname, DnsVersionTtl, RrClass.IN, DnsSchemaVersion));
            return Err.None;
        }
        Records(index, qname, zoneLen, items);
        // Another type exists at the name: NODATA; otherwise NXDOMAIN (even for names that are empty non-terminals).
        return items.Count > 0 ? Err.None : Err.NoItems;
    }

    private static Err Srv(K8sIndex index, string qname, int zoneLen, List<Item> items, List<DnsRecord> answer, List<DnsRecord> extra)
    {
        var err = Services(index, qname, zoneLen, RrType.SRV, items);
        if (err != Err.None || items.Count == 0) return err;
        var ttl = index.Options.Ttl;
        var zone = qname[^zoneLen..];
        // Every item has priority 0 and weight 100: CoreDNS gives each floor(100 / n).
        var w = Math.Floor(100.0 / (100.0 * items.Count) * 100.0);
        var weight = (ushort)Math.Max(1, w);
        var seenSrv = new HashSet<(string, int)>();
        var seenAddr = new HashSet<string>();
        foreach (var it in items)
        {
            if (it.Port == -1 || it.RData is null) continue;
            var target = Target(it, zone);
            if (seenSrv.Add((target, it.Port))) answer.Add(DnsRecord.Srv(qname, ttl, 0, weight, (ushort)it.Port, target));
            if (seenAddr.Add(target + "/" + Convert.ToHexString(it.RData)))
                extra.Add(new DnsRecord(target, it.RData.Length == 4 ? RrType.A : RrType.AAAA, RrClass.IN, ttl, it.RData));
        }
        return Err.None;
    }

    /// <summary>The name an item stands for (msg.Domain of its key): the service, endpoint.service or pod name.</summary>
    private static string Target(in Item it, string zone)
    {
        if (it.Import is { } imp)
        {
            if (it.Host is null) return imp.Prefix + zone;
            // CoreDNS: hostname.clusterid.service...; a slice without a source-cluster label would give an empty label.
            return string.IsNullOrEmpty(it.Cluster) ? it.Host + "." + imp.Prefix + zone : it.Host + "." + it.Cluster + "." + imp.Prefix + zone;
        }
        if (it.Service is { } s) return it.Host is null ? s.Prefix + zone : it.Host + "." + s.Prefix + zone;
        return it.Host + "." + it.PodNamespace + ".pod." + zone;
    }

    private static Err Ptr(K8sIndex index, string qname, int zoneLen, List<Item> items, List<DnsRecord> answer)
    {
        var ip = ReverseAddress(qname);
        if (ip is null) return Records(index, qname, zoneLen, items);
        if (!index.TryReverse(ip, out var entry)) return Err.NoItems;
        var ttl = index.Options.Ttl;
        if (entry.Service is { } svc)
        {
            answer.Add(DnsRecord.Ptr(qname, ttl, svc.Prefix + index.PrimaryZone));
            return Err.None;
        }
        if (entry.Endpoints is not { Count: > 0 } eps) return Err.NoItems;
        HashSet<string>? seen = eps.Count > 1 ? new HashSet<string>(StringComparer.OrdinalIgnoreCase) : null;
        foreach (var ep in eps)
        {
            var target = ep.Hostname + "." + ep.ServiceName + "." + ep.Namespace + ".svc." + index.PrimaryZone;
            if (seen is null || seen.Add(target)) answer.Add(DnsRecord.Ptr(qname, ttl, target));
        }
        return Err.None;
    }

    private static void Ns(K8sIndex index, string qname, List<DnsRecord> answer, List<DnsRecord> extra)
    {
        var ttl = index.Options.Ttl;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, rdata) in NsAddresses(index, qname))
        {
            extra.Add(new DnsRecord(name, rdata.Length == 4 ? RrType.A : RrType.AAAA, RrClass.IN, ttl, rdata));
            if (names.Add(name)) answer.Add(DnsRecord.Ns(qname, ttl, name));
        }
    }

    /// <summary>
    /// CoreDNS's nsAddrs: for each of the server's own addresses that is an endpoint, the names of its service
    /// (the service for a ClusterIP, each endpoint for a headless one) with their addresses; else ns.dns.zone with
    /// the server's addresses.
    /// </summary>
    private static List<(string Name, byte[] RData)> NsAddresses(K8sIndex index, string zone)
    {
        var list = new List<(string, byte[])>();
        var found = false;
        foreach (var local in index.Options.LocalIPs)
        {
            if (!index.TryReverse(local, out var entry) || entry.Endpoints is null) continue;
            foreach (var ep in entry.Endpoints)
            {
                found = true;
                if (ep.Service is not { } svc) continue;
                if (svc.Headless)
                    foreach (var a in svc.Endpoints) list.Add((a.Hostname + "." + svc.Prefix + zone, a.RData));
                else
                    foreach (var ip in svc.ClusterIPs) list.Add((svc.Prefix + zone, ip));
            }
        }
        if (!found)
            foreach (var local in index.Options.LocalIPs) list.Add((Join("ns.dns.", zone), local.GetAddressBytes()));
        return list;
    }

    // ---- Services / Records (plugin/kubernetes/kubernetes.go) ----

    /// <summary>CoreDNS's Kubernetes.Services: ns.dns.zone, then Records; SRV drops CNAME items.</summary>
    private static Err Services(K8sIndex index, string qname, int zoneLen, ushort qtype, List<Item> items)
    {
        if (IsDefaultNs(qname, zoneLen))
        {
            var want = qtype == RrType.A ? 4 : qtype == RrType.AAAA ? 16 : 0;
            foreach (var (_, rdata) in NsAddresses(index, qname[^zoneLen..]))
                if (rdata.Length == want) items.Add(new Item { RData = rdata });
            return Err.None;
        }
        var err = Records(index, qname, zoneLen, items);
        if (qtype == RrType.SRV) items.RemoveAll(static i => i.Cname is not null);
        return err;
    }

    private static bool IsDefaultNs(string qname, int zoneLen) =>
        qname.Length == zoneLen + 7 && qname.StartsWith("ns.dns.", StringComparison.OrdinalIgnoreCase);

    private static ReadOnlySpan<char> Base(string qname, int zoneLen)
    {
        var b = qname.AsSpan(0, qname.Length - zoneLen);
        return b.Length > 0 && b[^1] == '.' ? b[..^1] : b;
    }

    /// <summary>
    /// CoreDNS's Records: parse the name (parse.go), then pods or services; in a multicluster zone the services are
    /// ServiceImports, and two labels left of the service are endpoint.cluster unless one starts with '_'.
    /// </summary>
    private static Err Records(K8sIndex index, string qname, int zoneLen, List<Item> items)
    {
        var multi = index.Options.MultiClusterZones.Length > 0 && index.Options.IsMultiCluster(qname.AsSpan(qname.Length - zoneLen));
        var b = Base(qname, zoneLen);
        if (b.Length == 0 || b.Equals("svc", StringComparison.OrdinalIgnoreCase) || b.Equals("pod", StringComparison.OrdinalIgnoreCase)) return Err.None;
        Span<Range> segs = stackalloc Range[8];
        var n = b.Split(segs, '.');
        if (n > 5) return Err.Invalid;
        var last = n - 1;
        var podOrSvc = b[segs[last]];
        var isPod = podOrSvc.Equals("pod", StringComparison.OrdinalIgnoreCase);
        if (!isPod && !podOrSvc.Equals("svc", StringComparison.OrdinalIgnoreCase)) return Err.Invalid;
        if (--last < 0) return Err.None;
        var nsRange = segs[last];
        last--;
        ReadOnlySpan<char> endpoint = default, port = default, protocol = default, cluster = default;
        var hasService = last >= 0;
        var svcRange = hasService ? segs[last] : default;
        if (hasService)
        {
            last--;
            if (last == 0) endpoint = b[segs[0]];
            else if (last == 1)
            {
                if (multi && !b[segs[1]].StartsWith('_') && !b[segs[0]].StartsWith('_'))
                {
                    cluster = b[segs[1]];
                    endpoint = b[segs[0]];
                }
                else
                {
                    protocol = StripUnderscore(b[segs[1]]);
                    port = StripUnderscore(b[segs[0]]);
                }
            }
        }

        if (qname.EndsWith(".in-addr.arpa.", StringComparison.OrdinalIgnoreCase) || qname.EndsWith(".ip6.arpa.", StringComparison.OrdinalIgnoreCase))
            return Err.NoItems;
        var ns = b[nsRange];
        if (!index.NamespaceExposed(ns)) return Err.NsNotExposed;
        if (isPod) return hasService ? Pods(index, b[svcRange], ns, items) : PodsEmpty(index);
        if (!hasService) return Err.None;
        if (multi) return FindMultiClusterServices(index, b[svcRange.Start..nsRange.End], endpoint, cluster, port, protocol, items);
        return FindServices(index, b[svcRange.Start..nsRange.End], endpoint, port, protocol, items);
    }

    private static Err PodsEmpty(K8sIndex index) => index.Options.Pods == PodMode.Disabled ? Err.NoItems : Err.None;

    private static ReadOnlySpan<char> StripUnderscore(ReadOnlySpan<char> s) => s.Length > 0 && s[0] == '_' ? s[1..] : s;

    private static Err Pods(K8sIndex index, ReadOnlySpan<char> podName, ReadOnlySpan<char> ns, List<Item> items)
    {
        var mode = index.Options.Pods;
        if (mode == PodMode.Disabled) return Err.NoItems;
        Span<char> text = stackalloc char[podName.Length];
        var dashes = podName.Count('-');
        var dotted = dashes == 3 && podName.IndexOf("--") < 0;
        podName.CopyTo(text);
        text.Replace('-', dotted ? '.' : ':');
        if (!IPAddress.TryParse(text, out var ip) || ip.AddressFamily != (dotted ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6))
            return Err.NoItems;
        var nsText = ns.ToString();
        if (mode == PodMode.Verified && !index.PodHasIP(ip, nsText)) return Err.NoItems;
        items.Add(new Item { RData = ip.GetAddressBytes(), Host = podName.ToString(), PodNamespace = nsText });
        return Err.None;
    }

    private static bool Match(ReadOnlySpan<char> want, string have) => want.IsEmpty || want.Equals(have, StringComparison.OrdinalIgnoreCase);

    /// <summary>CoreDNS's findServices for one "name.namespace".</summary>
    private static Err FindServices(K8sIndex index, ReadOnlySpan<char> key, ReadOnlySpan<char> endpoint, ReadOnlySpan<char> port, ReadOnlySpan<char> protocol, List<Item> items)
    {
        if (index.Service(key) is not { } e) return Err.NoItems;
        var svc = e.Service;
        if (index.Options.IgnoreEmptyService && svc.Kind == ServiceKind.ClusterIP && e.Endpoints.Count == 0) return Err.NoItems;

        if (svc.Kind == ServiceKind.ExternalName)
        {
            if (!endpoint.IsEmpty || !port.IsEmpty || !protocol.IsEmpty) return Err.NoItems;
            var target = svc.ExternalName;
            if (string.IsNullOrEmpty(target) || IPAddress.TryParse(target, out _)) return Err.NoItems;
            items.Add(new Item { Cname = target.EndsWith('.') ? target : target + ".", Service = e });
            return Err.None;
        }

        var err = Err.NoItems;
        if (e.Headless || !endpoint.IsEmpty)
        {
            foreach (var a in e.Endpoints)
            {
                if (!endpoint.IsEmpty && !endpoint.Equals(a.Hostname, StringComparison.OrdinalIgnoreCase)) continue;
                foreach (var p in a.Ports)
                {
                    if (!Match(port, p.Name) || !Match(protocol, p.Protocol)) continue;
                    items.Add(new Item { RData = a.RData, Port = p.Port, Service = e, Host = a.Hostname });
                    err = Err.None;
                }
            }
            return err;
        }

        foreach (var p in svc.Ports)
        {
            if (!Match(port, p.Name) || !Match(protocol, p.Protocol)) continue;
            err = Err.None;
            foreach (var ip in e.ClusterIPs) items.Add(new Item { RData = ip, Port = p.Port, Service = e });
        }
        return err;
    }

    /// <summary>
    /// CoreDNS's findMultiClusterServices for one "name.namespace": a ClusterSetIP import answers its IPs; a Headless
    /// one, or an endpoint.cluster name, the ready addresses of its multi-cluster EndpointSlices (both the endpoint's
    /// name and its cluster must match; a name without a cluster matches only slices without a source cluster).
    /// </summary>
    private static Err FindMultiClusterServices(K8sIndex index, ReadOnlySpan<char> key, ReadOnlySpan<char> endpoint, ReadOnlySpan<char> cluster,
        ReadOnlySpan<char> port, ReadOnlySpan<char> protocol, List<Item> items)
    {
        if (index.Import(key) is not { } e) return Err.NoItems;
        if (index.Options.IgnoreEmptyService && !e.Headless && e.Endpoints.Count == 0) return Err.NoItems;

        var err = Err.NoItems;
        if (e.Headless || !endpoint.IsEmpty)
        {
            foreach (var a in e.Endpoints)
            {
                if (!endpoint.IsEmpty && (!cluster.Equals(a.ClusterId, StringComparison.OrdinalIgnoreCase) ||
                                          !endpoint.Equals(a.Hostname, StringComparison.OrdinalIgnoreCase)))
                    continue;
                foreach (var p in a.Ports)
                {
                    if (!Match(port, p.Name) || !Match(protocol, p.Protocol)) continue;
                    items.Add(new Item { RData = a.RData, Port = p.Port, Import = e, Host = a.Hostname, Cluster = a.ClusterId });
                    err = Err.None;
                }
            }
            return err;
        }

        foreach (var p in e.Import.Ports)
        {
            if (!Match(port, p.Name) || !Match(protocol, p.Protocol)) continue;
            err = Err.None;
            foreach (var ip in e.IPs) items.Add(new Item { RData = ip, Port = p.Port, Import = e });
        }
        return err;
    }

    // ---- reverse names ----

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>The address a reverse name stands for (a full in-addr.arpa or ip6.arpa name), else null.</summary>
    internal static IPAddress? ReverseAddress(string qname)
    {
        var name = qname.AsSpan().TrimEnd('.');
        Span<Range> labels = stackalloc Range[40];
        if (name.EndsWith(".in-addr.arpa", StringComparison.OrdinalIgnoreCase))
        {
            var rest = name[..^".in-addr.arpa".Length];
            if (rest.Split(labels, '.') != 4) return null;
            Span<byte> b = stackalloc byte[4];
            for (var i = 0; i < 4; i++)
            {
                var l = rest[labels[i]];
                if (l.Length is 0 or > 3 || !byte.TryParse(l, System.Globalization.NumberStyles.None, null, out b[3 - i])) return null;
            }
            return new IPAddress(b);
        }
        if (name.EndsWith(".ip6.arpa", StringComparison.OrdinalIgnoreCase))
        {
            var rest = name[..^".ip6.arpa".Length];
            if (rest.Split(labels, '.') != 32) return null;
            Span<byte> b = stackalloc byte[16];
            b.Clear();
            for (var i = 0; i < 32; i++)
            {
                var l = rest[labels[i]];
                if (l.Length != 1 || !char.IsAsciiHexDigit(l[0])) return null;
                var v = (byte)HexValue(l[0]);
                var pos = 31 - i;
                b[pos / 2] |= (byte)(pos % 2 == 0 ? v << 4 : v);
            }
            return new IPAddress(b);
        }
        return null;
    }
}
