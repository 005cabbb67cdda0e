using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Akka.Dns.Tests.Plugins.Forward;

/// <summary>A CA and a server certificate it signed (for "dns.test" and 127.0.0.1), written as PEM files for <c>tls</c>.</summary>
public sealed class TestPki : IDisposable
{
    public TestPki()
    {
        Directory.CreateDirectory(Dir);
        using var caKey = RSA.Create(2048);
        var caReq = new CertificateRequest("CN=Akka.Dns test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Server = Issue("CN=dns.test", san => { san.AddDnsName("dns.test"); san.AddIpAddress(IPAddress.Loopback); }, serverAuth: true);
        Client = Issue("CN=forward client", _ => { }, serverAuth: false);
        CaPem = Write("ca.pem", Ca.ExportCertificatePem());
        ClientCertPem = Write("client.pem", Client.ExportCertificatePem());
        ClientKeyPem = Write("client.key", Client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "forward-pki-" + Guid.NewGuid().ToString("N"));
    public X509Certificate2 Ca { get; }
    public X509Certificate2 Server { get; }
    public X509Certificate2 Client { get; }
    public string CaPem { get; }
    public string ClientCertPem { get; }
    public string ClientKeyPem { get; }

    private X509Certificate2 Issue(string subject, Action<SubjectAlternativeNameBuilder> names, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        if (serverAuth) req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var cert = req.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private string Write(string name, string pem)
    {
        var p = Path.Combine(Dir, name);
        System.IO.File.WriteAllText(p, pem);
        return p;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

/// <summary>A DNS-over-TLS upstream on an ephemeral 127.0.0.1 port: answers A queries with <see cref="Address"/>.</summary>
public sealed class TlsFakeUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2 _cert;
    private readonly X509Certificate2? _requireClientCa;
    private readonly Task _loop;
    private int _connections, _queries;

    public TlsFakeUpstream(IPAddress address, X509Certificate2 cert, X509Certificate2? requireClientCa = null)
    {
        Address = address;
        _cert = cert;
        _requireClientCa = requireClientCa;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public IPAddress Address { get; }
    public int Port { get; }
    public int Connections => Volatile.Read(ref _connections);
    public int Queries => Volatile.Read(ref _queries);
    public string? ClientSubject { get; private set; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient c;
            try
            {
                c = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Serve(c));
        }
    }

    private async Task Serve(TcpClient c)
    {
        using var _ = c;
        try
        {
            await using var ssl = new SslStream(c.GetStream(), false, (_, cert, _, _) => _requireClientCa is null || cert is not null);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _cert,
                ClientCertificateRequired = _requireClientCa is not null,
            }, _stop.Token);
            if (_requireClientCa is not null && ssl.RemoteCertificate is null) return;
            ClientSubject = ssl.RemoteCertificate?.Subject;
            Interlocked.Increment(ref _connections);
            var len = new byte[2];
            while (!_stop.IsCancellationRequested)
            {
                await ssl.ReadExactlyAsync(len, _stop.Token);
                var q = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
                await ssl.ReadExactlyAsync(q, _stop.Token);
                Interlocked.Increment(ref _queries);
                var reply = FakeUpstream.Build(q, Address);
                var framed = new byte[reply.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                reply.CopyTo(framed, 2);
                await ssl.WriteAsync(framed, _stop.Token);
            }
        }
        catch (Exception)
        {
            // handshake refused or connection closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception)
        {
            // stopped
        }
    }
}
