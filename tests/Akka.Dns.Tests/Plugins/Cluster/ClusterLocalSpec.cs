using ARSoft.Tools.Net.Dns;
using Akka.Dns.Cluster;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Cluster;

/// <summary>A daemon without akka.actor.provider = cluster: the plugin answers for this node alone.</summary>
public sealed class ClusterLocalSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("""
    akka.dns.cluster {
      member-name = solo
      services = [{ name = web, port = 8080, tags = [v1] }]
    }
    """, output: output)
{
    [Fact]
    public async Task Cluster_should_answer_for_the_local_node_alone_once_its_dns_port_is_known()
    {
        await using var h = PipelineHarness.Start(Sys, "akka.dns {\n cluster\n}\n");
        var membership = DnsMembership.Get(Sys);
        Assert.False(membership.IsCluster);
        Assert.Empty((await h.QueryAsync("members.akka.dns.", RrType.SRV)).Message.AnswerRecords);

        membership.SetDnsPort(1053);
        Assert.Equal(["members.akka.dns. 5 SRV 0 100 1053 solo.akka.dns."], Answers(await h.QueryAsync("members.akka.dns.", RrType.SRV)));
        Assert.Equal(["solo.akka.dns. 5 A 127.0.0.1"], Answers(await h.QueryAsync("solo.akka.dns.", RrType.A)));
        Assert.Equal(["leader.akka.dns. 5 A 127.0.0.1"], Answers(await h.QueryAsync("leader.akka.dns.", RrType.A)));
        Assert.Equal(["v1.web.service.akka.dns. 5 SRV 0 100 8080 solo.akka.dns."], Answers(await h.QueryAsync("v1.web.service.akka.dns.", RrType.SRV)));
        Assert.Equal(
            ["members.akka.dns. 5 TXT \"name=solo\" \"address=127.0.0.1\" \"dns-port=1053\" \"roles=\" \"status=up\" \"akka=local\""],
            Answers(await h.QueryAsync("members.akka.dns.", RrType.TXT)));
    }

    private static string[] Answers(Reply r) => r.Message.AnswerRecords.Select(ClusterSpec.Show).ToArray();
}
