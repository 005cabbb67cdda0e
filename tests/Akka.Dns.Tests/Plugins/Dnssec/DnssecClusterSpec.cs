using ARSoft.Tools.Net.Dns;
using Akka.Dns.Cluster;
using Akka.Dns.Dnssec;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Dnssec;

/// <summary><c>dnssec</c> in front of <c>cluster</c>: the live membership answers are served signed, denials as black lies.</summary>
public sealed class DnssecClusterSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-dnssec-cluster-").FullName;
    private readonly DnssecKey _key = DnssecKey.Generate("akka.dns.", 13, ksk: false);
    private readonly string _keyFile;

    public DnssecClusterSpec(ITestOutputHelper output) : base("""
        akka.dns.cluster {
          member-name = solo
          services = [{ name = web, port = 8080 }]
        }
        """, output: output) => _keyFile = KeyFile.Write(_key, _dir);

    protected override void AfterAll()
    {
        base.AfterAll();
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Dnssec_should_sign_what_the_cluster_plugin_answers()
    {
        await using var h = PipelineHarness.Start(Sys, $"akka.dns {{\n dnssec {{\n  key file {_keyFile}\n }}\n cluster\n}}\n");
        DnsMembership.Get(Sys).SetDnsPort(1053);

        var members = await h.QueryAsync(new QueryBuilder("members.akka.dns.", RrType.SRV) { UdpSize = 1232, Do = true });
        Assert.Equal(ReturnCode.NoError, members.Rcode);
        Assert.Single(members.Message.AnswerRecords.OfType<SrvRecord>());
        Assert.Equal([("members.akka.dns.", RrType.SRV)], DnssecSpec.AssertSigned(members.Message.AnswerRecords, _key));

        var node = await h.QueryAsync(new QueryBuilder("solo.akka.dns.") { UdpSize = 1232, Do = true });
        Assert.Equal([("solo.akka.dns.", RrType.A)], DnssecSpec.AssertSigned(node.Message.AnswerRecords, _key));

        // A member that does not exist: NOERROR with a signed NSEC (black lies) instead of NXDOMAIN.
        var missing = await h.QueryAsync(new QueryBuilder("nobody.akka.dns.") { UdpSize = 1232, Do = true });
        Assert.Equal(ReturnCode.NoError, missing.Rcode);
        Assert.Contains(("nobody.akka.dns.", RrType.NSEC), DnssecSpec.AssertSigned(missing.Message.AuthorityRecords, _key));

        var plain = await h.QueryAsync(new QueryBuilder("solo.akka.dns."));
        Assert.DoesNotContain(plain.Message.AnswerRecords, r => r.RecordType == RecordType.RrSig);
    }
}
