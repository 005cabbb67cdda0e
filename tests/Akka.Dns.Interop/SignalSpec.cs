using System.Diagnostics;
using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>Signals as CoreDNS handles them: SIGTERM stops gracefully (exit 0), SIGUSR1 reloads the Corefile and keeps the old config when the new one is broken.</summary>
[Collection(HeavyCollection.Name)]
public sealed class SignalSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static async Task<string?> StatusAsync(int port, string name)
    {
        var r = await Dig.RunAsync("127.0.0.1", port, name);
        return Dig.Parse(r)?.Status;
    }

    /// <summary>Polls until <paramref name="name"/> gets <paramref name="status"/> or the bound passes.</summary>
    private static async Task<bool> EventuallyAsync(int port, string name, string status)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < Bound)
        {
            if (await StatusAsync(port, name) == status) return true;
            await Task.Delay(200);
        }
        return false;
    }

    [Fact]
    public async Task SIGTERM_should_stop_the_daemon_with_exit_code_0()
    {
        await using var d = await Daemon.StartAsync("term.example {\n    whoami\n}\n");
        try
        {
            Assert.Equal("NOERROR", await StatusAsync(d.Port, "a.term.example"));
            var sw = Stopwatch.StartNew();
            d.Signal(Daemon.SIGTERM);
            Assert.True(await d.WaitForExitAsync(Bound), $"still running {Bound} after SIGTERM");
            output.WriteLine($"exited {sw.ElapsedMilliseconds} ms after SIGTERM");
            Assert.Equal(0, d.ExitCode);
            Assert.Null(Dig.Parse(await Dig.RunAsync("127.0.0.1", d.Port, "a.term.example")));   // nobody answers any more
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task SIGUSR1_with_a_broken_Corefile_should_keep_the_old_config_answering()
    {
        await using var d = await Daemon.StartAsync("old.example {\n    whoami\n}\n");
        try
        {
            Assert.Equal("NOERROR", await StatusAsync(d.Port, "a.old.example"));
            await File.WriteAllTextAsync(d.CorefilePath, "new.example {\n    whoami\n    nosuchdirective\n}\n");
            d.Signal(Daemon.SIGUSR1);
            Assert.True(await d.Stderr.WaitForAsync(l => l.Contains("reload failed", StringComparison.Ordinal), Bound), "no reload error reported");
            Assert.Contains(d.Stderr.Lines, l => l.Contains("Corefile:3 - Error during parsing: Unknown directive 'nosuchdirective'", StringComparison.Ordinal));
            Assert.False(d.HasExited);
            Assert.Equal("NOERROR", await StatusAsync(d.Port, "a.old.example"));
            Assert.Equal("NOERROR", (await Dig.QueryAsync("127.0.0.1", d.Port, "+tcp", "a.old.example")).Status);
            Assert.Equal("REFUSED", await StatusAsync(d.Port, "a.new.example"));
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task SIGUSR1_with_a_valid_changed_Corefile_should_serve_the_new_config()
    {
        await using var d = await Daemon.StartAsync("old.example {\n    whoami\n}\n");
        try
        {
            Assert.Equal("NOERROR", await StatusAsync(d.Port, "a.old.example"));
            await File.WriteAllTextAsync(d.CorefilePath, "new.example {\n    whoami\n}\n");
            d.Signal(Daemon.SIGUSR1);
            Assert.True(await EventuallyAsync(d.Port, "a.new.example", "NOERROR"), $"the new zone is not served {Bound} after SIGUSR1");
            Assert.Equal("NOERROR", (await Dig.QueryAsync("127.0.0.1", d.Port, "+tcp", "a.new.example")).Status);
            Assert.Equal("REFUSED", await StatusAsync(d.Port, "a.old.example"));
            Assert.False(d.HasExited);

            // and it still stops cleanly after a reload
            d.Signal(Daemon.SIGTERM);
            Assert.True(await d.WaitForExitAsync(Bound));
            Assert.Equal(0, d.ExitCode);
        }
        finally
        {
            d.Dump(output);
        }
    }
}
