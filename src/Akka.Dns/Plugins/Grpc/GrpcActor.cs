using System.Diagnostics;
using Akka.Actor;
using Akka.Dns.Plugins.Forward;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Coredns.Dns;
using Google.Protobuf;
using Grpc.Core;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>
/// The grpc plugin's actor in one pipeline replica (CoreDNS's GRPC.ServeDNS). A query in FROM and not excepted is
/// sent to the upstreams in policy order, one at a time: an error (connection refused, deadline, gRPC status,
/// an unreadable or oversized reply) tries the next one; the first reply is the answer, unless its question does
/// not match the query (FORMERR, as CoreDNS) or it is NXDOMAIN under <c>fallthrough</c> (passed on). When every
/// upstream failed: passed on under <c>fallthrough</c>, else SERVFAIL. The whole walk has 5 s
/// (akka.dns.grpc.forward.timeout), cut short by the request's deadline. Nothing blocks and nothing asks: each call
/// runs on the shared channel and its outcome comes back to this actor as a message.
/// </summary>
public sealed class GrpcActor : PluginActor
{
    private readonly GrpcPlugin _plugin;

    public GrpcActor(GrpcPlugin plugin, ChainLink? next) : base("grpc", next) => _plugin = plugin;

    public static Props Props(GrpcPlugin plugin, ChainLink? next) => Akka.Actor.Props.Create(() => new GrpcActor(plugin, next));

    protected override void Handle(DnsRequest request)
    {
        if (!_plugin.Matches(request.Name))
        {
            Next(request);
            return;
        }
        var now = Stopwatch.GetTimestamp();
        var deadline = Math.Min(now + Ticks(_plugin.Timeout), request.Received + Ticks(_plugin.RequestTimeout));
        var query = ForwardWire.WithId(ForwardWire.BuildQuery(request), request.Query.Id);
        Try(new Job(request, _plugin.List(), query, deadline, Self));
    }

    protected override void OnOther(object message)
    {
        if (message is Attempt a) OnDone(a);
        else Unhandled(message);
    }

    /// <summary>Starts the call to the next upstream, or ends the walk.</summary>
    private void Try(Job job)
    {
        while (true)
        {
            if (job.Request.Answered) return;   // the server's deadline answered it
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), job.Deadline);
            if (left <= TimeSpan.Zero || job.Index >= job.List.Length)
            {
                Exhausted(job);
                return;
            }
            var u = job.List[job.Index++];
            var attempt = new Attempt(job, u);
            try
            {
                attempt.Call = u.Client.QueryAsync(job.Packet, deadline: DateTime.UtcNow + left);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException or ObjectDisposedException)
            {
                job.LastError = Describe(e);
                continue;
            }
            attempt.Call.ResponseAsync.ContinueWith(static (t, s) => ((Attempt)s!).Completed(t), attempt,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }
    }

    private void OnDone(Attempt a)
    {
        var job = a.Job;
        var r = job.Request;
        if (r.Answered) return;
        if (a.Error is not null)
        {
            if (a.Error is RpcException { StatusCode: StatusCode.NotFound })
            {
                // CoreDNS: NotFound from the upstream is an empty NXDOMAIN.
                Finish(job, r.CreateReply(Rcode.NxDomain));
                return;
            }
            job.LastError = Describe(a.Error);
            Try(job);
            return;
        }
        var wire = a.Reply!.Msg.Span;
        if (wire.Length > Server.Listeners.Grpc.DnsGrpcService.MaxDnsMessage)
        {
            job.LastError = $"dns message exceeds size limit: {wire.Length} bytes (limit {Server.Listeners.Grpc.DnsGrpcService.MaxDnsMessage})";
            Try(job);
            return;
        }
        if (!ForwardWire.TryDecode(wire, r, out var response))
        {
            job.LastError = $"dns: malformed reply from {a.Upstream.To}";
            Try(job);
            return;
        }
        GrpcMetrics.Observe(a.Upstream.To, response.Rcode, Stopwatch.GetElapsedTime(a.Started));
        if (!ForwardWire.Matches(wire, job.Query, ForwardWire.IdOf(wire)))
        {
            // CoreDNS writes FORMERR for a reply to another question (state.Match), without trying another upstream.
            var formErr = r.CreateReply(Rcode.FormErr);
            formErr.Plugin = "grpc";
            r.Respond(formErr);
            return;
        }
        Finish(job, response);
    }

    private void Finish(Job job, DnsResponse response)
    {
        var r = job.Request;
        if (response.Rcode == Rcode.NxDomain && _plugin.Options.Fall.Through(r.Name) && HasNext)
        {
            Next(r);
            return;
        }
        response.Plugin = "grpc";
        r.Respond(response);
    }

    /// <summary>Every upstream failed (or the budget is spent).</summary>
    private void Exhausted(Job job)
    {
        var r = job.Request;
        if (_plugin.Options.Fall.Through(r.Name) && HasNext)
        {
            Next(r);
            return;
        }
        r.Fail(Rcode.ServFail, "plugin/grpc: " + (job.LastError ?? "no healthy gRPC proxies"), "grpc");
    }

    /// <summary>Go's rendering of a gRPC error ("rpc error: code = Unavailable desc = ...").</summary>
    private static string Describe(Exception e) => e is RpcException rpc
        ? $"rpc error: code = {rpc.StatusCode} desc = {rpc.Status.Detail}"
        : e.Message;

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    /// <summary>One query's walk over the upstreams.</summary>
    private sealed class Job(DnsRequest request, GrpcUpstream[] list, byte[] query, long deadline, IActorRef self)
    {
        public readonly DnsRequest Request = request;
        public readonly GrpcUpstream[] List = list;
        public readonly byte[] Query = query;
        public readonly DnsPacket Packet = new() { Msg = UnsafeByteOperations.UnsafeWrap(query) };
        public readonly long Deadline = deadline;
        public readonly IActorRef Self = self;
        public int Index;
        public string? LastError;
    }

    /// <summary>One call to one upstream; completed on the channel's thread, then told back to the actor.</summary>
    private sealed class Attempt(Job job, GrpcUpstream upstream)
    {
        public readonly Job Job = job;
        public readonly GrpcUpstream Upstream = upstream;
        public readonly long Started = Stopwatch.GetTimestamp();
        public AsyncUnaryCall<DnsPacket>? Call;
        public DnsPacket? Reply;
        public Exception? Error;

        public void Completed(Task<DnsPacket> t)
        {
            if (t.IsCompletedSuccessfully) Reply = t.Result;
            else Error = t.Exception?.InnerException ?? new OperationCanceledException("call cancelled");
            Call?.Dispose();
            Job.Self.Tell(this);
        }
    }
}
