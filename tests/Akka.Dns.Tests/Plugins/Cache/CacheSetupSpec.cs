using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Cache;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Cache;

public sealed class CacheSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private CacheOptions Options(string directives) => PluginPlans.PluginOf<CachePlugin>(Sys, directives).Options;

    /// <summary>CoreDNS's TestSetup: directive, denial cap, success cap, denial TTL/min, success TTL/min (s), prefetch.</summary>
    public static TheoryData<string, int, int, int, int, int, int, int> Parsed => new()
    {
        { "cache", 10000, 10000, 1800, 5, 3600, 5, 0 },
        { "cache {\n }", 10000, 10000, 1800, 5, 3600, 5, 0 },
        { "cache example.nl {\n success 10\n }", 10000, 10, 1800, 5, 3600, 5, 0 },
        { "cache example.nl {\n success 10 1800 30\n }", 10000, 10, 1800, 5, 1800, 30, 0 },
        { "cache example.nl {\n success 10\n denial 10 15\n }", 10, 10, 15, 5, 3600, 5, 0 },
        { "cache example.nl {\n success 10\n denial 10 15 2\n }", 10, 10, 15, 2, 3600, 5, 0 },
        { "cache 25 example.nl {\n success 10\n denial 10 15\n }", 10, 10, 15, 5, 25, 5, 0 },
        { "cache 25 example.nl {\n success 10\n denial 10 15 5\n }", 10, 10, 15, 5, 25, 5, 0 },
        { "cache aaa example.nl", 10000, 10000, 1800, 5, 3600, 5, 0 },
        { "cache {\n prefetch 10\n }", 10000, 10000, 1800, 5, 3600, 5, 10 },
        { "cache 300", 10000, 10000, 300, 5, 300, 5, 0 },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Cache_should_parse_capacities_ttls_and_prefetch_like_coredns(string d, int ncap, int pcap, int nttl, int minnttl, int pttl, int minpttl, int prefetch)
    {
        var o = Options(d);
        Assert.Equal(ncap, o.DenialCapacity);
        Assert.Equal(pcap, o.SuccessCapacity);
        Assert.Equal(TimeSpan.FromSeconds(nttl), o.DenialTtl);
        Assert.Equal(TimeSpan.FromSeconds(minnttl), o.DenialMinTtl);
        Assert.Equal(TimeSpan.FromSeconds(pttl), o.SuccessTtl);
        Assert.Equal(TimeSpan.FromSeconds(minpttl), o.SuccessMinTtl);
        Assert.Equal(prefetch, o.Prefetch);
    }

    [Theory]
    [InlineData("cache", new[] { "." })]
    [InlineData("cache example.nl Example.COM", new[] { "example.nl.", "example.com." })]
    [InlineData("cache 10 example.nl", new[] { "example.nl." })]
    public void Cache_should_take_its_zones_from_the_arguments_or_the_block(string d, string[] zones) =>
        Assert.Equal(zones, Options(d).Zones);

    [Theory]
    [InlineData("prefetch 5", 5, 60, 10)]
    [InlineData("prefetch 5 10m", 5, 600, 10)]
    [InlineData("prefetch 5 30s 20%", 5, 30, 20)]
    [InlineData("prefetch 0 1m 90%", 0, 60, 90)]
    public void Cache_should_parse_prefetch_amount_duration_and_percentage(string line, int amount, int seconds, int pct)
    {
        var o = Options($"cache {{\n {line}\n }}");
        Assert.Equal(amount, o.Prefetch);
        Assert.Equal(TimeSpan.FromSeconds(seconds), o.PrefetchDuration);
        Assert.Equal(pct, o.PrefetchPercentage);
    }

    /// <summary>CoreDNS's TestServeStale: line, stale up to, verify, verify timeout (ms), response TTL (s), recheck (s).</summary>
    public static TheoryData<string, int, bool, int, int, int> Stale => new()
    {
        { "serve_stale", 3600, false, 0, 0, 0 },
        { "serve_stale 20m", 1200, false, 0, 0, 0 },
        { "serve_stale 1h20m", 4800, false, 0, 0, 0 },
        { "serve_stale 0m", 0, false, 0, 0, 0 },
        { "serve_stale 0", 0, false, 0, 0, 0 },
        { "serve_stale 0 verify", 0, true, 0, 0, 0 },
        { "serve_stale 0 immediate", 0, false, 0, 0, 0 },
        { "serve_stale 0 VERIFY", 0, true, 0, 0, 0 },
        { "serve_stale 1h immediate 30s", 3600, false, 0, 30, 0 },
        { "serve_stale 1h immediate 30s 30s", 3600, false, 0, 30, 30 },
        { "serve_stale 1h immediate 0", 3600, false, 0, 0, 0 },
        { "serve_stale 1h verify 100ms", 3600, true, 100, 0, 0 },
        { "serve_stale 1h verify 100ms 30s", 3600, true, 100, 30, 0 },
        { "serve_stale 1h verify 100ms 30s 1m", 3600, true, 100, 30, 60 },
        { "serve_stale 1h verify 0", 3600, true, 0, 0, 0 },
        { "serve_stale 1h verify 0 1m", 3600, true, 0, 60, 0 },
        { "serve_stale 1h VERIFY 250ms", 3600, true, 250, 0, 0 },
    };

    [Theory, MemberData(nameof(Stale))]
    public void Cache_should_parse_serve_stale_like_coredns(string line, int upTo, bool verify, int timeoutMs, int ttl, int recheck)
    {
        var o = Options($"cache {{\n {line}\n }}");
        Assert.Equal(TimeSpan.FromSeconds(upTo), o.StaleUpTo);
        Assert.Equal(verify, o.VerifyStale);
        Assert.Equal(TimeSpan.FromMilliseconds(timeoutMs), o.VerifyStaleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(ttl), o.StaleTtl);
        Assert.Equal(TimeSpan.FromSeconds(recheck), o.StaleRecheck);
    }

    [Fact]
    public void Cache_should_parse_servfail_disable_keepttl_and_prefer_positive()
    {
        var o = Options("cache {\n servfail 30s\n disable success Example.org sub.example.net\n disable denial\n keepttl\n serve_stale\n serve_stale_policy PREFER_POSITIVE\n }");
        Assert.Equal(TimeSpan.FromSeconds(30), o.ServfailTtl);
        Assert.Equal(["example.org.", "sub.example.net."], o.SuccessExcept);
        Assert.Equal(["."], o.DenialExcept);
        Assert.True(o.KeepTtl);
        Assert.True(o.PreferPositive);
        Assert.Equal(TimeSpan.FromSeconds(5), Options("cache").ServfailTtl);
        Assert.Equal(TimeSpan.Zero, Options("cache {\n servfail 0\n }").ServfailTtl);
    }

    [Theory]
    [InlineData("cache 0 example.nl", "cache TTL can not be zero or negative: 0")]
    [InlineData("cache -1 example.nl", "cache TTL can not be zero or negative: -1")]
    [InlineData("cache example.nl {\n success\n denial 10 15\n }", "Wrong argument count or unexpected line ending after 'success'")]
    [InlineData("cache example.nl {\n success 15\n denial aaa\n }", "strconv.Atoi: parsing \"aaa\": invalid syntax")]
    [InlineData("cache example.nl {\n positive 15\n }", "Wrong argument count or unexpected line ending after 'positive'")]
    [InlineData("cache {\n success 10 0\n }", "cache TTL can not be zero or negative: 0")]
    [InlineData("cache {\n denial 10 20 -1\n }", "cache min TTL can not be negative: -1")]
    [InlineData("cache {\n prefetch -1\n }", "prefetch amount should be positive: -1")]
    [InlineData("cache {\n prefetch 0 blurp\n }", "time: invalid duration \"blurp\"")]
    [InlineData("cache {\n prefetch\n }", "Wrong argument count or unexpected line ending after 'prefetch'")]
    [InlineData("cache {\n prefetch 1 1m 10% 4\n }", "Wrong argument count or unexpected line ending after '4'")]
    [InlineData("cache {\n prefetch 1 1m 10\n }", "last character of percentage should be `%`, but is: '0'")]
    [InlineData("cache {\n prefetch 1 1m 9%\n }", "percentage should fall in range [10, 90]: 9")]
    [InlineData("cache {\n prefetch 1 1m 91%\n }", "percentage should fall in range [10, 90]: 91")]
    [InlineData("cache {\n serve_stale 20\n }", "time: missing unit in duration \"20\"")]
    [InlineData("cache {\n serve_stale -20m\n }", "invalid negative duration for serve_stale")]
    [InlineData("cache {\n serve_stale aa\n }", "time: invalid duration \"aa\"")]
    [InlineData("cache {\n serve_stale 1m nono\n }", "invalid value for serve_stale refresh mode: nono")]
    [InlineData("cache {\n serve_stale 0 after nono\n }", "invalid value for serve_stale refresh mode: after")]
    [InlineData("cache {\n serve_stale 1h immediate 30s 30s extra\n }", "Wrong argument count or unexpected line ending after 'extra'")]
    [InlineData("cache {\n serve_stale 1h verify 100ms 30s 30s extra\n }", "Wrong argument count or unexpected line ending after 'extra'")]
    [InlineData("cache {\n serve_stale 1h verify -1s\n }", "invalid negative timeout for serve_stale verify")]
    [InlineData("cache {\n serve_stale 1h verify xx\n }", "invalid serve_stale verify timeout: time: invalid duration \"xx\"")]
    [InlineData("cache {\n serve_stale 1h immediate 1500ms\n }", "serve_stale response TTL must be a whole number of seconds")]
    [InlineData("cache {\n serve_stale 1h immediate -1s\n }", "invalid negative response TTL for serve_stale")]
    [InlineData("cache {\n serve_stale 1h immediate 4294967296s\n }", "serve_stale response TTL exceeds the DNS TTL range")]
    [InlineData("cache {\n serve_stale 1h immediate 30s 6m\n }", "serve_stale failure recheck cannot exceed 5 minutes")]
    [InlineData("cache {\n serve_stale 1h immediate 30s -1s\n }", "invalid negative failure recheck for serve_stale")]
    [InlineData("cache {\n serve_stale_policy prefer_positive\n }", "serve_stale_policy requires serve_stale")]
    [InlineData("cache {\n serve_stale\n serve_stale_policy prefer_negative\n }", "invalid serve_stale_policy: prefer_negative")]
    [InlineData("cache {\n serve_stale\n serve_stale_policy prefer_positive\n serve_stale_policy prefer_positive\n }", "serve_stale_policy can only be specified once")]
    [InlineData("cache {\n servfail\n }", "Wrong argument count or unexpected line ending after 'servfail'")]
    [InlineData("cache {\n servfail -1s\n }", "invalid negative ttl for servfail")]
    [InlineData("cache {\n servfail 6m\n }", "caching SERVFAIL responses over 5 minutes is not permitted")]
    [InlineData("cache {\n disable\n }", "Wrong argument count or unexpected line ending after 'disable'")]
    [InlineData("cache {\n disable both\n }", "cache type for disable must be \"success\" or \"denial\"")]
    [InlineData("cache {\n keepttl no\n }", "Wrong argument count or unexpected line ending after 'no'")]
    public void Cache_should_reject_what_coredns_rejects_with_its_message(string d, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Options(d));
        Assert.EndsWith("plugin/cache: " + message, e.Message);
        Assert.StartsWith("Corefile:", e.Message);
    }

    [Fact]
    public void Cache_should_be_allowed_once_per_block()
    {
        var e = Assert.Throws<CorefileException>(() => Options("cache\n cache"));
        Assert.Contains("plugin/cache", e.Message);
    }

    [Theory]
    [InlineData(10, 4, 1024)]
    [InlineData(1024, 4, 1024)]
    [InlineData(10000, 39, 9984)]
    [InlineData(100000, 390, 99840)]
    public void Cache_should_size_its_256_shards_like_coredns(int capacity, int perShard, int total)
    {
        var store = PluginPlans.PluginOf<CachePlugin>(Sys, $"cache {{\n success {capacity}\n denial {capacity}\n }}").Store;
        Assert.Equal(perShard, store.Success.ShardCapacity);
        Assert.Equal(total, store.Success.Capacity);
        Assert.Equal(total, store.Denial.Capacity);
    }
}
