using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Akka.Dns.Interop.Infra;

/// <summary>
/// N daemon processes forming one Akka.Cluster on loopback: each gets its own DNS port and remoting port (free ones,
/// never the demo's 1053-1055/4053-4055), one HOCON file (cluster provider, every node a seed, the split-brain
/// resolver with a short stable-after, DData notifying every 100 ms, durable DData in the rig's directory, member
/// name node1..nodeN; <c>extraHocon</c> is appended, so it overrides any of these) and the same Corefile. <see cref="StartAsync"/>
/// returns when the leader has moved every node to Up. Nodes can be killed with SIGKILL and restarted on the same
/// ports. Every wait is bounded; dispose kills every process.
/// </summary>
public sealed partial class ClusterRig(ITestOutputHelper output, int count, string corefile, string extraHocon = "") : IAsyncDisposable
{
    public static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(60);

    private readonly int[] _dnsPorts = Enumerable.Range(0, count).Select(_ => Ports.Free()).ToArray();
    private readonly int[] _remotePorts = Enumerable.Range(0, count).Select(_ => Ports.Free()).ToArray();
    private readonly Daemon?[] _nodes = new Daemon?[count];
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-cluster-").FullName;

    public int Count => count;
    public int DnsPort(int node) => _dnsPorts[node];
    public int RemotePort(int node) => _remotePorts[node];
    public Daemon Node(int node) => _nodes[node] ?? throw new InvalidOperationException($"node {node} is not running");

    /// <summary>The HOCON a node runs with (written to the rig's directory).</summary>
    public string Hocon(int node) => $$"""
        akka.loglevel = INFO
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = {{_remotePorts[node]}} }
        akka.cluster {
          seed-nodes = [{{string.Join(", ", _remotePorts.Select(p => $"\"akka.tcp://dns@127.0.0.1:{p}\""))}}]
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          split-brain-resolver { active-strategy = keep-majority, stable-after = 7s }
          failure-detector.acceptable-heartbeat-pause = 3s
          run-coordinated-shutdown-when-down = off
          distributed-data.notify-subscribers-interval = 100ms
          distributed-data.durable {
            keys = ["dns-rrsets:*", "dns-serial:*"]
            store-actor-class = "Akka.Dns.Cluster.Durable.SqliteDurableStore, Akka.Dns"
            sqlite.dir = "{{Path.Combine(_dir, $"node{node}-store")}}"
          }
        }
        akka.dns.cluster.member-name = node{{node + 1}}
        {{extraHocon}}
        """;

    public async Task StartAsync()
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(StartNodeAsync));
        await WaitUpAsync(Enumerable.Range(0, count).ToDictionary(n => n, _ => 0));
    }

    private async Task StartNodeAsync(int node)
    {
        var hocon = Path.Combine(_dir, $"node{node}.conf");
        await File.WriteAllTextAsync(hocon, Hocon(node));
        _nodes[node] = await Daemon.StartAsync(corefile, _dnsPorts[node], ["-hocon", hocon]);
    }

    /// <summary>SIGKILL every node, then start them all again on their ports (their durable stores kept).</summary>
    public async Task RestartAllAsync()
    {
        for (var n = 0; n < count; n++) await KillAsync(n);
        await StartAsync();
    }

    /// <summary>SIGKILL, no goodbye to the cluster.</summary>
    public async Task KillAsync(int node)
    {
        if (_nodes[node] is { } d)
        {
            output.WriteLine($"--- node {node} killed; its log:\n{Tail(d.Stdout.Text)}");
            await d.DisposeAsync();
        }
        _nodes[node] = null;
    }

    /// <summary>Starts a killed node again on its ports and waits until the leader moved the new incarnation to Up.</summary>
    public async Task RestartAsync(int node)
    {
        var before = new Dictionary<int, int> { [node] = UpCount(node) };
        await StartNodeAsync(node);
        await WaitUpAsync(before);
    }

    private int UpCount(int node)
    {
        var n = 0;
        var address = $"akka.tcp://dns@127.0.0.1:{_remotePorts[node]}";
        foreach (var d in _nodes)
        {
            if (d is null) continue;
            foreach (var line in d.Stdout.Lines)
                if (UpLine().Match(line) is { Success: true } m && m.Groups[1].Value == address) n++;
        }
        return n;
    }

    /// <summary>Waits until each node in <paramref name="seenBefore"/> was moved to Up more often than that.</summary>
    private async Task WaitUpAsync(Dictionary<int, int> seenBefore)
    {
        var deadline = DateTime.UtcNow + UpTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (seenBefore.All(kv => UpCount(kv.Key) > kv.Value)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"the cluster did not move every node to Up within {UpTimeout}\n{Logs()}");
    }

    public string Logs() => string.Join("\n", _nodes.Select((d, i) => d is null ? $"--- node {i}: not running" : $"--- node {i} (dns {_dnsPorts[i]}, remoting {_remotePorts[i]})\n{Tail(d.Stdout.Text)}\n{Tail(d.Stderr.Text)}"));

    private static string Tail(string text) => text.Length <= 6000 ? text : "..." + text[^6000..];

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _nodes)
            if (d is not null) await d.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"Leader is moving node \[([^\]]+)\] to \[Up\]")]
    private static partial Regex UpLine();
}
