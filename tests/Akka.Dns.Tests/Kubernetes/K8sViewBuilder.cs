using System.Collections.Immutable;
using System.Net;
using Akka.Dns.Kubernetes.Model;

namespace Akka.Dns.Tests.Kubernetes;

/// <summary>Builds <see cref="K8sView"/> values in code for specs: namespaces, services, endpoint slices, pods.</summary>
public sealed class K8sViewBuilder
{
    private readonly ImmutableDictionary<string, K8sService>.Builder _services = ImmutableDictionary.CreateBuilder<string, K8sService>();
    private readonly ImmutableDictionary<string, K8sEndpointSlice>.Builder _slices = ImmutableDictionary.CreateBuilder<string, K8sEndpointSlice>();
    private readonly ImmutableDictionary<string, K8sPod>.Builder _pods = ImmutableDictionary.CreateBuilder<string, K8sPod>();
    private readonly ImmutableDictionary<string, K8sNamespace>.Builder _namespaces = ImmutableDictionary.CreateBuilder<string, K8sNamespace>();

    public static K8sPort Port(string name, int port, string protocol = "TCP") => new(name, protocol, port);

    public static K8sEndpoint Ep(string ip, string? hostname = null, bool ready = true, string? pod = null) =>
        new([IPAddress.Parse(ip)], ready, hostname, null, pod);

    private static ImmutableDictionary<string, string> Labels(string? labels)
    {
        var b = ImmutableDictionary.CreateBuilder<string, string>();
        if (labels is not null)
            foreach (var kv in labels.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                var p = kv.Split('=');
                b[p[0]] = p[1];
            }
        return b.ToImmutable();
    }

    public K8sViewBuilder Namespace(string name, string? labels = null)
    {
        _namespaces[name] = new K8sNamespace(name, Labels(labels));
        return this;
    }

    public K8sViewBuilder ClusterIP(string ns, string name, string ips, K8sPort[] ports, string? labels = null) =>
        Add(new K8sService(ns, name, ServiceKind.ClusterIP, [.. ips.Split(',').Select(IPAddress.Parse)], null, [.. ports], [], [], Labels(labels)));

    public K8sViewBuilder Headless(string ns, string name, K8sPort[] ports, string? labels = null) =>
        Add(new K8sService(ns, name, ServiceKind.Headless, [], null, [.. ports], [], [], Labels(labels)));

    public K8sViewBuilder ExternalName(string ns, string name, string target) =>
        Add(new K8sService(ns, name, ServiceKind.ExternalName, [], target, [], [], [], Labels(null)));

    public K8sViewBuilder Add(K8sService s)
    {
        _services[s.Key] = s;
        return this;
    }

    public K8sViewBuilder Slice(string ns, string service, string sliceName, K8sPort[] ports, params K8sEndpoint[] endpoints)
    {
        var family = endpoints.Length > 0 && endpoints[0].Addresses[0].AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
        var s = new K8sEndpointSlice(ns, sliceName, service, family, [.. endpoints], [.. ports]);
        _slices[s.Key] = s;
        return this;
    }

    public K8sViewBuilder Pod(string ns, string name, string ip, bool terminating = false)
    {
        var p = new K8sPod(ns, name, [IPAddress.Parse(ip)], terminating);
        _pods[p.Key] = p;
        return this;
    }

    public K8sView Build(bool synced = true) =>
        new(_services.ToImmutable(), _slices.ToImmutable(), _pods.ToImmutable(), _namespaces.ToImmutable(), synced);
}
