using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dns;
using Akka.Dns.Cluster;
using Akka.Dns.Cluster.Bootstrap;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Reload;
using Akka.Dns.Server;

namespace Akka.Dns.Daemon;

/// <summary>
/// The daemon: flags, HOCON (reference.conf ← -hocon FILE), the Corefile, the ActorSystem and the server;
/// SIGTERM/SIGINT stop it through CoordinatedShutdown (lameduck first), SIGUSR1 reloads the Corefile and keeps
/// the old config serving when the new one is bad.
/// </summary>
public static class Daemon
{
    public const string DefaultCorefile = ".:{0} {{\n    whoami\n    log\n}}\n";

    public static string Version => typeof(Daemon).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>The OS family as Go's GOOS spells it (CoreDNS's -version prints GOOS/GOARCH), not the distribution.</summary>
    private static string OsName =>
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsFreeBSD() ? "freebsd" : "unknown";

    public static async Task<int> RunAsync(string[] args)
    {
        CommandLine cl;
        try
        {
            cl = CommandLine.Parse(args);
        }
        catch (ExtraArgumentsException e)
        {
            Console.Error.WriteLine(e.Message);   // CoreDNS: log.Fatal, exit 1, no usage
            return 1;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(CommandLine.Usage);
            return 2;
        }
        if (cl.Help)
        {
            Console.WriteLine(CommandLine.Usage);
            return 0;
        }
        if (cl.Version)
        {
            Console.WriteLine($"Akka.Dns-{Version}");
            Console.WriteLine($"{OsName}/{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}, .NET {Environment.Version}");
            return 0;
        }
        var catalog = PluginCatalog.Default;
        if (cl.Plugins)
        {
            Console.WriteLine("Server types:");
            Console.WriteLine("  dns");
            Console.WriteLine();
            Console.WriteLine("Caddyfile loaders:");
            Console.WriteLine("  flag");
            Console.WriteLine("  default");
            Console.WriteLine();
            Console.WriteLine("Other plugins:");
            foreach (var p in catalog.Built) Console.WriteLine($"  dns.{p}");
            return 0;
        }

        Config hocon;
        try
        {
            // ${NAME} / ${?NAME} from the environment (HoconEnvironment): Akka.NET's parser does not read it.
            hocon = cl.Hocon is null ? Config.Empty : ConfigurationFactory.ParseString(HoconEnvironment.Expand(await File.ReadAllTextAsync(cl.Hocon)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigurationException)
        {
            Console.Error.WriteLine($"cannot read -hocon {cl.Hocon}: {e.Message}");
            return 1;
        }
        var config = hocon
            .WithFallback(ConfigurationFactory.ParseString("""
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                akka.log-dead-letters = off
                akka.log-dead-letters-during-shutdown = off
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = on
                # The stop task (lameduck, then closing listeners) runs in service-unbind; Akka's default phase
                # timeout (5 s) would cut a longer lameduck short. CoreDNS does not bound it either.
                akka.coordinated-shutdown.phases.service-unbind.timeout = 24h
                """))
            .WithFallback(DnsSettings.DefaultConfig());

        DnsSettings settings;
        bool bootstrap;
        try
        {
            settings = DnsSettings.Create(config);
            ClusterNodeSettings.Create(config);   // akka.dns.cluster errors stop start-up here, not in the extension
            bootstrap = DnsClusterBootstrap.IsEnabled(config);
        }
        catch (ConfigurationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        var loader = new CorefileLoader(cl.Conf, cl.DnsPort, catalog, settings);
        ServerPlan plan;
        try
        {
            plan = loader.Load();
        }
        catch (Exception e) when (e is CorefileException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }

        var system = ActorSystem.Create("dns", config);
        // A plugin's fatal error (loop's forwarding loop) ends the process with status 1, as CoreDNS's log.Fatal:
        // printed at once, then the actor system stops (no lameduck wait) and RunAsync returns 1.
        var exitCode = 0;
        Action<PluginFatal> onFatal = f =>
        {
            Console.Error.WriteLine(f.ToString());
            Interlocked.Exchange(ref exitCode, 1);
            _ = CoordinatedShutdown.Get(system).Run(FatalReason.Instance);
        };
        system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new FatalListener(onFatal)), "fatal"), typeof(PluginFatal));
        // Clustered (akka.actor.provider = cluster): joins the seed nodes (with bootstrap: whom bootstrap finds) and
        // starts the membership view now, so the cluster forms while the Corefile's zones load; a local daemon
        // answers for itself alone.
        var membership = DnsMembership.Get(system);
        DnsServer server;
        var reloader = new CorefileReloader(loader);
        try
        {
            // akka.dns.cluster.bootstrap = on: no seed nodes; the management endpoint answers contact-point probes
            // and bootstrap discovers the other replicas (Kubernetes: hocon/kubernetes.conf) and forms or joins.
            if (bootstrap) await DnsClusterBootstrap.StartAsync(system);
            server = await DnsServer.StartAsync(system, plan, settings, reloader: reloader);
            PublishDnsPort(membership, server);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"Akka.Dns could not start: {e.GetBaseException().Message}");
            await system.Terminate();
            return 1;
        }

        // Start-up parsed every zone, built every snapshot and read the first full Kubernetes list (objects in
        // full, before trimming): hand that garbage back, and the memory it took back to the system (Aggressive
        // decommits what a plain compacting collection keeps committed), before serving.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (cl.PidFile is not null) await File.WriteAllTextAsync(cl.PidFile, Environment.ProcessId + "\n");
        if (!cl.Quiet)
        {
            foreach (var line in plan.StartupLines) Console.WriteLine(line);
            Console.WriteLine($"Akka.Dns-{Version}");
            Console.WriteLine($"{RuntimeInformation.RuntimeIdentifier}, .NET {Environment.Version}");
        }

        var current = server;
        var reloadLock = new SemaphoreSlim(1, 1);
        var stopping = false;
        // SIGUSR1 and the reload plugin share this path: one reload at a time, never during the stop.
        reloader.Reload = async () =>
        {
            await reloadLock.WaitAsync();
            try
            {
                if (stopping) return false;
                var (next, ok) = await Reload(system, loader, current, settings, cl.Quiet);
                current = next;
                PublishDnsPort(membership, current);
                return ok;
            }
            finally
            {
                reloadLock.Release();
            }
        };
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "akka-dns-stop", async () =>
        {
            await reloadLock.WaitAsync();
            stopping = true;
            await current.StopAsync(lameduck: CoordinatedShutdown.Get(system).ShutdownReason is not FatalReason);
            return Done.Instance;
        });

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        });
        using var reload = PosixSignalRegistration.Create((PosixSignal)10 /* SIGUSR1 */, ctx =>
        {
            ctx.Cancel = true;
            _ = Task.Run(reloader.ReloadAsync);
        });
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => ctx.Cancel = true);   // CoreDNS ignores SIGHUP

        await system.WhenTerminated;
        LineLog.Flush(TimeSpan.FromSeconds(2));   // query and error logs still queued
        if (cl.PidFile is not null) TryDelete(cl.PidFile);
        return Volatile.Read(ref exitCode);
    }

    /// <summary>
    /// Loads the Corefile again and swaps the running server for it (listeners kept when they are the same, see
    /// <see cref="DnsServer.ReloadAsync"/>); on any error the running config keeps serving.
    /// </summary>
    private static async Task<(DnsServer Server, bool Ok)> Reload(ActorSystem system, CorefileLoader loader, DnsServer current, DnsSettings settings, bool quiet)
    {
        ServerPlan plan;
        try
        {
            plan = loader.Load();
        }
        catch (Exception e) when (e is CorefileException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"[ERROR] plugin/reload: Corefile changed but reload failed, keeping the running config: {e.Message}");
            ReloadMetrics.Failed.Increment();
            return (current, false);
        }
        try
        {
            var next = await current.ReloadAsync(plan);
            Console.WriteLine("[INFO] Reloading complete");
            return (next, true);
        }
        catch (Exception e)
        {
            ReloadMetrics.Failed.Increment();
            if (!current.ShuttingDown)
            {
                Console.Error.WriteLine($"[ERROR] Reload failed, keeping the running config: {e.GetBaseException().Message}");
                return (current, false);
            }
            Console.Error.WriteLine($"[ERROR] Reload failed, restarting the previous config: {e.GetBaseException().Message}");
            return (await DnsServer.StartAsync(system, current.Plan, settings, reloader: null), false);
        }
    }

    /// <summary>The DNS port this node publishes to the cluster: its first dns:// listener's (none: not published).</summary>
    private static void PublishDnsPort(DnsMembership membership, DnsServer server)
    {
        if (server.UdpEndPoints.Count > 0 && server.UdpEndPoints[0].Port != membership.DnsPort)
            membership.SetDnsPort(server.UdpEndPoints[0].Port);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The daemon's side of <see cref="ICorefileReloader"/>: digests the Corefile files and runs the daemon's reload.</summary>
internal sealed class CorefileReloader(CorefileLoader loader) : ICorefileReloader
{
    public Func<Task<bool>> Reload { get; set; } = () => Task.FromResult(false);

    public string? Digest() => loader.Digest();

    public Task<bool> ReloadAsync() => Reload();
}

/// <summary>Hands a <see cref="PluginFatal"/> published on the event stream to the daemon.</summary>
internal sealed class FatalListener : ReceiveActor
{
    public FatalListener(Action<PluginFatal> onFatal) => Receive<PluginFatal>(onFatal);
}

/// <summary>Why the daemon stopped: a plugin's fatal error (exit status 1).</summary>
internal sealed class FatalReason : CoordinatedShutdown.Reason
{
    public static readonly FatalReason Instance = new();
    private FatalReason() { }
    public override int ExitCode => 1;
}

/// <summary>Finds and reads the Corefile as CoreDNS does: -conf FILE, -conf stdin, ./Corefile, else the built-in default.</summary>
public sealed class CorefileLoader(string? conf, int dnsPort, PluginCatalog catalog, DnsSettings settings)
{
    private string? _stdin;

    public ServerPlan Load() => ServerPlan.Build(Read(), catalog, settings, dnsPort);

    /// <summary>
    /// SHA-512 over the Corefile and every file it imports (CoreDNS's reload checksum); a Corefile that does not
    /// parse is digested alone, so its fixing is noticed too. Null when it cannot be read.
    /// </summary>
    public string? Digest()
    {
        if (conf == "stdin") return "stdin";
        var path = conf ?? (File.Exists("Corefile") ? "Corefile" : null);
        if (path is null) return "default";
        try
        {
            IReadOnlyList<string> files;
            try
            {
                files = Read().Files;
            }
            catch (CorefileException)
            {
                files = [path];
            }
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA512);
            foreach (var f in files.Count == 0 ? [path] : files) sha.AppendData(File.ReadAllBytes(f));
            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private CorefileDocument Read()
    {
        if (conf == "stdin")
        {
            _stdin ??= Console.In.ReadToEnd();
            return CorefileParser.Parse(_stdin, "stdin", Directory.GetCurrentDirectory(), catalog.KnownDirectives);
        }
        if (conf is not null) return CorefileParser.ParseFile(conf, catalog.KnownDirectives);
        if (File.Exists("Corefile")) return CorefileParser.ParseFile("Corefile", catalog.KnownDirectives);
        return CorefileParser.Parse(string.Format(Daemon.DefaultCorefile, dnsPort), "default", Directory.GetCurrentDirectory(), catalog.KnownDirectives);
    }
}
