using Akka.Dns.Plugins;
using Xunit;

namespace Akka.Dns.Tests.Config;

public sealed class PluginCfgSpec
{
    /// <summary>
    /// CoreDNS v1.14.7's plugin.cfg order (reference section b), which ours keeps verbatim, plus the plugins of our
    /// own that CoreDNS does not have, where their issue puts them (cluster and dynupdate just before file).
    /// </summary>
    private static readonly string[] CoreDns =
    [
        "root", "metadata", "geoip", "cancel", "proxyproto", "quic", "grpc_server", "https", "https3", "timeouts",
        "multisocket", "reload", "nsid", "bufsize", "bind", "debug", "trace", "ready", "health", "pprof", "shed",
        "prometheus", "errors", "log", "dnstap", "local", "dns64", "any", "chaos", "loadbalance", "tsig", "rewrite",
        "autopath", "acl", "cache", "header", "dnssec", "tls", "minimal", "template", "transfer", "hosts", "route53",
        "azure", "clouddns", "k8s_external", "kubernetes", "cluster", "dynupdate", "file", "auto", "secondary", "etcd", "loop", "forward",
        "grpc", "erratic", "whoami", "on", "sign", "view", "nomad",
    ];

    [Fact]
    public void Plugin_cfg_should_hold_coredns_order_verbatim_with_our_own_plugins_where_their_issue_puts_them()
    {
        Assert.Equal(CoreDns, PluginCatalog.ReadPluginCfg().Select(e => e.Directive));
    }

    [Fact]
    public void Every_plugin_folder_should_have_a_plugin_cfg_line_a_setup_and_a_readme()
    {
        var entries = PluginCatalog.ReadPluginCfg();
        var dir = Path.Combine(RepoRoot.Path, "src/Akka.Dns/Plugins");
        foreach (var folder in Directory.GetDirectories(dir).Select(Path.GetFileName))
        {
            var entry = entries.FirstOrDefault(e => e.Folder == folder);
            Assert.True(entry.Directive is not null, $"Plugins/{folder} has no line in plugin.cfg");
            Assert.True(File.Exists(Path.Combine(dir, folder!, "README.md")), $"Plugins/{folder} has no README.md");
            Assert.True(PluginCatalog.Default.TryGetSetup(entry.Directive, out _), $"Plugins/{folder} has no [Plugin(\"{entry.Directive}\")] setup");
            Assert.True(File.Exists(Path.Combine(dir, folder!, folder + "Setup.cs")), $"Plugins/{folder} has no {folder}Setup.cs");
        }
    }

    [Fact]
    public void Every_built_plugin_should_live_in_the_folder_its_line_names()
    {
        var entries = PluginCatalog.ReadPluginCfg().ToDictionary(e => e.Directive, e => e.Folder);
        foreach (var name in PluginCatalog.Default.Built)
        {
            PluginCatalog.Default.TryGetSetup(name, out var setup);
            Assert.Equal($"Akka.Dns.Plugins.{entries[name]}", setup.GetType().Namespace);
        }
    }

    [Fact]
    public void Folder_names_should_be_the_pascal_case_of_the_directive()
    {
        foreach (var (directive, folder) in PluginCatalog.ReadPluginCfg())
        {
            var pascal = string.Concat(directive.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
            Assert.Equal(pascal, folder);
        }
    }

    [Fact]
    public void A_malformed_plugin_cfg_line_should_name_its_line()
    {
        var e = Assert.Throws<FormatException>(() => PluginCatalog.Parse("root:Root\nbogus\n"));
        Assert.Equal("plugin.cfg:2: expected NAME:FOLDER, got 'bogus'", e.Message);
    }
}
