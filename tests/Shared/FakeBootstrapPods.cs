using k8s.Models;

namespace Akka.Dns.TestSupport;

/// <summary>
/// Pods as a Deployment of Akka.Dns creates them, for Cluster Bootstrap's pod discovery (the k8s-bootstrap specs):
/// labelled, with a container port named "management", in a phase.
/// </summary>
public static class FakeBootstrapPods
{
    public static V1Pod Pod(string ns, string name, string ip, int? managementPort, string phase = "Running",
        string app = "akka-dns", bool terminating = false) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta
        {
            NamespaceProperty = ns,
            Name = name,
            Labels = new Dictionary<string, string> { ["app"] = app, ["pod-template-hash"] = "5c9f7d8b6" },
            DeletionTimestamp = terminating ? DateTime.UtcNow : null,
        },
        Spec = new V1PodSpec
        {
            Containers =
            [
                new V1Container
                {
                    Name = "akka-dns",
                    Image = "registry.example.com/akka-dns:0.1.0",
                    Ports = managementPort is { } p
                        ? [new V1ContainerPort { Name = "dns", ContainerPort = 53, Protocol = "UDP" }, new V1ContainerPort { Name = "management", ContainerPort = p, Protocol = "TCP" }]
                        : [new V1ContainerPort { Name = "dns", ContainerPort = 53, Protocol = "UDP" }],
                },
            ],
        },
        Status = new V1PodStatus { Phase = phase, PodIP = phase == "Pending" ? null : ip, PodIPs = phase == "Pending" ? null : [new V1PodIP { Ip = ip }] },
    };
}
