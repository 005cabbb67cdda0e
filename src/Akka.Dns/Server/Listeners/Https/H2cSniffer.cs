using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using System.Security.Cryptography.X509Certificates;

namespace Akka.Dns.Server.Listeners.Https;

/// <summary>
/// h2c with prior knowledge beside HTTP/1.1 on one clear-text port. Kestrel serves an Http1AndHttp2 endpoint without
/// TLS as HTTP/1.1 only (without ALPN it cannot know), and BIND's dig speaks plain-HTTP DoH as HTTP/2 only. This
/// connection middleware looks at the first bytes without consuming them: the HTTP/2 connection preface
/// (RFC 9113 §3.4) makes it tell Kestrel "h2" through the ALPN features, as TLS would; anything else stays HTTP/1.1.
/// Kestrel then checks :scheme against "https", which is why the server allows alternate schemes.
/// </summary>
internal static class H2cSniffer
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeSpan timeout) => next => async ctx =>
    {
        var input = ctx.Transport.Input;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.ConnectionClosed);
        cts.CancelAfter(timeout);
        var head = new byte[Preface.Length];
        while (true)
        {
            ReadResult r;
            try
            {
                r = await input.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return;   // nothing arrived in time (or the client left): close
            }
            var buf = r.Buffer;
            var n = (int)Math.Min(buf.Length, Preface.Length);
            buf.Slice(0, n).CopyTo(head);
            var prefix = head.AsSpan(0, n).SequenceEqual(Preface.AsSpan(0, n));
            if (!prefix || n == Preface.Length || r.IsCompleted)
            {
                input.AdvanceTo(buf.Start);   // nothing consumed: Kestrel reads the same bytes
                if (prefix && n == Preface.Length)
                {
                    ctx.Features.Set<ITlsConnectionFeature>(PriorKnowledge.Instance);
                    ctx.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledge.Instance);
                }
                break;
            }
            input.AdvanceTo(buf.Start, buf.End);   // a preface so far: wait for the rest
        }
        await next(ctx);
    };

    private sealed class PriorKnowledge : ITlsConnectionFeature, ITlsApplicationProtocolFeature
    {
        public static readonly PriorKnowledge Instance = new();

        public X509Certificate2? ClientCertificate
        {
            get => null;
            set { }
        }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);

        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();
    }
}
