using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Akka.Dns.Plugins.Https;
using Akka.Dns.Plugins.Tls;
using Akka.Dns.Wire;
using Akka.Event;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Akka.Dns.Server.Listeners.Https;

/// <summary>
/// DNS over HTTPS (RFC 8484) on one listen address: a Kestrel server whose only resource is <c>/dns-query</c>
/// (other paths 404). GET carries the message base64url-encoded (no padding) in exactly one <c>dns</c> parameter,
/// POST carries it as the body with <c>Content-Type: application/dns-message</c>. The message goes to the same
/// <see cref="Routing.RequestDispatcher"/> as the UDP/TCP listeners (transport https, the connection's client
/// address); the handler awaits a pooled <see cref="DohExchange"/> and answers 200 with the reply,
/// <c>Content-Type: application/dns-message</c> and <c>Cache-Control: max-age</c> as CoreDNS computes it.
/// With a tls plugin in the block: HTTP/1.1 and HTTP/2 over TLS (ALPN h2, http/1.1), the certificate taken per
/// handshake so renewed files apply to new connections; without: plain HTTP/1.1, as CoreDNS.
/// </summary>
public sealed class DohListener : IDnsListener
{
    public const string Path = "/dns-query";
    public const string MimeType = "application/dns-message";

    /// <summary>CoreDNS's maxBase64Len: the base64 length of a 65536-octet message.</summary>
    internal const int MaxBase64Length = (65536 * 8 + 5) / 6;

    private static readonly SearchValues<char> UrlAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly List<SslApplicationProtocol> Alpn = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private readonly ListenerContext _context;
    private readonly HttpsSettings _settings;
    private readonly TlsCredentials? _tls;
    private readonly int _maxConnections;
    private readonly List<IPEndPoint> _bound = [];
    private WebApplication? _app;
    private ServerInfo? _server;
    private DohCounters? _counters;
    private int _replica;

    public DohListener(ListenerContext context)
    {
        _context = context;
        _settings = HttpsSettings.Create(context.System);
        _tls = context.Tls;
        _maxConnections = HttpsSetup.DefaultMaxConnections;
        foreach (var p in context.Plan.Zones[0].Block.Plugins)
            if (p is HttpsPlugin https) _maxConnections = https.MaxConnections;
    }

    public DnsTransport Transport => DnsTransport.Https;

    public IReadOnlyList<IPEndPoint> LocalEndPoints => _bound;

    /// <summary>Connections at once past which Kestrel closes new ones (0 = unlimited).</summary>
    public int MaxConnections => _maxConnections;

    public async Task StartAsync(CancellationToken ct)
    {
        var endPoints = _context.EndPoints;
        // Without bind: one dual-stack socket on [::] (Kestrel sets DualMode on IPv6Any), so a port 0 in specs
        // gives one port for both families; where IPv6 is missing, 0.0.0.0 alone, with a warning.
        var wildcard = endPoints.Count == 2 && endPoints[1].Address.Equals(IPAddress.IPv6Any);
        try
        {
            await StartAppAsync(wildcard ? endPoints[1] : endPoints[0], ct);
        }
        catch (Exception e) when (wildcard && e.GetBaseException() is SocketException { SocketErrorCode: SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable })
        {
            _context.Log.Warning("https [::]:{0}: IPv6 is not available here, DoH is served over IPv4 only: {1}", endPoints[0].Port, e.GetBaseException().Message);
            await StartAppAsync(endPoints[0], ct);
        }
    }

