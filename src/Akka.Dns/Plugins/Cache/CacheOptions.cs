namespace Akka.Dns.Plugins.Cache;

/// <summary>What <c>cache</c> parsed for one server block (CoreDNS's Cache struct fields). Durations are <see cref="TimeSpan"/>.</summary>
public sealed record CacheOptions
{
    /// <summary>CoreDNS's defaultCap: 10000 asked, 256 shards of 39 = 9984 held.</summary>
    public const int DefaultCapacity = 10000;
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxDenialTtl = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MinTtl = TimeSpan.FromSeconds(5);

    /// <summary>The zones cached; other names pass on untouched.</summary>
    public IReadOnlyList<string> Zones { get; init; } = ["."];

    public int SuccessCapacity { get; init; } = DefaultCapacity;
    public TimeSpan SuccessTtl { get; init; } = MaxTtl;
    public TimeSpan SuccessMinTtl { get; init; } = MinTtl;

    public int DenialCapacity { get; init; } = DefaultCapacity;
    public TimeSpan DenialTtl { get; init; } = MaxDenialTtl;
    public TimeSpan DenialMinTtl { get; init; } = MinTtl;

    /// <summary>How long a SERVFAIL (or NOTIMP) is cached; zero disables.</summary>
    public TimeSpan ServfailTtl { get; init; } = MinTtl;

    /// <summary>Hits within <see cref="PrefetchDuration"/> of each other that make an item popular; 0 disables prefetch.</summary>
    public int Prefetch { get; init; }
    public TimeSpan PrefetchDuration { get; init; } = TimeSpan.FromMinutes(1);
    public int PrefetchPercentage { get; init; } = 10;

    /// <summary>How long past expiry an item may still be served; zero disables serve_stale.</summary>
    public TimeSpan StaleUpTo { get; init; }
    public bool VerifyStale { get; init; }
    /// <summary>verify: how long to wait for the refresh before serving stale; zero waits for the chain.</summary>
    public TimeSpan VerifyStaleTimeout { get; init; }
    /// <summary>The TTL of a stale reply; zero keeps CoreDNS's legacy 0.</summary>
    public TimeSpan StaleTtl { get; init; }
    /// <summary>After a failed refresh of a stale item, how long before another is tried; zero retries every time.</summary>
    public TimeSpan StaleRecheck { get; init; }
    public bool PreferPositive { get; init; }

    /// <summary>Zones whose positive / denial replies are not cached (<c>disable success|denial</c>).</summary>
    public IReadOnlyList<string> SuccessExcept { get; init; } = [];
    public IReadOnlyList<string> DenialExcept { get; init; } = [];

    public bool KeepTtl { get; init; }
}
