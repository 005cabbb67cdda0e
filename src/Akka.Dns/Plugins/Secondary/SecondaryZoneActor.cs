using System.Net;
using Akka.Actor;
using Akka.Dns.Plugins.File;
using Akka.Dns.Plugins.Transfer;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Secondary;

/// <summary>
/// Owns one secondary zone (CoreDNS's transferAndUpdate + Zone.Update). Until the first transfer it transfers the zone
/// in from the primaries in order, backing off from 250 ms to 10 s between rounds (the zone answers SERVFAIL meanwhile).
/// Then it runs the SOA timers: every <c>refresh</c> it asks the primaries for their SOA serial and transfers when it is
/// newer (RFC 1982); a failed refresh switches the <c>retry</c> timer on; an <c>expire</c> tick while retrying drops
/// the zone (SERVFAIL) until a transfer succeeds. A NOTIFY from a primary triggers the same check at once. Each new
/// version is published in the slot and as <see cref="ZoneLoaded"/> (the transfer plugin notifies downstream).
/// Checks and transfers run off the actor; their outcome comes back as a message, and ticks meanwhile are ignored.
/// </summary>
public sealed class SecondaryZoneActor : ReceiveActor, IWithTimers
{
    /// <summary>The first back-off before the first transfer, doubled each round up to <see cref="MaxBackoff"/>.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(10);
    /// <summary>CoreDNS's random delays before a refresh (5 s) and a retry (2 s) check.</summary>
    public static readonly TimeSpan RefreshJitter = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RetryJitter = TimeSpan.FromSeconds(2);

    private readonly SecondaryZone _zone;
    private Zone? _last;
    private TimeSpan _backoff = FirstBackoff;
    private bool _inFlight;
    private bool _retryActive;
    private bool _pendingNotify;

    public static Props Props(SecondaryZone zone) => Akka.Actor.Props.Create(() => new SecondaryZoneActor(zone));

    public SecondaryZoneActor(SecondaryZone zone)
    {
        _zone = zone;
        Receive<Tick>(OnTick);
        Receive<NotifyReceived>(_ => OnNotify());
        Receive<Outcome>(OnOutcome);
        Receive<Go>(g => Start(g.Kind));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Origin => _zone.Slot.Origin;

    protected override void PreStart() => Start(Kind.Initial);

    private void OnTick(Tick t)
    {
        switch (t.Kind)
        {
            case Kind.Initial when !_inFlight:
                Start(Kind.Initial);
                break;
            case Kind.Refresh when !_inFlight:
                _inFlight = true;
                Timers.StartSingleTimer("check", new Go(Kind.Refresh), Jitter(RefreshJitter, _zone.Refresh(_last!)));
                break;
            case Kind.Retry when _retryActive && !_inFlight:
                _inFlight = true;
                Timers.StartSingleTimer("check", new Go(Kind.Retry), Jitter(RetryJitter, _zone.Retry(_last!)));
                break;
            case Kind.Expire when _retryActive && _zone.Slot.Current is not null:
                _zone.Slot.Current = null;
                LineLog.Error($"plugin/file: Zone {Origin} is expired");
                break;
        }
    }

    private void OnNotify()
    {
        if (_inFlight)
        {
            _pendingNotify = true;
            return;
        }
        Timers.Cancel("initial");
        Start(_last is null ? Kind.Initial : Kind.Notify);
    }

    private void Start(Kind kind)
    {
        _inFlight = true;
        // An expired zone is transferred whatever the serial says (CoreDNS would wait for a newer one).
        var force = kind == Kind.Initial || _zone.Slot.Current is null;
        RunAsync(kind, _zone, force ? null : _last).PipeTo(Self);
    }

    private static async Task<Outcome> RunAsync(Kind kind, SecondaryZone zone, Zone? current)
    {
        var origin = zone.Slot.Origin;
        if (current is not null)
        {
            var (serial, error) = await PrimarySerialAsync(zone);
            if (serial is null) return new Outcome(kind, Result.CheckFailed, null, null, error);
            if (!SerialLess(current.Serial, serial.Value)) return new Outcome(kind, Result.UpToDate, null, null, null);
        }
        string? last = null;
        foreach (var from in zone.From)
        {
            try
            {
                var records = await AxfrClient.TransferAsync(from.EndPoint!, origin);
                return new Outcome(kind, Result.Transferred, Zone.Build(origin, records), from.Text, null);
            }
            catch (Exception e) when (e is TransferException or FormatException or IOException)
            {
                LineLog.Error($"plugin/file: Failed to transfer `{origin}' from {GoNet.Quote(from.Text)}: {e.Message}");
                last = e.Message;
            }
        }
        return new Outcome(kind, Result.TransferFailed, null, null, last);
    }

    /// <summary>CoreDNS's shouldTransfer: the first primary that answers NOERROR with a SOA gives the serial.</summary>
    private static async Task<(uint? Serial, string? Error)> PrimarySerialAsync(SecondaryZone zone)
    {
        string? error = null;
        foreach (var from in zone.From)
        {
            try
            {
                return (await AxfrClient.QuerySerialAsync(from.EndPoint!, zone.Slot.Origin), null);
            }
            catch (Exception e) when (e is TransferException or IOException)
            {
                error = e.Message;
            }
        }
        return (null, error);
    }

    private void OnOutcome(Outcome o)
    {
        _inFlight = false;
        if (o.Result == Result.Transferred) Publish(o.Zone!, o.From!);
        switch (o.Kind)
        {
            case Kind.Initial when o.Result == Result.Transferred:
                _backoff = FirstBackoff;
                Restart();
                break;
            case Kind.Initial:
                LineLog.Warning($"plugin/secondary: All '{Origin}' masters failed to transfer, retrying in {GoDuration.Format(_backoff.Ticks * 100)}: {o.Error}");
                Timers.StartSingleTimer("initial", new Tick(Kind.Initial), _backoff);
                _backoff = _backoff * 2 > MaxBackoff ? MaxBackoff : _backoff * 2;
                break;
            case Kind.Refresh or Kind.Retry when o.Result is Result.CheckFailed:
                LineLog.Warning($"plugin/file: Failed {(o.Kind == Kind.Refresh ? "refresh" : "retry")} check {o.Error}");
                _retryActive = true;
                break;
            case Kind.Refresh or Kind.Retry when o.Result is Result.TransferFailed:
                _retryActive = true;
                break;
            case Kind.Refresh or Kind.Retry:
                Restart();
                break;
            case Kind.Notify when o.Result == Result.Transferred:
                Restart();
                break;
            case Kind.Notify when o.Result == Result.UpToDate:
                LineLog.Info($"plugin/file: Notify for {Origin}: no SOA serial increase seen");
                break;
            case Kind.Notify when o.Result == Result.CheckFailed:
                LineLog.Warning($"plugin/file: Notify for {Origin}: failed primary check: {o.Error}");
                break;
            case Kind.Notify:
                LineLog.Warning($"plugin/file: Notify for {Origin}: transfer failed: {o.Error}");
                break;
        }
        if (_pendingNotify)
        {
            _pendingNotify = false;
            OnNotify();
        }
    }

    private void Publish(Zone zone, string from)
    {
        _last = zone;
        _zone.Slot.Current = zone;
        LineLog.Info($"plugin/file: Transferred: {Origin} from {from}");
        Context.System.EventStream.Publish(new ZoneLoaded(Origin, zone));
    }

    /// <summary>After a good check: the three timers start over from the current SOA (CoreDNS's goto Restart).</summary>
    private void Restart()
    {
        _retryActive = false;
        Timers.Cancel("check");
        var zone = _last!;
        Timers.StartPeriodicTimer("refresh", new Tick(Kind.Refresh), _zone.Refresh(zone));
        Timers.StartPeriodicTimer("retry", new Tick(Kind.Retry), _zone.Retry(zone));
        Timers.StartPeriodicTimer("expire", new Tick(Kind.Expire), _zone.Expire(zone));
    }

    /// <summary>A random delay below <paramref name="max"/>, and below a quarter of the timer it delays (short test timers stay short).</summary>
    private static TimeSpan Jitter(TimeSpan max, TimeSpan interval)
    {
        var cap = Math.Min(max.Ticks, interval.Ticks / 4);
        return cap <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Random.Shared.NextInt64(cap));
    }

