using System.Globalization;
using Akka.Actor;
using Akka.Dns.Plugins.File;

namespace Akka.Dns.Plugins.Sign;

/// <summary>
/// Keeps one zone signed (CoreDNS's Signer.refresh, signer.go): every interval (5 hours) plus a jitter of up to a
/// tenth of it, it checks the signed file (<see cref="Signer.ResignReason(DateTimeOffset)"/>) and re-signs when the
/// SOA's signature is 6 days old, expires within 7 days, or the source changed. Signing runs here, never on the
/// query path; afterwards the block's file plugins serving the written file re-read it.
/// </summary>
public sealed class SignerActor : ReceiveActor, IWithTimers
{
    private readonly Signer _signer;
    private readonly Func<DateTimeOffset> _clock;
    private readonly BlockOptions _options;
    private readonly TimeSpan _interval;

    public static Props Props(Signer signer, Func<DateTimeOffset> clock, BlockOptions options, TimeSpan interval) =>
        Akka.Actor.Props.Create(() => new SignerActor(signer, clock, options, interval));

    public SignerActor(Signer signer, Func<DateTimeOffset> clock, BlockOptions options, TimeSpan interval)
    {
        _signer = signer;
        _clock = clock;
        _options = options;
        _interval = interval;
        Receive<Check>(_ =>
        {
            var now = _clock();
            var why = _signer.ResignReason(now);
            var result = why is null ? null : SignAndLog(_signer, why, now, Context.System, _options);
            if (!Sender.IsNobody()) Sender.Tell(new Checked(_signer.Origin, why, result));
            Schedule();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Schedule();

    private void Schedule()
    {
        if (_interval <= TimeSpan.Zero) return;
        var jitter = TimeSpan.FromTicks((long)(_interval.Ticks / 10 * Random.Shared.NextDouble()));
        Timers.StartSingleTimer("check", Check.Instance, _interval + jitter);
    }

    /// <summary>
    /// Signs and logs as signer.go signAndLog does; on success the file plugins of <paramref name="options"/>'s block
    /// that serve the written file re-read it. Returns null when signing failed (logged; the old file stays).
    /// </summary>
    internal static SignResult? SignAndLog(Signer signer, string why, DateTimeOffset now, ActorSystem system, BlockOptions options)
    {
        var next = Signer.Time(now + Signer.RefreshInterval);
        LineLog.Info($"plugin/sign: Signing \"{signer.Origin}\" because {why}");
        SignResult result;
        try
        {
            result = signer.SignAndWrite(now);
        }
        catch (SignException e) when (e.Message.StartsWith("failed to move", StringComparison.Ordinal))
        {
            LineLog.Warning($"plugin/sign: Error signing \"{signer.Origin}\": {e.Message}");
            return null;
        }
        catch (Exception e) when (e is SignException or Zones.MasterFileException or ArgumentException or Akka.Dns.Dnssec.DnssecKeyException or FormatException)
        {
            LineLog.Warning($"plugin/sign: Error signing \"{signer.Origin}\" with key tags \"{signer.KeyTags}\": {e.Message}, next: {next}");
            return null;
        }
        LineLog.Info($"plugin/sign: Successfully signed zone \"{signer.Origin}\" in \"{signer.SignedFile}\" with key tags \"{signer.KeyTags}\" and {result.Serial} SOA serial, elapsed {result.Elapsed.TotalSeconds.ToString("F6", CultureInfo.InvariantCulture)}, next: {next}");
        var written = Path.GetFullPath(signer.SignedFile);
        foreach (var plugin in options.Plugins)
        {
            if (plugin is not FilePlugin file) continue;
            foreach (var slot in file.Slots)
            {
                if (Path.GetFullPath(slot.FileName) != written) continue;
                if (slot.Refresh() is { } zone) system.EventStream.Publish(new ZoneLoaded(slot.Origin, zone));
            }
        }
        return result;
    }

    #region Messages
    /// <summary>Check the zone now (the timer sends it; a test may too, and gets <see cref="Checked"/> back).</summary>
    public sealed class Check
    {
        public static readonly Check Instance = new();
        private Check() { }
    }

    /// <summary>The outcome of a <see cref="Check"/>: why it re-signed (null: it did not) and what signing produced.</summary>
    public sealed record Checked(string Origin, string? Reason, SignResult? Result);
    #endregion
}
