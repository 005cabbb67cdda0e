using Akka.Dns.Interop.Infra;
using Akka.Dns.TestCertificates;

namespace Akka.Dns.Interop;

/// <summary>
/// Two daemons chained over DNS-over-gRPC: the back serves grpc:// with TLS (file + whoami), the front forwards
/// to it with the grpc plugin; dig asks the front over UDP and TCP.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class GrpcSpec(ITestOutputHelper output)
{
    private const string Zone = """
        $ORIGIN example.org.
        @   3600 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 3600
        @   3600 IN NS  ns1
        ns1 3600 IN A   192.0.2.53
        www 3600 IN A   192.0.2.1
        """;

    [Fact]
    public async Task Dig_at_the_front_should_get_the_backs_answers_over_grpc()
    {
        using var pki = new TestPki();
        var zone = Path.Combine(pki.Directory, "db.example.org");
        await File.WriteAllTextAsync(zone, Zone);
        var grpcPort = Ports.Free();
        await using var back = await Daemon.StartAsync(
            $"grpc://example.org:{grpcPort} grpc://whoami.test:{grpcPort} {{\n    bind 127.0.0.1\n    tls {pki.ServerCertFile} {pki.ServerKeyFile}\n    file {zone} example.org\n    whoami\n}}\n" +
            ".:{PORT} {\n    bind 127.0.0.1\n    file " + zone + " example.org\n}\n");
        await using var front = await Daemon.StartAsync(
            $".:{{PORT}} {{\n    bind 127.0.0.1\n    grpc . 127.0.0.1:{grpcPort} {{\n        tls {pki.CaFile}\n        tls_servername {TestPki.ServerName}\n    }}\n    errors\n}}\n");
        try
        {
            foreach (var tcp in new[] { false, true })
            {
                var proto = tcp ? "+tcp" : "+notcp";
                foreach (var (name, type) in new[] { ("www.example.org", "A"), ("nope.example.org", "A"), ("example.org", "NS") })
                {
                    var direct = await Dig.QueryAsync("127.0.0.1", back.Port, name, type, proto);
                    var via = await Dig.QueryAsync("127.0.0.1", front.Port, name, type, proto);
                    Assert.Equal(direct.Status, via.Status);
                    Assert.Equal(direct.Answer, via.Answer);
                    Assert.Equal(direct.Authority, via.Authority);
                }
                var who = await Dig.QueryAsync("127.0.0.1", front.Port, "whoami.test", "A", proto);
                Assert.Equal("NOERROR", who.Status);
                Assert.Contains(who.Additional, r => r.Name.StartsWith("_grpc.", StringComparison.Ordinal));
            }
        }
        catch
        {
            output.WriteLine(back.Log);
            output.WriteLine(front.Log);
            throw;
        }
    }
}
