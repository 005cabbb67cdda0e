using Akka.Actor;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// Health-checks one upstream, as CoreDNS's proxy probe does: a failed query kicks it; it then sends
/// <c>DOMAIN IN NS</c> (RD unless <c>no_rec</c>) every <c>health_check</c> interval over the upstream's transport
/// (TCP with <c>force_tcp</c>, TLS for tls://) until one is answered. Every failed check adds one to the upstream's
/// fail count (more than <c>max_fails</c>: down); any answer, whatever its RCODE, sets it back to zero (up) and
/// stops the checks until the next failure. A restart loses only the loop in progress: the fail count lives on
/// the upstream, and the next failed query kicks the check again.
/// </summary>
public sealed class HealthActor : ReceiveActor, IWithTimers
{
    /// <summary>How long a health-check query waits (CoreDNS's 1s).</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(1);

    private readonly ForwardUpstream _upstream;
    private readonly ForwardOptions _options;
    private readonly byte[] _probe;
    private bool _running;

    public ITimerScheduler Timers { get; set; } = null!;

    public HealthActor(ForwardUpstream upstream, ForwardOptions options)
    {
        _upstream = upstream;
        _options = options;
        _probe = ForwardWire.BuildProbe(options.HealthCheckDomain, options.HealthCheckRecursionDesired);
        Receive<Kick>(_ =>
        {
            if (_running) return;
            _running = true;
            Self.Tell(Tick.Instance);
        });
        Receive<Tick>(_ => CheckAsync().PipeTo(Self));
        Receive<bool>(ok =>
        {
            if (ok)
            {
                _upstream.CheckPassed();
                _running = false;
                return;
            }
            _upstream.CheckFailed();
            Timers.StartSingleTimer("check", Tick.Instance, _options.HealthCheckInterval);
        });
    }

    public static Props Props(ForwardUpstream upstream, ForwardOptions options) =>
        Akka.Actor.Props.Create(() => new HealthActor(upstream, options));

    /// <summary>Starts checking (a query to this upstream failed); ignored while checks are running.</summary>
    public sealed class Kick
    {
        public static readonly Kick Instance = new();
        private Kick() { }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    /// <summary>One check: true when the upstream answered at all.</summary>
    public async Task<bool> CheckAsync()
    {
        try
        {
            if (_options.ForceTcp || _upstream.Address.Tls)
            {
                await _upstream.ExchangeStreamAsync(_probe, CheckTimeout);
                return true;
            }
            var pending = new ProbePending();
            if (!_upstream.SendUdp(_probe, pending, out _)) return false;
            var done = await Task.WhenAny(pending.Reply.Task, Task.Delay(CheckTimeout));
            if (done == pending.Reply.Task) return true;
            _upstream.Cancel(pending);
            return false;
        }
        catch (Exception)
        {
            return false; // whatever went wrong, this check failed; the loop goes on
        }
    }

    private sealed class ProbePending : UdpPending
    {
        public readonly TaskCompletionSource<byte[]> Reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override void Deliver(byte[] reply) => Reply.TrySetResult(reply);
    }
}
