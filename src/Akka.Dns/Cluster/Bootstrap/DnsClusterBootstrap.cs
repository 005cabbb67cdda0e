using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Akka.Management.Dsl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json;
using AkkaCluster = Akka.Cluster.Cluster;
using MemberStatus = Akka.Cluster.MemberStatus;

namespace Akka.Dns.Cluster.Bootstrap;

/// <summary>
/// <c>akka.dns.cluster.bootstrap = on</c>: the daemon serves the management endpoint (<c>akka.management.http</c>: the
/// contact point other replicas probe) and starts Akka.Management's Cluster Bootstrap
/// (<c>akka.management.cluster.bootstrap</c>), which finds the other replicas through Akka.Discovery (in Kubernetes:
/// <see cref="KubernetesApiDiscovery"/>) and forms or joins the cluster without seed nodes. Off (the default):
/// nothing of Akka.Management runs, seed nodes work as before.
/// </summary>
/// <remarks>
/// The endpoint is ours, on Kestrel, not Akka.Management's own HTTP server: that one (Akka.Http.Shim 1.5.73) is built
/// against Ceen.Httpd 0.9.9 and calls a <c>ListenAsync</c> overload that Ceen.Httpd 0.9.10, the only version the
/// package source serves, lacks (MissingMethodException at bind). It serves the one route bootstrap needs,
/// <c>GET /bootstrap/seed-nodes</c>, with the body Akka.Management's route writes (the same JSON types, serialized
/// the same way), and hands bootstrap its self contact point as Akka.Management does.
/// </remarks>
public sealed class DnsClusterBootstrap : IAsyncDisposable
{
    public const string Key = "akka.dns.cluster.bootstrap";

    private readonly WebApplication _app;

    private DnsClusterBootstrap(WebApplication app, Uri selfContactPoint)
    {
        _app = app;
        SelfContactPoint = selfContactPoint;
    }

    /// <summary>The URI other replicas probe (<c>http://hostname:port/</c> of <c>akka.management.http</c>).</summary>
    public Uri SelfContactPoint { get; }

    /// <summary>
    /// Whether bootstrap is on in <paramref name="config"/> (over reference.conf). Throws <see cref="ConfigurationException"/>
    /// when it is on but cannot work: no cluster provider, or seed nodes given (bootstrap would quietly do nothing).
    /// </summary>
    public static bool IsEnabled(Config config)
    {
        var c = config.WithFallback(DnsSettings.DefaultConfig());
        if (!c.GetBoolean(Key, false)) return false;
        var provider = c.GetString("akka.actor.provider", "local");
        if (provider is not ("cluster" or "Akka.Cluster.ClusterActorRefProvider, Akka.Cluster"))
            throw new ConfigurationException($"{Key} = on needs akka.actor.provider = cluster (it is \"{provider}\")");
        var seeds = c.GetStringList("akka.cluster.seed-nodes", []);
        if (seeds.Count > 0)
            throw new ConfigurationException($"{Key} = on finds the other members itself: remove akka.cluster.seed-nodes ({string.Join(", ", seeds)})");
        return true;
    }

    /// <summary>
    /// Binds the management endpoint, then starts bootstrap. Throws when the endpoint cannot bind. The endpoint is
    /// stopped when the actor system terminates (CoordinatedShutdown), after the node has left the cluster.
    /// </summary>
    public static async Task<DnsClusterBootstrap> StartAsync(ActorSystem system)
    {
        var http = AkkaManagement.Get(system).Settings.Http;
        var bindHost = http.EffectiveBindHostname;
        var b = WebApplication.CreateSlimBuilder();
        b.Logging.ClearProviders();
        b.WebHost.UseKestrel(o =>
        {
            if (IPAddress.TryParse(bindHost, out var ip)) o.Listen(ip, http.EffectiveBindPort);
            else o.ListenAnyIP(http.EffectiveBindPort);
        });
        var app = b.Build();
        var maxSeeds = ClusterBootstrapSettings.Create(system.Settings.Config.WithFallback(ClusterBootstrap.DefaultConfiguration()), system.Log).ContactPoint.MaxSeedNodesToExpose;
        var basePath = http.BasePath.Trim('/');
        app.MapGet(basePath.Length == 0 ? "/bootstrap/seed-nodes" : $"/{basePath}/bootstrap/seed-nodes", ctx => SeedNodesAsync(ctx, system, maxSeeds));
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            // Whole message, no inner exception: the daemon prints the innermost exception's message alone.
            throw new IOException($"akka.management.http cannot listen on {bindHost}:{http.EffectiveBindPort}: {e.GetBaseException().Message}");
        }

        var bound = BoundPort(app, http.EffectiveBindPort);
        var self = new Uri($"http://{http.Hostname}:{(http.Port == 0 ? bound : http.Port)}/{(basePath.Length == 0 ? "" : basePath + "/")}");
        system.Log.Info("Cluster Bootstrap contact point {0} (bound to {1}:{2})", self, bindHost, bound);
        var bootstrap = new DnsClusterBootstrap(app, self);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate, "akka-dns-management-stop",
            async () =>
            {
                await bootstrap.DisposeAsync().ConfigureAwait(false);
                return Done.Instance;
            });

        // Akka.Management hands bootstrap its self contact point when it binds its routes; so do we. Bootstrap uses
        // it to tell which discovered contact point is this node (the lowest address forms the cluster).
        ClusterBootstrap.Get(system).Routes(ManagementRouteProviderSettings.Create(self, readOnly: true));
        await ClusterBootstrap.Get(system).Start().ConfigureAwait(false);
        return bootstrap;
    }

    /// <summary>
    /// What Akka.Management's <c>HttpClusterBootstrapRoutes</c> answers: this node's address and the members that are
    /// Joining, Up or WeaklyUp and reachable (none while this node is leaving or gone), at most max-seed-nodes-to-expose.
    /// </summary>
    private static async Task SeedNodesAsync(HttpContext ctx, ActorSystem system, int maxSeeds)
    {
        var cluster = AkkaCluster.Get(system);
        var self = cluster.SelfMember;
        var nodes = ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty;
        if (self.Status is not (MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed))
        {
            var state = cluster.State;
            var list = new List<HttpBootstrapJsonProtocol.ClusterMember>();
            foreach (var m in state.Members)
            {
                if (list.Count >= maxSeeds) break;
                if (state.Unreachable.Contains(m) || m.Status is not (MemberStatus.Joining or MemberStatus.Up or MemberStatus.WeaklyUp)) continue;
                list.Add(new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles));
            }
            nodes = list.ToImmutableList();
        }
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, nodes)));
    }

    private static int BoundPort(WebApplication app, int configured)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var a in addresses)
            if (Uri.TryCreate(a.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var u)) return u.Port;
        return configured;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
