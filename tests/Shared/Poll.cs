namespace Akka.Dns.TestSupport;

/// <summary>Bounded polling for specs: waits for a condition, never asserts how long it took.</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails naming <paramref name="what"/> after the bound.</summary>
    public static async Task Until(Func<bool> condition, string what, TimeSpan? bound = null)
    {
        var limit = bound ?? DefaultBound;
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException($"not within {limit.TotalSeconds} s: {what}");
    }

    /// <summary>Polls <paramref name="get"/> until it gives a value that satisfies <paramref name="condition"/>, and returns it.</summary>
    public static async Task<T> Until<T>(Func<T?> get, Func<T, bool> condition, string what, TimeSpan? bound = null) where T : class
    {
        T? found = null;
        await Until(() => get() is { } v && condition(found = v), what, bound);
        return found!;
    }
}
