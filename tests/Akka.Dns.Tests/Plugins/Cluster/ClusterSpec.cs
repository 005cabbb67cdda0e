using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Cluster;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Cluster;

/// <summary>The cluster plugin's answers from a membership built from a fake member list (no cluster running).</summary>
public sealed class ClusterSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Leader = "akka.tcp://dns@10.0.0.1:4053";
    private const string Soa = "akka.dns. 5 SOA ns.dns.akka.dns. hostmaster.akka.dns. 42 7200 1800 86400 5";

    /// <summary>
    /// node1..node3 are Up, reachable and published (node3 on IPv6); node4 is unreachable, node5 still joining,
    /// node6 published nothing, node7 is leaving: only the first three may appear.
    /// </summary>
    internal static MembershipSnapshot Fake(bool leaderReachable = true, uint serial = 42)
    {
        MemberState[] members =
        [
            new(Leader, "Up", leaderReachable, ["dns", "seed"]),
            new("akka.tcp://dns@10.0.0.2:4053", "Up", true, ["dns"]),
            new("akka.tcp://dns@[fd00::3]:4053", "Up", true, []),
            new("akka.tcp://dns@10.0.0.4:4053", "Up", false, ["dns"]),
            new("akka.tcp://dns@10.0.0.5:4053", "Joining", true, ["dns"]),
            new("akka.tcp://dns@10.0.0.6:4053", "Up", true, ["dns"]),
            new("akka.tcp://dns@10.0.0.7:4053", "Leaving", true, ["dns"]),
        ];
        var published = new Dictionary<string, string>
        {
            [Leader] = new NodeInfo("node1", IPAddress.Parse("10.0.0.1"), 1053, [new ServiceInfo("web", 8080, ["v1"])]).Encode(),
            ["akka.tcp://dns@10.0.0.2:4053"] = new NodeInfo("node2", IPAddress.Parse("10.0.0.2"), 1054,
                [new ServiceInfo("web", 8081, []), new ServiceInfo("db", 5432, [])]).Encode(),
            ["akka.tcp://dns@[fd00::3]:4053"] = new NodeInfo("node3", IPAddress.Parse("fd00::3"), 1055, []).Encode(),
            ["akka.tcp://dns@10.0.0.4:4053"] = new NodeInfo("node4", IPAddress.Parse("10.0.0.4"), 1053, []).Encode(),
            ["akka.tcp://dns@10.0.0.5:4053"] = new NodeInfo("node5", IPAddress.Parse("10.0.0.5"), 1053, []).Encode(),
            ["akka.tcp://dns@10.0.0.7:4053"] = new NodeInfo("node7", IPAddress.Parse("10.0.0.7"), 1053, []).Encode(),
        };
        return MembershipSnapshot.Build(members, Leader, published, serial);
    }

    private async Task<PipelineHarness> Start(string corefile, MembershipSnapshot? snapshot = null)
    {
        DnsMembership.Get(Sys).Swap(snapshot ?? Fake());
        await Task.Yield();
        return PipelineHarness.Start(Sys, corefile);
    }

    public static string Show(DnsRecordBase r) => r switch
    {
        ARecord a => $"{Owner(r)} {r.TimeToLive} A {a.Address}",
        AaaaRecord a => $"{Owner(r)} {r.TimeToLive} AAAA {a.Address}",
        SrvRecord s => $"{Owner(r)} {r.TimeToLive} SRV {s.Priority} {s.Weight} {s.Port} {s.Target.ToString().ToLowerInvariant()}",
        TxtRecord t => $"{Owner(r)} {r.TimeToLive} TXT {string.Join(" ", t.TextParts.Select(p => $"\"{p}\""))}",
        SoaRecord s => $"{Owner(r)} {r.TimeToLive} SOA {s.MasterName} {s.ResponsibleName} {s.SerialNumber} {s.RefreshInterval} {s.RetryInterval} {s.ExpireInterval} {s.NegativeCachingTTL}",
        _ => r.ToString() ?? "",
    };

    private static string Owner(DnsRecordBase r) => r.Name.ToString().ToLowerInvariant();

    private static string[] Show(IEnumerable<DnsRecordBase> records) => records.Select(Show).ToArray();

    private static string Txt(string owner, string name, string address, int port, string roles) =>
        $"{owner} 5 TXT \"name={name}\" \"address={address}\" \"dns-port={port}\" \"roles={roles}\" \"status=up\" \"akka=akka.tcp://dns@{(address.Contains(':') ? $"[{address}]" : address)}:4053\"";

    /// <summary>qname, qtype, rcode, answer, authority, additional: every name form and type.</summary>
    public static TheoryData<string, ushort, ReturnCode, string[], string[], string[]> Cases => new()
    {
        { "members.akka.dns.", RrType.A, ReturnCode.NoError, ["members.akka.dns. 5 A 10.0.0.1", "members.akka.dns. 5 A 10.0.0.2"], [], [] },
        { "members.akka.dns.", RrType.AAAA, ReturnCode.NoError, ["members.akka.dns. 5 AAAA fd00::3"], [], [] },
        {
            "members.akka.dns.", RrType.SRV, ReturnCode.NoError,
            ["members.akka.dns. 5 SRV 0 33 1053 node1.akka.dns.", "members.akka.dns. 5 SRV 0 33 1054 node2.akka.dns.", "members.akka.dns. 5 SRV 0 33 1055 node3.akka.dns."],
            [], ["node1.akka.dns. 5 A 10.0.0.1", "node2.akka.dns. 5 A 10.0.0.2", "node3.akka.dns. 5 AAAA fd00::3"]
        },
        {
            "members.akka.dns.", RrType.TXT, ReturnCode.NoError,
            [
                Txt("members.akka.dns.", "node1", "10.0.0.1", 1053, "dns,seed"), Txt("members.akka.dns.", "node2", "10.0.0.2", 1054, "dns"),
                Txt("members.akka.dns.", "node3", "fd00::3", 1055, ""),
            ],
            [], []
        },
        { "members.akka.dns.", RrType.MX, ReturnCode.NoError, [], [Soa], [] },
        { "Members.AKKA.dns.", RrType.A, ReturnCode.NoError, ["members.akka.dns. 5 A 10.0.0.1", "members.akka.dns. 5 A 10.0.0.2"], [], [] },
        { "node1.akka.dns.", RrType.A, ReturnCode.NoError, ["node1.akka.dns. 5 A 10.0.0.1"], [], [] },
        { "node1.akka.dns.", RrType.TXT, ReturnCode.NoError, [Txt("node1.akka.dns.", "node1", "10.0.0.1", 1053, "dns,seed")], [], [] },
        { "node1.akka.dns.", RrType.SRV, ReturnCode.NoError, ["node1.akka.dns. 5 SRV 0 100 1053 node1.akka.dns."], [], ["node1.akka.dns. 5 A 10.0.0.1"] },
        { "node1.akka.dns.", RrType.AAAA, ReturnCode.NoError, [], [Soa], [] },
        { "node3.akka.dns.", RrType.AAAA, ReturnCode.NoError, ["node3.akka.dns. 5 AAAA fd00::3"], [], [] },
        { "node3.akka.dns.", RrType.A, ReturnCode.NoError, [], [Soa], [] },
        { "leader.akka.dns.", RrType.A, ReturnCode.NoError, ["leader.akka.dns. 5 A 10.0.0.1"], [], [] },
        { "leader.akka.dns.", RrType.TXT, ReturnCode.NoError, [Txt("leader.akka.dns.", "node1", "10.0.0.1", 1053, "dns,seed")], [], [] },
        {
            "_dns._udp.akka.dns.", RrType.SRV, ReturnCode.NoError,
            ["_dns._udp.akka.dns. 5 SRV 0 33 1053 node1.akka.dns.", "_dns._udp.akka.dns. 5 SRV 0 33 1054 node2.akka.dns.", "_dns._udp.akka.dns. 5 SRV 0 33 1055 node3.akka.dns."],
            [], ["node1.akka.dns. 5 A 10.0.0.1", "node2.akka.dns. 5 A 10.0.0.2", "node3.akka.dns. 5 AAAA fd00::3"]
        },
        {
            "_dns._tcp.akka.dns.", RrType.SRV, ReturnCode.NoError,
            ["_dns._tcp.akka.dns. 5 SRV 0 33 1053 node1.akka.dns.", "_dns._tcp.akka.dns. 5 SRV 0 33 1054 node2.akka.dns.", "_dns._tcp.akka.dns. 5 SRV 0 33 1055 node3.akka.dns."],
            [], ["node1.akka.dns. 5 A 10.0.0.1", "node2.akka.dns. 5 A 10.0.0.2", "node3.akka.dns. 5 AAAA fd00::3"]
        },
        { "_dns._udp.akka.dns.", RrType.A, ReturnCode.NoError, [], [Soa], [] },
        { "_udp.akka.dns.", RrType.SRV, ReturnCode.NoError, [], [Soa], [] },
        { "web.service.akka.dns.", RrType.A, ReturnCode.NoError, ["web.service.akka.dns. 5 A 10.0.0.1", "web.service.akka.dns. 5 A 10.0.0.2"], [], [] },
        {
            "web.service.akka.dns.", RrType.SRV, ReturnCode.NoError,
            ["web.service.akka.dns. 5 SRV 0 50 8080 node1.akka.dns.", "web.service.akka.dns. 5 SRV 0 50 8081 node2.akka.dns."],
            [], ["node1.akka.dns. 5 A 10.0.0.1", "node2.akka.dns. 5 A 10.0.0.2"]
        },
        { "v1.web.service.akka.dns.", RrType.SRV, ReturnCode.NoError, ["v1.web.service.akka.dns. 5 SRV 0 100 8080 node1.akka.dns."], [], ["node1.akka.dns. 5 A 10.0.0.1"] },
        { "db.service.akka.dns.", RrType.A, ReturnCode.NoError, ["db.service.akka.dns. 5 A 10.0.0.2"], [], [] },
        { "service.akka.dns.", RrType.A, ReturnCode.NoError, [], [Soa], [] },
        { "akka.dns.", RrType.SOA, ReturnCode.NoError, [Soa], [], [] },
        { "akka.dns.", RrType.NS, ReturnCode.NoError, [], [Soa], [] },
        { "node4.akka.dns.", RrType.A, ReturnCode.NxDomain, [], [Soa], [] },
        { "node5.akka.dns.", RrType.A, ReturnCode.NxDomain, [], [Soa], [] },
        { "node6.akka.dns.", RrType.A, ReturnCode.NxDomain, [], [Soa], [] },
        { "node7.akka.dns.", RrType.A, ReturnCode.NxDomain, [], [Soa], [] },
        { "api.service.akka.dns.", RrType.A, ReturnCode.NxDomain, [], [Soa], [] },
        { "x.node1.akka.dns.", RrType.A, ReturnCode.NxDomain, [], [Soa], [] },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Cluster_should_answer_every_name_form_from_the_up_and_reachable_members(
        string qname, ushort qtype, ReturnCode rcode, string[] answer, string[] authority, string[] additional)
    {
        await using var h = await Start("akka.dns {\n cluster\n}\n");
        var m = (await h.QueryAsync(qname, qtype)).Message;
        Assert.Equal(rcode, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        Assert.Equal(answer, Show(m.AnswerRecords));
        Assert.Equal(authority, Show(m.AuthorityRecords));
        Assert.Equal(additional, Show(m.AdditionalRecords.Where(r => r is not OptRecord)));
    }

    [Fact]
    public async Task Cluster_should_leave_the_leader_out_while_it_is_unreachable()
    {
        await using var h = await Start("akka.dns {\n cluster\n}\n", Fake(leaderReachable: false));
        var leader = (await h.QueryAsync("leader.akka.dns.", RrType.A)).Message;
        Assert.Equal(ReturnCode.NoError, leader.ReturnCode);
        Assert.Empty(leader.AnswerRecords);
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("node1.akka.dns.", RrType.A)).Rcode);
        Assert.Equal(["members.akka.dns. 5 A 10.0.0.2"], Show((await h.QueryAsync("members.akka.dns.", RrType.A)).Message.AnswerRecords));
    }

    [Fact]
    public async Task Cluster_should_answer_from_the_new_membership_after_a_change()
    {
        await using var h = await Start("akka.dns {\n cluster\n}\n");
        Assert.Equal(2, (await h.QueryAsync("members.akka.dns.", RrType.A)).Message.AnswerRecords.Count);
        DnsMembership.Get(Sys).Swap(Fake(leaderReachable: false, serial: 43));
        var m = (await h.QueryAsync("members.akka.dns.", RrType.A)).Message;
        Assert.Equal(["members.akka.dns. 5 A 10.0.0.2"], Show(m.AnswerRecords));
        var nx = (await h.QueryAsync("node1.akka.dns.", RrType.A)).Message;
        Assert.Equal(43u, Assert.IsType<SoaRecord>(nx.AuthorityRecords[0]).SerialNumber);
    }

    [Fact]
    public async Task Cluster_should_use_the_configured_ttl_in_records_and_cap_the_soa_ttl_at_300()
    {
        await using var h = await Start("akka.dns {\n cluster {\n  ttl 600\n }\n}\n");
        Assert.Equal(["node1.akka.dns. 600 A 10.0.0.1"], Show((await h.QueryAsync("node1.akka.dns.", RrType.A)).Message.AnswerRecords));
        Assert.Equal(["akka.dns. 300 SOA ns.dns.akka.dns. hostmaster.akka.dns. 42 7200 1800 86400 600"],
            Show((await h.QueryAsync("nope.akka.dns.", RrType.A)).Message.AuthorityRecords));
    }

    [Fact]
    public async Task Cluster_should_pass_unknown_names_on_with_fallthrough_and_still_answer_known_ones()
    {
        await using var h = await Start("akka.dns {\n cluster {\n  fallthrough\n }\n whoami\n}\n");
        var passed = await h.QueryAsync("nope.akka.dns.", RrType.A);
        Assert.Equal(ReturnCode.NoError, passed.Rcode);
        Assert.Empty(passed.Message.AnswerRecords);
        Assert.Contains(passed.Message.AdditionalRecords, r => r is SrvRecord);   // whoami's answer
        Assert.Equal(["node2.akka.dns. 5 A 10.0.0.2"], Show((await h.QueryAsync("node2.akka.dns.", RrType.A)).Message.AnswerRecords));
    }

    [Fact]
    public async Task Cluster_should_answer_nxdomain_when_fallthrough_names_other_zones()
    {
        await using var h = await Start("akka.dns {\n cluster {\n  fallthrough example.org\n }\n whoami\n}\n");
        Assert.Equal(ReturnCode.NxDomain, (await h.QueryAsync("nope.akka.dns.", RrType.A)).Rcode);
    }

    [Fact]
    public async Task Cluster_should_pass_names_outside_its_zones_to_the_next_plugin()
    {
        await using var h = await Start(". {\n cluster akka.dns\n whoami\n}\n");
        var other = await h.QueryAsync("example.org.", RrType.A);
        Assert.Equal(ReturnCode.NoError, other.Rcode);
        Assert.Contains(other.Message.AdditionalRecords, r => r is SrvRecord);
        Assert.Equal(["node1.akka.dns. 5 A 10.0.0.1"], Show((await h.QueryAsync("node1.akka.dns.", RrType.A)).Message.AnswerRecords));
    }

    [Fact]
    public async Task Cluster_should_answer_nodata_for_members_before_anyone_published()
    {
        await using var h = await Start("akka.dns {\n cluster\n}\n", MembershipSnapshot.Empty);
        var m = (await h.QueryAsync("members.akka.dns.", RrType.SRV)).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Empty(m.AnswerRecords);
        Assert.Single(m.AuthorityRecords);
    }
}
