using Akka.Actor;

namespace Akka.Dns.Plugins.Sign;

/// <summary>
/// The block's <c>sign</c> directives (CoreDNS's Sign, sign.go): at start every zone whose signed file is missing,
/// stale or made from another source is signed before the server serves (CoreDNS checks at start and signs in the
/// background); then one <see cref="SignerActor"/> per zone checks again every 5 hours (plus jitter) and re-signs
/// when needed. No query reaches it: <c>file</c> serves the signed zone, and the file plugins of this block that
/// serve the written file re-read it at once.
/// </summary>
public sealed class SignPlugin : SetupOnlyPlugin
{
    private readonly BlockOptions _options;
    private readonly List<IActorRef> _actors = [];

    internal SignPlugin(IReadOnlyList<Signer> signers, BlockOptions options) : base("sign")
    {
        Signers = signers;
        _options = options;
    }

    public IReadOnlyList<Signer> Signers { get; }

    /// <summary>The time signatures and checks are made at (tests drive it).</summary>
    internal Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        foreach (var signer in Signers)
        {
            var why = signer.ResignReason(Clock());
            if (why is null)
                LineLog.Info($"plugin/sign: Skipping signing zone \"{signer.Origin}\" in \"{signer.SignedFile}\": signatures are valid");
            else
                SignerActor.SignAndLog(signer, why, Clock(), host.System, _options);
            _actors.Add(host.System.ActorOf(SignerActor.Props(signer, Clock, _options, Signer.RefreshInterval)));
        }
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        // The keys are not disposed here: a signer actor may be signing when its PoisonPill arrives (a reload), and
        // their RSA/ECDsa handles are freed by the finalizer once nothing holds them.
        foreach (var a in _actors) a.Tell(PoisonPill.Instance);
        _actors.Clear();
        return Task.CompletedTask;
    }
}
