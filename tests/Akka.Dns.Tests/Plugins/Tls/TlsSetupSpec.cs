using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Tls;
using Akka.Dns.Server;
using Akka.Dns.TestCertificates;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Tls;

public sealed class TlsSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IDisposable
{
    private readonly TestPki _pki = new();

    private ServerPlan Plan(string corefile) =>
        ServerPlan.Build(CorefileParser.Parse(corefile[..corefile.LastIndexOf('}')] + $" root {_pki.Directory}\n}}\n", "Corefile", _pki.Directory, PluginCatalog.Default.KnownDirectives),
            PluginCatalog.Default, DnsSettings.Create(Sys), 1053);

    private TlsCredentials Credentials(string directive)
    {
        var plan = Plan($". {{\n {directive}\n}}\n");
        var tls = Assert.IsType<TlsPlugin>(plan.Blocks[0].Plugins.Single(p => p is TlsPlugin));
        Assert.False(tls.IsHandler);
        Assert.Same(tls.Credentials, plan.Blocks[0].Options.Tls);
        return tls.Credentials;
    }

    [Theory]
    [InlineData("tls server.crt server.key", ClientAuth.NoCert)]
    [InlineData("tls server.crt server.key ca.crt", ClientAuth.NoCert)]
    [InlineData("tls server.crt server.key ca.crt {\n client_auth nocert\n }", ClientAuth.NoCert)]
    [InlineData("tls server.crt server.key ca.crt {\n client_auth request\n }", ClientAuth.Request)]
    [InlineData("tls server.crt server.key ca.crt {\n client_auth require\n }", ClientAuth.Require)]
    [InlineData("tls server.crt server.key ca.crt {\n client_auth verify_if_given\n }", ClientAuth.VerifyIfGiven)]
    [InlineData("tls server.crt server.key ca.crt {\n client_auth require_and_verify\n }", ClientAuth.RequireAndVerify)]
    public void Tls_should_load_the_certificate_relative_to_the_Corefile_and_read_client_auth(string directive, ClientAuth auth)
    {
        var c = Credentials(directive);
        Assert.Equal(auth, c.ClientAuth);
        Assert.Equal(_pki.Server.Thumbprint, c.Certificate.Thumbprint);
        Assert.True(c.Certificate.HasPrivateKey);
        var o = c.ServerOptions();
        Assert.Equal(auth != ClientAuth.NoCert, o.ClientCertificateRequired);
    }

    [Theory]
    [InlineData("tls", "Corefile:2 - Error during parsing: plugin/tls: tls without CERT KEY (ACME) is not supported by Akka.Dns; give the certificate and key files")]
    [InlineData("tls server.crt", "Corefile:2 - Error during parsing: plugin/tls: Wrong argument count or unexpected line ending after 'server.crt'")]
    [InlineData("tls a b c d", "Corefile:2 - Error during parsing: plugin/tls: Wrong argument count or unexpected line ending after 'd'")]
    [InlineData("tls server.crt server.key {\n client_auth maybe\n }", "Corefile:3 - Error during parsing: plugin/tls: unknown authentication type 'maybe'")]
    [InlineData("tls server.crt server.key {\n client_auth\n }", "Corefile:3 - Error during parsing: plugin/tls: Wrong argument count or unexpected line ending after 'client_auth'")]
    [InlineData("tls server.crt server.key {\n ciphers x\n }", "Corefile:3 - Error during parsing: plugin/tls: unknown option 'ciphers'")]
    [InlineData("tls server.crt server.key {\n keylog k.log\n }", "Corefile:3 - Error during parsing: plugin/tls: keylog is not supported by Akka.Dns (.NET does not export TLS secrets); remove it")]
    public void Tls_should_refuse_bad_syntax_with_file_and_line(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Plan($". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Tls_should_name_a_missing_file()
    {
        var e = Assert.Throws<CorefileException>(() => Plan(". {\n tls nope.crt server.key\n}\n"));
        Assert.Equal($"Corefile:2 - Error during parsing: plugin/tls: unable to load certificate: certificate file {Path.Combine(_pki.Directory, "nope.crt")} does not exist", e.Message);
    }

    [Fact]
    public void Tls_should_refuse_a_key_that_does_not_match_the_certificate()
    {
        var e = Assert.Throws<CorefileException>(() => Plan(". {\n tls server.crt client.key\n}\n"));
        Assert.StartsWith("Corefile:2 - Error during parsing: plugin/tls: unable to load certificate:", e.Message);
    }

    [Fact]
    public void Tls_should_be_allowed_once_per_block()
    {
        var e = Assert.Throws<CorefileException>(() => Plan(". {\n tls server.crt server.key\n tls server.crt server.key\n}\n"));
        Assert.Contains("tls", e.Message);
        Assert.StartsWith("Corefile:3", e.Message);
    }

    [Fact]
    public void Tls_should_take_a_renewed_certificate_and_keep_the_old_one_when_the_new_files_are_broken()
    {
        var c = Credentials("tls server.crt server.key");
        Assert.False(c.Poll());   // nothing changed
        var renewed = _pki.RenewServer("CN=renewed.akka.test");
        System.IO.File.SetLastWriteTimeUtc(_pki.ServerCertFile, DateTime.UtcNow.AddSeconds(5));
        Assert.True(c.Poll());
        Assert.Equal(renewed.Thumbprint, c.Certificate.Thumbprint);

        System.IO.File.WriteAllText(_pki.ServerCertFile, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
        System.IO.File.SetLastWriteTimeUtc(_pki.ServerCertFile, DateTime.UtcNow.AddSeconds(10));
        Assert.False(c.Poll());
        Assert.Equal(renewed.Thumbprint, c.Certificate.Thumbprint);
    }

    public static TheoryData<ClientAuth, string, bool> ClientCases => new()
    {
        { ClientAuth.NoCert, "none", true }, { ClientAuth.NoCert, "stranger", true },
        { ClientAuth.Request, "none", true }, { ClientAuth.Request, "stranger", true },
        { ClientAuth.Require, "none", false }, { ClientAuth.Require, "stranger", true }, { ClientAuth.Require, "client", true },
        { ClientAuth.VerifyIfGiven, "none", true }, { ClientAuth.VerifyIfGiven, "stranger", false }, { ClientAuth.VerifyIfGiven, "client", true },
        { ClientAuth.RequireAndVerify, "none", false }, { ClientAuth.RequireAndVerify, "stranger", false }, { ClientAuth.RequireAndVerify, "client", true },
    };

    [Theory]
    [MemberData(nameof(ClientCases))]
    public void Client_auth_should_accept_and_refuse_client_certificates_as_Go_does(ClientAuth auth, string sent, bool accepted)
    {
        var name = auth switch
        {
            ClientAuth.NoCert => "nocert", ClientAuth.Request => "request", ClientAuth.Require => "require",
            ClientAuth.VerifyIfGiven => "verify_if_given", _ => "require_and_verify",
        };
        var c = Credentials($"tls server.crt server.key ca.crt {{\n client_auth {name}\n }}");
        X509Certificate? cert = sent switch { "client" => _pki.Client, "stranger" => _pki.Stranger, _ => null };
        var errors = cert is null ? SslPolicyErrors.RemoteCertificateNotAvailable : SslPolicyErrors.RemoteCertificateChainErrors;
        Assert.Equal(accepted, c.ValidateClient(this, cert, null, errors));
    }

    protected override void Dispose(bool disposing)
    {
        _pki.Dispose();
        base.Dispose(disposing);
    }
}
