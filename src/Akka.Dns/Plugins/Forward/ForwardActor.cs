using System.Diagnostics;
using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// The forward plugin's actor in one pipeline replica. A query walks the stanzas in order until one's FROM (and
/// except list) takes it; that stanza's upstreams are tried in policy order (CoreDNS's ServeDNS loop): down
/// upstreams skipped (all down: a random one, or SERVFAIL with <c>failfast_all_unhealthy_upstreams</c>), a network
/// error or timeout tries the next one and kicks the upstream's health check, a <c>failover</c> RCODE tries the next
/// one, a <c>next</c> RCODE hands the query to the following stanza, a UDP answer with TC is asked again over TCP.
/// Nothing blocks and nothing asks: sends are fire-and-forget and every outcome comes back as a message to this
/// actor, so a slow upstream never holds up the other queries of the replica.
/// </summary>
public sealed class ForwardActor : PluginActor
{
    private readonly IReadOnlyList<ForwardStanza> _stanzas;
    private readonly long _requestTimeout;

    public ForwardActor(IReadOnlyList<ForwardStanza> stanzas, TimeSpan requestTimeout, ChainLink? next) : base("forward", next)
    {
        _stanzas = stanzas;
        _requestTimeout = (long)(requestTimeout.TotalSeconds * Stopwatch.Frequency);
    }

    public static Props Props(IReadOnlyList<ForwardStanza> stanzas, TimeSpan requestTimeout, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new ForwardActor(stanzas, requestTimeout, next));

    protected override void Handle(DnsRequest request) => Start(request, 0);

    private void Start(DnsRequest r, int from)
    {
        for (var i = from; i < _stanzas.Count; i++)
        {
            var s = _stanzas[i];
            if (!s.Matches(r.Name)) continue;
            if (!s.TryEnter())
            {
                r.Fail(Rcode.Refused, $"plugin/forward: concurrent queries exceeded maximum {s.Options.MaxConcurrent}", "forward");
                return;
            }
            var job = new Job(r, i, s, Self, Math.Min(Stopwatch.GetTimestamp() + Budget, r.Received + _requestTimeout));
            Try(job);
            return;
        }
        Next(r);
    }

    protected override void OnOther(object message)
    {
        switch (message)
        {
            case AttemptReply m:
                OnReply(m.Attempt, m.Reply);
                break;
            case AttemptFailed m:
                if (m.Attempt.IsCurrent) OnError(m.Attempt.Job, m.Attempt.Upstream, m.Error);
                break;
            case AttemptTimeout m:
                if (m.Attempt.IsCurrent)
                {
                    m.Attempt.Upstream.Cancel(m.Attempt);
                    OnError(m.Attempt.Job, m.Attempt.Upstream, $"read udp {m.Attempt.Upstream.EndPoint}: i/o timeout");
                }
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Picks the next upstream and sends; or ends the query SERVFAIL when the budget is spent.</summary>
    private void Try(Job job)
    {
        var s = job.Stanza;
        var list = job.List;
        while (true)
        {
            if (job.Request.Answered)
            {
                job.End(); // the server's deadline answered it
                return;
            }
            if (Stopwatch.GetTimestamp() > job.Deadline || (s.ConnectAttempts > 0 && job.ConnectAttempts >= s.ConnectAttempts))
            {
                Fail(job);
                return;
            }
            if (job.Index >= list.Length)
            {
                job.Index = 0;
                job.Fails = 0;
            }
            var u = list[job.Index++];
            if (u.Down(s.Options.MaxFails))
            {
                job.Fails++;
                if (job.Fails < list.Length) continue;
                // Every upstream is down: health checking itself may be broken.
                ForwardMetrics.HealthcheckBroken.Inc();
                if (s.Options.FailfastAllUnhealthy)
                {
                    job.LastError ??= "no healthy proxies";
                    Fail(job);
                    return;
                }
                u = list[Random.Shared.Next(list.Length)];
            }
            var tcp = s.Options.ForceTcp || (!s.Options.PreferUdp && job.Request.Transport != DnsTransport.Udp);
            if (Send(job, u, tcp)) return;
            // Send failed at once: counts as a failed exchange.
            if (!AfterError(job, u)) return;
        }
    }

    /// <summary>Sends the query to <paramref name="u"/>; false when it could not even be sent (job.LastError says why).</summary>
    private bool Send(Job job, ForwardUpstream u, bool tcp)
    {
        var attempt = new Attempt(job, u, ++job.Seq, tcp);
        if (tcp || u.Address.Tls)
        {
            u.ExchangeStreamAsync(job.Query, TimeLeft(job))
                .ContinueWith(static (t, state) => ((Attempt)state!).Completed(t), attempt, TaskContinuationOptions.ExecuteSynchronously);
            return true;
        }
        if (!u.SendUdp(job.Query, attempt, out var error))
        {
            job.LastError = error;
            return false;
        }
        attempt.Timer = Context.System.Scheduler.ScheduleTellOnceCancelable(TimeLeft(job), Self, new AttemptTimeout(attempt), Self);
        return true;
    }

    private void OnReply(Attempt a, byte[] reply)
    {
        a.Timer?.Cancel();
        if (!a.IsCurrent) return;
        var job = a.Job;
        var r = job.Request;
        var s = job.Stanza;
        var elapsed = Stopwatch.GetElapsedTime(a.Started).TotalSeconds;
        if (r.Answered || (!a.Tcp && !a.Upstream.Address.Tls && ForwardWire.Truncated(reply)))
        {
            // coredns_proxy_request_duration_seconds counts every exchange that brought a reply (CoreDNS's Connect).
            if (reply.Length >= 4) a.Upstream.Metrics.ObserveDuration(reply[3] & 0xF, elapsed);
            if (r.Answered)
            {
                job.End(); // the server's deadline answered it
                return;
            }
            // A truncated UDP answer is asked again over TCP, of the same upstream.
            Send(job, a.Upstream, tcp: true);
            return;
        }
        if (!ForwardWire.TryDecode(reply, r, out var response))
        {
            OnError(job, a.Upstream, $"dns: malformed reply from {a.Upstream.EndPoint}");
            return;
        }
        var rcode = response.Rcode;
        a.Upstream.Metrics.ObserveDuration(rcode, elapsed);
        if (Contains(s.Options.FailoverRcodes, rcode))
        {
            job.FailoverAttempts++;
            if (job.FailoverAttempts < s.Upstreams.Count)
            {
                Try(job);
                return;
            }
        }
        var hasNextForward = job.StanzaIndex + 1 < _stanzas.Count;
        if (hasNextForward && (Contains(s.Options.NextRcodes, rcode)
            || (s.Options.NextOnNoData && rcode == Rcode.NoError && response.AnswerCount == 0)))
        {
            job.End();
            Start(r, job.StanzaIndex + 1);
            return;
        }
        job.End();
        response.Plugin = "forward";
        r.Respond(response);
    }

    private void OnError(Job job, ForwardUpstream u, string error)
    {
        job.LastError = error;
        if (AfterError(job, u)) Try(job);
    }

    /// <summary>Bookkeeping after a failed exchange (health check kicked, attempt counted); false when the query ended.</summary>
    private bool AfterError(Job job, ForwardUpstream u)
    {
        var s = job.Stanza;
        if (s.Options.MaxFails != 0) u.Health?.Tell(HealthActor.Kick.Instance);
        job.ConnectAttempts++;
        if ((s.ConnectAttempts > 0 && job.ConnectAttempts >= s.ConnectAttempts) || job.Fails >= s.Upstreams.Count)
        {
            Fail(job);
            return false;
        }
        return true;
    }

    private static void Fail(Job job)
    {
        job.End();
        job.Request.Fail(Rcode.ServFail, "plugin/forward: " + (job.LastError ?? "no healthy proxies"), "forward");
    }

    private static bool Contains(IReadOnlyList<int> list, int v)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == v) return true;
        return false;
    }