    /// <summary>RFC 1982: <paramref name="a"/> is older than <paramref name="b"/> (CoreDNS's less).</summary>
    public static bool SerialLess(uint a, uint b) => a != b && unchecked((int)(b - a)) > 0;

    #region Messages

    /// <summary>A primary sent NOTIFY for the zone: check its serial now.</summary>
    public sealed class NotifyReceived
    {
        public static readonly NotifyReceived Instance = new();
        private NotifyReceived() { }
    }

    private enum Kind { Initial, Refresh, Retry, Expire, Notify }

    private enum Result { Transferred, UpToDate, CheckFailed, TransferFailed }

    private sealed record Tick(Kind Kind);

    private sealed record Go(Kind Kind);

    private sealed record Outcome(Kind Kind, Result Result, Zone? Zone, string? From, string? Error);

    #endregion
}

/// <summary>One zone of a <c>secondary</c> directive: where it is served from (the slot) and its primaries.</summary>
public sealed class SecondaryZone(ZoneSlot slot, IReadOnlyList<TransferTarget> from)
{
    public ZoneSlot Slot { get; } = slot;
    public IReadOnlyList<TransferTarget> From { get; } = from;

    /// <summary>Whether <paramref name="client"/> is one of the primaries (CoreDNS's isNotify compares the IPs).</summary>
    public bool IsPrimary(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var f in From)
            if (f.Matchable && f.Address is { } a && a.Equals(client)) return true;
        return false;
    }

    // CoreDNS: max(value, 1) seconds.
    public TimeSpan Refresh(Zone z) => Seconds(z, 16);
    public TimeSpan Retry(Zone z) => Seconds(z, 12);
    public TimeSpan Expire(Zone z) => Seconds(z, 8);

    private static TimeSpan Seconds(Zone z, int fromEnd) =>
        TimeSpan.FromSeconds(Math.Max(1u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(z.Soa.RData.AsSpan(z.Soa.RData.Length - fromEnd))));
}
