using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Akka.Dns.Http;

/// <summary>
/// The small Kestrel servers that setup-only plugins (health, ready, prometheus) expose: one per listen address,
/// several paths each, shared by every block that names the same address. One instance per server generation
/// collects that generation's routes (<see cref="Map"/>); on reload the new generation takes over the Kestrel
/// servers of the addresses it keeps (<see cref="OpenAsync"/>, then <see cref="TakeOver"/>): a kept address never
/// stops accepting, it switches to the new route table in one reference swap; new addresses are bound before the
/// swap (a bind failure fails the reload with the old generation untouched) and dropped ones close after it.
/// CoreDNS closes every health/metrics listener before starting the new config, so a failed reload leaves them
/// down; this does not.
/// </summary>
public sealed class HttpEndpoints : IAsyncDisposable
{
    // Keyed by the address's endpoints (":8080" and "[::]:8080" are one server), in registration order.
    private readonly Dictionary<string, Dictionary<string, RequestDelegate>> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _written = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Site> _open = new(StringComparer.OrdinalIgnoreCase);
    // Servers of the previous generation closed early to free a port this one binds (see OpenAsync).
    private readonly List<Site> _released = [];
    private readonly TimeSpan _shutdown;

    public HttpEndpoints(TimeSpan shutdownTimeout) => _shutdown = shutdownTimeout;

    /// <summary>One Kestrel server and the route table it serves now (swapped whole on reload).</summary>
    private sealed class Site(string address, IReadOnlyList<IPEndPoint> endPoints)
    {
        private volatile Dictionary<string, RequestDelegate> _routes = new(StringComparer.Ordinal);
        public string Address { get; } = address;
        public IReadOnlyList<IPEndPoint> EndPoints { get; } = endPoints;
        public WebApplication? App { get; set; }

        public Dictionary<string, RequestDelegate> Routes
        {
            get => _routes;
            set => _routes = value;
        }

        public Task Serve(HttpContext ctx) => Routes.TryGetValue(ctx.Request.Path.Value ?? "/", out var h) ? h(ctx) : NotFound(ctx);
    }

    /// <summary>The addresses this generation serves, as first written, in registration order.</summary>
    public IReadOnlyCollection<string> Addresses => _written.Values;

    /// <summary>Registers <paramref name="path"/> on <paramref name="address"/> (":8080", "127.0.0.1:8181", "[::1]:80", "localhost:9153"). False when the path is taken on that address.</summary>
    public bool Map(string address, string path, RequestDelegate handler)
    {
        var key = Key(address);
        if (!_routes.TryGetValue(key, out var paths))
        {
            _routes[key] = paths = new Dictionary<string, RequestDelegate>(StringComparer.Ordinal);
            _written[key] = address;
        }
        return paths.TryAdd(path, handler);
    }

    /// <summary>Binds every registered address. Throws with the address when it cannot be bound (and closes what it bound).</summary>
    public Task StartAsync(CancellationToken ct) => OpenAsync(null, ct);

    /// <summary>
    /// Binds every registered address that <paramref name="previous"/> does not already serve; those it serves are
    /// taken over by <see cref="TakeOver"/>. When a new address cannot be bound because a server of
    /// <paramref name="previous"/> that this generation drops holds the port (":8080" becoming "127.0.0.1:8080"),
    /// that server is closed first and the bind retried. On failure everything this call bound is closed, the
    /// servers it closed early are reopened, and it throws with the address.
    /// </summary>
    public async Task OpenAsync(HttpEndpoints? previous, CancellationToken ct)
    {
        try
        {
            foreach (var (key, paths) in _routes)
            {
                if (previous is not null && previous._open.ContainsKey(key)) continue;
                var site = new Site(_written[key], Parse(_written[key])) { Routes = paths };
                try
                {
                    await BindAsync(site, ct);
                }
                catch (InvalidOperationException) when (previous is not null)
                {
                    if (!await previous.ReleasePortsAsync(site, this)) throw;
                    await BindAsync(site, ct);
                }
                _open[key] = site;
            }
        }
        catch
        {
            await AbortAsync(previous);
            throw;
        }
    }

    /// <summary>Closes the servers of this (previous) generation that are dropped by <paramref name="next"/> and share a port with <paramref name="site"/>; true when any was.</summary>
    private async Task<bool> ReleasePortsAsync(Site site, HttpEndpoints next)
    {
        var ports = site.EndPoints.Select(e => e.Port).ToHashSet();
        var clash = _open.Where(o => !next._routes.ContainsKey(o.Key) && o.Value.EndPoints.Any(e => ports.Contains(e.Port))).ToList();
        foreach (var (key, old) in clash)
        {
            _open.Remove(key);
            await StopAsync(old);
            next._released.Add(old);
        }
        return clash.Count > 0;
    }

    /// <summary>Undoes <see cref="OpenAsync"/>: closes what this generation bound and gives <paramref name="previous"/> back the servers closed early (best effort).</summary>
    public async Task AbortAsync(HttpEndpoints? previous)
    {
        await DisposeAsync();
        if (previous is null) return;
        foreach (var old in _released)
        {
            var site = new Site(old.Address, old.EndPoints) { Routes = old.Routes };
            try
            {
                await BindAsync(site, CancellationToken.None);
                previous._open[Key(old.Address)] = site;
            }
            catch (InvalidOperationException)
            {
                // the port was taken meanwhile: that address stays closed, as CoreDNS would leave it
            }
        }
        _released.Clear();
    }

    /// <summary>
    /// The swap: every server of <paramref name="previous"/> whose address this generation keeps moves here and
    /// serves this generation's routes from now on (one reference write: no request is refused); the servers of
    /// addresses this generation dropped are closed (in the background: their requests finish).
    /// </summary>
    public Task TakeOver(HttpEndpoints previous)
    {
        foreach (var (key, paths) in _routes)
        {
            if (_open.ContainsKey(key) || !previous._open.Remove(key, out var site)) continue;
            site.Routes = paths;
            _open[key] = site;
        }
        _released.Clear();
        return previous.DisposeAsync().AsTask();
    }

    private async Task BindAsync(Site site, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _shutdown);
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var ep in site.EndPoints) k.Listen(ep);
        });
        var app = builder.Build();
        app.Run(site.Serve);
        try
        {
            await app.StartAsync(ct);
        }
        catch (Exception e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException($"cannot listen for http on {site.Address}: {e.GetBaseException().Message}", e);
        }
        site.App = app;
    }

    private static Task NotFound(HttpContext ctx)
    {
        ctx.Response.StatusCode = 404;
        return Task.CompletedTask;
    }

    /// <summary>The endpoints an address stands for, as one string (the address itself when it does not parse: binding reports that).</summary>
    private static string Key(string address)
    {
        try
        {
            return string.Join(",", Parse(address).Select(e => e.ToString()));
        }
        catch (FormatException)
        {
            return address;
        }
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

    private async Task StopAsync(Site site)
    {
        if (site.App is not { } app) return;
        site.App = null;
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

    /// <summary>Closes every server this generation owns (none after another took them over).</summary>
    public async ValueTask DisposeAsync()
    {
        var open = _open.Values.ToList();
        _open.Clear();
        foreach (var site in open) await StopAsync(site);
    }
}