    private static readonly long Budget = (long)(ForwardOptions.QueryBudget.TotalSeconds * Stopwatch.Frequency);

    /// <summary>How long an attempt may wait: the read timeout, cut short by the query's deadline.</summary>
    private static TimeSpan TimeLeft(Job job)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), job.Deadline);
        var t = job.Stanza.Options.ReadTimeout;
        return left < t ? (left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1)) : t;
    }

    /// <summary>One query's walk over one stanza's upstreams.</summary>
    private sealed class Job(DnsRequest request, int stanzaIndex, ForwardStanza stanza, IActorRef self, long deadline)
    {
        public readonly DnsRequest Request = request;
        public readonly int StanzaIndex = stanzaIndex;
        public readonly ForwardStanza Stanza = stanza;
        public readonly IActorRef Self = self;
        public readonly ForwardUpstream[] List = stanza.List();
        public readonly byte[] Query = ForwardWire.BuildQuery(request);
        public readonly long Deadline = deadline;
        public int Index, Fails, FailoverAttempts, ConnectAttempts, Seq;
        public string? LastError;
        public bool Done;

        public void End()
        {
            if (Done) return;
            Done = true;
            Stanza.Leave();
        }
    }

    /// <summary>One send to one upstream; its outcome comes back to the actor as a message.</summary>
    private sealed class Attempt(Job job, ForwardUpstream upstream, int seq, bool tcp) : UdpPending
    {
        public readonly Job Job = job;
        public readonly ForwardUpstream Upstream = upstream;
        public readonly int Seq = seq;
        public readonly bool Tcp = tcp;
        public readonly long Started = Stopwatch.GetTimestamp();
        public ICancelable? Timer;

        /// <summary>Read only on the actor: this is the job's latest send and the job is still running.</summary>
        public bool IsCurrent => !Job.Done && Job.Seq == Seq;

        public override void Deliver(byte[] reply) => Job.Self.Tell(new AttemptReply(this, reply));

        public void Completed(Task<byte[]> t)
        {
            if (t.IsCompletedSuccessfully) Job.Self.Tell(new AttemptReply(this, t.Result));
            else Job.Self.Tell(new AttemptFailed(this, t.Exception?.InnerException?.Message ?? "exchange cancelled"));
        }
    }

    private sealed record AttemptReply(Attempt Attempt, byte[] Reply);
    private sealed record AttemptFailed(Attempt Attempt, string Error);
    private sealed record AttemptTimeout(Attempt Attempt);
}