    private async Task StartAppAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _settings.ShutdownTimeout);
        var options = _context.Options;
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.AllowAlternateSchemes = true;   // h2c (see H2cSniffer): :scheme http on a connection Kestrel thinks is TLS
            var limits = k.Limits;
            limits.MaxConcurrentConnections = _maxConnections > 0 ? _maxConnections : null;
            limits.MaxConcurrentUpgradedConnections = 0;
            limits.MaxRequestBodySize = _settings.MaxRequestBodySize;
            limits.MaxRequestLineSize = _settings.MaxRequestLineSize;
            limits.MaxRequestHeadersTotalSize = _settings.MaxRequestHeadersTotalSize;
            limits.KeepAliveTimeout = options.IdleTimeout ?? _settings.IdleTimeout;
            limits.RequestHeadersTimeout = options.ReadTimeout ?? _settings.ReadTimeout;
            limits.Http2.MaxStreamsPerConnection = _settings.Http2MaxStreamsPerConnection;
            limits.Http2.MaxRequestHeaderFieldSize = _settings.Http2MaxRequestHeaderFieldSize;
            k.Listen(endPoint, lo =>
            {
                listen = lo;
                if (_tls is { } tls)
                {
                    lo.Protocols = HttpProtocols.Http1AndHttp2;
                    lo.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => new ValueTask<SslServerAuthenticationOptions>(tls.ServerOptions(Alpn)),
                    });
                }
                else
                {
                    lo.Protocols = HttpProtocols.Http1AndHttp2;
                    lo.Use(H2cSniffer.Middleware(options.ReadTimeout ?? _settings.ReadTimeout));
                }
            });
        });
        _server = _context.Server(DnsTransport.Https, endPoint.Port);
        _counters = DohMetrics.For(_server.Label);
        var app = builder.Build();
        app.Run(HandleAsync);
        try
        {
            await app.StartAsync(ct);
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"cannot listen for https on {endPoint}: {e.GetBaseException().Message}", e);
        }
        _app = app;
        var bound = listen!.IPEndPoint ?? endPoint;
        _bound.Add(bound);
        _server = _context.Server(DnsTransport.Https, bound.Port);
        _counters = DohMetrics.For(_server.Label);
    }

    private Task HandleAsync(HttpContext ctx)
    {
        if (!string.Equals(ctx.Request.Path.Value, Path, StringComparison.Ordinal)) return Error(ctx, StatusCodes.Status404NotFound, "");
        if (HttpMethods.IsGet(ctx.Request.Method)) return GetAsync(ctx);
        if (HttpMethods.IsPost(ctx.Request.Method)) return PostAsync(ctx);
        // RFC 9110: a method the resource does not support is 405 with Allow (CoreDNS answers 400).
        ctx.Response.Headers.Allow = "GET, POST";
        return Error(ctx, StatusCodes.Status405MethodNotAllowed, "method not allowed");
    }

    private Task GetAsync(HttpContext ctx)
    {
        if (!ctx.Request.Query.TryGetValue("dns", out var values) || values.Count != 1 || values[0] is not { } b64
            || b64.Length > MaxBase64Length)
            return Error(ctx, StatusCodes.Status400BadRequest, "invalid request");
        // Go's RawURLEncoding: the URL alphabet only, no padding, no white space (Base64Url takes all three).
        if (b64.AsSpan().ContainsAnyExcept(UrlAlphabet) || b64.Length % 4 == 1)
            return Error(ctx, StatusCodes.Status400BadRequest, "invalid request");
        var packet = new byte[Base64Url.GetMaxDecodedLength(b64.Length)];
        if (!Base64Url.TryDecodeFromChars(b64, packet, out var written))
            return Error(ctx, StatusCodes.Status400BadRequest, "invalid request");
        return AnswerAsync(ctx, packet, written);
    }

    private async Task PostAsync(HttpContext ctx)
    {
        // RFC 8484 §4.1: a POST carries application/dns-message; CoreDNS does not check, we answer 415.
        if (!MediaTypeHeaderValue.TryParse(ctx.Request.ContentType, out var type)
            || !type.MediaType.Equals(MimeType, StringComparison.OrdinalIgnoreCase))
        {
            await Error(ctx, StatusCodes.Status415UnsupportedMediaType, "unsupported media type");
            return;
        }
        var max = _settings.MaxRequestBodySize;
        if (ctx.Request.ContentLength > max)
        {
            await TooLargeAsync(ctx);
            return;
        }
        var buf = ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            var len = 0;
            int n;
            try
            {
                while (len <= max && (n = await ctx.Request.Body.ReadAsync(buf.AsMemory(len, max + 1 - len), ctx.RequestAborted)) > 0)
                    len += n;
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
            {
                await Error(ctx, e.StatusCode, "invalid request");
                return;
            }
            if (len > max)
            {
                await TooLargeAsync(ctx);
                return;
            }
            await AnswerAsync(ctx, buf.AsSpan(0, len).ToArray(), len);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// 413. An HTTP/1.1 client that sends its body without waiting for 100-continue sees the connection reset, not the
    /// 413, when the server closes with the body unread; so up to <see cref="DrainLimit"/> octets are read and dropped
    /// first (and the connection stays usable). HTTP/2 resets only the stream.
    /// </summary>
    private async Task TooLargeAsync(HttpContext ctx)
    {
        if (!HttpProtocol.IsHttp2(ctx.Request.Protocol) && !(ctx.Request.ContentLength > DrainLimit)
            && ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = DrainLimit;
            var sink = ArrayPool<byte>.Shared.Rent(16384);
            try
            {
                while (await ctx.Request.Body.ReadAsync(sink, ctx.RequestAborted) > 0)
                {
                }
            }
            catch (Exception e) when (e is Microsoft.AspNetCore.Http.BadHttpRequestException or IOException or OperationCanceledException)
            {
                // past the drain limit or gone: Kestrel closes the connection after the 413
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(sink);
            }
        }
        await Error(ctx, StatusCodes.Status413PayloadTooLarge, "request too large");
    }

    /// <summary>Octets of an oversized HTTP/1.1 body read and dropped before the 413 (see <see cref="TooLargeAsync"/>).</summary>
    private const int DrainLimit = 1 << 20;

    private async Task AnswerAsync(HttpContext ctx, byte[] packet, int length)
    {
        // Anything the server would not hand to the chain (too short, a response, bad counts, unknown opcode) is
        // not a DNS request: 400, as CoreDNS's UnpackRequest.
        var q = PacketHandler.Accept(packet, length, out _);
        if (q is null)
        {
            await Error(ctx, StatusCodes.Status400BadRequest, "invalid request");
            return;
        }
        var conn = ctx.Connection;
        var client = new IPEndPoint(Unmap(conn.RemoteIpAddress ?? IPAddress.IPv6None), conn.RemotePort);
        var local = new IPEndPoint(Unmap(conn.LocalIpAddress ?? IPAddress.IPv6None), conn.LocalPort);
        var exchange = DohExchange.Rent();
        try
        {
            var request = new DnsRequest(q, DnsTransport.Https, exchange, _server!, null, client, local);
            try
            {
                _context.Dispatcher.Dispatch(request, Interlocked.Increment(ref _replica));
            }
            catch (Exception e)
            {
                _context.Log.Warning("https {0}: dispatch failed: {1}", _server!.Label, e.Message);
                request.Fail(Rcode.ServFail);
            }
            var written = await exchange.Task;
            if (written == 0)
            {
                // RFC 8484 §4.2.1 leaves this open; CoreDNS answers 500 when the chain wrote nothing.
                await Error(ctx, StatusCodes.Status500InternalServerError, "No response");
                return;
            }
            var reply = exchange.Reply;
            var response = ctx.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = MimeType;
            response.Headers.CacheControl = MaxAgeHeader(DohCacheControl.MaxAge(reply.Span, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            response.ContentLength = reply.Length;
            _counters!.Count(StatusCodes.Status200OK);
            await response.Body.WriteAsync(reply, ctx.RequestAborted);
        }
        finally
        {
            DohExchange.Return(exchange);
        }
    }

    private static readonly string[] MaxAges = MakeMaxAges();

    private static string[] MakeMaxAges()
    {
        var a = new string[301];
        for (var i = 0; i < a.Length; i++) a[i] = "max-age=" + i;
        return a;
    }

    private static string MaxAgeHeader(uint seconds) => seconds < MaxAges.Length ? MaxAges[seconds] : "max-age=" + seconds;

    private static IPAddress Unmap(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private Task Error(HttpContext ctx, int status, string text)
    {
        _counters!.Count(status);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        return ctx.Response.WriteAsync(text + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        try
        {
            using var cts = new CancellationTokenSource(_settings.ShutdownTimeout);
            await _app.StopAsync(cts.Token);
        }
        catch (Exception e)
        {
            _context.Log.Warning("https {0}: stop failed: {1}", _server?.Label ?? "", e.Message);
        }
        await _app.DisposeAsync();
        _app = null;
    }
}
