using System.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Akka.Dns.Dnssec;
using Akka.Dns.Tests.Plugins.Dynupdate;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Dnssec;

/// <summary><c>dnssec</c> in front of <c>dynupdate</c>: records added by RFC 2136 UPDATE are served signed, denials as black lies.</summary>
public sealed class DnssecDynupdateSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 5353);
    private readonly string _dir = Directory.CreateTempSubdirectory("akka-dns-dnssec-dynupdate-").FullName;
    private readonly DnssecKey _key = DnssecKey.Generate("example.org.", 13, ksk: false);
    private readonly string _keyFile;

    public DnssecDynupdateSpec(ITestOutputHelper output) : base(output: output) => _keyFile = KeyFile.Write(_key, _dir);

    protected override void AfterAll()
    {
        base.AfterAll();
        _key.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Dnssec_should_sign_records_added_by_dynamic_update()
    {
        await using var h = await DynupdatePluginSpec.StartAsync(Sys, $"example.org {{\n dnssec {{\n  key file {_keyFile}\n }}\n dynupdate\n}}\n");
        var before = await h.QueryAsync(new QueryBuilder("www.example.org.") { UdpSize = 1232, Do = true });
        Assert.Equal(ReturnCode.NoError, before.Rcode); // NXDOMAIN turned into a black lie
        Assert.Contains(("www.example.org.", RrType.NSEC), DnssecSpec.AssertSigned(before.Message.AuthorityRecords, _key));

        var u = await h.SendAsync(DynupdatePluginSpec.Update("example.org", m => m.Updates.Add(new AddRecordUpdate(DynupdatePluginSpec.A("www.example.org", "192.0.2.7")))), client: Loopback);
        Assert.Equal(ReturnCode.NoError, u.Rcode);
        await AwaitAssertAsync(async () =>
        {
            var a = await h.QueryAsync(new QueryBuilder("www.example.org.") { UdpSize = 1232, Do = true });
            Assert.Equal("192.0.2.7", Assert.Single(a.Message.AnswerRecords.OfType<ARecord>()).Address.ToString());
            Assert.Equal([("www.example.org.", RrType.A)], DnssecSpec.AssertSigned(a.Message.AnswerRecords, _key));
        });
        var plain = await h.QueryAsync(new QueryBuilder("www.example.org.") { UdpSize = 1232 });
        Assert.DoesNotContain(plain.Message.AnswerRecords, r => r.RecordType == RecordType.RrSig);
    }
}
