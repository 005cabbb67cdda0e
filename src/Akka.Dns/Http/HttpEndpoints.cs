using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Akka.Dns.Http;

/// <summary>
/// The small Kestrel servers that setup-only plugins (health, ready, later prometheus) expose: one per
/// address, several paths each, started once and shared by every block that names the same address.
/// </summary>
public sealed class HttpEndpoints : IAsyncDisposable
{
    private readonly Dictionary<string, Dictionary<string, RequestDelegate>> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<WebApplication> _apps = [];
    private readonly TimeSpan _shutdown;

    public HttpEndpoints(TimeSpan shutdownTimeout) => _shutdown = shutdownTimeout;

    /// <summary>Registers <paramref name="path"/> on <paramref name="address"/> (":8080", "127.0.0.1:8181", "[::1]:80", "localhost:9153"). False when the path is taken on that address.</summary>
    public bool Map(string address, string path, RequestDelegate handler)
    {
        if (!_routes.TryGetValue(address, out var paths)) _routes[address] = paths = new Dictionary<string, RequestDelegate>(StringComparer.Ordinal);
        return paths.TryAdd(path, handler);
    }

    /// <summary>Binds every registered address. Throws with the address when it cannot be bound.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var (address, paths) in _routes)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _shutdown);
            var endPoints = Parse(address);
            builder.WebHost.ConfigureKestrel(k =>
            {
                foreach (var ep in endPoints) k.Listen(ep);
            });
            var app = builder.Build();
            var table = paths;
            app.Run(ctx => table.TryGetValue(ctx.Request.Path.Value ?? "/", out var h) ? h(ctx) : NotFound(ctx));
            try
            {
                await app.StartAsync(ct);
            }
            catch (Exception e)
            {
                await app.DisposeAsync();
                throw new InvalidOperationException($"cannot listen for http on {address}: {e.GetBaseException().Message}", e);
            }
            _apps.Add(app);
        }
    }

    private static Task NotFound(HttpContext ctx)
    {
        ctx.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    /// <summary>CoreDNS-style listen addresses: ":8080" = every interface; "localhost:9153" = both loopbacks.</summary>
    public static IReadOnlyList<IPEndPoint> Parse(string address)
    {
        var i = address.LastIndexOf(':');
        if (i < 0 || !int.TryParse(address.AsSpan(i + 1), out var port) || port is < 0 or > 65535)
            throw new FormatException($"not a HOST:PORT address: '{address}'");
        var host = address[..i].Trim('[', ']');
        if (host.Length == 0) return [new IPEndPoint(IPAddress.IPv6Any, port)];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return [new IPEndPoint(IPAddress.Loopback, port)];
        return IPAddress.TryParse(host, out var ip)
            ? [new IPEndPoint(ip, port)]
            : throw new FormatException($"not an IP address: '{host}' in '{address}'");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            try
            {
                using var cts = new CancellationTokenSource(_shutdown);
                await app.StopAsync(cts.Token);
            }
            catch (Exception)
            {
                // stopping anyway
            }
            await app.DisposeAsync();
        }
        _apps.Clear();
    }
}
