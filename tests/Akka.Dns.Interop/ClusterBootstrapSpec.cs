using System.Diagnostics;
using Akka.Dns.Interop.Infra;
using Akka.Dns.TestSupport;

namespace Akka.Dns.Interop;

/// <summary>
/// Three real daemons form ONE cluster the way the replicas of deploy/kubernetes do: no seed nodes, Cluster
/// Bootstrap with discovery method kubernetes-api against the fake API server (in this process, plain HTTP on
/// loopback). Each daemon runs hocon/kubernetes.conf itself, POD_IP = 127.0.0.1 and POD_NAME = nodeN filled in as
/// the daemon's environment fallback does, with only its ports, the API endpoint and a loopback bind added; each fake
/// pod is labelled app=akka-dns and carries its own node's management port as the container port named
/// "management". Every wait is bounded.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ClusterBootstrapSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan FormBound = TimeSpan.FromSeconds(90);
    private const string Corefile = "akka.dns {\n    cluster\n}\n";

    private readonly int[] _dns = [Ports.Free(), Ports.Free(), Ports.Free()];
    private readonly int[] _remoting = [Ports.Free(), Ports.Free(), Ports.Free()];
    private readonly int[] _management = [Ports.Free(), Ports.Free(), Ports.Free()];
    private readonly Daemon?[] _nodes = new Daemon?[3];
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-bootstrap-").FullName;
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        for (var i = 0; i < 3; i++) _api.Put(FakeBootstrapPods.Pod("kube-system", $"akka-dns-node{i + 1}", "127.0.0.1", _management[i]));
        // Not contact points: another app's pod, and a pod of ours that is still Pending.
        _api.Put(FakeBootstrapPods.Pod("kube-system", "other", "127.0.0.1", Ports.Free(), app: "other"));
        _api.Put(FakeBootstrapPods.Pod("kube-system", "akka-dns-pending", "127.0.0.2", Ports.Free(), phase: "Pending"));
    }

    /// <summary>hocon/kubernetes.conf as node <paramref name="i"/>'s pod would read it, plus what differs on one loopback host.</summary>
    private string Hocon(int i)
    {
        var file = File.ReadAllText(Path.Combine(Repo.Root, "hocon/kubernetes.conf"));
        var expanded = HoconEnvironment.Expand(file, n => n switch { "POD_IP" => "127.0.0.1", "POD_NAME" => $"node{i + 1}", _ => null });
        return expanded + $$"""

            # ---- ClusterBootstrapSpec: three "pods" on one loopback host
            akka.remote.dot-netty.tcp.port = {{_remoting[i]}}
            akka.management.http { port = {{_management[i]}}, bind-hostname = "127.0.0.1" }
            akka.discovery.kubernetes-api { api-endpoint = "{{_api.Url}}", pod-namespace = kube-system }
            """;
    }

    private async Task<string[]> MembersAt(int i)
    {
        var r = Dig.Parse(await Dig.RunAsync("127.0.0.1", _dns[i], "members.akka.dns", "SRV"));
        if (r is null || r.Status != "NOERROR") return [];
        return r.Answer.Where(a => a.Type == "SRV").Select(a => a.Data.Split(' ')[3].Split('.')[0]).Order().ToArray();
    }

    [Fact]
    public async Task Three_daemons_should_form_one_cluster_through_cluster_bootstrap_and_kubernetes_api_discovery_without_seed_nodes()
    {
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            var hocon = Path.Combine(_dir, $"node{i}.conf");
            var text = Hocon(i);
            Assert.DoesNotContain("akka.tcp://", text);   // no seed node anywhere
            await File.WriteAllTextAsync(hocon, text);
            _nodes[i] = await Daemon.StartAsync(Corefile, _dns[i], ["-hocon", hocon]);
        }));

        string[] all = ["node1", "node2", "node3"];
        for (var i = 0; i < 3; i++)
        {
            string[] seen;
            while (!(seen = await MembersAt(i)).SequenceEqual(all))
            {
                if (sw.Elapsed > FormBound)
                    Assert.Fail($"node{i + 1} answers members [{string.Join(", ", seen)}] {FormBound.TotalSeconds} s after launch; expected node1, node2, node3\n{Logs()}");
                await Task.Delay(100);
            }
        }
        output.WriteLine($"all three list all three members {sw.Elapsed.TotalSeconds:F1} s after launch; the fake API server answered {_api.NamespacedPodLists} pod lists");

        // Bootstrap did it: discovery asked the API server, and exactly one node (the lowest contact point: the
        // lowest management port on 127.0.0.1) formed the cluster, which the other two joined.
        Assert.True(_api.NamespacedPodLists >= 3, $"discovery listed pods {_api.NamespacedPodLists} times");
        var selfJoined = Enumerable.Range(0, 3).Where(i => _nodes[i]!.Stdout.Lines.Any(l => l.Contains("Initiating new cluster, self-joining"))).ToArray();
        Assert.Equal([Array.IndexOf(_management, _management.Min())], selfJoined);
        foreach (var i in Enumerable.Range(0, 3).Except(selfJoined))
            Assert.Contains(_nodes[i]!.Stdout.Lines, l => l.Contains("to existing cluster"));
    }

    private string Logs() => string.Join("\n", _nodes.Select((d, i) =>
        d is null ? $"--- node {i}: not running" : $"--- node {i} (dns {_dns[i]}, remoting {_remoting[i]}, management {_management[i]})\n{Tail(d.Stdout.Text)}\n{Tail(d.Stderr.Text)}"));

    private static string Tail(string text) => text.Length <= 6000 ? text : "..." + text[^6000..];

    public async Task DisposeAsync()
    {
        foreach (var d in _nodes)
            if (d is not null) await d.DisposeAsync();
        await _api.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
