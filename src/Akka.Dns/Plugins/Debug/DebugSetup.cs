namespace Akka.Dns.Plugins.Debug;

/// <summary><c>debug</c>: no arguments; sets the block's <see cref="BlockOptions.Debug"/>. CoreDNS accepts it
/// more than once in a block (each occurrence sets the same flag).</summary>
[Plugin("debug")]
public sealed class DebugSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        foreach (var r in context.Readers())
        {
            r.Next();
            if (r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
            if (r.Next()) throw context.Error(r, r.ArgErr().Detail); // "debug { ... }"
        }

        context.Options.Debug = true;
        return new DebugPlugin();
    }
}

public sealed class DebugPlugin() : SetupOnlyPlugin("debug");
