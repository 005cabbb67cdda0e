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
/// "management". The daemons also serve cluster.local with the kubernetes plugin: the API server sees one watch
/// per kind for the whole bootstrapped cluster. Every wait is bounded.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ClusterBootstrapSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan FormBound = TimeSpan.FromSeconds(90);
    private string Corefile => $"akka.dns {{\n    cluster\n}}\ncluster.local {{\n    kubernetes {{\n        endpoint {_api.Url}\n    }}\n}}\n";

    // Three replicas, and a fourth started once they have formed the cluster (a scale-up or a restarted pod).
    private readonly int[] _dns = [Ports.Free(), Ports.Free(), Ports.Free(), Ports.Free()];
    private readonly int[] _remoting = [Ports.Free(), Ports.Free(), Ports.Free(), Ports.Free()];
    private readonly int[] _management = [Ports.Free(), Ports.Free(), Ports.Free(), Ports.Free()];
    private readonly Daemon?[] _nodes = new Daemon?[4];
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-bootstrap-").FullName;
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(FakeObjects.Namespace("default"));
        _api.Put(FakeObjects.ClusterIP("default", "web", ["10.96.0.10"], FakeObjects.Port("http", 80)));
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

    private async Task StartNodeAsync(int i)
    {
        var hocon = Path.Combine(_dir, $"node{i}.conf");
        var text = Hocon(i);
        Assert.DoesNotContain("akka.tcp://", text);   // no seed node anywhere
        await File.WriteAllTextAsync(hocon, text);
        _nodes[i] = await Daemon.StartAsync(Corefile, _dns[i], ["-hocon", hocon]);
    }

    /// <summary>Polls members.akka.dns SRV at each node until it lists exactly <paramref name="expected"/>.</summary>
    private async Task UntilMembers(int[] at, string[] expected, Stopwatch sw)
    {
        foreach (var i in at)
        {
            string[] seen;
            while (!(seen = await MembersAt(i)).SequenceEqual(expected))
            {
                if (sw.Elapsed > FormBound)
                    Assert.Fail($"node{i + 1} answers members [{string.Join(", ", seen)}] {FormBound.TotalSeconds} s after launch; expected {string.Join(", ", expected)}\n{Logs()}");
                await Task.Delay(100);
            }
        }
    }

    private async Task<string> AAt(int i, string name)
    {
        var r = Dig.Parse(await Dig.RunAsync("127.0.0.1", _dns[i], name, "A"));
        if (r is null) return "(no answer)";
        if (r.Status != "NOERROR") return r.Status;
        return string.Join(",", r.Answer.Where(a => a.Type == "A").Select(a => a.Data).Order());
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
        await Task.WhenAll(Enumerable.Range(0, 3).Select(StartNodeAsync));
        await UntilMembers([0, 1, 2], ["node1", "node2", "node3"], sw);
        output.WriteLine($"all three list all three members {sw.Elapsed.TotalSeconds:F1} s after launch; the fake API server answered {_api.NamespacedPodLists} pod lists");

        // Bootstrap did it: discovery asked the API server, and exactly one node (the lowest contact point: the
        // lowest management port on 127.0.0.1) formed the cluster, which the other two joined.
        Assert.True(_api.NamespacedPodLists >= 3, $"discovery listed pods {_api.NamespacedPodLists} times");
        var first = Array.IndexOf(_management, _management[..3].Min());
        Assert.Equal([first], Enumerable.Range(0, 3).Where(i => SelfJoined(i)).ToArray());
        foreach (var i in Enumerable.Range(0, 3).Where(i => i != first))
            Assert.Contains(_nodes[i]!.Stdout.Lines, l => l.Contains("to existing cluster"));

        // The kubernetes plugin of the bootstrapped cluster: every node answers from one watch per kind.
        foreach (var i in new[] { 0, 1, 2 })
        {
            string seen;
            while ((seen = await AAt(i, "web.default.svc.cluster.local")) != "10.96.0.10")
            {
                if (sw.Elapsed > FormBound) Assert.Fail($"node{i + 1} answers web.default.svc.cluster.local with {seen}\n{Logs()}");
                await Task.Delay(100);
            }
        }
        Assert.Equal((1, 1), (_api.Watches(FakeResource.Services), _api.Watches(FakeResource.EndpointSlices)));

        // A fourth pod appears (scale-up, or a pod restarted under a new name): it finds the running cluster through
        // the same discovery and joins it, whatever its address; it never forms a second cluster.
        _api.Put(FakeBootstrapPods.Pod("kube-system", "akka-dns-node4", "127.0.0.1", _management[3]));
        var join = Stopwatch.StartNew();
        await StartNodeAsync(3);
        await UntilMembers([0, 1, 2, 3], ["node1", "node2", "node3", "node4"], join);
        output.WriteLine($"node4 is in members.akka.dns at all four {join.Elapsed.TotalSeconds:F1} s after its launch");
        Assert.False(SelfJoined(3));
        while (await AAt(3, "web.default.svc.cluster.local") != "10.96.0.10")
        {
            if (join.Elapsed > FormBound) Assert.Fail($"node4 does not answer web.default.svc.cluster.local\n{Logs()}");
            await Task.Delay(100);
        }
        Assert.Equal((1, 1), (_api.Watches(FakeResource.Services), _api.Watches(FakeResource.EndpointSlices)));   // node4 watches nothing itself
        Assert.Contains(_nodes[3]!.Stdout.Lines, l => l.Contains("to existing cluster"));
    }

    [Fact]
    public async Task A_daemon_with_bootstrap_on_and_seed_nodes_should_refuse_to_start()
    {
        var hocon = Path.Combine(_dir, "seeds.conf");
        await File.WriteAllTextAsync(hocon, Hocon(0) + $"\nakka.cluster.seed-nodes = [\"akka.tcp://dns@127.0.0.1:{_remoting[0]}\"]\n");
        await using var d = await Daemon.StartAsync(Corefile, _dns[0], ["-hocon", hocon], waitReady: false);
        Assert.True(await d.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the daemon kept running");
        Assert.Equal(1, d.ExitCode);
        Assert.Contains($"akka.dns.cluster.bootstrap = on finds the other members itself: remove akka.cluster.seed-nodes (akka.tcp://dns@127.0.0.1:{_remoting[0]})", d.Stderr.Text);
    }

    [Fact]
    public async Task A_daemon_whose_management_port_is_taken_should_exit_naming_it()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, _management[0]);
        taken.Start();
        var hocon = Path.Combine(_dir, "taken.conf");
        await File.WriteAllTextAsync(hocon, Hocon(0));
        await using var d = await Daemon.StartAsync(Corefile, _dns[0], ["-hocon", hocon], waitReady: false);
        Assert.True(await d.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the daemon kept running");
        Assert.Equal(1, d.ExitCode);
        Assert.Contains($"Akka.Dns could not start: akka.management.http cannot listen on 127.0.0.1:{_management[0]}: Address already in use", d.Stderr.Text);
    }

    private bool SelfJoined(int i) => _nodes[i]!.Stdout.Lines.Any(l => l.Contains("Initiating new cluster, self-joining"));

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
