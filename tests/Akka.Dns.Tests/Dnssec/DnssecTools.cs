using System.Diagnostics;
using Xunit;

namespace Akka.Dns.Tests.Dnssec;

/// <summary>BIND's and Knot's DNSSEC tools (bind9-utils, knot), run as independent oracles.</summary>
internal static class DnssecTools
{
    public static bool Has(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, tool))) return true;
        }
        return false;
    }

    public static (int Exit, string Out, string Err) Run(string tool, string args, string? cwd = null)
    {
        var psi = new ProcessStartInfo(tool, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Environment.CurrentDirectory,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{tool} {args} did not finish in 60 s");
        }
        return (p.ExitCode, so.Result, se.Result);
    }

    /// <summary>Runs and asserts exit 0; returns stdout.</summary>
    public static string Ok(string tool, string args, string? cwd = null)
    {
        var (exit, o, e) = Run(tool, args, cwd);
        Assert.True(exit == 0, $"{tool} {args} exited {exit}: {e}{o}");
        return o;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "akka-dns-dnssec-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}

/// <summary>A fact that needs the named tools; skipped with a message naming the Debian package when one is missing.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        foreach (var t in tools)
        {
            if (!DnssecTools.Has(t))
            {
                Skip = $"needs {t} ({(t == "keymgr" ? "knot" : "bind9-utils")}; ./run.sh test installs it)";
                return;
            }
        }
    }
}

/// <summary>A theory that needs the named tools; skipped with a message naming the Debian package when one is missing.</summary>
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(params string[] tools)
    {
        foreach (var t in tools)
        {
            if (!DnssecTools.Has(t))
            {
                Skip = $"needs {t} ({(t == "keymgr" ? "knot" : "bind9-utils")}; ./run.sh test installs it)";
                return;
            }
        }
    }
}
