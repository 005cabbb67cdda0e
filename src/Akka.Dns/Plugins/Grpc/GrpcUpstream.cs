using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Akka.Dns.Plugins.Forward;
using Akka.Dns.Server.Listeners.Grpc;
using Coredns.Dns;
using Grpc.Net.Client;

namespace Akka.Dns.Plugins.Grpc;

/// <summary>
/// One TO of the grpc plugin: a gRPC channel (HTTP/2, TLS or h2c) made once when the plugin starts and shared by
/// every query of every pipeline replica; HTTP/2 multiplexes the calls over its connection(s). The channel
/// addresses the upstream by tls_servername when one is set (the TLS name sent and checked) and always connects
/// to the configured IP and port.
/// </summary>
public sealed class GrpcUpstream : IDisposable
{
    private readonly GrpcChannel _channel;

    public GrpcUpstream(IPEndPoint endPoint, GrpcOptions options, GrpcSettings settings)
    {
        EndPoint = endPoint;
        To = endPoint.ToString();
        var tls = options.UsesTls;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = settings.ForwardKeepAlivePing > TimeSpan.Zero ? settings.ForwardKeepAlivePing : Timeout.InfiniteTimeSpan,
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(endPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (tls)
        {
            var t = options.Tls;
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = t?.ClientCertificate is { } cert ? [cert] : null,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, c, chain, errors) => ForwardUpstream.ValidateServer(t, c, chain, errors),
            };
        }
        var host = options.TlsServerName ?? (endPoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString());
        _channel = GrpcChannel.ForAddress($"{(tls ? "https" : "http")}://{host}:{endPoint.Port}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = DnsGrpcService.MaxProtobufMessage,
            MaxSendMessageSize = DnsGrpcService.MaxProtobufMessage,
        });
        Client = new DnsService.DnsServiceClient(_channel);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>CoreDNS's "to" label: the address as configured, "127.0.0.1:9005".</summary>
    public string To { get; }

    public DnsService.DnsServiceClient Client { get; }

    public void Dispose() => _channel.Dispose();
}
