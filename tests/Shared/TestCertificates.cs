using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Akka.Dns.TestCertificates;

/// <summary>
/// A throw-away PKI for TLS specs, written as PEM files into a temp directory: a CA, a server certificate it signed
/// (127.0.0.1, ::1, localhost, dns.akka.test), a client certificate it signed, and a self-signed client certificate
/// no CA vouches for. Deleted on dispose.
/// </summary>
public sealed class TestPki : IDisposable
{
    public const string ServerName = "dns.akka.test";

    public TestPki()
    {
        Directory = Path.Combine(Path.GetTempPath(), "akka-dns-pki-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Directory);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=Akka.Dns Test CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaFile = Write("ca.crt", Ca.ExportCertificatePem());

        Server = Issue("CN=" + ServerName, serverAuth: true, out var serverKey);
        ServerCertFile = Write("server.crt", Server.ExportCertificatePem());
        ServerKeyFile = Write("server.key", serverKey);

        Client = Issue("CN=client.akka.test", serverAuth: false, out var clientKey);
        ClientCertFile = Write("client.crt", Client.ExportCertificatePem());
        ClientKeyFile = Write("client.key", clientKey);

        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var strangerReq = new CertificateRequest("CN=stranger.akka.test", strangerKey, HashAlgorithmName.SHA256);
        strangerReq.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var stranger = strangerReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Stranger = X509CertificateLoader.LoadPkcs12(stranger.Export(X509ContentType.Pkcs12), null);
    }

    public string Directory { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }
    /// <summary>Signed by <see cref="Ca"/>, with its private key.</summary>
    public X509Certificate2 Client { get; }
    /// <summary>Self-signed client certificate with its private key.</summary>
    public X509Certificate2 Stranger { get; }
    public string CaFile { get; }
    public string ServerCertFile { get; }
    public string ServerKeyFile { get; }
    public string ClientCertFile { get; }
    public string ClientKeyFile { get; }

    /// <summary>Issues a new server certificate into the same files (a renewal); returns it.</summary>
    public X509Certificate2 RenewServer(string subject = "CN=" + ServerName)
    {
        var cert = Issue(subject, serverAuth: true, out var key);
        // Key first: a poller that sees the new certificate finds the matching key.
        Write("server.key", key);
        Write("server.crt", cert.ExportCertificatePem());
        return cert;
    }

    /// <summary>Validates a server certificate against <see cref="Ca"/> (for clients: HttpClient, SslStream, gRPC).</summary>
    public bool ValidateServer(X509Certificate2? certificate)
    {
        if (certificate is null) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private X509Certificate2 Issue(string subject, bool serverAuth, out string keyPem)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(ServerName);
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            san.AddIpAddress(IPAddress.IPv6Loopback);
            req.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var issued = req.Create(Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        keyPem = key.ExportPkcs8PrivateKeyPem();
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
