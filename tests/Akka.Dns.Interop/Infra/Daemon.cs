using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Akka.Dns.Interop.Infra;

/// <summary>
/// One real Akka.Dns.Daemon process: a temp dir holding its Corefile, <c>dotnet DLL -conf Corefile -dns.port PORT</c>,
/// stdout/stderr captured line by line. <see cref="StartAsync"/> returns once the daemon answers a probe query;
/// dispose kills the whole process tree. Every wait is bounded.
/// </summary>
public sealed class Daemon : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;

    // Daemons still running when the test host exits (a crash, a cancelled run) are killed with it.
    private static readonly HashSet<Process> Running = [];

    static Daemon() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Running)
        {
            foreach (var p in Running)
            {
                try
                {
                    p.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    };

    private Daemon(Process process, string dir, int port)
    {
        _process = process;
        Dir = dir;
        Port = port;
    }

    /// <summary>The -dns.port given to the daemon.</summary>
    public int Port { get; }
    public string Dir { get; }
    public string CorefilePath => Path.Combine(Dir, "Corefile");
    public int Pid => _process.Id;
    public LineLog Stdout { get; } = new();
    public LineLog Stderr { get; } = new();
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Log => $"--- daemon pid {Pid} port {Port} stdout\n{Stdout.Text}--- stderr\n{Stderr.Text}";

    /// <summary>
    /// Writes <paramref name="corefile"/> ({PORT} is replaced by <paramref name="port"/>) into a fresh temp dir as
    /// "Corefile" and starts the daemon there. Waits for the version line on stdout and an answer to a probe on
    /// <paramref name="probePort"/> (default: the -dns.port); <paramref name="waitReady"/> = false returns at once.
    /// </summary>
    public static async Task<Daemon> StartAsync(string corefile, int? port = null, IEnumerable<string>? extraArgs = null,
        bool waitReady = true, int? probePort = null, string? stdin = null)
    {
        var dll = Repo.DaemonDll;
        var p = port ?? Ports.Free();
        var dir = Directory.CreateTempSubdirectory("akka-dns-interop-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "Corefile"), corefile.Replace("{PORT}", p.ToString()));
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("-conf");
        psi.ArgumentList.Add(stdin is null ? "Corefile" : "stdin");
        psi.ArgumentList.Add("-dns.port");
        psi.ArgumentList.Add(p.ToString());
        foreach (var a in extraArgs ?? []) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var d = new Daemon(process, dir, p);
        process.OutputDataReceived += (_, e) => d.Stdout.Add(e.Data);
        process.ErrorDataReceived += (_, e) => d.Stderr.Add(e.Data);
        process.Start();
        lock (Running) Running.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.Replace("{PORT}", p.ToString()));
            process.StandardInput.Close();
        }
        if (!waitReady) return d;
        try
        {
            await d.WaitReadyAsync(probePort ?? p, StartTimeout);
        }
        catch
        {
            await d.DisposeAsync();
            throw;
        }
        return d;
    }

    /// <summary>Waits for the start-up version line, then for any reply to a probe over UDP and a TCP accept.</summary>
    public async Task WaitReadyAsync(int port, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        if (!await Stdout.WaitForAsync(l => l.StartsWith("Akka.Dns-", StringComparison.Ordinal), timeout) || HasExited)
            throw new InvalidOperationException($"daemon did not start within {timeout} (exited: {HasExited})\n{Log}");
        var probe = new RawQuery("probe.akka-dns-interop.") { Id = 0x7e57 }.Build();
        while (sw.Elapsed < timeout)
        {
            if (HasExited) throw new InvalidOperationException($"daemon exited with {ExitCode} during start-up\n{Log}");
            if (await RawDns.UdpAsync(RawDns.Loopback(port), probe, TimeSpan.FromMilliseconds(500)) is not null && await TcpAcceptsAsync(port)) return;
            await Task.Delay(100);
        }
        throw new InvalidOperationException($"daemon printed its start-up lines but did not answer a probe on {port} within {timeout}\n{Log}");
    }

    private static async Task<bool> TcpAcceptsAsync(int port)
    {
        try
        {
            using var s = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await s.ConnectAsync(RawDns.Loopback(port), cts.Token);
            return true;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits for the process to exit; false at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Signal(int signal)
    {
        if (kill(Pid, signal) != 0) throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SIGTERM = 15;
    public const int SIGUSR1 = 10;

    /// <summary>VmRSS from /proc/PID/status, in kB.</summary>
    public long RssKb()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
        }
        throw new InvalidOperationException($"no VmRSS in /proc/{Pid}/status");
    }

    /// <summary>Where the logs are now: pass it to <see cref="Dump"/> to show only what came after.</summary>
    public (int Out, int Err) Mark() => (Stdout.Lines.Length, Stderr.Lines.Length);

    /// <summary>Writes what the daemon printed since <paramref name="mark"/> (default: everything) to the test output.</summary>
    public void Dump(ITestOutputHelper output, (int Out, int Err) mark = default)
    {
        try
        {
            output.WriteLine($"--- daemon pid {Pid} port {Port} stdout (from line {mark.Out})\n{string.Join('\n', Stdout.Lines.Skip(mark.Out))}");
            output.WriteLine($"--- daemon stderr (from line {mark.Err})\n{string.Join('\n', Stderr.Lines.Skip(mark.Err))}");
        }
        catch (InvalidOperationException)
        {
            // no test is running (fixture disposal)
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        lock (Running) Running.Remove(_process);
        _process.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>
/// One daemon shared by a test class (xunit IClassFixture). Subclasses give the Corefile and extra arguments;
/// {PORT} in the Corefile is the fixture's -dns.port.
/// </summary>
public abstract class DaemonFixture : IAsyncLifetime
{
    private Daemon? _daemon;

    protected abstract string Corefile { get; }
    protected virtual IEnumerable<string> ExtraArgs => [];

    public Daemon Daemon => _daemon ?? throw new InvalidOperationException("daemon not started");
    public int Port => Daemon.Port;
    public System.Net.IPEndPoint Endpoint => RawDns.Loopback(Port);

    public virtual async Task InitializeAsync() => _daemon = await Daemon.StartAsync(Corefile, extraArgs: ExtraArgs);

    public async Task DisposeAsync()
    {
        if (_daemon is not null) await _daemon.DisposeAsync();
    }
}
