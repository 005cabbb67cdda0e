using System.Diagnostics;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>
/// The <c>secondary</c> plugin against a real Knot DNS on loopback: Akka.Dns transfers the bench zone in from Knot
/// and answers as Knot does; a change reloaded on Knot reaches Akka.Dns by NOTIFY; and the other way round, Knot as
/// the secondary of Akka.Dns (<c>file</c> + <c>transfer</c>) holds our zone after a change.
/// </summary>
public sealed class SecondarySpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static string BenchZone => SharedBench.Zone;
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-secondary-").FullName;
    private readonly List<Knot> _knots = [];
    private readonly List<Daemon> _daemons = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in _daemons)
        {
            d.Dump(output);
            await d.DisposeAsync();
        }
        foreach (var k in _knots)
        {
            output.WriteLine(k.Log);
            k.Dispose();
        }
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A knotd of the spec's own, in a directory of its own, stopped by its pid.</summary>
    private sealed class Knot : IDisposable
    {
        private readonly Process _process;

        private Knot(string dir, int port, Process process)
        {
            Dir = dir;
            Port = port;
            _process = process;
        }

        public string Dir { get; }
        public int Port { get; }
        public string Conf => Path.Combine(Dir, "knot.conf");
        public string ZoneFile => Path.Combine(Dir, "example.org.zone");
        public string Log => File.Exists(Path.Combine(Dir, "log")) ? File.ReadAllText(Path.Combine(Dir, "log")) : "";

        /// <summary>Starts knotd on 127.0.0.1:PORT; <paramref name="zoneConf"/> is the zone's settings (file, notify/master, acl).</summary>
        public static async Task<Knot> StartAsync(string parent, string name, string remotes, string zoneConf, string? zoneText, int? knotPort = null)
        {
            var dir = Path.Combine(parent, name);
            Directory.CreateDirectory(dir);
            var port = knotPort ?? Ports.Free();
            if (zoneText is not null) await File.WriteAllTextAsync(Path.Combine(dir, "example.org.zone"), zoneText);
            await File.WriteAllTextAsync(Path.Combine(dir, "knot.conf"), $"""
                server:
                    rundir: "{dir}"
                    pidfile: "{dir}/knot.pid"
                    listen: 127.0.0.1@{port}
                    udp-workers: 1
                    tcp-workers: 1
                    background-workers: 1
                log:
                  - target: "{dir}/log"
                    any: info
                database:
                    storage: "{dir}/db"
                {remotes}
                acl:
                  - id: local
                    address: 127.0.0.1
                    action: [transfer, notify]
                template:
                  - id: default
                    storage: "{dir}"
                    zonefile-sync: -1
                    journal-content: none
                zone:
                  - domain: example.org
                    file: "{dir}/example.org.zone"
                    acl: local
                {zoneConf}
                """);
            var psi = new ProcessStartInfo("knotd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(Path.Combine(dir, "knot.conf"));
            var p = Process.Start(psi) ?? throw new InvalidOperationException("knotd did not start");
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var knot = new Knot(dir, port, p);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (DateTime.UtcNow < deadline)
            {
                var r = await Dig.RunAsync("127.0.0.1", port, "+norec", "example.org", "SOA");
                if (r.Stdout.Contains("->>HEADER<<-")) return knot;
                if (p.HasExited) break;
                await Task.Delay(200);
            }
            knot.Dispose();
            throw new InvalidOperationException($"knotd on {port} did not answer\n{knot.Log}");
        }

        public async Task ReloadAsync()
        {
            var r = await Proc.RunAsync("knotc", ["-c", Conf, "zone-reload", "example.org"], TimeSpan.FromSeconds(15));
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
            _process.Dispose();
        }
    }

    private static string Remote(int port) => $"""
        remote:
          - id: akka
            address: 127.0.0.1@{port}
        """;

    /// <summary>
    /// dig's status, AA and answer, with the authority of negative answers, as a comparable text (on positive answers
    /// CoreDNS, and so Akka.Dns, adds the apex NS to the authority section; Knot does not).
    /// </summary>
    private static async Task<string> ShapeAsync(int port, string name, string type)
    {
        var a = await Dig.QueryAsync("127.0.0.1", port, "+norec", "+noedns", name, type);
        static string Rrs(IReadOnlyList<DigRecord> rrs) => string.Join("\n", rrs.Select(r => $"{r.Name} {r.Ttl} {r.Class} {r.Type} {r.Data}".ToLowerInvariant()).Order());
        return $"{a.Status} aa={a.Flags.Contains("aa")}\n;answer\n{Rrs(a.Answer)}\n;authority\n{(a.Answer.Count == 0 ? Rrs(a.Authority) : "")}";
    }

    private static async Task<List<string>> AxfrAsync(int port)
    {
        var r = await Dig.RunAsync("127.0.0.1", port, "AXFR", "example.org", "+nocmd", "+nostats");
        var list = r.Stdout.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(';'))
            .Select(l => string.Join(' ', l.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant()).ToList();
        if (list.Count > 0) list.RemoveAt(list.Count - 1);   // the closing SOA
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    private static async Task AwaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(250);
        }
        Assert.Fail($"not within {Patience}: {what}");
    }

    private async Task<Daemon> DaemonAsync(string corefile, int port)
    {
        var d = await Daemon.StartAsync(corefile, port);
        _daemons.Add(d);
        return d;
    }

    [SharedBenchFact]
    public async Task Secondary_should_answer_like_its_Knot_primary_and_follow_its_NOTIFY()
    {
        var akkaPort = Ports.Free();
        var knot = await Knot.StartAsync(_dir, "primary", Remote(akkaPort), "    notify: akka", await File.ReadAllTextAsync(BenchZone));
        _knots.Add(knot);
        var daemon = await DaemonAsync($$"""
            example.org {
                secondary {
                    transfer from 127.0.0.1:{{knot.Port}}
                }
            }
            """, akkaPort);
        await AwaitAsync(async () => (await Dig.QueryAsync("127.0.0.1", akkaPort, "+norec", "example.org", "SOA")).Status == "NOERROR", "the first transfer");

        string[][] cases =
        [
            ["example.org", "SOA"], ["example.org", "NS"], ["example.org", "MX"], ["example.org", "TXT"], ["multi.example.org", "A"],
            ["txt.example.org", "TXT"], ["nothere.example.org", "A"], ["ns1.example.org", "AAAA"], ["ns1.example.org", "MX"],
        ];
        foreach (var c in cases)
            Assert.Equal(await ShapeAsync(knot.Port, c[0], c[1]), await ShapeAsync(akkaPort, c[0], c[1]));

        // A new serial with other data on Knot: its NOTIFY brings it over (the SOA refresh is two hours away).
        var text = await File.ReadAllTextAsync(knot.ZoneFile);
        await File.WriteAllTextAsync(knot.ZoneFile, text.Replace("2026112401", "2026112402")
            .Replace("multi\tIN\tA\t192.0.2.101", "multi\tIN\tA\t192.0.2.201") + "notified\tIN\tA\t192.0.2.77\n");
        await knot.ReloadAsync();
        await AwaitAsync(async () => (await Dig.QueryAsync("127.0.0.1", akkaPort, "+norec", "notified.example.org", "A")).Status == "NOERROR", "the NOTIFY-driven transfer");
        Assert.Contains(daemon.Stdout.Lines, l => l.Contains("plugin/file: Notify from 127.0.0.1 for example.org.: checking transfer"));
        Assert.Equal(await ShapeAsync(knot.Port, "multi.example.org", "A"), await ShapeAsync(akkaPort, "multi.example.org", "A"));
        Assert.Equal(await ShapeAsync(knot.Port, "example.org", "SOA"), await ShapeAsync(akkaPort, "example.org", "SOA"));
    }

    [SharedBenchFact]
    public async Task Secondary_zone_should_be_transferable_onwards_and_equal_the_primary()
    {
        var akkaPort = Ports.Free();
        var knot = await Knot.StartAsync(_dir, "primary", Remote(akkaPort), "    notify: akka", await File.ReadAllTextAsync(BenchZone));
        _knots.Add(knot);
        await DaemonAsync($$"""
            example.org {
                secondary {
                    transfer from 127.0.0.1:{{knot.Port}}
                }
                transfer {
                    to *
                }
            }
            """, akkaPort);
        await AwaitAsync(async () => (await Dig.QueryAsync("127.0.0.1", akkaPort, "+norec", "example.org", "SOA")).Status == "NOERROR", "the first transfer");
        var theirs = await AxfrAsync(knot.Port);
        Assert.True(theirs.Count > 11000, $"{theirs.Count} records");
        Assert.Equal(theirs, await AxfrAsync(akkaPort));
    }

    [SharedBenchFact]
    public async Task Knot_as_secondary_of_Akka_Dns_should_hold_our_zone_after_a_change()
    {
        var akkaPort = Ports.Free();
        var db = Path.Combine(_dir, "db.example.org");
        var text = await File.ReadAllTextAsync(BenchZone);
        await File.WriteAllTextAsync(db, text);
        // Our daemon first (its NOTIFY at start goes out before its listeners are up), then Knot, which bootstraps
        // the zone from us at once.
        var knotPort = Ports.Free();
        await DaemonAsync($$"""
            example.org {
                file {{db}} {
                    reload 1s
                }
                transfer {
                    to 127.0.0.1:{{knotPort}}
                }
            }
            """, akkaPort);
        var knot = await Knot.StartAsync(_dir, "secondary", Remote(akkaPort), "    master: akka", null, knotPort);
        _knots.Add(knot);
        var ours = await AxfrAsync(akkaPort);
        await AwaitAsync(async () => (await AxfrAsync(knot.Port)).SequenceEqual(ours), "Knot's first transfer from Akka.Dns");

        await File.WriteAllTextAsync(db, text.Replace("2026112401", "2026112402") + "changed\tIN\tTXT\t\"by akka\"\n");
        await AwaitAsync(async () => (await Dig.QueryAsync("127.0.0.1", akkaPort, "+norec", "changed.example.org", "TXT")).Status == "NOERROR", "our reload");
        ours = await AxfrAsync(akkaPort);
        await AwaitAsync(async () => (await AxfrAsync(knot.Port)).SequenceEqual(ours), "Knot's transfer after our NOTIFY");
        Assert.Contains("changed.example.org. 3600 in txt \"by akka\"", ours);
    }
}
