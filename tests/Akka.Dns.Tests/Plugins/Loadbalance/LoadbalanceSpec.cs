using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Loadbalance;

public sealed class LoadbalanceSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>CoreDNS's TestLoadBalanceRandom answers, as zone text: mixed.test answers CNAME, A, MX mixed, with extras.</summary>
    private const string Zone = """
        mixed.test. 300 IN MX 1 mx1.test.
        mixed.test. 300 IN A 10.240.0.1
        mixed.test. 300 IN A 10.240.0.2
        mixed.test. 300 IN MX 1 mx2.test.
        mixed.test. 300 IN CNAME cname3.test.
        mixed.test. 300 IN A 10.240.0.3
        mixed.test. 300 IN MX 1 mx3.test.
        mixed.test. 300 IN TXT "t"
        extra.mixed.test. 300 IN A 10.240.0.1
        extra.mixed.test. 300 IN AAAA ::1
        extra.mixed.test. 300 IN MX 1 mx1.test.
        extra.mixed.test. 300 IN CNAME cname3.test.
        extra.mixed.test. 300 IN MX 1 mx2.test.
        extra.mixed.test. 300 IN A 10.240.0.3
        extra.mixed.test. 300 IN AAAA ::2
        extra.mixed.test. 300 IN MX 1 mx3.test.
        two.test. 300 IN A 10.0.0.1
        two.test. 300 IN A 10.0.0.2
        many.test. 300 IN A 10.0.0.1
        many.test. 300 IN A 10.0.0.2
        many.test. 300 IN A 10.0.0.3
        many.test. 300 IN A 10.0.0.4
        pref.test. 300 IN A 10.0.0.1
        pref.test. 300 IN A 192.168.1.5
        pref.test. 300 IN MX 1 mx1.test.
        pref.test. 300 IN AAAA 2001:db8::1
        pref.test. 300 IN A 10.9.20.7
        pref.test. 300 IN CNAME c.test.
        pref.test. 300 IN A 172.16.0.1
        www.example.com. 300 IN A 100.64.1.1
        www.example.com. 300 IN A 100.64.1.2
        www.example.com. 300 IN A 100.64.1.3
        www.example.com. 300 IN CNAME x.example.com.
        """;

    private PipelineHarness Start(string directive) =>
        PipelineHarness.Start(Sys, $". {{\n {directive}\n records\n}}\n", RecordsSetup.Catalog(Zone));

    private static string Kinds(IEnumerable<DnsRecordBase> records) =>
        string.Concat(records.Select(r => r.RecordType switch
        {
            RecordType.CName => 'C',
            RecordType.A or RecordType.Aaaa => 'A',
            RecordType.Mx => 'M',
            _ => 'R',
        }));

    /// <summary>CoreDNS's TestLoadBalanceRandom: CNAMEs first, other types, then addresses, then MX, in every section, whatever the shuffle.</summary>
    [Fact]
    public async Task Loadbalance_should_sort_cnames_first_then_other_types_addresses_and_mx()
    {
        await using var h = Start("loadbalance");
        for (var i = 0; i < 10; i++)
        {
            var m = (await h.QueryAsync("mixed.test.", RrType.SRV)).Message;
            Assert.Equal("CRAAAMMM", Kinds(m.AnswerRecords));
            Assert.Equal("CAAAAMMM", Kinds(m.AdditionalRecords.Where(r => r.RecordType != RecordType.Opt)));
        }
    }

    [Theory]
    [InlineData("two.test.", 2)]
    [InlineData("many.test.", 4)]
    public async Task Loadbalance_should_shuffle_address_answers_into_every_order_in_time(string name, int count)
    {
        await using var h = Start("loadbalance round_robin");
        var firsts = new HashSet<string>();
        var orders = new HashSet<string>();
        for (var i = 0; i < 200 && firsts.Count < count; i++)
        {
            var m = (await h.QueryAsync(name)).Message;
            var ips = m.AnswerRecords.Cast<ARecord>().Select(a => a.Address.ToString()).ToList();
            Assert.Equal(count, ips.Distinct().Count());
            firsts.Add(ips[0]);
            orders.Add(string.Join(",", ips));
        }
        Assert.Equal(count, firsts.Count);
    }

    [Fact]
    public async Task Loadbalance_should_leave_error_replies_alone()
    {
        await using var h = Start("loadbalance");
        var m = (await h.QueryAsync("nothing.test.")).Message;
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
    }

    /// <summary>CoreDNS's prefer_test: CNAMEs, preferred subnets in their order, other addresses, MX, the rest.</summary>
    [Fact]
    public async Task Loadbalance_should_put_addresses_in_preferred_subnets_first_in_subnet_order()
    {
        await using var h = Start("loadbalance round_robin {\n  prefer 10.9.20.0/24 192.168.1.0/24 2001:db8::/32\n }");
        for (var i = 0; i < 10; i++)
        {
            var m = (await h.QueryAsync("pref.test.")).Message;
            Assert.Equal("CAAAAAM", Kinds(m.AnswerRecords));
            var addrs = m.AnswerRecords.Skip(1).Take(5).Select(r => r switch { ARecord a => a.Address.ToString(), AaaaRecord a => a.Address.ToString(), _ => "" }).ToList();
            Assert.Equal(["10.9.20.7", "192.168.1.5", "2001:db8::1"], addrs.Take(3));
            Assert.Equal(["10.0.0.1", "172.16.0.1"], addrs.Skip(3).Order());
        }
    }

    /// <summary>CoreDNS's weighted_test: the top address follows the weights (3:1:2 here; weight 0 is impossible, so heavy vs light).</summary>
    [Fact]
    public async Task Loadbalance_should_put_the_heaviest_address_on_top_most_often_with_weighted()
    {
        var file = Path.GetTempFileName();
        await System.IO.File.WriteAllTextAsync(file, "www.example.com\n100.64.1.1 255\n100.64.1.2 1\n100.64.1.3 1\n");
        await using var h = Start($"loadbalance weighted {file} {{\n  reload 0s\n }}");
        await h.StartPluginsAsync(Sys);
        var top = new Dictionary<string, int>();
        for (var i = 0; i < 100; i++)
        {
            var m = (await h.QueryAsync("www.example.com.")).Message;
            Assert.Equal("CAAA", Kinds(m.AnswerRecords));
            var first = ((ARecord)m.AnswerRecords[1]).Address.ToString();
            top[first] = top.GetValueOrDefault(first) + 1;
        }
        // P(other than .1 on top) = 2/257 per query: over 100 queries, below 20 with overwhelming probability.
        Assert.True(top.GetValueOrDefault("100.64.1.1") > 80, string.Join(",", top));
        System.IO.File.Delete(file);
    }

    [Fact]
    public async Task Loadbalance_should_reload_a_changed_weight_file()
    {
        var file = Path.GetTempFileName();
        await System.IO.File.WriteAllTextAsync(file, "www.example.com\n100.64.1.1 255\n");
        var store = new Akka.Dns.Plugins.Loadbalance.WeightStore(file, TimeSpan.Zero);
        store.Start();
        Assert.Equal(255, store.Current["www.example.com."][0].Weight);
        await System.IO.File.WriteAllTextAsync(file, "www.example.com\n100.64.1.2 7\n");
        Assert.Null(store.Update(out _));
        Assert.Equal(7, store.Current["www.example.com."][0].Weight);
        await System.IO.File.WriteAllTextAsync(file, "www.example.com\nbad 7\n");
        Assert.NotNull(store.Update(out _));
        Assert.Equal(7, store.Current["www.example.com."][0].Weight);
        System.IO.File.Delete(file);
        Assert.Equal("weight file open error", store.Update(out var openFailed));
        Assert.True(openFailed);
    }

    [Fact]
    public async Task Loadbalance_should_fail_start_up_on_a_bad_weight_file()
    {
        var file = Path.GetTempFileName();
        await System.IO.File.WriteAllTextAsync(file, "10.0.0.1 1\n");
        await using var h = Start($"loadbalance weighted {file}");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => h.StartPluginsAsync(Sys));
        Assert.Equal($"plugin/loadbalance: missing domain name in weight file {file}", e.Message);
        System.IO.File.Delete(file);
    }

    [Fact]
    public async Task Loadbalance_should_not_touch_axfr()
    {
        await using var h = Start("loadbalance");
        var m = (await h.QueryAsync(new QueryBuilder("mixed.test.", RrType.AXFR), DnsTransport.Tcp)).Message;
        Assert.Equal("MAAMCAMR", Kinds(m.AnswerRecords));
    }
}
