using System.Net;
using Akka.Actor;
using Akka.Dns.Server.Routing;
using Akka.Event;
using Akka.IO;
using Tcp = Akka.Streams.Dsl.Tcp;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Akka.Dns.Server.Listeners;

/// <summary>
/// DNS over TCP on one address: <c>Tcp().Bind</c>, each connection read by <see cref="DnsStreamSink"/>
/// (length-prefix framing, idle and read timeouts, query limit) and written from its reply queue, so
/// pipelined queries are answered as they complete, possibly out of order. Connections past
/// <c>akka.dns.tcp.max-connections</c> are closed at once.
/// </summary>
public sealed class TcpListener : IAsyncDisposable
{
    private readonly RequestDispatcher _dispatcher;
    private readonly ServerInfo _server;
    private readonly DnsSettings _settings;
    private readonly TimeSpan _idle;
    private readonly TimeSpan _read;
    private readonly int _maxQueries;
    private readonly ILoggingAdapter _log;
    private readonly ActorSystem _system;
    private readonly IMaterializer _materializer;
    private readonly HashSet<StreamConnection> _open = [];
    private Tcp.ServerBinding? _binding;
    private int _connections;
    private int _next;

    public TcpListener(ActorSystem system, RequestDispatcher dispatcher, ServerInfo server, DnsSettings settings,
        TimeSpan? idleTimeout, TimeSpan? readTimeout, int? maxQueries, ILoggingAdapter log)
    {
        _system = system;
        _dispatcher = dispatcher;
        _server = server;
        _settings = settings;
        _idle = idleTimeout ?? settings.TcpIdleTimeout;
        _read = readTimeout ?? settings.TcpReadTimeout;
        _maxQueries = maxQueries ?? settings.TcpMaxQueries;
        _log = log;
        _materializer = system.Materializer(ActorMaterializerSettings.Create(system).WithDispatcher(settings.Dispatcher), namePrefix: "dns-tcp");
    }

    public IPEndPoint? LocalEndPoint => _binding?.LocalAddress as IPEndPoint;

    public async Task StartAsync(IPEndPoint endPoint)
    {
        Source<Tcp.IncomingConnection, Task<Tcp.ServerBinding>> connections;
        if (endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            // Tcp().Bind resolves its host argument and refuses the wildcard address; its stage takes an
            // IPEndPoint as is. The server opens one for 0.0.0.0 and one for :: (IPv6-only) when there is no bind.
            // IPEndPoint as is (it is internal: created once per listener by reflection).
            var stage = typeof(Tcp).Assembly.GetType("Akka.Streams.Implementation.IO.ConnectionSourceStage", throwOnError: true)!;
            var graph = (IGraph<SourceShape<Tcp.IncomingConnection>, Task<Tcp.ServerBinding>>)Activator.CreateInstance(stage,
                System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, null,
                [_system.Tcp(), endPoint, _settings.TcpBacklog,
                 System.Collections.Immutable.ImmutableList<Inet.SocketOption>.Empty, true, null, TimeSpan.FromSeconds(1)], null)!;
            connections = Source.FromGraph(graph);
        }
        else
        {
            connections = _system.TcpStream().Bind(endPoint.Address.ToString(), endPoint.Port, _settings.TcpBacklog, halfClose: true);
        }
        // The materializer's supervisor is a top-level actor started asynchronously; a stage actor created
        // before it started fails with "Unable to cast UnstartedCell to ActorCell". Wait until it answers.
        if (_materializer is ActorMaterializer am)
            await am.Supervisor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
        _binding = await connections
            .To(Sink.ForEach<Tcp.IncomingConnection>(Accept))
            .Run(_materializer);
    }

    private void Accept(Tcp.IncomingConnection incoming)
    {
        if (Interlocked.Increment(ref _connections) > _settings.TcpMaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            DnsServerMetrics.TcpRejected.Increment();
            incoming.HandleWith(Flow.FromSinkAndSource(Sink.Cancelled<ByteString>(), Source.Empty<ByteString>()), _materializer);
            return;
        }
        var conn = new StreamConnection(_dispatcher, _server, DnsTransport.Tcp, (IPEndPoint)incoming.RemoteAddress,
            (IPEndPoint)incoming.LocalAddress, Interlocked.Increment(ref _next), _idle, _read, _maxQueries, _settings.TcpMaxPendingReplies);
        lock (_open) _open.Add(conn);
        var flow = Flow.FromSinkAndSource(
                Sink.FromGraph(new DnsStreamSink(conn)),
                ChannelSource.FromReader(conn.Replies))
            .WatchTermination((_, done) =>
            {
                done.ContinueWith(_ =>
                {
                    Interlocked.Decrement(ref _connections);
                    conn.Abort();
                    lock (_open) _open.Remove(conn);
                }, TaskContinuationOptions.ExecuteSynchronously);
                return NotUsed.Instance;
            });
        incoming.HandleWith(flow, _materializer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_binding is not null)
        {
            try
            {
                await _binding.Value.Unbind();
            }
            catch (Exception e)
            {
                _log.Warning("tcp {0}: unbind failed: {1}", _server.Label, e.Message);
            }
        }
        StreamConnection[] open;
        lock (_open) open = [.. _open];
        foreach (var c in open) c.Abort();
    }
}
