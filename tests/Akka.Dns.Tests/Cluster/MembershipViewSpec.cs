using Akka.Dns.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Cluster;

/// <summary>A real one-node cluster in-process: the view joins cluster events with the replicated entries.</summary>
public sealed class MembershipViewSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
    akka.cluster.distributed-data.notify-subscribers-interval = 100ms
    akka.dns.cluster.services = [{ name = web, port = 8080 }]
    """, output: output)
{
    [Fact]
    public void MembershipView_should_publish_this_node_once_it_is_up_and_its_dns_port_is_known()
    {
        var membership = DnsMembership.Get(Sys);
        Assert.True(membership.IsCluster);
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        var self = cluster.SelfAddress;
        Assert.Equal($"127-0-0-1-{self.Port}", membership.MemberName);

        cluster.Join(self);
        membership.SetDnsPort(1053);
        AwaitAssert(() =>
        {
            var s = membership.Current;
            var m = Assert.Single(s.Members);
            Assert.Equal(membership.MemberName, m.Name);
            Assert.Equal("127.0.0.1", m.Address.ToString());
            Assert.Equal(1053, m.DnsPort);
            Assert.Equal(self.ToString(), m.AkkaAddress);
            Assert.Equal("web", Assert.Single(m.Services).Name);
            Assert.Same(m, s.Leader);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

        // Leaving takes it out of the answers (status Leaving/Exiting, then removed).
        cluster.Leave(self);
        AwaitAssert(() => Assert.Empty(membership.Current.Members), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
    }
}
