using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Errors;

/// <summary>Pushes the block's errors writer and passes every query on.</summary>
public sealed class ErrorsActor : PluginActor
{
    private readonly ErrorsWriter _writer;

    public static Props Props(ErrorsWriter writer, ChainLink? next) => Akka.Actor.Props.Create(() => new ErrorsActor(writer, next));

    public ErrorsActor(ErrorsWriter writer, ChainLink? next) : base("errors", next) => _writer = writer;

    /// <summary>UPDATE messages are logged too (where a dynupdate takes them).</summary>
    protected override bool SeesUpdates => true;

    protected override void Handle(DnsRequest request)
    {
        request.PushWriter(_writer);
        Next(request);
    }
}

/// <summary>
/// Logs <c>[ERROR] plugin/errors: RCODE QNAME QTYPE: ERROR</c> for every reply that carries an error. An error
/// matching a <c>consolidate</c> pattern (the first that matches) is counted instead; the first of a period
/// starts a timer that, when it fires, logs "N errors like 'REGEXP' occurred in last DURATION" at the pattern's
/// level. With show_first the first one is logged at once (at that level) and the summary only when N &gt; 1.
/// Thread-safe: it runs on whichever thread answers.
/// </summary>
public sealed class ErrorsWriter : IResponseWriter
{
    private readonly ErrorsOptions _options;
    private readonly PatternState[] _patterns;
    private int _stopped;

    public ErrorsWriter(ErrorsOptions options)
    {
        _options = options;
        _patterns = new PatternState[options.Patterns.Count];
        for (var i = 0; i < _patterns.Length; i++) _patterns[i] = new PatternState(options.Patterns[i], this);
    }

    public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
    {
        var error = response.Error;
        if (error is null) return response;
        var level = ErrorLevel.Error;
        foreach (var p in _patterns)
        {
            if (!p.Pattern.Regex.IsMatch(error)) continue;
            if (Consolidate(p)) return response;
            level = p.Pattern.Level;
            break;
        }
        Log(level, $"{response.Rcode} {request.Name.ToLowerInvariant()} {RrType.ToString(request.Type)}: {error}");
        return response;
    }

    /// <summary>True when the error was counted and must not be logged now.</summary>
    private bool Consolidate(PatternState p)
    {
        if (Volatile.Read(ref _stopped) != 0) return false;
        if (Interlocked.Increment(ref p.Count) != 1) return true;
        var timer = new Timer(static s => ((PatternState)s!).Owner.Report((PatternState)s!), p, Timeout.Infinite, Timeout.Infinite);
        Interlocked.Exchange(ref p.Timer, timer)?.Dispose();
        timer.Change(p.Pattern.Period < TimeSpan.Zero ? TimeSpan.Zero : p.Pattern.Period, Timeout.InfiniteTimeSpan);
        if (Volatile.Read(ref _stopped) != 0) Report(p);
        return !p.Pattern.ShowFirst;
    }

    private void Report(PatternState p)
    {
        var n = Interlocked.Exchange(ref p.Count, 0);
        if (n == 0) return;
        if (n > 1 || !p.Pattern.ShowFirst)
            Log(p.Pattern.Level, $"{n} errors like '{p.Pattern.Text}' occurred in last {p.Pattern.PeriodText}");
    }

    /// <summary>Stops counting and logs what each pattern counted so far (CoreDNS does this on shutdown).</summary>
    public void Stop()
    {
        Volatile.Write(ref _stopped, 1);
        foreach (var p in _patterns)
        {
            Interlocked.Exchange(ref p.Timer, null)?.Dispose();
            Report(p);
        }
    }

    private void Log(ErrorLevel level, string message)
    {
        message = "plugin/errors: " + message;
        switch (level)
        {
            case ErrorLevel.Debug:
                if (_options.Debug) LineLog.Debug(message);
                break;
            case ErrorLevel.Info: LineLog.Info(message); break;
            case ErrorLevel.Warning: LineLog.Warning(message); break;
            default: LineLog.Error(message); break;
        }
    }

    private sealed class PatternState(ErrorPattern pattern, ErrorsWriter owner)
    {
        public readonly ErrorPattern Pattern = pattern;
        public readonly ErrorsWriter Owner = owner;
        public int Count;
        public Timer? Timer;
    }
}
