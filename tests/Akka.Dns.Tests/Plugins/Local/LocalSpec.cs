using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Local;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Local;

public sealed class LocalSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>CoreDNS's local_test.go testcases: question, type, rcode, answer (type, owner) and authority (type, owner).</summary>
    public static TheoryData<string, ushort, ReturnCode, string?, string?> Cases => new()
    {
        { "localhost.", RrType.A, ReturnCode.NoError, "A localhost.", null },
        { "localHOst.", RrType.A, ReturnCode.NoError, "A localHOst.", null },
        { "localhost.", RrType.AAAA, ReturnCode.NoError, "Aaaa localhost.", null },
        { "localhost.", RrType.NS, ReturnCode.NoError, "Ns localhost.", null },
        { "localhost.", RrType.SOA, ReturnCode.NoError, "Soa localhost.", null },
        { "127.in-addr.arpa.", RrType.A, ReturnCode.NoError, null, "Soa 127.in-addr.arpa." },
        { "localhost.", RrType.MX, ReturnCode.NoError, null, "Soa localhost." },
        { "a.localhost.", RrType.A, ReturnCode.NoError, "A a.localhost.", null },
        { "a.localhost.", RrType.AAAA, ReturnCode.NoError, "Aaaa a.localhost.", null },
        { "a.localhost.", RrType.MX, ReturnCode.NoError, null, "Soa a.localhost." },
        { "1.0.0.127.in-addr.arpa.", RrType.PTR, ReturnCode.NoError, "Ptr 1.0.0.127.in-addr.arpa.", null },
        { "1.0.0.127.in-addr.arpa.", RrType.MX, ReturnCode.NoError, null, "Soa 127.in-addr.arpa." },
        { "2.0.0.127.in-addr.arpa.", RrType.PTR, ReturnCode.NxDomain, null, "Soa 127.in-addr.arpa." },
        { "5.255.in-addr.arpa.", RrType.PTR, ReturnCode.NxDomain, null, "Soa 255.in-addr.arpa." },
        { "0.in-addr.arpa.", RrType.NS, ReturnCode.NoError, "Ns 0.in-addr.arpa.", null },
        { "localhost.example.net.", RrType.A, ReturnCode.NoError, "A localhost.example.net.", null },
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Local_should_answer_local_names_like_coredns(string qname, ushort type, ReturnCode rcode, string? answer, string? authority)
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n local\n whoami\n}\n");
        var m = (await h.QueryAsync(qname, type)).Message;
        Assert.Equal(rcode, m.ReturnCode);
        Assert.Equal(answer, m.AnswerRecords.Count == 0 ? null : $"{m.AnswerRecords[0].RecordType} {m.AnswerRecords[0].Name}");
        Assert.Equal(authority, m.AuthorityRecords.Count == 0 ? null : $"{m.AuthorityRecords[0].RecordType} {m.AuthorityRecords[0].Name}");
        foreach (var rr in m.AnswerRecords.Concat(m.AuthorityRecords)) Assert.Equal(604800, rr.TimeToLive);
    }

    [Fact]
    public async Task Local_should_answer_loopback_addresses_and_the_localhost_ptr()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n local\n}\n");
        Assert.Equal(IPAddress.Loopback, ((ARecord)(await h.QueryAsync("x.localhost.")).Message.AnswerRecords[0]).Address);
        Assert.Equal(IPAddress.IPv6Loopback, ((AaaaRecord)(await h.QueryAsync("localhost.", RrType.AAAA)).Message.AnswerRecords[0]).Address);
        Assert.Equal("localhost.", ((PtrRecord)(await h.QueryAsync("1.0.0.127.in-addr.arpa.", RrType.PTR)).Message.AnswerRecords[0]).PointerDomainName.ToString());
        var soa = (SoaRecord)(await h.QueryAsync("localhost.", RrType.SOA)).Message.AnswerRecords[0];
        Assert.Equal(("localhost.", "root.localhost.", 1u, 604800), (soa.MasterName.ToString(), soa.ResponsibleName.ToString(), soa.SerialNumber, soa.NegativeCachingTTL));
    }

    [Fact]
    public async Task Local_should_count_non_apex_localhost_queries()
    {
        await using var h = PipelineHarness.Start(Sys, ". {\n local\n}\n");
        var before = LocalMetrics.LocalhostRequests.Value;
        await h.QueryAsync("a.localhost.");
        await h.QueryAsync("localhost.");
        Assert.True(LocalMetrics.LocalhostRequests.Value - before >= 1);
    }

    /// <summary>Other names, and with localhost_prefix off the legacy localhost.DOMAIN names, go to the next plugin.</summary>
    [Theory]
    [InlineData("local", "example.org.")]
    [InlineData("local {\n  localhost_prefix off\n }", "localhost.example.net.")]
    [InlineData("local", "1.0.0.10.in-addr.arpa.")]
    public async Task Local_should_pass_other_names_on(string directive, string qname)
    {
        await using var h = PipelineHarness.Start(Sys, $". {{\n {directive}\n whoami\n}}\n");
        var m = (await h.QueryAsync(qname)).Message;
        Assert.Empty(m.AnswerRecords);
        Assert.Contains(m.AdditionalRecords, r => r is SrvRecord);
    }

    /// <summary>CoreDNS's setup_test: no arguments; localhost_prefix on|off.</summary>
    [Theory]
    [InlineData("local", true)]
    [InlineData("local {\n  localhost_prefix on\n }", true)]
    [InlineData("local {\n  localhost_prefix off\n }", false)]
    public void Local_should_parse_localhost_prefix(string directive, bool prefix) =>
        Assert.Equal(prefix, PluginPlans.PluginOf<LocalPlugin>(Sys, directive).LocalhostPrefix);

    [Theory]
    [InlineData("local example.org", 2, "Wrong argument count or unexpected line ending after 'example.org'")]
    [InlineData("local {\n  foo\n }", 3, "unknown property 'foo'")]
    [InlineData("local {\n  localhost_prefix maybe\n }", 3, "localhost_prefix expects 'on' or 'off', got \"maybe\"")]
    [InlineData("local {\n  localhost_prefix\n }", 3, "Wrong argument count or unexpected line ending after 'localhost_prefix'")]
    [InlineData("local {\n  localhost_prefix on off\n }", 3, "Wrong argument count or unexpected line ending after 'off'")]
    public void Local_should_reject_bad_syntax_with_coredns_messages(string directive, int line, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PluginPlans.PluginOf<LocalPlugin>(Sys, directive));
        Assert.Equal($"Corefile:{line} - Error during parsing: plugin/local: {message}", e.Message);
    }
}
