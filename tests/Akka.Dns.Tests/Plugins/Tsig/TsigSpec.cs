using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.Plugins.Transfer;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Tests.Wire;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;
using WireTsig = Akka.Dns.Wire.Tsig;

namespace Akka.Dns.Tests.Plugins.Tsig;

public sealed class TsigSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string KeyName = "tsig-key.example.";
    private const string SecretText = "NoTCJU+DMqFWywaPyxSijrDEA/eC3nK0xi3AMEZuPVk=";
    private static readonly byte[] Secret = Convert.FromBase64String(SecretText);
    private static readonly byte[] OtherSecret = Convert.FromBase64String("X28hl0BOfAL5G0jsmJWSacrwn7YRm2f6U5brnzwWEus=");

    private static string Corefile(string require = "none", string zones = "") =>
        $"example.org {{\n tsig {zones} {{\n  secret {KeyName} {SecretText}\n  require {require}\n }}\n whoami\n}}\n";

    private static byte[] Signed(string name = "whoami.example.org.", RecordType type = RecordType.A, string keyName = KeyName,
        TsigAlgorithm? algorithm = null, byte[]? secret = null, DateTime? time = null) =>
        ArsoftTsig.SignedQuery(name, type, keyName, algorithm ?? TsigAlgorithm.HmacSha256, secret ?? Secret, time);

    /// <summary>Sends a raw packet and reads <paramref name="count"/> replies (more than one for a transfer).</summary>
    private static async Task<List<Reply>> Send(PipelineHarness h, byte[] packet, DnsTransport transport = DnsTransport.Udp, int count = 1)
    {
        var target = new RecordingTarget(transport == DnsTransport.Udp ? 1232 : 65535);
        var request = PipelineHarness.CreateRequest(packet, transport, target) ?? throw new InvalidOperationException("query not accepted");
        h.Dispatchers.First().Dispatch(request, 0);
        var replies = new List<Reply>();
        for (var i = 0; i < count; i++) replies.Add(await target.NextAsync(TimeSpan.FromSeconds(10)));
        return replies;
    }

    private static TsigRecord TsigOf(Reply reply)
    {
        Assert.Equal(TsigReadResult.Ok, WireTsig.TryRead(reply.Wire, out var tsig));
        return tsig!;
    }

    private static TsigRecord RequestTsig(byte[] packet)
    {
        Assert.Equal(TsigReadResult.Ok, WireTsig.TryRead(packet, out var tsig));
        return tsig!;
    }

    [Fact]
    public async Task Tsig_should_refuse_an_unsigned_request_when_signing_is_required()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile("all"));
        var reply = await h.QueryAsync("whoami.example.org.");
        Assert.Equal(ReturnCode.Refused, reply.Rcode);
        Assert.Equal(TsigReadResult.None, WireTsig.TryRead(reply.Wire, out _));
    }

    [Theory]
    [InlineData("AXFR", RrType.A, ReturnCode.NoError)]
    [InlineData("AXFR", RrType.AXFR, ReturnCode.Refused)]
    [InlineData("A AAAA", RrType.AAAA, ReturnCode.Refused)]
    [InlineData("none", RrType.A, ReturnCode.NoError)]
    public async Task Tsig_should_refuse_only_the_required_query_types(string require, ushort qtype, ReturnCode expected)
    {
        await using var h = PipelineHarness.Start(Sys, Corefile(require));
        var reply = await h.QueryAsync("whoami.example.org.", qtype, transport: DnsTransport.Tcp);
        Assert.Equal(expected, reply.Rcode);
    }

    [Fact]
    public async Task Tsig_should_refuse_an_unsigned_request_with_a_required_opcode()
    {
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n tsig {{\n  secret {KeyName} {SecretText}\n  require_opcode NOTIFY\n }}\n whoami\n}}\n");
        var notify = await h.QueryAsync(new QueryBuilder("example.org.", RrType.SOA) { Opcode = Opcode.Notify });
        Assert.Equal(ReturnCode.Refused, notify.Rcode);
        var query = await h.QueryAsync("whoami.example.org.");
        Assert.Equal(ReturnCode.NoError, query.Rcode);
    }

    [Fact]
    public async Task Tsig_should_pass_requests_outside_its_zones_untouched()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile("all", "sub.example.org"));
        var outside = await h.QueryAsync("whoami.example.org.");
        Assert.Equal(ReturnCode.NoError, outside.Rcode);
        var inside = await h.QueryAsync("a.sub.example.org.");
        Assert.Equal(ReturnCode.Refused, inside.Rcode);
    }

    [Theory]
    [MemberData(nameof(Akka.Dns.Tests.Wire.TsigSpec.ArsoftAlgorithms), MemberType = typeof(Akka.Dns.Tests.Wire.TsigSpec))]
    public async Task Tsig_should_sign_the_reply_to_a_verified_request_with_the_same_key(string algorithmName)
    {
        var algorithm = TsigAlgorithm.Find(algorithmName)!;
        await using var h = PipelineHarness.Start(Sys, Corefile("all"));
        var request = Signed(algorithm: algorithm);
        var reply = (await Send(h, request))[0];
        Assert.Equal(ReturnCode.NoError, reply.Rcode);
        Assert.NotEmpty(reply.Message.AdditionalRecords);   // whoami's A and SRV

        var tsig = TsigOf(reply);
        Assert.Equal(KeyName, tsig.Name);
        Assert.Equal(algorithm.Name, tsig.Algorithm);
        Assert.Equal(0, tsig.Error);
        Assert.Equal(algorithm.MacLength, tsig.Mac.Length);
        Assert.Equal(0, WireTsig.Verify(reply.Wire, tsig, Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), RequestTsig(request).Mac));
        var oracle = ArsoftTsig.Parse(reply.Wire, Secret, RequestTsig(request).Mac);
        Assert.Equal(ReturnCode.NoError, oracle.TSigOptions!.ValidationResult);
    }

    [Fact]
    public async Task Tsig_should_verify_a_signed_request_even_when_signing_is_not_required()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile());
        var reply = (await Send(h, Signed(secret: OtherSecret)))[0];
        Assert.Equal(ReturnCode.NotAuthoritive, reply.Rcode);
        Assert.Equal(WireTsig.BadSig, TsigOf(reply).Error);
    }

    [Fact]
    public async Task Tsig_should_answer_notauth_badkey_unsigned_for_an_unknown_key()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile("all"));
        var reply = (await Send(h, Signed(keyName: "other-key.example.")))[0];
        Assert.Equal(ReturnCode.NotAuthoritive, reply.Rcode);
        var tsig = TsigOf(reply);
        Assert.Equal(WireTsig.BadKey, tsig.Error);
        Assert.Equal("other-key.example.", tsig.Name);
        Assert.Empty(tsig.Mac);
        Assert.InRange(tsig.TimeSigned, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        Assert.Empty(reply.Message.AnswerRecords);
    }

    [Fact]
    public async Task Tsig_should_answer_notauth_badsig_unsigned_for_a_wrong_mac()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile("all"));
        var reply = (await Send(h, Signed(secret: OtherSecret)))[0];
        Assert.Equal(ReturnCode.NotAuthoritive, reply.Rcode);
        var tsig = TsigOf(reply);
        Assert.Equal(WireTsig.BadSig, tsig.Error);
        Assert.Empty(tsig.Mac);
    }

    [Fact]
    public async Task Tsig_should_answer_notauth_badtime_signed_with_our_time_in_other_data()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile("all"));
        var then = DateTime.UtcNow.AddHours(-1);
        var request = Signed(time: then);
        var reply = (await Send(h, request))[0];
        Assert.Equal(ReturnCode.NotAuthoritive, reply.Rcode);
        var tsig = TsigOf(reply);
        Assert.Equal(WireTsig.BadTime, tsig.Error);
        var requestTime = RequestTsig(request).TimeSigned;
        Assert.Equal(requestTime, tsig.TimeSigned);
        Assert.Equal(6, tsig.OtherData.Length);
        var ours = ((long)tsig.OtherData[0] << 40) | ((long)tsig.OtherData[1] << 32) | ((long)tsig.OtherData[2] << 24)
                   | ((long)tsig.OtherData[3] << 16) | ((long)tsig.OtherData[4] << 8) | tsig.OtherData[5];
        Assert.InRange(ours - requestTime, 3500, 3700);
        // Signed over the request MAC, with the request's time.
        Assert.Equal(0, WireTsig.Verify(reply.Wire, tsig, Secret, requestTime, RequestTsig(request).Mac));
    }

    [Fact]
    public async Task Tsig_should_answer_notauth_badkey_for_another_algorithm_than_the_key_file_binds()
    {
        var file = Path.GetTempFileName();
        await System.IO.File.WriteAllTextAsync(file, $"key \"{KeyName}\" {{\n algorithm hmac-sha512;\n secret \"{SecretText}\";\n}};\n");
        try
        {
            await using var h = PipelineHarness.Start(Sys, $"example.org {{\n tsig {{\n  secrets {file}\n }}\n whoami\n}}\n");
            var bad = (await Send(h, Signed(algorithm: TsigAlgorithm.HmacSha256)))[0];
            Assert.Equal(ReturnCode.NotAuthoritive, bad.Rcode);
            Assert.Equal(WireTsig.BadKey, TsigOf(bad).Error);
            var good = (await Send(h, Signed(algorithm: TsigAlgorithm.HmacSha512)))[0];
            Assert.Equal(ReturnCode.NoError, good.Rcode);
            Assert.Equal(0, TsigOf(good).Error);
        }
        finally
        {
            System.IO.File.Delete(file);
        }
    }

    [Fact]
    public async Task Tsig_should_sign_a_servfail_at_the_end_of_the_chain()
    {
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n tsig {{\n  secret {KeyName} {SecretText}\n }}\n}}\n");
        var request = Signed();
        var reply = (await Send(h, request))[0];
        Assert.Equal(ReturnCode.ServerFailure, reply.Rcode);
        Assert.Equal(0, WireTsig.Verify(reply.Wire, TsigOf(reply), Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), RequestTsig(request).Mac));
    }

    [Fact]
    public async Task Tsig_should_keep_room_for_the_tsig_in_a_truncated_udp_reply()
    {
        // 40 addresses (16 octets each) do not fit the 512 octets of a reply without EDNS.
        var lines = string.Concat(Enumerable.Range(1, 40).Select(i => $"  10.0.0.{i} big.example.org\n"));
        await using var h = PipelineHarness.Start(Sys, $"example.org {{\n tsig {{\n  secret {KeyName} {SecretText}\n }}\n hosts {{\n{lines} }}\n}}\n");
        var request = Signed("big.example.org.");
        var reply = (await Send(h, request))[0];
        Assert.True(reply.Wire.Length <= 512, $"{reply.Wire.Length} octets");
        Assert.True(reply.Message.IsTruncated);
        Assert.NotEmpty(reply.Message.AnswerRecords);
        Assert.Equal(0, WireTsig.Verify(reply.Wire, TsigOf(reply), Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), RequestTsig(request).Mac));
    }

    [Fact]
    public async Task Tsig_should_sign_every_message_of_a_transfer_chaining_the_macs()
    {
        var zones = new TestTransferer();
        zones.Zones["example.org."] = TestTransferer.Build("example.org.", 2024010101, 3000);
        await using var h = PipelineHarness.Start(Sys,
            $"example.org {{\n tsig {{\n  secret {KeyName} {SecretText}\n  require AXFR\n }}\n transfer {{\n to *\n }}\n testzone example.org\n}}\n", zones.Catalog);
        var request = Signed("example.org.", RecordType.Axfr);
        var replies = await Send(h, request, DnsTransport.Tcp, 2);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var prior = RequestTsig(request).Mac;
        for (var i = 0; i < replies.Count; i++)
        {
            var tsig = TsigOf(replies[i]);
            Assert.Equal(0, WireTsig.Verify(replies[i].Wire, tsig, Secret, now, prior, timersOnly: i > 0));
            prior = tsig.Mac;
        }
        Assert.Equal(ReturnCode.NoError, ArsoftTsig.Parse(replies[0].Wire, Secret, RequestTsig(request).Mac).TSigOptions!.ValidationResult);
        Assert.Equal(RecordType.Soa, replies[^1].Message.AnswerRecords[^1].RecordType);

        var unsigned = await Send(h, new QueryBuilder("example.org.", RrType.AXFR) { Rd = false }.Build(), DnsTransport.Tcp);
        Assert.Equal(ReturnCode.Refused, unsigned[0].Rcode);
    }
}
