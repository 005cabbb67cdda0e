using System.Buffers.Binary;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Forward;

public sealed class ForwardSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private readonly ITestOutputHelper _log = output;

    private static IPAddress Ip(int i) => IPAddress.Parse($"192.0.2.{i + 1}");

    private static async Task<FakeUpstream[]> Upstreams(params Misbehaviour[] modes)
    {
        var list = new FakeUpstream[modes.Length];
        for (var i = 0; i < modes.Length; i++) list[i] = new FakeUpstream(Ip(i)) { Mode = modes[i] };
        await Task.Yield();
        return list;
    }

    private static async Task Stop(IEnumerable<FakeUpstream> ups)
    {
        foreach (var u in ups) await u.DisposeAsync();
    }

    private static string Tos(IEnumerable<FakeUpstream> ups) => string.Join(" ", ups.Select(u => u.Endpoint));

    private static string? AnswerOf(Reply r) => r.Message.AnswerRecords.OfType<ARecord>().SingleOrDefault()?.Address.ToString();

    /// <summary>
    /// Upstreams that misbehave, in sequential order: the client gets the first healthy upstream's answer (its
    /// index) or SERVFAIL (-1), and never the bogus address a misbehaving upstream sends.
    /// </summary>
    public static TheoryData<string, Misbehaviour[], string, int> Faults => new()
    {
        { "answers", [Misbehaviour.Answer, Misbehaviour.Answer], "", 0 },
        { "drops", [Misbehaviour.Drop, Misbehaviour.Answer], "", 1 },
        { "delays past read_timeout", [Misbehaviour.Delay, Misbehaviour.Answer], "", 1 },
        { "wrong id", [Misbehaviour.WrongId, Misbehaviour.Answer], "", 1 },
        { "wrong question", [Misbehaviour.WrongQuestion, Misbehaviour.Answer], "", 1 },
        { "spoofs before the right answer", [Misbehaviour.SpoofThenAnswer, Misbehaviour.Answer], "", 0 },
        { "truncates (retried over TCP)", [Misbehaviour.Truncate, Misbehaviour.Answer], "", 0 },
        { "all drop", [Misbehaviour.Drop, Misbehaviour.Drop], "", -1 },
        { "all wrong id", [Misbehaviour.WrongId, Misbehaviour.WrongQuestion], "", -1 },
        { "servfail passed on", [Misbehaviour.Rcode, Misbehaviour.Answer], "", -2 },
        { "servfail with failover", [Misbehaviour.Rcode, Misbehaviour.Answer], "failover SERVFAIL", 1 },
        { "drops with force_tcp", [Misbehaviour.Drop, Misbehaviour.Answer], "force_tcp", 1 },
        { "wrong question over tcp", [Misbehaviour.WrongQuestion, Misbehaviour.Answer], "force_tcp", 1 },
    };

    [Theory, MemberData(nameof(Faults))]
    public async Task Forward_should_answer_from_the_next_healthy_upstream_or_servfail_never_wrong(string why, Misbehaviour[] modes, string extra, int expected)
    {
        var ups = await Upstreams(modes);
        try
        {
            foreach (var u in ups) u.Delay = TimeSpan.FromMilliseconds(600);
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  policy sequential\n  read_timeout 250ms\n  {extra}\n }}\n}}\n");
            var reply = await h.QueryAsync("example.org.");
            _log.WriteLine($"{why}: {reply}");
            Assert.DoesNotContain(FakeUpstream.Bogus.ToString(), reply.ToString());
            switch (expected)
            {
                case -1:
                    Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
                    Assert.Empty(reply.Message.AnswerRecords);
                    break;
                case -2:
                    Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
                    Assert.Equal(1, ups[0].Queries);
                    Assert.Equal(0, ups[1].Queries);
                    break;
                default:
                    Assert.Equal(ReturnCode.NoError, reply.Rcode);
                    Assert.Equal(Ip(expected).ToString(), AnswerOf(reply));
                    Assert.Equal(0x1234, reply.Message.TransactionID);
                    break;
            }
        }
        finally
        {
            await Stop(ups);
        }
    }

    /// <summary>
    /// With the defaults (read_timeout 2 s, the server's request-timeout): the first upstream never answers, forward
    /// waits its read timeout and fails over within its 5 s budget, and the server's deadline must not cut it short.
    /// </summary>
    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task Forward_should_fail_over_from_a_silent_upstream_with_default_timeouts_before_the_request_deadline(DnsTransport transport)
    {
        var ups = await Upstreams(Misbehaviour.Drop, Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  policy sequential\n }}\n}}\n");
            var reply = await h.QueryAsync("example.org.", transport: transport);
            _log.WriteLine(reply.ToString());
            Assert.Equal(ReturnCode.NoError, reply.Rcode);
            Assert.Equal(Ip(1).ToString(), AnswerOf(reply));
            Assert.Equal(1, ups[0].Queries);
            Assert.Equal(1, ups[1].Queries);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task Forward_should_answer_servfail_by_the_request_deadline_when_every_upstream_is_silent(DnsTransport transport)
    {
        var ups = await Upstreams(Misbehaviour.Drop, Misbehaviour.Drop);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)}\n}}\n");
            var reply = await h.QueryAsync("example.org.", transport: transport); // the harness gives up after 10 s
            Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_drop_and_count_replies_with_a_wrong_id_or_question()
    {
        var ups = await Upstreams(Misbehaviour.SpoofThenAnswer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)}\n}}\n");
            Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync("example.org.")));
            var up = h.Plan.Blocks[0].Plugins.OfType<Akka.Dns.Plugins.Forward.ForwardPlugin>().Single().Stanzas[0].Upstreams[0];
            await AwaitAssertAsync(() => Assert.Equal(2, up.Dropped));
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_retry_a_truncated_udp_answer_over_tcp()
    {
        var ups = await Upstreams(Misbehaviour.Truncate);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)}\n}}\n");
            var reply = await h.QueryAsync("example.org.");
            Assert.Equal(Ip(0).ToString(), AnswerOf(reply));
            Assert.False(reply.Message.IsTruncated);
            Assert.Equal(1, ups[0].UdpQueries);
            Assert.Equal(1, ups[0].TcpQueries);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Theory]
    [InlineData("", DnsTransport.Udp, true)]
    [InlineData("", DnsTransport.Tcp, false)]
    [InlineData("force_tcp", DnsTransport.Udp, false)]
    [InlineData("prefer_udp", DnsTransport.Tcp, true)]
    [InlineData("force_tcp\n  prefer_udp", DnsTransport.Udp, false)]
    public async Task Forward_should_pick_the_upstream_transport_like_coredns(string property, DnsTransport client, bool udp)
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  {property}\n }}\n}}\n");
            var reply = await h.QueryAsync("example.org.", transport: client);
            Assert.Equal(Ip(0).ToString(), AnswerOf(reply));
            Assert.Equal(udp ? 1 : 0, ups[0].UdpQueries);
            Assert.Equal(udp ? 0 : 1, ups[0].TcpQueries);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_reuse_pooled_tcp_connections()
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  force_tcp\n }}\n}}\n");
            for (var i = 0; i < 5; i++) Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync($"q{i}.example.org.")));
            Assert.Equal(5, ups[0].TcpQueries);
            Assert.Equal(1, ups[0].TcpConnections);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public async Task Forward_should_match_every_reply_to_its_own_query_under_load(DnsTransport transport)
    {
        var ups = await Upstreams(Misbehaviour.Answer, Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)}\n}}\n");
            var names = Enumerable.Range(0, 400).Select(i => $"n{i}.example.org.").ToArray();
            var replies = await Task.WhenAll(names.Select(n => h.QueryAsync(n, transport: transport)));
            for (var i = 0; i < names.Length; i++)
            {
                Assert.Equal(ReturnCode.NoError, replies[i].Rcode);
                Assert.Equal(names[i], replies[i].Message.Questions[0].Name.ToString());
                Assert.Equal(names[i], replies[i].Message.AnswerRecords[0].Name.ToString());
            }
            Assert.Equal(names.Length, ups.Sum(u => u.Queries));
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_redial_when_the_upstream_closed_a_pooled_connection()
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            ups[0].CloseAfterAnswer = true;
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  force_tcp\n }}\n}}\n");
            for (var i = 0; i < 3; i++) Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync($"q{i}.example.org.")));
            Assert.Equal(3, ups[0].TcpQueries);
            Assert.Equal(3, ups[0].TcpConnections);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_not_reuse_a_connection_idle_longer_than_expire()
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  force_tcp\n  expire 50ms\n }}\n}}\n");
            Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync("a.example.org.")));
            await Task.Delay(200);
            Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync("b.example.org.")));
            Assert.Equal(2, ups[0].TcpConnections);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_forward_chaos_class_queries_from_the_source_address()
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  source_address 127.0.0.1\n }}\n}}\n");
            var reply = await h.QueryAsync("version.bind.", RrType.TXT, RrClass.CH);
            Assert.Equal(ReturnCode.NoError, reply.Rcode);
            var sent = DnsMessage.Parse(ups[0].LastQuery!);
            Assert.Equal(RecordClass.Chaos, sent.Questions[0].RecordClass);
            Assert.Equal(RecordType.Txt, sent.Questions[0].RecordType);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_send_a_new_id_the_client_edns_and_no_tsig()
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)}\n}}\n");
            var q = new QueryBuilder("example.org.") { UdpSize = 1400, Do = true, Options = [(EdnsOption.Cookie, [1, 2, 3, 4, 5, 6, 7, 8])] }.Build();
            // Append a TSIG record after the OPT (a signed query): it must not reach the upstream.
            var tsig = new byte[] { 3, (byte)'k', (byte)'e', (byte)'y', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 2, 0xAB, 0xCD };
            var signed = new byte[q.Length + tsig.Length];
            q.CopyTo(signed, 0);
            tsig.CopyTo(signed, q.Length);
            BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(10)) + 1));
            var reply = await h.SendAsync(signed);
            Assert.Equal(Ip(0).ToString(), AnswerOf(reply));
            Assert.Equal(0x1234, reply.Message.TransactionID);

            var sent = DnsMessage.Parse(ups[0].LastQuery!);
            Assert.NotEqual(0x1234, sent.TransactionID);
            Assert.Single(sent.AdditionalRecords);
            var opt = Assert.IsType<OptRecord>(sent.AdditionalRecords[0]);
            Assert.Equal(1400, opt.UdpPayloadSize);
            Assert.True(opt.IsDnsSecOk);
            Assert.Contains(opt.Options, o => o.Type == EDnsOptionType.Cookie);
            Assert.True(sent.IsRecursionDesired);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_send_no_opt_when_the_client_sent_none()
    {
        var ups = await Upstreams(Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)}\n}}\n");
            var reply = await h.QueryAsync("example.org.");
            Assert.Equal(Ip(0).ToString(), AnswerOf(reply));
            Assert.Empty(DnsMessage.Parse(ups[0].LastQuery!).AdditionalRecords);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_refuse_queries_past_max_concurrent()
    {
        var ups = await Upstreams(Misbehaviour.Delay);
        try
        {
            ups[0].Delay = TimeSpan.FromMilliseconds(500);
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  max_concurrent 1\n }}\n}}\n");
            var first = h.QueryAsync("a.example.org.");
            await AwaitAssertAsync(() => Assert.Equal(1, ups[0].Queries));
            var second = await h.QueryAsync("b.example.org.");
            Assert.Equal(ReturnCode.Refused, second.Rcode);
            Assert.Equal(Ip(0).ToString(), AnswerOf(await first));
            Assert.Equal(1, ups[0].Queries);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Theory]
    [InlineData("next NXDOMAIN", 3, 1)]
    [InlineData("next NXDOMAIN SERVFAIL", 2, 1)]
    [InlineData("next SERVFAIL", 3, -1)]
    [InlineData("next_on_nodata", -1, 1)]
    public async Task Forward_should_hand_next_rcodes_to_the_following_forward(string property, int rcode, int expected)
    {
        var ups = await Upstreams(rcode < 0 ? Misbehaviour.NoData : Misbehaviour.Rcode, Misbehaviour.Answer);
        try
        {
            ups[0].Rcode = Math.Max(rcode, 0);
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {ups[0].Endpoint} {{\n  {property}\n }}\n forward . {ups[1].Endpoint}\n}}\n");
            var reply = await h.QueryAsync("example.org.");
            if (expected < 0)
            {
                Assert.Equal((ReturnCode)rcode, reply.Rcode);
                Assert.Equal(0, ups[1].Queries);
            }
            else
            {
                Assert.Equal(Ip(expected).ToString(), AnswerOf(reply));
            }
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_evaluate_stanzas_in_order_by_from_and_except()
    {
        var ups = await Upstreams(Misbehaviour.Answer, Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys,
                $". {{\n forward lab.example.org {ups[0].Endpoint}\n forward . {ups[1].Endpoint} {{\n  except private.example.org\n }}\n whoami\n}}\n");
            Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync("host.lab.example.org.")));
            Assert.Equal(Ip(1).ToString(), AnswerOf(await h.QueryAsync("host.example.org.")));
            var excepted = await h.QueryAsync("a.private.example.org.");
            Assert.Null(AnswerOf(excepted)); // whoami answered (its A is in the additional section)
            Assert.Equal(1, ups[0].Queries);
            Assert.Equal(1, ups[1].Queries);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_spread_queries_round_robin()
    {
        var ups = await Upstreams(Misbehaviour.Answer, Misbehaviour.Answer, Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys, $". {{\n forward . {Tos(ups)} {{\n  policy round_robin\n }}\n}}\n");
            for (var i = 0; i < 6; i++) await h.QueryAsync($"q{i}.example.org.");
            Assert.All(ups, u => Assert.Equal(2, u.Queries));
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_mark_a_failing_upstream_down_and_up_again()
    {
        var ups = await Upstreams(Misbehaviour.Drop, Misbehaviour.Answer);
        try
        {
            await using var h = PipelineHarness.Start(Sys,
                $". {{\n forward . {Tos(ups)} {{\n  policy sequential\n  max_fails 1\n  health_check 100ms\n  read_timeout 200ms\n }}\n}}\n");
            await h.StartPluginsAsync(Sys);
            var plugin = h.Plan.Blocks[0].Plugins.OfType<Akka.Dns.Plugins.Forward.ForwardPlugin>().Single();
            var first = plugin.Stanzas[0].Upstreams[0];
            Assert.Equal(Ip(1).ToString(), AnswerOf(await h.QueryAsync("a.example.org.")));
            await AwaitAssertAsync(() => Assert.True(first.Down(1)), TimeSpan.FromSeconds(5));

            // Down: skipped without a query.
            var before = ups[0].DataQueries;
            Assert.Equal(Ip(1).ToString(), AnswerOf(await h.QueryAsync("b.example.org.")));
            Assert.Equal(before, ups[0].DataQueries);

            // It answers again: the running health check marks it up and queries go back to it.
            ups[0].Mode = Misbehaviour.Answer;
            await AwaitAssertAsync(() => Assert.False(first.Down(1)), TimeSpan.FromSeconds(5));
            Assert.Equal(Ip(0).ToString(), AnswerOf(await h.QueryAsync("c.example.org.")));
            Assert.Equal(before + 1, ups[0].DataQueries);
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_failfast_when_every_upstream_is_down()
    {
        var ups = await Upstreams(Misbehaviour.Drop);
        try
        {
            await using var h = PipelineHarness.Start(Sys,
                $". {{\n forward . {Tos(ups)} {{\n  max_fails 1\n  health_check 100ms\n  read_timeout 200ms\n  failfast_all_unhealthy_upstreams\n }}\n}}\n");
            await h.StartPluginsAsync(Sys);
            var up = h.Plan.Blocks[0].Plugins.OfType<Akka.Dns.Plugins.Forward.ForwardPlugin>().Single().Stanzas[0].Upstreams[0];
            Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync("a.example.org.")).Rcode);
            await AwaitAssertAsync(() => Assert.True(up.Down(1)), TimeSpan.FromSeconds(5));
            var queries = ups[0].DataQueries;
            var reply = await h.QueryAsync("b.example.org.");
            Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
            Assert.Equal(queries, ups[0].DataQueries); // not sent: the health checks (NS) go on
        }
        finally
        {
            await Stop(ups);
        }
    }

    [Fact]
    public async Task Forward_should_send_health_checks_for_the_configured_domain_without_rd()
    {
        var ups = await Upstreams(Misbehaviour.Drop);
        try
        {
            await using var h = PipelineHarness.Start(Sys,
                $". {{\n forward . {Tos(ups)} {{\n  health_check 100ms no_rec domain health.example.org\n  read_timeout 200ms\n }}\n}}\n");
            await h.StartPluginsAsync(Sys);
            await h.QueryAsync("a.example.org.");
            await AwaitAssertAsync(() =>
            {
                var m = DnsMessage.Parse(ups[0].LastQuery!);
                Assert.Equal(RecordType.Ns, m.Questions[0].RecordType);
                Assert.Equal("health.example.org", m.Questions[0].Name.ToString().TrimEnd('.'));
                Assert.False(m.IsRecursionDesired);
            }, TimeSpan.FromSeconds(5));
        }
        finally
        {
            await Stop(ups);
        }
    }
}
