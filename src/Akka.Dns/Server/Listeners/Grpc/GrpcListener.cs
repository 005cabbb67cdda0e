using System.Net;
using System.Net.Security;
using Akka.Dns.Plugins.GrpcServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Akka.Dns.Server.Listeners.Grpc;

/// <summary>
/// <c>grpc://</c> (CoreDNS's ServergRPC): Kestrel speaking HTTP/2 only, with TLS (ALPN h2, the block's tls
/// certificate taken per connection so a renewed one serves new handshakes) or as h2c when the block has no tls
/// plugin; <c>coredns.dns.DnsService/Query</c> mapped to <see cref="DnsGrpcService"/>. Messages are capped at
/// 65535 + 4 octets each way; grpc_server's limits (else akka.dns.grpc's defaults) become Kestrel's streams per
/// connection and concurrent connections.
/// </summary>
internal sealed class GrpcListener : IDnsListener
{
    private readonly ListenerContext _context;
    private readonly GrpcSettings _settings;
    private WebApplication? _app;
    private IReadOnlyList<IPEndPoint> _local = [];

    public GrpcListener(ListenerContext context)
    {
        _context = context;
        _settings = GrpcSettings.Create(context.System.Settings.Config);
        var limits = FirstGrpcServer(context);
        MaxStreams = limits?.MaxStreams ?? _settings.MaxStreams;
        MaxConnections = limits?.MaxConnections ?? _settings.MaxConnections;
    }

    public DnsTransport Transport => DnsTransport.Grpc;

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _local;

    /// <summary>Concurrent streams per connection Kestrel allows (0 = unbounded).</summary>
    public int MaxStreams { get; }

    /// <summary>Concurrent connections Kestrel accepts (0 = unbounded).</summary>
    public int MaxConnections { get; }

    /// <summary>The options Kestrel was started with (specs read the limits applied).</summary>
    internal KestrelServerOptions? Kestrel { get; private set; }

    private static GrpcServerPlugin? FirstGrpcServer(ListenerContext context)
    {
        foreach (var p in context.Options.Plugins)
            if (p is GrpcServerPlugin g) return g;
        return null;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        var plan = _context.Plan;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _settings.ShutdownTimeout);
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = DnsGrpcService.MaxProtobufMessage;
            o.MaxSendMessageSize = DnsGrpcService.MaxProtobufMessage;
            o.EnableDetailedErrors = false;
        });
        var port = _context.Plan.Port;
        builder.Services.AddSingleton(new DnsGrpcService(_context.Dispatcher, _context.Server(DnsTransport.Grpc, port)));
        var tls = _context.Tls;
        if (tls is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            Kestrel = k;
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = MaxConnections > 0 ? MaxConnections : null;
            k.Limits.Http2.MaxStreamsPerConnection = MaxStreams > 0 ? MaxStreams : int.MaxValue;
            k.Limits.KeepAliveTimeout = _settings.KeepAliveTimeout;
            void Configure(ListenOptions lo)
            {
                lo.Protocols = HttpProtocols.Http2;
                if (tls is null) return;
                lo.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = _ => new ValueTask<SslServerAuthenticationOptions>(tls.ServerOptions([SslApplicationProtocol.Http2])),
                });
            }
            // Without bind: one dual-stack socket (Kestrel falls back to IPv4 where there is no IPv6).
            if (plan.Address is null) k.ListenAnyIP(port, Configure);
            else k.Listen(plan.Address, port, Configure);
        });
        var app = builder.Build();
        app.MapGrpcService<DnsGrpcService>();
        try
        {
            await app.StartAsync(ct);
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            var where = plan.Address is null ? $":{port}" : new IPEndPoint(plan.Address, port).ToString();
            throw new InvalidOperationException($"grpc://{where}: cannot listen: {e.GetBaseException().Message}", e);
        }
        _app = app;
        _local = Bound(app, plan.Address);
    }

    /// <summary>The addresses Kestrel reports, ephemeral ports resolved.</summary>
    private static IReadOnlyList<IPEndPoint> Bound(WebApplication app, IPAddress? address)
    {
        var list = new List<IPEndPoint>();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var a in addresses)
        {
            if (!Uri.TryCreate(a, UriKind.Absolute, out var uri)) continue;
            if (address is not null) list.Add(new IPEndPoint(address, uri.Port));
            else
            {
                list.Add(new IPEndPoint(IPAddress.Any, uri.Port));
                if (uri.Host.Contains(':') || uri.Host == "[::]") list.Add(new IPEndPoint(IPAddress.IPv6Any, uri.Port));
            }
        }
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is null) return;
        try
        {
            using var cts = new CancellationTokenSource(_settings.ShutdownTimeout);
            await app.StopAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
        await app.DisposeAsync();
    }
}
