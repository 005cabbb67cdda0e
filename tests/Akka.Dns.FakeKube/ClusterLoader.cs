using System.Diagnostics;
using Akka.Dns.TestSupport;
using k8s.Models;
using static Akka.Dns.TestSupport.FakeObjects;

namespace Akka.Dns.FakeKube;

/// <summary>
/// Puts a generated cluster into the fake API server. Service <c>i</c> (1-based) is <c>svc-NNNNN</c> in namespace
/// <c>ns-(i mod S)</c>, ClusterIP 10.96.0.0/12 + i, port <c>http</c> 80/TCP and, for odd <c>i</c>, <c>grpc</c>
/// 9090/TCP; every K-th is headless (ClusterIP None, its endpoints named like a StatefulSet's pods). Each service has
/// one EndpointSlice of M ready endpoints, pod IPs from 10.128.0.0/9, each with a Pod targetRef (and, with
/// <c>--pods</c>, that Pod). The objects carry what real ones do (annotations, managed fields), which trimming drops.
/// </summary>
public static class ClusterLoader
{
    private const int Ttl = 5;

    public static string Load(FakeApiServer api, ClusterShape shape, TextWriter? records, Task stop)
    {
        var total = shape.Namespaces + shape.Services * (shape.EndpointsPerService > 0 ? 2 : 1)
            + (shape.Pods ? shape.Services * shape.EndpointsPerService : 0);
        var put = 0;
        var sw = Stopwatch.StartNew();
        void Put(k8s.IKubernetesObject<V1ObjectMeta> o)
        {
            api.Put(o);
            if (++put % 10_000 == 0)
                Console.Error.WriteLine($"Akka.Dns.FakeKube: {put:N0}/{total:N0} objects ({sw.Elapsed.TotalSeconds:F1} s)");
        }

        for (var n = 0; n < shape.Namespaces; n++) Put(Namespace(NamespaceName(n)));

        var zone = shape.Zone + ".";
        int headless = 0, endpoints = 0, slices = 0, pods = 0;
        var pod = 0;
        for (var i = 1; i <= shape.Services && !stop.IsCompleted; i++)
        {
            var ns = NamespaceName(i % shape.Namespaces);
            var name = $"svc-{i:D5}";
            var fqdn = $"{name}.{ns}.svc.{zone}";
            var isHeadless = shape.HeadlessEvery > 0 && i % shape.HeadlessEvery == 0;
            V1ServicePort[] ports = i % 2 == 1 ? [Port("http", 80), Port("grpc", 9090)] : [Port("http", 80)];
            var clusterIp = Address(96, i);
            if (isHeadless)
            {
                Put(Headless(ns, name, ports));
                headless++;
            }
            else
            {
                Put(ClusterIP(ns, name, [clusterIp], ports));
                records?.WriteLine($"{fqdn} {Ttl} IN A {clusterIp} ; clusterip");
                foreach (var p in ports) records?.WriteLine($"_{p.Name}._tcp.{fqdn} {Ttl} IN SRV 0 100 {p.Port} {fqdn} ; srv");
            }
            if (shape.EndpointsPerService == 0) continue;

            var eps = new V1Endpoint[shape.EndpointsPerService];
            for (var k = 0; k < eps.Length; k++)
            {
                var podName = $"{name}-{k}";
                var ip = Address(128, ++pod);
                eps[k] = Endpoint(ip, ready: true, hostname: isHeadless ? podName : null, pod: podName, node: $"node-{pod % 100}");
                eps[k].TargetRef.NamespaceProperty = ns;
                if (shape.Pods)
                {
                    Put(Pod(ns, podName, [ip]));
                    pods++;
                }
                if (isHeadless)
                {
                    records?.WriteLine($"{fqdn} {Ttl} IN A {ip} ; headless");
                    records?.WriteLine($"{podName}.{fqdn} {Ttl} IN A {ip} ; endpoint");
                    foreach (var p in ports)
                        records?.WriteLine($"_{p.Name}._tcp.{fqdn} {Ttl} IN SRV 0 {100 / eps.Length} {TargetPort(p)} {podName}.{fqdn} ; srv");
                }
            }
            var slice = Slice(ns, $"{name}-{i:x5}", name, "IPv4", eps);
            slice.Ports = ports.Select(p => new Discoveryv1EndpointPort { Name = p.Name, Port = TargetPort(p), Protocol = "TCP" }).ToList();
            Put(slice);
            slices++;
            endpoints += eps.Length;
        }
        return $"{put:N0} objects in {sw.Elapsed.TotalSeconds:F1} s: {shape.Services:N0} services ({headless:N0} headless), " +
            $"{endpoints:N0} endpoints in {slices:N0} EndpointSlices, {pods:N0} pods, {shape.Namespaces} namespaces; " +
            $"services + endpoints = {shape.Services + endpoints:N0}";
    }

    private static string NamespaceName(int n) => $"ns-{n:D3}";

    // The pods listen on the service port + 8000 (http 80 -> 8080), as a targetPort would say.
    private static int TargetPort(V1ServicePort p) => p.Port + 8000;

    private static string Address(int second, int n) => $"10.{second + (n >> 16)}.{(n >> 8) & 255}.{n & 255}";
}
