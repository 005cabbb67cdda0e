namespace Akka.Dns.Interop.Infra;

/// <summary>Where the repository and the Release build of the daemon are. Builds nothing.</summary>
public static class Repo
{
    public const string BuildHint = "build Release first: dotnet build Akka.Dns.sln -c Release";

    private static readonly Lazy<string> RootDir = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Akka.Dns.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Akka.Dns.sln above {AppContext.BaseDirectory}; {BuildHint}");
    });

    public static string Root => RootDir.Value;

    /// <summary>src/Akka.Dns.Daemon/bin/Release/net10.0/Akka.Dns.Daemon.dll, or a clear failure when it is not built.</summary>
    public static string DaemonDll
    {
        get
        {
            var dll = Path.Combine(Root, "src", "Akka.Dns.Daemon", "bin", "Release", "net10.0", "Akka.Dns.Daemon.dll");
            if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: {BuildHint}");
            return dll;
        }
    }
}
