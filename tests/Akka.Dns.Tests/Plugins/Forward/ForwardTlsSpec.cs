using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Tests.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Forward;

/// <summary>tls:// upstreams against a local SslStream DNS-over-TLS server with its own CA.</summary>
public sealed class ForwardTlsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IDisposable
{
    private static readonly IPAddress Answer = IPAddress.Parse("192.0.2.53");
    private readonly TestPki _pki = new();

    private static string? AnswerOf(Reply r) => r.Message.AnswerRecords.OfType<ARecord>().SingleOrDefault()?.Address.ToString();

    /// <summary>(TO with %servername or not, properties, answered?)</summary>
    public static TheoryData<string, string, bool> Cases => new()
    {
        { "", "tls {ca}\n  tls_servername dns.test", true },
        { "%dns.test", "tls {ca}", true },
        { "", "tls {ca}", true },                              // no server name: the certificate names 127.0.0.1
        { "", "tls {ca}\n  tls_servername other.test", false }, // name mismatch
        { "%other.test", "tls {ca}", false },
        { "", "tls_servername dns.test", false },               // system roots do not know our CA
    };

    [Theory, MemberData(nameof(Cases))]
    public async Task Forward_should_verify_the_tls_upstream_and_answer_over_it(string sni, string properties, bool answered)
    {
        await using var up = new TlsFakeUpstream(Answer, _pki.Server);
        var props = properties.Replace("{ca}", _pki.CaPem, StringComparison.Ordinal);
        await using var h = PipelineHarness.Start(Sys,
            $". {{\n forward . tls://127.0.0.1{sni}:{up.Port} {{\n  {props}\n  read_timeout 1s\n }}\n}}\n");
        var reply = await h.QueryAsync("example.org.");
        if (answered)
        {
            Assert.Equal(ReturnCode.NoError, reply.Rcode);
            Assert.Equal(Answer.ToString(), AnswerOf(reply));
        }
        else
        {
            Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
            Assert.Equal(0, up.Queries);
        }
    }

    [Fact]
    public async Task Forward_should_reuse_one_tls_connection_for_many_queries()
    {
        await using var up = new TlsFakeUpstream(Answer, _pki.Server);
        await using var h = PipelineHarness.Start(Sys, $". {{\n forward . tls://127.0.0.1:{up.Port} {{\n  tls {_pki.CaPem}\n  tls_servername dns.test\n }}\n}}\n");
        for (var i = 0; i < 4; i++) Assert.Equal(Answer.ToString(), AnswerOf(await h.QueryAsync($"q{i}.example.org.")));
        Assert.Equal(4, up.Queries);
        Assert.Equal(1, up.Connections);
    }

    [Fact]
    public async Task Forward_should_present_the_client_certificate_of_tls_cert_key_ca()
    {
        await using var up = new TlsFakeUpstream(Answer, _pki.Server, requireClientCa: _pki.Ca);
        await using var h = PipelineHarness.Start(Sys,
            $". {{\n forward . tls://127.0.0.1:{up.Port} {{\n  tls {_pki.ClientCertPem} {_pki.ClientKeyPem} {_pki.CaPem}\n  tls_servername dns.test\n }}\n}}\n");
        Assert.Equal(Answer.ToString(), AnswerOf(await h.QueryAsync("example.org.")));
        Assert.Equal("CN=forward client", up.ClientSubject);
    }

    void IDisposable.Dispose()
    {
        _pki.Dispose();
        Dispose();
    }
}
