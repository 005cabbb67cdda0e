using System.Diagnostics;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// Three daemon processes forming one Akka.Cluster on loopback, each serving <c>dyn.test</c> with <c>tsig</c> +
/// <c>dynupdate</c>. Real <c>nsupdate</c> and <c>knsupdate</c> clients sign their UPDATEs with TSIG at one node and
/// <c>dig</c> sees the records at every node; concurrent updates of one name at two nodes converge; a node killed
/// with SIGKILL under a stream of updates loses no acknowledged update and catches up after its restart.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ClusterUpdateSpec(ITestOutputHelper output) : IAsyncLifetime
{
    internal const string KeyName = "update-key.";
    internal const string Secret = "ZHlucGRhdGUtdGVzdC1rZXktZm9yLWFra2EtZG5zIQ==";
    internal const string Zone = "dyn.test.";
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);

    private readonly ClusterRig _rig = new(output, 3, $$"""
        {{Zone}} {
            tsig {
                secret {{KeyName}} {{Secret}}
            }
            dynupdate {
                key {{KeyName}}
            }
        }
        """);

    public Task InitializeAsync() => _rig.StartAsync();

    public Task DisposeAsync() => _rig.DisposeAsync().AsTask();

    private static string Script(int port, params string[] lines) =>
        $"server 127.0.0.1 {port}\nzone {Zone}\n{string.Join("\n", lines)}\nsend\n";

    internal static Task<ProcResult> NsupdateAsync(int port, params string[] lines) =>
        Proc.RunAsync("nsupdate", ["-t", "6", "-y", $"hmac-sha256:{KeyName}:{Secret}"], TimeSpan.FromSeconds(20), Script(port, lines));

    private static Task<ProcResult> KnsupdateAsync(int port, params string[] lines) =>
        Proc.RunAsync("knsupdate", ["-t", "6", "-y", $"hmac-sha256:{KeyName}:{Secret}"], TimeSpan.FromSeconds(20), Script(port, lines));

    private async Task<string[]> AAsync(int node, string name)
    {
        var d = await Dig.QueryAsync("127.0.0.1", _rig.DnsPort(node), name, "A");
        return d.Answer.Where(r => r.Type == "A").Select(r => r.Data).Order().ToArray();
    }

    private async Task<long> SerialAsync(int node)
    {
        var d = await Dig.QueryAsync("127.0.0.1", _rig.DnsPort(node), Zone, "SOA");
        return long.Parse(d.Answer.Single(r => r.Type == "SOA").Data.Split(' ')[2]);
    }

    /// <summary>Polls until every node answers <paramref name="name"/> with <paramref name="expected"/>; returns how long it took.</summary>
    private async Task<TimeSpan> UntilEveryNodeAsync(string name, string[] expected, IEnumerable<int>? nodes = null)
    {
        var sw = Stopwatch.StartNew();
        var last = "";
        while (sw.Elapsed < Converge)
        {
            var all = true;
            foreach (var n in nodes ?? Enumerable.Range(0, _rig.Count))
            {
                var got = await AAsync(n, name);
                if (!got.SequenceEqual(expected))
                {
                    all = false;
                    last = $"node {n}: [{string.Join(", ", got)}]";
                    break;
                }
            }
            if (all) return sw.Elapsed;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{name} did not converge to [{string.Join(", ", expected)}] within {Converge}: {last}\n{_rig.Logs()}");
    }

    [Fact]
    public async Task An_update_at_one_node_should_be_answered_by_every_node_with_a_higher_serial()
    {
        var before = await SerialAsync(1);
        var sw = Stopwatch.StartNew();
        var r = await NsupdateAsync(_rig.DnsPort(0), "update add www.dyn.test. 300 A 192.0.2.1");
        var ack = sw.Elapsed;
        Assert.True(r.ExitCode == 0, r.ToString());
        var seen = await UntilEveryNodeAsync("www.dyn.test.", ["192.0.2.1"]);
        output.WriteLine($"nsupdate acknowledged in {ack.TotalMilliseconds:0} ms (process included); every node answered {seen.TotalMilliseconds:0} ms later");
        // The serial travels in its own DData key: it may reach a node a moment after the record does.
        for (var n = 0; n < 3; n++)
        {
            var node = n;
            await UntilAsync(async () => await SerialAsync(node) > before, $"node {node} serves a serial above {before}");
        }

        // knsupdate at another node: delete that one, add two others
        r = await KnsupdateAsync(_rig.DnsPort(2), "update delete www.dyn.test. A", "update add api.dyn.test. 300 A 192.0.2.2", "update add api.dyn.test. 300 A 192.0.2.3");
        Assert.True(r.ExitCode == 0 && !r.Stdout.Contains("error", StringComparison.OrdinalIgnoreCase), r.ToString());
        await UntilEveryNodeAsync("api.dyn.test.", ["192.0.2.2", "192.0.2.3"]);
        await UntilEveryNodeAsync("www.dyn.test.", []);
    }

    [Fact]
    public async Task An_update_signed_with_a_wrong_secret_or_unsigned_should_change_nothing()
    {
        var wrong = await Proc.RunAsync("nsupdate", ["-t", "6", "-y", $"hmac-sha256:{KeyName}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="], TimeSpan.FromSeconds(20),
            Script(_rig.DnsPort(1), "update add bad.dyn.test. 300 A 192.0.2.66"));
        Assert.NotEqual(0, wrong.ExitCode);
        var unsigned = await Proc.RunAsync("nsupdate", ["-t", "6"], TimeSpan.FromSeconds(20), Script(_rig.DnsPort(1), "update add bad.dyn.test. 300 A 192.0.2.66"));
        Assert.NotEqual(0, unsigned.ExitCode);
        Assert.Contains("REFUSED", unsigned.Stdout + unsigned.Stderr);
        for (var n = 0; n < 3; n++) Assert.Empty(await AAsync(n, "bad.dyn.test."));
    }

    [Fact]
    public async Task Concurrent_updates_of_one_name_at_two_nodes_should_converge_to_one_answer_everywhere()
    {
        var tasks = new List<Task<ProcResult>>();
        for (var i = 0; i < 5; i++)
        {
            tasks.Add(NsupdateAsync(_rig.DnsPort(1), "update delete race.dyn.test. A", $"update add race.dyn.test. 60 A 198.51.100.{i}"));
            tasks.Add(NsupdateAsync(_rig.DnsPort(2), "update delete race.dyn.test. A", $"update add race.dyn.test. 60 A 203.0.113.{i}"));
        }
        foreach (var r in await Task.WhenAll(tasks)) Assert.True(r.ExitCode == 0, r.ToString());
        // Whatever won, all three must agree (and on a single value: each update replaced the whole RRset).
        var sw = Stopwatch.StartNew();
        string[] first = [];
        while (sw.Elapsed < Converge)
        {
            first = await AAsync(0, "race.dyn.test.");
            if (first.Length == 1 && (await AAsync(1, "race.dyn.test.")).SequenceEqual(first) && (await AAsync(2, "race.dyn.test.")).SequenceEqual(first)) break;
            await Task.Delay(100);
        }
        Assert.Single(first);
        await UntilEveryNodeAsync("race.dyn.test.", first);
        output.WriteLine($"converged on {first[0]} in {sw.ElapsedMilliseconds} ms after the last acknowledgement");
    }

    [Fact]
    public async Task Without_a_majority_an_update_should_get_SERVFAIL_while_queries_are_still_answered()
    {
        var r = await NsupdateAsync(_rig.DnsPort(0), "update add kept.dyn.test. 300 A 192.0.2.44");
        Assert.True(r.ExitCode == 0, r.ToString());
        await UntilEveryNodeAsync("kept.dyn.test.", ["192.0.2.44"]);
        await _rig.KillAsync(1);
        await _rig.KillAsync(2);

        r = await NsupdateAsync(_rig.DnsPort(0), "update add lost.dyn.test. 300 A 192.0.2.45");
        Assert.True(r.ExitCode != 0, "an update was acknowledged with two of three nodes dead:\n" + r);
        Assert.Contains("SERVFAIL", r.Stdout + r.Stderr);
        Assert.Equal(["192.0.2.44"], await AAsync(0, "kept.dyn.test."));
    }

    [Fact]
    public async Task Every_acknowledged_record_should_survive_a_restart_of_the_whole_cluster()
    {
        var acked = new List<(string Name, string Ip)>();
        var serial = await SerialAsync(0) + 6;   // each update raises it once, cluster-wide
        for (var i = 0; i < 6; i++)
        {
            var r = await NsupdateAsync(_rig.DnsPort(i % 3), $"update add d{i}.dyn.test. 300 A 10.1.0.{i}");
            Assert.True(r.ExitCode == 0, r.ToString());
            acked.Add(($"d{i}.dyn.test.", $"10.1.0.{i}"));
        }
        await _rig.RestartAllAsync();
        foreach (var (name, ip) in acked) await UntilEveryNodeAsync(name, [ip]);
        for (var n = 0; n < 3; n++)
        {
            var node = n;
            await UntilAsync(async () => await SerialAsync(node) == serial, $"node {node} serves serial {serial}");
        }
    }

    private async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Converge)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"not within {Converge}: {what}\n{_rig.Logs()}");
    }

    [Fact]
    public async Task A_node_killed_under_updates_should_lose_no_acknowledged_update_and_catch_up_after_restart()
    {
        var acked = new List<(string Name, string Ip)>();
        var failed = 0;
        var latencies = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            if (i == 10) await _rig.KillAsync(2);
            var name = $"r{i}.dyn.test.";
            var ip = $"10.0.0.{i}";
            var sw = Stopwatch.StartNew();
            var r = await NsupdateAsync(_rig.DnsPort(i % 2), $"update add {name} 300 A {ip}");
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            if (r.ExitCode == 0) acked.Add((name, ip));
            else failed++;
        }
        output.WriteLine($"{acked.Count} acknowledged, {failed} failed; nsupdate round trip p50 {latencies.Order().ElementAt(latencies.Count / 2):0} ms");
        Assert.True(acked.Count >= 25, $"only {acked.Count} of 30 updates were acknowledged with two of three nodes up");
        foreach (var (name, ip) in acked) await UntilEveryNodeAsync(name, [ip], [0, 1]);

        await _rig.RestartAsync(2);
        foreach (var (name, ip) in acked) await UntilEveryNodeAsync(name, [ip], [2]);
    }
}
