using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>The daemon's command line and start-up failures, as a shell sees them: exit codes, stdout, stderr.</summary>
public sealed class CommandLineSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private async Task<ProcResult> RunDaemonAsync(string? corefile, params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("akka-dns-interop-cl-").FullName;
        try
        {
            if (corefile is not null) await File.WriteAllTextAsync(Path.Combine(dir, "Corefile"), corefile);
            var r = await Proc.RunAsync("dotnet", [Repo.DaemonDll, .. args], Bound, workDir: dir);
            output.WriteLine(r.ToString());
            return r;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static TheoryData<string, string> BrokenCorefiles => new()
    {
        { ". {\n    whoami\n    foo\n}\n", "Corefile:3 - Error during parsing: Unknown directive 'foo'" },
        { ". {\n    whoami\n}\n}\n", "Corefile:4 - Error during parsing: Unexpected '}' because no matching opening brace" },
        { ". {\n    whoami\n", "Corefile:2 - Error during parsing: Unexpected EOF" },
        { ". {\n    whoami\n    whoami\n}\n", "Corefile:3 - Error during parsing: plugin/whoami: this plugin can only be used once per Server Block" },
        { ". {\n    whoami extra\n}\n", "Corefile:2 - Error during parsing: plugin/whoami: Wrong argument count or unexpected line ending after 'extra'" },
        { "example.org {\n    whoami\n}\nexample.org {\n    whoami\n}\n", "Corefile:4 - Error during parsing: cannot serve dns://example.org.:{PORT} - it is already defined" },
        { "example.org:{PORT} {\n    whoami\n}\nexample.org {\n    whoami\n}\n", "Corefile:4 - Error during parsing: cannot serve dns://example.org.:{PORT} - it is already defined" },
    };

    [Theory]
    [MemberData(nameof(BrokenCorefiles))]
    public async Task A_broken_Corefile_should_exit_1_with_the_parse_error_on_stderr(string corefile, string error)
    {
        var port = Ports.Free().ToString();
        var r = await RunDaemonAsync(corefile.Replace("{PORT}", port), "-conf", "Corefile", "-dns.port", port);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(error.Replace("{PORT}", port), r.Stderr.TrimEnd('\n'));
        Assert.DoesNotContain("Akka.Dns-", r.Stdout);
    }

    [Fact]
    public async Task A_missing_Corefile_should_exit_1_naming_the_file()
    {
        var r = await RunDaemonAsync(null, "-conf", "NoSuchCorefile", "-dns.port", Ports.Free().ToString());
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("NoSuchCorefile", r.Stderr);
    }

    [Fact]
    public async Task Version_should_print_the_name_version_and_platform_and_exit_0()
    {
        var r = await RunDaemonAsync(null, "-version");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^Akka\.Dns-\d+\.\d+\.\d+$", lines[0]);
        // CoreDNS prints <GOOS>/<GOARCH>: the operating system family, not the distribution.
        Assert.Matches(@"^linux/\w+, \.NET \d+\.", lines[1]);
        Assert.Equal("", r.Stderr);
    }

    [Fact]
    public async Task Plugins_should_list_the_built_plugins_and_exit_0()
    {
        var r = await RunDaemonAsync(null, "-plugins");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Equal("Server types:", lines[0]);
        Assert.Contains("  dns", lines);
        Assert.Contains("  dns.whoami", lines);
        Assert.DoesNotContain("  dns.nomad", lines);
        var listed = lines.Where(l => l.StartsWith("  dns.", StringComparison.Ordinal)).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task An_extra_argument_should_be_fatal_with_exit_1_like_CoreDNS()
    {
        // coremain/run.go: mustLogFatal(fmt.Errorf("extra command line arguments: %s", flag.Args())) → log.Fatal → exit 1.
        var r = await RunDaemonAsync(null, "-dns.port", Ports.Free().ToString(), "extra");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("extra command line arguments: extra", r.Stderr);
        Assert.DoesNotContain("Akka.Dns-", r.Stdout);
    }

    [Fact]
    public async Task An_unknown_flag_should_exit_2_with_the_usage_like_Go_flag_parsing()
    {
        var r = await RunDaemonAsync(null, "-nosuchflag");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("flag provided but not defined: -nosuchflag", r.Stderr);
        Assert.Contains("-dns.port", r.Stderr);
    }

    [Fact]
    public async Task Conf_stdin_should_serve_the_Corefile_read_from_standard_input()
    {
        await using var d = await Daemon.StartAsync("", stdin: "stdin.example {\n    whoami\n}\n");
        try
        {
            Assert.Contains($"stdin.example.:{d.Port}", d.Stdout.Lines);
            var a = await Dig.QueryAsync("127.0.0.1", d.Port, "a.stdin.example");
            Assert.Equal("NOERROR", a.Status);
            Assert.Equal("REFUSED", (await Dig.QueryAsync("127.0.0.1", d.Port, "example.org")).Status);
        }
        finally
        {
            d.Dump(output);
        }
    }

    [Fact]
    public async Task Quiet_should_print_nothing_at_start_up_but_still_serve()
    {
        await using var d = await Daemon.StartAsync("quiet.example {\n    whoami\n}\n", extraArgs: ["-quiet"], waitReady: false);
        try
        {
            var deadline = DateTime.UtcNow + Daemon.StartTimeout;
            DigAnswer? a = null;
            while (DateTime.UtcNow < deadline && !d.HasExited)
            {
                a = Dig.Parse(await Dig.RunAsync("127.0.0.1", d.Port, "+tcp", "a.quiet.example"));
                if (a is not null) break;
                await Task.Delay(200);
            }
            Assert.NotNull(a);
            Assert.Equal("NOERROR", a.Status);
            Assert.DoesNotContain(d.Stdout.Lines, l => l.StartsWith("Akka.Dns-", StringComparison.Ordinal) || l.StartsWith("quiet.example", StringComparison.Ordinal));
        }
        finally
        {
            d.Dump(output);
        }
    }
}
