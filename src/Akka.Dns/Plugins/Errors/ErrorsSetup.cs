using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Dns.Server.Pipeline;

namespace Akka.Dns.Plugins.Errors;

/// <summary>
/// <c>errors [stdout] { stacktrace; consolidate DURATION REGEXP [warning|error|info|debug] [show_first] }</c>, read as
/// CoreDNS's errorsParse does. Once per block.
/// </summary>
[Plugin("errors")]
public sealed class ErrorsSetup : IPluginSetup
{
    public const int MaxRegexpLength = 10000;

    public Plugin Setup(SetupContext context)
    {
        var patterns = new List<ErrorPattern>();
        var stacktrace = false;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            switch (args.Length)
            {
                case 0:
                    break;
                case 1:
                    if (args[0] != "stdout") throw context.Error(r, $"invalid log file: {args[0]}");
                    break;
                default:
                    throw context.Error(r, r.ArgErr().Detail);
            }
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "stacktrace":
                        stacktrace = true;
                        break;
                    case "consolidate":
                        patterns.Add(ParseConsolidate(context, r));
                        break;
                    default:
                        throw context.Error(r, r.SyntaxErr("Unknown field " + r.Val).Detail);
                }
            }
        }
        return new ErrorsPlugin(new ErrorsOptions(patterns, stacktrace, context.Options.Debug));
    }

    private static ErrorPattern ParseConsolidate(SetupContext context, Corefile.DirectiveReader r)
    {
        var args = r.RemainingArgs();
        if (args.Length < 2 || args.Length > 4) throw context.Error(r, r.ArgErr().Detail);
        if (!GoDuration.TryParse(args[0], out var periodNs, out var error)) throw context.Error(r, error);
        if (args[1].Length > MaxRegexpLength) throw context.Error(r, $"regex pattern too long: {args[1].Length} > {MaxRegexpLength}");
        Regex regex;
        try
        {
            // Linear-time matching, like Go's RE2.
            regex = new Regex(args[1], RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw context.Error(r, e.Message);
        }

        ErrorLevel? level = null;
        var showFirst = false;
        foreach (var a in args.AsSpan(2))
        {
            var parsed = a switch
            {
                "warning" => ErrorLevel.Warning,
                "error" => ErrorLevel.Error,
                "info" => ErrorLevel.Info,
                "debug" => ErrorLevel.Debug,
                _ => (ErrorLevel?)null,
            };
            if (parsed is not null)
            {
                if (level is not null) throw context.Error(r, "multiple log levels specified in consolidate");
                if (showFirst) throw context.Error(r, "log level must come before show_first in consolidate");
                level = parsed;
            }
            else if (a == "show_first")
            {
                showFirst = true;
            }
            else
            {
                throw context.Error(r, $"unknown option in consolidate: {a}");
            }
        }
        return new ErrorPattern(GoDuration.ToTimeSpan(periodNs), GoDuration.Format(periodNs), args[1], regex, level ?? ErrorLevel.Error, showFirst);
    }
}

public enum ErrorLevel { Debug, Info, Warning, Error }

/// <summary>One <c>consolidate</c> line; <paramref name="PeriodText"/> is the period as Go prints it ("5m0s").</summary>
public sealed record ErrorPattern(TimeSpan Period, string PeriodText, string Text, Regex Regex, ErrorLevel Level, bool ShowFirst);

/// <summary>What errors was configured with; <paramref name="Debug"/> is the block's debug (debug-level lines print only then).</summary>
public sealed record ErrorsOptions(IReadOnlyList<ErrorPattern> Patterns, bool Stacktrace, bool Debug);

/// <summary>
/// The block's errors plugin. It owns the consolidation counters and timers, shared by every pipeline replica
/// (one writer for all), so an actor restart loses no counts; stopping the plugin prints what is pending.
/// </summary>
public sealed class ErrorsPlugin : Plugin
{
    public ErrorsPlugin(ErrorsOptions options) : base("errors")
    {
        Options = options;
        Writer = new ErrorsWriter(options);
    }

    public ErrorsOptions Options { get; }
    internal ErrorsWriter Writer { get; }

    public override Props HandlerProps(ChainLink? next) => ErrorsActor.Props(Writer, next);

    public override Task StopAsync()
    {
        Writer.Stop();
        return Task.CompletedTask;
    }
}
