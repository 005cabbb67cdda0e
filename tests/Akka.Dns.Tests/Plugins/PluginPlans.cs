using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;

namespace Akka.Dns.Tests.Plugins;

/// <summary>Runs the setups of a Corefile without starting anything, to look at what a plugin parsed.</summary>
public static class PluginPlans
{
    public static ServerPlan Plan(ActorSystem system, string corefile, PluginCatalog? catalog = null)
    {
        catalog ??= PluginCatalog.Default;
        var doc = CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        return ServerPlan.Build(doc, catalog, DnsSettings.Create(system), 1053);
    }

    /// <summary>The plugin <typeparamref name="T"/> of the first block of <c>. { directives }</c>.</summary>
    public static T PluginOf<T>(ActorSystem system, string directives) where T : Plugin =>
        Plan(system, $". {{\n {directives}\n}}\n").Blocks[0].Plugins.OfType<T>().Single();
}
