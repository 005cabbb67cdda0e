using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;

namespace Akka.Dns.Plugins.Tls;

/// <summary>CoreDNS's client_auth values (Go's tls.ClientAuthType).</summary>
public enum ClientAuth
{
    /// <summary>nocert: no client certificate is asked for.</summary>
    NoCert,
    /// <summary>request: asked for, not required, not verified.</summary>
    Request,
    /// <summary>require: required, not verified.</summary>
    Require,
    /// <summary>verify_if_given: not required; verified when sent.</summary>
    VerifyIfGiven,
    /// <summary>require_and_verify: required and verified.</summary>
    RequireAndVerify,
}

/// <summary>
/// A block's server certificate, its client-certificate policy and CA, read from PEM files and re-read when the
/// files change (polled every akka.dns.tls.reload-interval): new handshakes get the new certificate, open
/// connections keep theirs; a file that fails to load is logged and the previous certificate stays. Every
/// encrypted transport (DoT's SslStream, Kestrel's DoH and gRPC) takes its per-connection options from
/// <see cref="ServerOptions"/>.
/// </summary>
public sealed class TlsCredentials : IDisposable
{
    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly string? _caFile;
    private readonly TimeSpan _reloadInterval;
    private readonly SslProtocols _protocols;
    private volatile Loaded _current;
    private Timer? _watch;
    private ILoggingAdapter? _log;

    private sealed record Loaded(SslStreamCertificateContext Context, X509Certificate2 Leaf, X509Certificate2Collection? Ca, string Stamp);

    public TlsCredentials(string certFile, string keyFile, string? caFile, ClientAuth clientAuth, TimeSpan reloadInterval, SslProtocols protocols)
    {
        _certFile = certFile;
        _keyFile = keyFile;
        _caFile = caFile;
        ClientAuth = clientAuth;
        _reloadInterval = reloadInterval;
        _protocols = protocols;
        _current = Load();
    }

    public ClientAuth ClientAuth { get; }

    /// <summary>What the Corefile said (files and client_auth): a reload keeps an encrypted listener only when this is unchanged.</summary>
    public string Identity => $"{_certFile}|{_keyFile}|{_caFile}|{ClientAuth}";

    /// <summary>The certificate new handshakes present.</summary>
    public X509Certificate2 Certificate => _current.Leaf;

    /// <summary>Options for one server handshake, with the current certificate and the given ALPN protocols.</summary>
    public SslServerAuthenticationOptions ServerOptions(List<SslApplicationProtocol>? alpn = null) => new()
    {
        ServerCertificateContext = _current.Context,
        EnabledSslProtocols = _protocols,
        ApplicationProtocols = alpn,
        ClientCertificateRequired = ClientAuth != ClientAuth.NoCert,
        RemoteCertificateValidationCallback = ValidateClient,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    /// <summary>Applies client_auth to what the client sent (or did not).</summary>
    public bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        switch (ClientAuth)
        {
            case ClientAuth.NoCert:
            case ClientAuth.Request:
                return true;
            case ClientAuth.Require:
                return certificate is not null;
            case ClientAuth.VerifyIfGiven:
                return certificate is null || Verify(certificate, errors);
            default:
                return certificate is not null && Verify(certificate, errors);
        }
    }

    private bool Verify(X509Certificate certificate, SslPolicyErrors errors)
    {
        var ca = _current.Ca;
        if (ca is null) return errors == SslPolicyErrors.None;   // the system's roots, as CoreDNS without CA
        using var cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));   // client authentication, as Go checks
        return chain.Build(cert);
    }

    /// <summary>Starts polling the files for changes.</summary>
    public void StartWatching(ILoggingAdapter log)
    {
        _log = log;
        if (_reloadInterval > TimeSpan.Zero && _watch is null)
            _watch = new Timer(_ => Poll(), null, _reloadInterval, _reloadInterval);
    }

    /// <summary>Re-reads the files when their stamp changed; true when a new certificate was taken.</summary>
    public bool Poll()
    {
        string stamp;
        try
        {
            stamp = Stamp();
        }
        catch (IOException)
        {
            return false;
        }
        if (stamp == _current.Stamp) return false;
        try
        {
            _current = Load();
            _log?.Info("plugin/tls: loaded new certificate from {0} (subject {1}, valid until {2:u})", _certFile, _current.Leaf.Subject, _current.Leaf.NotAfter.ToUniversalTime());
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            _log?.Warning("plugin/tls: {0} changed but cannot be loaded, keeping the current certificate: {1}", _certFile, e.Message);
            return false;
        }
    }

    private string Stamp()
    {
        static string One(string? f) => f is null ? "" : $"{System.IO.File.GetLastWriteTimeUtc(f).Ticks}:{new FileInfo(f).Length};";
        return One(_certFile) + One(_keyFile) + One(_caFile);
    }

    private Loaded Load()
    {
        if (!System.IO.File.Exists(_certFile)) throw new FileNotFoundException($"certificate file {_certFile} does not exist");
        if (!System.IO.File.Exists(_keyFile)) throw new FileNotFoundException($"key file {_keyFile} does not exist");
        if (_caFile is not null && !System.IO.File.Exists(_caFile)) throw new FileNotFoundException($"CA file {_caFile} does not exist");
        var stamp = Stamp();
        using var pem = X509Certificate2.CreateFromPemFile(_certFile, _keyFile);
        // Re-imported so the private key is usable by SslStream on every platform (an ephemeral PEM key is not on Windows).
        var leaf = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(_certFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
            if (c.Thumbprint != leaf.Thumbprint) intermediates.Add(c);
        X509Certificate2Collection? ca = null;
        if (_caFile is not null)
        {
            ca = new X509Certificate2Collection();
            ca.ImportFromPemFile(_caFile);
            if (ca.Count == 0) throw new CryptographicException($"no certificate in CA file {_caFile}");
        }
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new Loaded(context, leaf, ca, stamp);
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _watch = null;
    }
}
