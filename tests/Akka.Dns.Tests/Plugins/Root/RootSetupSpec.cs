using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Root;
using Akka.Dns.Server;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Root;

public sealed class RootSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    [Fact]
    public void Root_should_set_the_block_root_to_an_existing_directory()
    {
        var dir = Path.GetTempPath().TrimEnd('/');
        var plan = Plan($". {{\n root {dir}\n}}\n");
        Assert.Equal(dir, plan.Blocks[0].Options.Root);
        var root = Assert.IsType<RootPlugin>(Assert.Single(plan.Blocks[0].Plugins));
        Assert.True(root.Exists);
        Assert.False(root.IsHandler);
    }

    [Fact]
    public void Root_should_accept_a_directory_that_does_not_exist_yet()
    {
        var dir = Path.Combine(Path.GetTempPath(), "highly_unlikely_to_exist_dir_" + Guid.NewGuid().ToString("N"));
        var plan = Plan($". {{\n root {dir}\n}}\n");
        Assert.Equal(dir, plan.Blocks[0].Options.Root);
        Assert.False(Assert.IsType<RootPlugin>(plan.Blocks[0].Plugins[0]).Exists);
    }

    [Fact]
    public void Root_should_keep_a_relative_path_as_given()
    {
        var plan = Plan(". {\n root zones\n}\n");
        Assert.Equal("zones", plan.Blocks[0].Options.Root);
    }

    [Fact]
    public void Root_should_be_what_relative_paths_of_later_plugins_resolve_against()
    {
        var catalog = PluginCatalog.Default.With("testpath", new PathProbeSetup(), after: "whoami");
        var doc = CorefileParser.Parse(". {\n testpath db.example.org /abs/db\n root /etc/coredns/zones\n}\n", "Corefile", Path.GetTempPath(), catalog.KnownDirectives);
        var plan = ServerPlan.Build(doc, catalog, DnsSettings.Create(Sys), 1053);
        var probe = Assert.IsType<PathProbe>(plan.Blocks[0].Plugins[1]);
        Assert.Equal(["/etc/coredns/zones/db.example.org", "/abs/db"], probe.Resolved);
    }

    [Theory]
    [InlineData(". {\n root\n}\n", "Corefile:2 - Error during parsing: plugin/root: Wrong argument count or unexpected line ending after 'root'")]
    [InlineData(". {\n root /a /b\n}\n", "Corefile:2 - Error during parsing: plugin/root: Wrong argument count or unexpected line ending after '/b'")]
    [InlineData(". {\n root {\n  /tmp\n }\n}\n", "Corefile:2 - Error during parsing: plugin/root: Wrong argument count or unexpected line ending after 'root'")]
    [InlineData(". {\n root /tmp {\n  x\n }\n}\n", "Corefile:2 - Error during parsing: plugin/root: Unexpected token '{', expecting argument")]
    [InlineData(". {\n root /tmp\n root /var\n}\n", "Corefile:3 - Error during parsing: plugin/root: this plugin can only be used once per Server Block")]
    public void Root_should_reject_a_bad_directive(string corefile, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan(corefile));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Root_should_reject_a_path_that_cannot_be_examined()
    {
        var e = Assert.Throws<CorefileException>(() => Plan(". {\n root \"/tmp/file\0name\"\n}\n"));
        Assert.Equal("Corefile:2 - Error during parsing: plugin/root: unable to access root path '/tmp/file\0name': stat /tmp/file\0name: invalid argument", e.Message);
    }

    private sealed class PathProbeSetup : IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(SetupContext context)
        {
            var r = context.Readers().Single();
            r.Next();
            return new PathProbe(r.RemainingArgs().Select(context.ResolvePath).ToList());
        }
    }

    private sealed class PathProbe(IReadOnlyList<string> resolved) : SetupOnlyPlugin("testpath")
    {
        public IReadOnlyList<string> Resolved { get; } = resolved;
    }
}
