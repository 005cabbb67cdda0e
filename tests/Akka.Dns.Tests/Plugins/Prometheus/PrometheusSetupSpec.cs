using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Tests.TestKit;
using Xunit;

namespace Akka.Dns.Tests.Plugins.Prometheus;

public sealed class PrometheusSetupSpec(Xunit.Abstractions.ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    public static TheoryData<string, string> Valid => new()
    {
        { "prometheus", "localhost:9153" },
        { "prometheus localhost:9253", "localhost:9253" },
        { "prometheus :9153", ":9153" },
        { "prometheus [::1]:9153", "[::1]:9153" },
        { "prometheus 127.0.0.1:9153 {\n  runtime_metrics\n }", "127.0.0.1:9153" },
    };

    [Theory, MemberData(nameof(Valid))]
    public async Task Prometheus_should_accept_coredns_syntax(string directive, string address)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {directive}\n whoami\n}}\n");
        var p = Assert.IsType<PrometheusPlugin>(h.Plan.Blocks[0].Plugins.Single(x => x.Name == "prometheus"));
        Assert.Equal(address, p.Address);
        Assert.False(p.IsHandler);   // no actor in the chain: the router attaches its counters
        Assert.Same(p.Metrics, p.Observer);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "prometheus a:1 b:2", "Corefile:2 - Error during parsing: plugin/prometheus: Wrong argument count or unexpected line ending after 'b:2'" },
        { "prometheus localhost", "Corefile:2 - Error during parsing: plugin/prometheus: address localhost: missing port in address" },
        { "prometheus :9153 {\n  foo\n }", "Corefile:3 - Error during parsing: plugin/prometheus: unknown option: foo" },
        { "prometheus :9153 {\n  runtime_metrics yes\n }", "Corefile:3 - Error during parsing: plugin/prometheus: Wrong argument count or unexpected line ending after 'yes'" },
        { "prometheus :9153 {\n  tls web.yml\n }", "Corefile:3 - Error during parsing: plugin/prometheus: tls is not supported by Akka.Dns's prometheus plugin (serve /metrics behind a TLS proxy)" },
        { "prometheus :9153\n prometheus :9154", "Corefile:3 - Error during parsing: plugin/prometheus: this plugin can only be used once per Server Block" },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Prometheus_should_reject_bad_configuration_with_coredns_messages(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directive}\n whoami\n}}\n"));
        Assert.Equal(message, e.Message);
    }
}
