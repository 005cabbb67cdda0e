using System.Diagnostics;
using System.Text;

namespace Akka.Dns.Interop.Infra;

public sealed record ProcResult(int ExitCode, string Stdout, string Stderr, string CommandLine)
{
    public override string ToString() => $"$ {CommandLine}\nexit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs a short-lived process to the end with a bounded wait; kills it (whole tree) past the bound.</summary>
public static class Proc
{
    public static async Task<ProcResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? stdin = null, string? workDir = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Path.GetTempPath(),
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var line = $"{file} {string.Join(' ', psi.ArgumentList)}";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {line}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
            p.StandardInput.Close();
        }
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            throw new TimeoutException($"{line} did not exit within {timeout}: stdout={Tail(await stdout)} stderr={Tail(await stderr)}");
        }
        return new ProcResult(p.ExitCode, await stdout, await stderr, line);
    }

    private static string Tail(string s) => s.Length > 2000 ? s[^2000..] : s;
}

/// <summary>Collects a stream's lines as they arrive; thread-safe; waits on a predicate with a bound.</summary>
public sealed class LineLog
{
    private readonly object _gate = new();
    private readonly StringBuilder _text = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Add(string? line)
    {
        if (line is null) return;
        TaskCompletionSource tcs;
        lock (_gate)
        {
            _lines.Add(line);
            _text.AppendLine(line);
            tcs = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        tcs.TrySetResult();
    }

    public string Text
    {
        get
        {
            lock (_gate) return _text.ToString();
        }
    }

    public int Length
    {
        get
        {
            lock (_gate) return _text.Length;
        }
    }

    public string[] Lines
    {
        get
        {
            lock (_gate) return [.. _lines];
        }
    }

    /// <summary>Waits until some line satisfies <paramref name="match"/>; false at the deadline.</summary>
    public async Task<bool> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_lines.Exists(l => match(l))) return true;
                changed = _changed.Task;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return false;
            await Task.WhenAny(changed, Task.Delay(left));
        }
    }
}
