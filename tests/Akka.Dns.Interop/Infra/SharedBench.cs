namespace Akka.Dns.Interop.Infra;

/// <summary>
/// The shared benchmark directory (peer.sh, diff.py, the example.org zone and query files) that lives next to the
/// repository as ../shared/bench, or where AKKA_DNS_SHARED_BENCH points. Specs that need it are skipped, with the
/// reason, in a checkout that has none (a clone elsewhere); wherever it exists they run and can fail.
/// </summary>
public static class SharedBench
{
    public static string Dir { get; } = Environment.GetEnvironmentVariable("AKKA_DNS_SHARED_BENCH") is { Length: > 0 } env
        ? Path.GetFullPath(env)
        : Path.GetFullPath(Path.Combine(Repo.Root, "..", "shared", "bench"));

    public static bool Present => File.Exists(Path.Combine(Dir, "diff.py")) && File.Exists(Path.Combine(Dir, "data", "example.org.zone"));

    public static string Zone => Path.Combine(Dir, "data", "example.org.zone");

    public const string Missing = "needs ../shared/bench next to the repository (or AKKA_DNS_SHARED_BENCH): not found";
}

/// <summary>A fact that runs only where the shared bench exists.</summary>
public sealed class SharedBenchFactAttribute : FactAttribute
{
    public SharedBenchFactAttribute()
    {
        if (!SharedBench.Present) Skip = SharedBench.Missing;
    }
}

/// <summary>A theory that runs only where the shared bench exists.</summary>
public sealed class SharedBenchTheoryAttribute : TheoryAttribute
{
    public SharedBenchTheoryAttribute()
    {
        if (!SharedBench.Present) Skip = SharedBench.Missing;
    }
}
