using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Cache;

public sealed class CacheSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private static QueryBuilder Q(string name, ushort type = RrType.A) => new(name, type);

    private static uint[] Ttls(Reply r) =>
        r.Message.AnswerRecords.Concat(r.Message.AuthorityRecords).Concat(r.Message.AdditionalRecords)
            .Where(x => x.RecordType != RecordType.Opt).Select(x => (uint)x.TimeToLive).ToArray();

    private static string FirstA(Reply r) => ((ARecord)r.Message.AnswerRecords.Single(x => x is ARecord)).Address.ToString();

    [Fact]
    public async Task Cache_should_answer_a_repeated_query_from_the_store_with_aa_set_and_the_ttl_counting_down()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r => { var m = Backend.A(r, 300, "192.0.2.1"); m.Aa = false; return m; };

        var first = await h.QueryAsync(Q("www.example.org."));
        Assert.False(first.Message.IsAuthoritiveAnswer);
        Assert.Equal([300u], Ttls(first));

        clock.Advance(TimeSpan.FromSeconds(10.5));
        var hit = await h.QueryAsync(Q("www.example.org.") with { Id = 0x4321 });
        Assert.Equal(1, b.Calls);
        Assert.Equal(0x4321, hit.Message.TransactionID);
        Assert.True(hit.Message.IsAuthoritiveAnswer);
        Assert.True(hit.Message.IsRecursionAllowed);
        Assert.Equal("192.0.2.1", FirstA(hit));
        Assert.Equal([290u], Ttls(hit));
        Assert.Equal(1, store.SuccessHits);
        Assert.Equal(1, store.Misses);
    }

    [Fact]
    public async Task Cache_should_keep_the_stored_ttl_with_keepttl()
    {
        var (h, _, clock, b) = CacheTestKit.Start(Sys, "cache {\n keepttl\n }");
        await using var __ = h;
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(100));
        var hit = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(1, b.Calls);
        Assert.Equal([300u], Ttls(hit));
    }

    [Fact]
    public async Task Cache_should_ask_again_once_the_entry_expired()
    {
        var (h, _, clock, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 30, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(29));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(1, b.Calls);
        clock.Advance(TimeSpan.FromSeconds(1));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(2, b.Calls);
    }

    /// <summary>Cache directive, record TTLs in answer and authority, expected TTL of every record of the reply.</summary>
    public static TheoryData<string, uint, uint, uint> TtlRules => new()
    {
        { "cache", 300, 100, 100 },            // the lowest TTL of the reply
        { "cache", 1, 300, 5 },                // at least the minimum (5 s)
        { "cache", 7200, 7200, 3600 },         // at most 3600 s
        { "cache 10", 300, 300, 10 },          // cache TTL caps
        { "cache {\n success 100 60 20\n }", 2, 300, 20 },  // MINTTL
        { "cache {\n success 100 60 20\n }", 600, 300, 60 }, // TTL
        { "cache {\n success 100 60 0\n }", 0, 300, 0 },    // MINTTL 0 and a 0 TTL: not cached, passed on as 0
    };

    [Theory, MemberData(nameof(TtlRules))]
    public async Task Cache_should_give_every_record_the_clamped_lowest_ttl(string cache, uint answerTtl, uint nsTtl, uint expected)
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, cache);
        await using var __ = h;
        b.Answer = r =>
        {
            var m = Backend.A(r, answerTtl, "192.0.2.1");
            m.Authority.Add(DnsRecord.Ns("example.org.", nsTtl, "ns.example.org."));
            m.Additional.Add(DnsRecord.A("ns.example.org.", 7200, IPAddress.Parse("192.0.2.53")));
            return m;
        };
        var miss = await h.QueryAsync(Q("www.example.org."));
        Assert.All(Ttls(miss), t => Assert.Equal(expected, t));
        var again = await h.QueryAsync(Q("www.example.org."));
        Assert.All(Ttls(again), t => Assert.Equal(expected, t));
        Assert.Equal(expected == 0 ? 2 : 1, b.Calls);
    }

    [Fact]
    public async Task Cache_should_keep_separate_entries_for_the_do_and_cd_bits_but_not_for_the_name_case()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        var queries = new[]
        {
            Q("www.example.org."),
            Q("www.example.org.") with { Do = true, UdpSize = 1232 },
            Q("www.example.org.") with { Cd = true },
            Q("www.example.org.") with { Do = true, Cd = true, UdpSize = 1232 },
        };
        foreach (var q in queries) await h.QueryAsync(q);
        Assert.Equal(4, b.Calls);
        foreach (var q in queries) await h.QueryAsync(q with { Name = "WWW.Example.ORG." });
        Assert.Equal(4, b.Calls);
        Assert.Equal(["www.example.org.", "www.example.org.", "www.example.org.", "www.example.org."],
            b.Seen.Select(r => r.Name).ToArray());
        Assert.Equal([false, true, false, true], b.Seen.Select(r => r.Query.Do).ToArray());
        Assert.Equal([false, false, true, true], b.Seen.Select(r => r.Query.Cd).ToArray());
        var hit = await h.QueryAsync(Q("WWW.example.org."));
        Assert.Equal("WWW.example.org", hit.Message.Questions[0].Name.ToString().TrimEnd('.'));
    }

    [Fact]
    public async Task Cache_should_keep_the_ad_bit_only_for_queries_with_do_or_ad()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r => { var m = Backend.A(r, 300, "192.0.2.1"); m.Ad = true; return m; };
        await h.QueryAsync(Q("www.example.org.") with { Do = true, UdpSize = 1232 });
        Assert.True(b.Seen.Single().Query.Ad || (b.Seen.Single().Flags & 0x20) != 0);
        var withDo = await h.QueryAsync(Q("www.example.org.") with { Do = true, UdpSize = 1232 });
        Assert.True(withDo.Message.IsAuthenticData);
        await h.QueryAsync(Q("www.example.org."));
        var without = await h.QueryAsync(Q("www.example.org."));
        Assert.False(without.Message.IsAuthenticData);
    }

    [Fact]
    public async Task Cache_should_cache_nxdomain_with_a_soa_for_the_soa_minimum_and_not_without_one()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r => r.Name.StartsWith("nosoa") ? r.CreateReply(Rcode.NxDomain) : Backend.NxDomain(r, 3600, 60);
        var first = await h.QueryAsync(Q("nx.example.org."));
        Assert.Equal(ReturnCode.NxDomain, first.Rcode);
        Assert.Equal([60u], Ttls(first));
        clock.Advance(TimeSpan.FromSeconds(59));
        var hit = await h.QueryAsync(Q("nx.example.org."));
        Assert.Equal(ReturnCode.NxDomain, hit.Rcode);
        Assert.Single(hit.Message.AuthorityRecords);
        Assert.Equal([1u], Ttls(hit));
        Assert.Equal(1, store.DenialHits);
        Assert.Equal(1, b.Calls);

        await h.QueryAsync(Q("nosoa.example.org."));
        await h.QueryAsync(Q("nosoa.example.org."));
        Assert.Equal(3, b.Calls);
    }

    [Fact]
    public async Task Cache_should_cap_denials_at_the_denial_ttl()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache {\n denial 100 20\n }");
        await using var _ = h;
        b.Answer = r => Backend.NxDomain(r, 3600, 3600);
        var reply = await h.QueryAsync(Q("nx.example.org."));
        Assert.Equal(new[] { 20u }, Ttls(reply));
    }

    [Fact]
    public async Task Cache_should_cache_nodata_with_a_soa()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r => { var m = r.CreateReply(); m.Authority.Add(Backend.Soa("example.org.", 300, 300)); return m; };
        await h.QueryAsync(Q("www.example.org.", RrType.AAAA));
        var hit = await h.QueryAsync(Q("www.example.org.", RrType.AAAA));
        Assert.Equal(1, b.Calls);
        Assert.Empty(hit.Message.AnswerRecords);
        Assert.Single(hit.Message.AuthorityRecords);
    }

    [Theory]
    [InlineData("cache", 5)]
    [InlineData("cache {\n servfail 30s\n }", 30)]
    [InlineData("cache {\n servfail 0\n }", 0)]
    public async Task Cache_should_cache_a_servfail_reply_for_the_servfail_duration(string cache, int seconds)
    {
        var (h, _, clock, b) = CacheTestKit.Start(Sys, cache);
        await using var _ = h;
        b.Answer = r => r.CreateReply(Rcode.ServFail);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync(Q("www.example.org."))).Rcode);
        if (seconds > 0) clock.Advance(TimeSpan.FromSeconds(seconds - 1));
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync(Q("www.example.org."))).Rcode);
        Assert.Equal(seconds > 0 ? 1 : 2, b.Calls);
        clock.Advance(TimeSpan.FromSeconds(1));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(seconds > 0 ? 2 : 3, b.Calls);
    }

    [Fact]
    public async Task Cache_should_not_cache_a_failure_the_chain_did_not_write_as_a_reply()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r =>
        {
            var m = r.CreateReply(Rcode.ServFail);
            m.Error = "plugin/stub: no upstream";
            return m;
        };
        await h.QueryAsync(Q("www.example.org."));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(2, b.Calls);
    }

    [Fact]
    public async Task Cache_should_not_cache_truncated_replies_or_replies_to_another_question()
    {
        var (h, store, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r =>
        {
            var m = Backend.A(r, 300, "192.0.2.1");
            if (r.Name.StartsWith("tc")) m.Tc = true;
            if (r.Name.StartsWith("other"))
            {
                // A consistent reply, but to another question.
                m.QName = "elsewhere.example.org.";
                m.Answer[0] = DnsRecord.A(m.QName, 300, IPAddress.Parse("192.0.2.1"));
            }
            return m;
        };
        await h.QueryAsync(Q("tc.example.org."));
        await h.QueryAsync(Q("tc.example.org."));
        Assert.Equal(2, b.Calls);
        await h.QueryAsync(Q("other.example.org."));
        await h.QueryAsync(Q("other.example.org."));
        Assert.Equal(4, b.Calls);
        Assert.Equal(2, store.Drops);
    }

    [Fact]
    public async Task Cache_should_not_cache_a_cname_chain_that_stops_short_without_a_soa()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r =>
        {
            var m = r.CreateReply();
            m.Answer.Add(DnsRecord.Cname(r.Name, 300, "target.example.net."));
            return m;
        };
        await h.QueryAsync(Q("alias.example.org."));
        await h.QueryAsync(Q("alias.example.org."));
        Assert.Equal(2, b.Calls);
        await h.QueryAsync(Q("alias.example.org.", RrType.CNAME));
        await h.QueryAsync(Q("alias.example.org.", RrType.CNAME));
        Assert.Equal(3, b.Calls);
    }

    [Fact]
    public async Task Cache_should_only_cache_its_zones()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache sub.example.org");
        await using var _ = h;
        await h.QueryAsync(Q("a.sub.example.org."));
        await h.QueryAsync(Q("a.sub.example.org."));
        Assert.Equal(1, b.Calls);
        await h.QueryAsync(Q("www.example.org."));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(3, b.Calls);
    }

    [Theory]
    [InlineData("disable success", 2, 1)]
    [InlineData("disable denial", 1, 2)]
    [InlineData("disable denial other.example.org", 1, 1)]
    [InlineData("disable success example.org", 2, 1)]
    public async Task Cache_should_not_cache_what_disable_names(string line, int positiveCalls, int denialCalls)
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, $"cache {{\n {line}\n }}");
        await using var _ = h;
        b.Answer = r => r.Name.StartsWith("nx") ? Backend.NxDomain(r, 300, 300) : Backend.A(r, 300, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(positiveCalls, b.Calls);
        await h.QueryAsync(Q("nx.example.org."));
        await h.QueryAsync(Q("nx.example.org."));
        Assert.Equal(positiveCalls + denialCalls, b.Calls);
    }

    [Fact]
    public async Task Cache_should_hold_no_more_than_its_capacity_and_count_evictions()
    {
        var (h, store, _, _) = CacheTestKit.Start(Sys, "cache {\n success 1024\n }");
        await using var _ = h;
        const int names = 3000;
        for (var i = 0; i < names; i += 100)
            await Task.WhenAll(Enumerable.Range(i, 100).Select(n => h.QueryAsync(Q($"n{n}.example.org."))));
        Assert.True(store.Success.Count <= 1024, $"{store.Success.Count} entries");
        Assert.Equal(names, store.Success.Count + store.Success.Evictions);
        Assert.True(store.Success.Evictions >= names - 1024);
    }

    [Fact]
    public async Task Cache_should_send_a_thousand_identical_misses_down_the_chain_once()
    {
        var (h, store, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Hold = true;
        var replies = Enumerable.Range(0, 1000)
            .Select(i => h.QueryAsync(Q(i % 2 == 0 ? "www.example.org." : "WWW.EXAMPLE.ORG.") with { Id = (ushort)i }))
            .ToArray();
        AwaitCondition(() => store.Requests == 1000, TimeSpan.FromSeconds(10));
        Assert.Equal(1, b.Calls);
        Assert.Equal(999, store.SharedMisses);
        b.Release();
        var all = await Task.WhenAll(replies);
        Assert.Equal(1, b.Calls);
        for (var i = 0; i < all.Length; i++)
        {
            Assert.Equal((ushort)i, all[i].Message.TransactionID);
            Assert.Equal(i % 2 == 0 ? "www.example.org" : "WWW.EXAMPLE.ORG", all[i].Message.Questions[0].Name.ToString().TrimEnd('.'));
            Assert.Equal("192.0.2.1", FirstA(all[i]));
        }
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(1, b.Calls);
    }

    [Fact]
    public async Task Cache_should_not_wait_behind_a_leader_that_was_answered_before_it_reached_the_cache()
    {
        var (h, store, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        var dead = PipelineHarness.CreateRequest(Q("www.example.org.").Build(), DnsTransport.Udp, new RecordingTarget(1232))!;
        dead.Fail(Rcode.ServFail, "deadline");
        store.Flights[Akka.Dns.Plugins.Cache.CacheKey.Of(dead)] = new Akka.Dns.Plugins.Cache.Flight(dead);
        var reply = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal("192.0.2.1", FirstA(reply));
        Assert.Equal(1, b.Calls);
        Assert.Empty(store.Flights);
    }

    [Fact]
    public async Task Cache_should_not_share_hinfo_misses_so_a_loop_probe_reaches_the_loop_plugin_each_time()
    {
        var (h, store, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Hold = true;
        var replies = Enumerable.Range(0, 3).Select(_ => h.QueryAsync(Q("probe.example.org.", RrType.HINFO))).ToArray();
        AwaitCondition(() => store.Requests == 3, TimeSpan.FromSeconds(10));
        AwaitCondition(() => b.Calls == 3, TimeSpan.FromSeconds(10));
        Assert.Equal(0, store.SharedMisses);
        b.Release();
        await Task.WhenAll(replies);
    }

    [Fact]
    public async Task Cache_should_answer_every_one_of_many_concurrent_misses_with_its_own_name_and_ask_once_per_name()
    {
        var (h, _, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 300, "10.0.0." + r.Name.Split('.')[0][1..]);
        var queries = Enumerable.Range(0, 2000).Select(i => (Name: $"n{i % 40}.example.org.", Id: (ushort)i)).ToArray();
        var replies = await Task.WhenAll(queries.Select(q => h.QueryAsync(Q(q.Name) with { Id = q.Id })));
        for (var i = 0; i < queries.Length; i++)
        {
            Assert.Equal(queries[i].Id, replies[i].Message.TransactionID);
            Assert.Equal("10.0.0." + (i % 40), FirstA(replies[i]));
        }
        Assert.Equal(40, b.Calls);
    }

    [Fact]
    public async Task Cache_should_prefetch_a_popular_entry_when_its_ttl_falls_below_the_percentage()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n prefetch 2 1m 50%\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 100, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(40));   // 60 left: above 50%
        await h.QueryAsync(Q("www.example.org."));
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(1, b.Calls);
        clock.Advance(TimeSpan.FromSeconds(20));   // 40 left, two hits within a minute
        b.Answer = r => Backend.A(r, 100, "192.0.2.2");
        var hit = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal("192.0.2.1", FirstA(hit));
        AwaitCondition(() => b.Calls == 2 && store.Peek(new Akka.Dns.Plugins.Cache.CacheKey("www.example.org.", RrType.A, RrClass.IN, false, false))!.Ttl(store.Now, store.Frequency) == 100, TimeSpan.FromSeconds(10));
        Assert.Equal(1, store.Prefetches);
        var fresh = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal("192.0.2.2", FirstA(fresh));
        Assert.Equal([100u], Ttls(fresh));
        Assert.True(b.Seen.Last().Query.Ad, "the refresh asks with AD set");
    }

    [Fact]
    public async Task Cache_should_not_prefetch_an_entry_hit_less_than_the_amount()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n prefetch 3 1m 50%\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 100, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(70));
        await h.QueryAsync(Q("www.example.org."));   // the last hit was over a minute ago: a new run
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(0, store.Prefetches);
        Assert.Equal(1, b.Calls);
    }

    [Fact]
    public async Task Cache_should_serve_stale_immediately_and_refresh_in_the_background()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1h immediate 30s\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(20));
        b.Hold = true;
        b.Answer = r => Backend.A(r, 10, "192.0.2.2");
        var stale = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal("192.0.2.1", FirstA(stale));
        Assert.Equal([30u], Ttls(stale));
        // One refresh in flight however many stale hits.
        await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(2, b.Calls);
        Assert.Equal(2, store.ServedStale);
        b.Release();
        AwaitCondition(() => FirstA(h.QueryAsync(Q("www.example.org.")).Result) == "192.0.2.2", TimeSpan.FromSeconds(10));
        Assert.Equal(2, b.Calls);
    }

    [Fact]
    public async Task Cache_should_keep_the_stale_entry_when_the_refresh_fails_and_honour_the_failure_recheck()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1h immediate 0 30s\n servfail 0\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(20));
        b.Answer = r => r.CreateReply(Rcode.ServFail);
        var stale = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal("192.0.2.1", FirstA(stale));
        Assert.Equal([0u], Ttls(stale));
        AwaitCondition(() => b.Calls == 2, TimeSpan.FromSeconds(10));
        AwaitCondition(() => store.Prefetches == 1 && FirstA(h.QueryAsync(Q("www.example.org.")).Result) == "192.0.2.1", TimeSpan.FromSeconds(10));
        Assert.Equal(2, b.Calls);   // within the recheck: no new refresh
        clock.Advance(TimeSpan.FromSeconds(30));
        await h.QueryAsync(Q("www.example.org."));
        AwaitCondition(() => b.Calls == 3, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Cache_should_not_serve_entries_stale_beyond_the_serve_stale_duration()
    {
        var (h, _, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1m\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(80));
        b.Answer = r => Backend.A(r, 10, "192.0.2.2");
        Assert.Equal("192.0.2.2", FirstA(await h.QueryAsync(Q("www.example.org."))));
    }

    [Fact]
    public async Task Cache_should_verify_before_serving_stale_in_verify_mode()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1h verify\n servfail 0\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(20));

        b.Answer = r => r.CreateReply(Rcode.ServFail);
        var stale = await h.QueryAsync(Q("www.example.org.") with { Id = 77 });
        Assert.Equal(77, stale.Message.TransactionID);
        Assert.Equal(ReturnCode.NoError, stale.Rcode);
        Assert.Equal("192.0.2.1", FirstA(stale));
        Assert.Equal(2, b.Calls);
        Assert.Equal(1, store.ServedStale);

        b.Answer = r => Backend.A(r, 10, "192.0.2.2");
        var fresh = await h.QueryAsync(Q("www.example.org.") with { Id = 78 });
        Assert.Equal(78, fresh.Message.TransactionID);
        Assert.Equal("192.0.2.2", FirstA(fresh));
        Assert.Equal([10u], Ttls(fresh));
        Assert.Equal(1, store.ServedStale);
        Assert.Equal("192.0.2.2", FirstA(await h.QueryAsync(Q("www.example.org."))));
        Assert.Equal(3, b.Calls);
    }

    [Fact]
    public async Task Cache_should_serve_stale_after_the_verify_timeout_and_still_store_the_late_refresh()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1h verify 50ms\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(20));
        b.Hold = true;
        b.Answer = r => Backend.A(r, 10, "192.0.2.2");
        var stale = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal("192.0.2.1", FirstA(stale));
        b.Release();
        AwaitCondition(() => FirstA(h.QueryAsync(Q("www.example.org.")).Result) == "192.0.2.2", TimeSpan.FromSeconds(10));
        Assert.Equal(1, store.ServedStale);
    }

    [Fact]
    public async Task Cache_should_serve_stale_before_the_request_deadline_when_verify_has_no_timeout()
    {
        var (h, store, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1h verify\n }");
        await using var _ = h;
        // The stale fallback comes at three quarters of this; the request deadline (5 s) stays far behind it.
        store.RefreshTimeout = TimeSpan.FromMilliseconds(200);
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(20));
        b.Hold = true;   // the refresh never comes back
        var stale = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(ReturnCode.NoError, stale.Rcode);
        Assert.Equal("192.0.2.1", FirstA(stale));
        Assert.Equal(1, store.ServedStale);
    }

    [Fact]
    public async Task Cache_should_prefer_a_positive_answer_over_a_denial_with_prefer_positive()
    {
        var (h, _, clock, b) = CacheTestKit.Start(Sys, "cache {\n serve_stale 1h\n serve_stale_policy prefer_positive\n }");
        await using var _ = h;
        b.Answer = r => Backend.A(r, 10, "192.0.2.1");
        await h.QueryAsync(Q("www.example.org."));
        clock.Advance(TimeSpan.FromSeconds(20));
        // The background refresh gets NXDOMAIN: it is cached as a denial, but the positive answer still wins.
        b.Answer = r => Backend.NxDomain(r, 300, 300);
        Assert.Equal("192.0.2.1", FirstA(await h.QueryAsync(Q("www.example.org."))));
        AwaitCondition(() => b.Calls == 2, TimeSpan.FromSeconds(10));
        var again = await h.QueryAsync(Q("www.example.org."));
        Assert.Equal(ReturnCode.NoError, again.Rcode);
        Assert.Equal("192.0.2.1", FirstA(again));
    }

    [Fact]
    public async Task Cache_should_pass_zone_transfers_on_without_caching_them()
    {
        var (h, store, _, b) = CacheTestKit.Start(Sys, "cache");
        await using var _ = h;
        await h.QueryAsync(Q("example.org.", RrType.AXFR), DnsTransport.Tcp);
        await h.QueryAsync(Q("example.org.", RrType.AXFR), DnsTransport.Tcp);
        Assert.Equal(2, b.Calls);
        Assert.Equal(0, store.Requests);
    }
}
