using System.Security.Cryptography.X509Certificates;

namespace Akka.Dns.Plugins.Tls;

/// <summary>
/// <c>tls CERT KEY [CA] { client_auth nocert|request|require|verify_if_given|require_and_verify }</c>: the
/// certificate the block's tls://, https:// and grpc:// listeners present, and how they treat client
/// certificates (CoreDNS's plugin/tls, manual form). Once per block.
/// </summary>
[Plugin("tls")]
public sealed class TlsSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        TlsCredentials? credentials = null;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length == 0)
                throw context.Error(r, "tls without CERT KEY (ACME) is not supported by Akka.Dns; give the certificate and key files");
            if (args.Length is < 2 or > 3) throw context.Error(r, r.ArgErr().Detail);
            var auth = ClientAuth.NoCert;
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "client_auth":
                        var a = r.RemainingArgs();
                        if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        auth = a[0] switch
                        {
                            "nocert" => ClientAuth.NoCert,
                            "request" => ClientAuth.Request,
                            "require" => ClientAuth.Require,
                            "verify_if_given" => ClientAuth.VerifyIfGiven,
                            "require_and_verify" => ClientAuth.RequireAndVerify,
                            _ => throw context.Error(r, $"unknown authentication type '{a[0]}'"),
                        };
                        break;
                    case "keylog":
                        throw context.Error(r, "keylog is not supported by Akka.Dns (.NET does not export TLS secrets); remove it");
                    default:
                        throw context.Error(r, $"unknown option '{r.Val}'");
                }
            }

            var cert = context.ResolvePath(args[0]);
            var key = context.ResolvePath(args[1]);
            var ca = args.Length == 3 ? context.ResolvePath(args[2]) : null;
            try
            {
                credentials = new TlsCredentials(cert, key, ca, auth, context.Settings.TlsReloadInterval, context.Settings.TlsProtocols);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw context.Error(r, $"unable to load certificate: {e.Message}");
            }
        }

        context.Options.Tls = credentials;
        return new TlsPlugin(credentials!);
    }
}

/// <summary>The tls plugin of one block: watches its files for the life of the server.</summary>
public sealed class TlsPlugin(TlsCredentials credentials) : SetupOnlyPlugin("tls")
{
    public TlsCredentials Credentials { get; } = credentials;

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        Credentials.StartWatching(host.System.Log);
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        Credentials.Dispose();
        return Task.CompletedTask;
    }
}
