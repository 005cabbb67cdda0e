using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Debug;
using Akka.Dns.Server;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Debug;

public sealed class DebugSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile, "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    [Theory]
    [InlineData(". {\n debug\n}\n", true)]
    [InlineData(". {\n debug\n debug\n}\n", true)]
    [InlineData(". {\n whoami\n}\n", false)]
    public void Debug_should_set_the_block_debug_flag(string corefile, bool expected)
    {
        var plan = Plan(corefile);
        Assert.Equal(expected, plan.Blocks[0].Options.Debug);
        Assert.Equal(expected, plan.Blocks[0].Plugins.OfType<DebugPlugin>().Any());
    }

    [Fact]
    public void Debug_should_only_set_the_flag_of_its_own_block()
    {
        var plan = Plan("a.example {\n debug\n}\nb.example {\n whoami\n}\n");
        Assert.True(plan.Blocks[0].Options.Debug);
        Assert.False(plan.Blocks[1].Options.Debug);
    }

    [Theory]
    [InlineData(". {\n debug off\n}\n", "Corefile:2 - Error during parsing: plugin/debug: Wrong argument count or unexpected line ending after 'off'")]
    [InlineData(". {\n debug {\n }\n}\n", "Corefile:2 - Error during parsing: plugin/debug: Unexpected token '{', expecting argument")]
    public void Debug_should_reject_arguments(string corefile, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan(corefile));
        Assert.Equal(message, e.Message);
    }
}
