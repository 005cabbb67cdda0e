using Akka.Dns.Corefile;
using Akka.Dns.Plugins.GrpcServer;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.GrpcServer;

/// <summary>CoreDNS's plugin/grpc_server TestSetup, with the exact messages.</summary>
public sealed class GrpcServerSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private GrpcServerPlugin Parse(string directive) => PluginPlans.PluginOf<GrpcServerPlugin>(Sys, directive);

    public static TheoryData<string, int?, int?> Valid => new()
    {
        { "grpc_server", null, null },
        { "grpc_server {\n }", null, null },
        { "grpc_server {\n  max_streams 100\n }", 100, null },
        { "grpc_server {\n  max_connections 200\n }", null, 200 },
        { "grpc_server {\n  max_streams 50\n  max_connections 100\n }", 50, 100 },
        { "grpc_server {\n  max_streams 0\n }", 0, null },
        { "grpc_server {\n  max_connections 0\n }", null, 0 },
    };

    [Theory, MemberData(nameof(Valid))]
    public void Grpc_server_should_parse_its_limits_like_coredns(string directive, int? streams, int? connections)
    {
        var p = Parse(directive);
        Assert.Equal(streams, p.MaxStreams);
        Assert.Equal(connections, p.MaxConnections);
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "grpc_server {\n  max_streams\n }", "Corefile:3 - Error during parsing: plugin/grpc_server: Wrong argument count or unexpected line ending after 'max_streams'" },
        { "grpc_server {\n  max_streams abc\n }", "Corefile:3 - Error during parsing: plugin/grpc_server: invalid max_streams value 'abc': strconv.Atoi: parsing \"abc\": invalid syntax" },
        { "grpc_server {\n  max_connections 99999999999\n }", "Corefile:3 - Error during parsing: plugin/grpc_server: invalid max_connections value '99999999999': strconv.Atoi: parsing \"99999999999\": value out of range" },
        { "grpc_server {\n  max_streams -1\n }", "Corefile:3 - Error during parsing: plugin/grpc_server: max_streams must be a non-negative integer: -1" },
        { "grpc_server {\n  max_connections -5\n }", "Corefile:3 - Error during parsing: plugin/grpc_server: max_connections must be a non-negative integer: -5" },
        { "grpc_server {\n  max_streams 100\n  max_streams 200\n }", "Corefile:4 - Error during parsing: plugin/grpc_server: max_streams already defined for this server block" },
        { "grpc_server {\n  max_connections 1\n  max_connections 2\n }", "Corefile:4 - Error during parsing: plugin/grpc_server: max_connections already defined for this server block" },
        { "grpc_server {\n  unknown_option 123\n }", "Corefile:3 - Error during parsing: plugin/grpc_server: unknown property 'unknown_option'" },
        { "grpc_server extra_arg", "Corefile:2 - Error during parsing: plugin/grpc_server: Wrong argument count or unexpected line ending after 'extra_arg'" },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Grpc_server_should_refuse_bad_input_with_coredns_messages(string directive, string error)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(directive));
        Assert.Equal(error, e.Message);
    }
}
