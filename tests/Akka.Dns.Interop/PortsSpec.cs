using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>Ports: -dns.port applies only to keys without one; a block with two keys on two ports serves both.</summary>
public sealed class PortsSpec(PortsSpec.PortsDaemon daemon, ITestOutputHelper output) : IClassFixture<PortsSpec.PortsDaemon>, IDisposable
{
    public sealed class PortsDaemon : DaemonFixture
    {
        public int Explicit { get; } = Ports.Free();
        public int Second { get; } = Ports.Free();
        public int Third { get; } = Ports.Free();

        protected override string Corefile => $$"""
            example.org:{{Explicit}} {
                whoami
            }
            example.net {
                whoami
            }
            .:{{Second}} .:{{Third}} {
                whoami
            }
            """;
    }

    private readonly (int, int) _mark = daemon.Daemon.Mark();

    public void Dispose() => daemon.Daemon.Dump(output, _mark);

    [Fact]
    public void Start_up_should_list_every_served_key_with_its_port()
    {
        var lines = daemon.Daemon.Stdout.Lines;
        Assert.Contains($"example.org.:{daemon.Explicit}", lines);
        Assert.Contains($"example.net.:{daemon.Port}", lines);
        Assert.Contains($".:{daemon.Second}", lines);
        Assert.Contains($".:{daemon.Third}", lines);
        Assert.DoesNotContain($"example.org.:{daemon.Port}", lines);
    }

    [Theory]
    [InlineData("example.org", "explicit", "NOERROR")]
    [InlineData("example.org", "dns.port", "REFUSED")]   // the explicit port is not overridden by -dns.port
    [InlineData("example.net", "dns.port", "NOERROR")]   // a key without a port follows -dns.port
    [InlineData("example.net", "explicit", "REFUSED")]
    [InlineData("anything.test", "second", "NOERROR")]
    [InlineData("anything.test", "third", "NOERROR")]
    [InlineData("example.org", "second", "NOERROR")]     // the root block on its own port
    public async Task Each_port_should_serve_only_the_keys_on_it(string name, string which, string status)
    {
        var port = which switch
        {
            "explicit" => daemon.Explicit,
            "second" => daemon.Second,
            "third" => daemon.Third,
            _ => daemon.Port,
        };
        foreach (var tcp in new[] { false, true })
        {
            var a = await Dig.QueryAsync("127.0.0.1", port, tcp ? ["+tcp", name] : [name]);
            output.WriteLine(a.Raw.ToString());
            Assert.Equal(status, a.Status);
            if (status == "NOERROR")
            {
                var srv = Assert.Single(a.Additional, r => r.Type == "SRV");
                Assert.StartsWith(tcp ? "_tcp." : "_udp.", srv.Name);
            }
        }
    }
}
