using Akka.Event;

namespace Akka.Dns.Plugins.Root;

/// <summary>
/// <c>root PATH</c>: the directory relative paths of later plugins (file, tls, dnssec...) resolve against. As in
/// CoreDNS, a path that does not exist is accepted with a warning (it may appear later); a path that cannot be
/// examined at all is an error.
/// </summary>
[Plugin("root")]
public sealed class RootSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        string? root = null;
        foreach (var r in context.Readers())
        {
            r.Next();
            var args = r.RemainingArgs();
            if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
            if (r.Next()) throw context.Error(r, r.ArgErr().Detail); // "root PATH { ... }"
            root = args[0];
        }

        var exists = true;
        try
        {
            _ = System.IO.File.GetAttributes(root!);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            exists = false; // allowed: the folder might appear later, but say so at start-up
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException or IOException or NotSupportedException)
        {
            var why = e switch
            {
                UnauthorizedAccessException => "permission denied",
                ArgumentException or NotSupportedException => "invalid argument",
                _ => e.Message,
            };
            throw context.Error(context.Readers().First(), $"unable to access root path '{root}': stat {root}: {why}");
        }

        context.Options.Root = root;
        return new RootPlugin(root!, exists);
    }
}

/// <summary>The block's root; its only runtime act is the start-up warning for a missing directory.</summary>
public sealed class RootPlugin(string path, bool exists) : SetupOnlyPlugin("root")
{
    public string Path { get; } = path;
    public bool Exists { get; } = exists;

    public override Task StartAsync(PluginHost host, CancellationToken ct)
    {
        if (!Exists) Logging.GetLogger(host.System, "plugin/root").Warning("plugin/root: Root path does not exist: {0}", Path);
        return Task.CompletedTask;
    }
}
