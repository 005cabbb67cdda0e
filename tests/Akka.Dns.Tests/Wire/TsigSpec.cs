using System.Buffers.Binary;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Wire;

public sealed class TsigSpec
{
    private const string KeyName = "tsig-key.example.";
    private static readonly byte[] Secret = Convert.FromBase64String("NoTCJU+DMqFWywaPyxSijrDEA/eC3nK0xi3AMEZuPVk=");
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static TheoryData<string> Algorithms() => new(TsigAlgorithm.All.Select(a => a.Name));

    /// <summary>
    /// The algorithms ARSoft.Tools.Net 3.6.1 gets right: its hmac-sha384 writes a 32-octet MAC that is not a prefix of
    /// HMAC-SHA-384 (it verifies only against itself), so hmac-sha384 is checked against dig and kdig in the interop specs.
    /// </summary>
    public static TheoryData<string> ArsoftAlgorithms() => new(TsigAlgorithm.All.Where(a => a != TsigAlgorithm.HmacSha384).Select(a => a.Name));

    private static byte[] Query(ushort id = 0x1234) => new QueryBuilder("www.example.org.", RrType.A) { Id = id, UdpSize = 1232 }.Build();

    /// <summary>Our TSIG on <paramref name="message"/> (a request when <paramref name="priorMac"/> is empty).</summary>
    private static byte[] Sign(byte[] message, TsigAlgorithm algorithm, long time, out byte[] mac, byte[]? priorMac = null, bool timersOnly = false, byte[]? secret = null)
    {
        var buf = new byte[message.Length + 512];
        message.CopyTo(buf, 0);
        var len = Tsig.Sign(buf, message.Length, KeyName, algorithm.Name, algorithm, secret ?? Secret, priorMac ?? [], timersOnly, time, 300, 0, default, out mac);
        Assert.True(len > message.Length);
        return buf[..len];
    }

    private static TsigRecord Read(byte[] message)
    {
        Assert.Equal(TsigReadResult.Ok, Tsig.TryRead(message, out var tsig));
        return tsig!;
    }

    // RFC 4231 §4.2, §4.3, §4.7: HMAC-SHA-224, which .NET does not provide.
    [Theory]
    [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22")]
    [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44")]
    [InlineData("aa*131",
        "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
        "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1")]
    public void Tsig_should_compute_hmac_sha224_as_rfc4231_says(string key, string data, string mac)
    {
        var keyBytes = key.Split('*') is [var b, var n] ? Convert.FromHexString(string.Concat(Enumerable.Repeat(b, int.Parse(n)))) : Convert.FromHexString(key);
        Assert.Equal(mac, Convert.ToHexStringLower(TsigAlgorithm.HmacSha224.Compute(keyBytes, Convert.FromHexString(data))));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Tsig_should_verify_what_it_signed(string name)
    {
        var algorithm = TsigAlgorithm.Find(name)!;
        var signed = Sign(Query(), algorithm, Now, out var mac);
        var tsig = Read(signed);
        Assert.Equal(KeyName, tsig.Name);
        Assert.Equal(algorithm.Name, tsig.Algorithm);
        Assert.Equal(mac, tsig.Mac);
        Assert.Equal(algorithm.MacLength, mac.Length);
        Assert.Equal(0x1234, tsig.OriginalId);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(signed.AsSpan(10)));
        Assert.Equal(0, Tsig.Verify(signed, tsig, Secret, Now));
    }

    [Theory]
    [MemberData(nameof(ArsoftAlgorithms))]
    public void Tsig_should_sign_requests_that_arsoft_verifies(string name)
    {
        var algorithm = TsigAlgorithm.Find(name)!;
        var signed = Sign(Query(), algorithm, Now, out _);
        var m = ArsoftTsig.Parse(signed, Secret);
        Assert.NotNull(m.TSigOptions);
        Assert.Equal(ReturnCode.NoError, m.TSigOptions!.ValidationResult);
        Assert.Equal(ArsoftTsig.Algorithm(algorithm), m.TSigOptions.Algorithm);
    }

    [Theory]
    [MemberData(nameof(ArsoftAlgorithms))]
    public void Tsig_should_verify_requests_arsoft_signed(string name)
    {
        var algorithm = TsigAlgorithm.Find(name)!;
        var signed = ArsoftTsig.SignedQuery("www.example.org.", RecordType.A, KeyName, algorithm, Secret);
        var tsig = Read(signed);
        Assert.Equal(algorithm.Name, tsig.Algorithm);
        Assert.Equal(0, Tsig.Verify(signed, tsig, Secret, Now));
    }

    [Theory]
    [MemberData(nameof(ArsoftAlgorithms))]
    public void Tsig_should_sign_replies_over_the_request_mac_that_arsoft_verifies(string name)
    {
        var algorithm = TsigAlgorithm.Find(name)!;
        var request = ArsoftTsig.SignedQuery("www.example.org.", RecordType.A, KeyName, algorithm, Secret);
        var requestMac = Read(request).Mac;
        var reply = new DnsResponse { Id = 0x4242, QName = "www.example.org.", QType = RrType.A, QClass = RrClass.IN };
        reply.Answer.Add(DnsRecord.A("www.example.org.", 300, System.Net.IPAddress.Parse("192.0.2.1")));
        var buf = new byte[1024];
        var len = DnsWriter.Encode(reply, buf, buf.Length);
        var signed = Sign(buf[..len], algorithm, Now, out _, requestMac);

        var m = ArsoftTsig.Parse(signed, Secret, requestMac);
        Assert.Equal(ReturnCode.NoError, m.TSigOptions!.ValidationResult);
        Assert.Single(m.AnswerRecords);
        // Without the request MAC the same reply does not verify: the MAC covers it.
        Assert.NotEqual(0, Tsig.Verify(signed, Read(signed), Secret, Now));
        Assert.Equal(0, Tsig.Verify(signed, Read(signed), Secret, Now, requestMac));
    }

    [Fact]
    public void Tsig_should_chain_the_messages_of_a_stream_with_timers_only_after_the_first()
    {
        var algorithm = TsigAlgorithm.HmacSha256;
        var request = Sign(Query(), algorithm, Now, out var prior);
        for (var i = 0; i < 3; i++)
        {
            var reply = new DnsResponse { Id = 0x1234, QName = "example.org.", QType = RrType.AXFR, QClass = RrClass.IN };
            reply.Answer.Add(DnsRecord.A($"h{i}.example.org.", 300, System.Net.IPAddress.Parse("192.0.2.1")));
            var buf = new byte[512];
            var len = DnsWriter.Encode(reply, buf, buf.Length);
            var timersOnly = i > 0;
            var signed = Sign(buf[..len], algorithm, Now, out var mac, prior, timersOnly);
            var tsig = Read(signed);
            Assert.Equal(0, Tsig.Verify(signed, tsig, Secret, Now, prior, timersOnly));
            Assert.Equal(Tsig.BadSig, Tsig.Verify(signed, tsig, Secret, Now, prior, !timersOnly));
            prior = mac;
        }
        _ = request;
    }

    [Fact]
    public void Tsig_should_answer_badsig_for_a_changed_message_or_another_secret()
    {
        var signed = Sign(Query(), TsigAlgorithm.HmacSha256, Now, out _);
        var tsig = Read(signed);
        var other = Convert.FromBase64String("X28hl0BOfAL5G0jsmJWSacrwn7YRm2f6U5brnzwWEus=");
        Assert.Equal(Tsig.BadSig, Tsig.Verify(signed, tsig, other, Now));
        var changed = (byte[])signed.Clone();
        changed[3] ^= 0x10;   // the CD bit
        Assert.Equal(Tsig.BadSig, Tsig.Verify(changed, Read(changed), Secret, Now));
        var newId = (byte[])signed.Clone();
        newId[0] ^= 0xFF;     // a forwarder may change the id: the original id in the TSIG is what is signed
        Assert.Equal(0, Tsig.Verify(newId, Read(newId), Secret, Now));
    }

    [Theory]
    [InlineData(-301, Tsig.BadTime)]
    [InlineData(-300, 0)]
    [InlineData(300, 0)]
    [InlineData(301, Tsig.BadTime)]
    public void Tsig_should_check_the_time_within_the_fudge(int skew, int expected)
    {
        var signed = Sign(Query(), TsigAlgorithm.HmacSha1, Now + skew, out _);
        Assert.Equal(expected, Tsig.Verify(signed, Read(signed), Secret, Now));
    }

    [Fact]
    public void Tsig_should_check_the_mac_before_the_time()
    {
        var signed = Sign(Query(), TsigAlgorithm.HmacSha1, Now - 10_000, out _);
        Assert.Equal(Tsig.BadSig, Tsig.Verify(signed, Read(signed), new byte[16], Now));
    }

    [Theory]
    [InlineData("hmac-sha256.", 32, 0)]
    [InlineData("hmac-sha256.", 16, 0)]
    [InlineData("hmac-sha256.", 15, Rcode.FormErr)]
    [InlineData("hmac-sha1.", 10, 0)]
    [InlineData("hmac-sha1.", 9, Rcode.FormErr)]
    [InlineData("hmac-md5.sig-alg.reg.int.", 10, 0)]
    [InlineData("hmac-md5.sig-alg.reg.int.", 8, Rcode.FormErr)]
    [InlineData("hmac-sha512.", 32, 0)]
    [InlineData("hmac-sha512.", 31, Rcode.FormErr)]
    public void Tsig_should_accept_a_truncated_mac_down_to_the_rfc_8945_minimum(string name, int macLength, int expected)
    {
        var algorithm = TsigAlgorithm.Find(name)!;
        var full = Sign(Query(), algorithm, Now, out var mac);
        var tsig = Read(full);
        // The same message with the MAC cut to macLength: rebuild the TSIG by hand.
        var truncated = WithMac(full, tsig, mac[..macLength]);
        Assert.Equal(expected, Tsig.Verify(truncated, Read(truncated), Secret, Now));
    }

    [Fact]
    public void Tsig_should_reject_a_mac_longer_than_the_algorithm_and_an_unknown_algorithm()
    {
        var full = Sign(Query(), TsigAlgorithm.HmacSha1, Now, out var mac);
        var tsig = Read(full);
        var longer = WithMac(full, tsig, [.. mac, 0]);
        Assert.Equal(Rcode.FormErr, Tsig.Verify(longer, Read(longer), Secret, Now));
        var buf = new byte[1024];
        var q = Query();
        q.CopyTo(buf, 0);
        var len = Tsig.Sign(buf, q.Length, KeyName, "hmac-foo.", null, null, [], false, Now, 300, 0, default, out _);
        var unknown = buf[..len];
        Assert.Equal(Tsig.BadKey, Tsig.Verify(unknown, Read(unknown), Secret, Now));
    }

    private static byte[] WithMac(byte[] message, TsigRecord tsig, byte[] mac)
    {
        var stripped = message[..tsig.Offset];
        BinaryPrimitives.WriteUInt16BigEndian(stripped.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(stripped.AsSpan(10)) - 1));
        var buf = new byte[stripped.Length + 512];
        stripped.CopyTo(buf, 0);
        var len = Tsig.Sign(buf, stripped.Length, tsig.Name, tsig.Algorithm, null, null, [], false, tsig.TimeSigned, tsig.Fudge, 0, default, out _);
        // Put the MAC in by hand: the unsigned TSIG has MAC size 0 right after time (6) and fudge (2).
        var algLen = DnsRecord.NameBytes(tsig.Algorithm).Length;
        var macSizeAt = stripped.Length + DnsRecord.NameBytes(tsig.Name).Length + 10 + algLen + 8;
        var result = new List<byte>(buf[..macSizeAt]);
        result.Add((byte)(mac.Length >> 8));
        result.Add((byte)mac.Length);
        result.AddRange(mac);
        result.AddRange(buf[(macSizeAt + 2)..len]);
        var bytes = result.ToArray();
        var rdlenAt = stripped.Length + DnsRecord.NameBytes(tsig.Name).Length + 8;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(rdlenAt), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(rdlenAt)) + mac.Length));
        return bytes;
    }

    [Fact]
    public void Tsig_should_sign_an_unsigned_tsig_without_a_mac()
    {
        var q = Query();
        var buf = new byte[1024];
        q.CopyTo(buf, 0);
        var len = Tsig.Sign(buf, q.Length, KeyName, "hmac-sha256.", null, null, [], false, 0, 300, Tsig.BadSig, default, out var mac);
        Assert.Empty(mac);
        var tsig = Read(buf[..len]);
        Assert.Empty(tsig.Mac);
        Assert.Equal(Tsig.BadSig, tsig.Error);
        Assert.Equal(len - q.Length, Tsig.RecordLength(KeyName, "hmac-sha256.", 0, 0));
    }

    [Fact]
    public void Tsig_should_fail_to_sign_when_the_buffer_is_too_small()
    {
        var q = Query();
        var need = q.Length + Tsig.RecordLength(KeyName, TsigAlgorithm.HmacSha256.Name, 32, 0);
        var buf = new byte[need - 1];
        q.CopyTo(buf, 0);
        Assert.Equal(-1, Tsig.Sign(buf, q.Length, KeyName, "hmac-sha256.", TsigAlgorithm.HmacSha256, Secret, [], false, Now, 300, 0, default, out _));
        buf = new byte[need];
        q.CopyTo(buf, 0);
        Assert.Equal(need, Tsig.Sign(buf, q.Length, KeyName, "hmac-sha256.", TsigAlgorithm.HmacSha256, Secret, [], false, Now, 300, 0, default, out _));
    }

    [Fact]
    public void Tsig_should_find_no_tsig_in_an_unsigned_message()
    {
        Assert.Equal(TsigReadResult.None, Tsig.TryRead(Query(), out var tsig));
        Assert.Null(tsig);
    }

    [Fact]
    public void Tsig_should_read_a_tsig_that_is_not_last_or_not_class_any_or_with_a_ttl_as_formerr()
    {
        var signed = Sign(new QueryBuilder("www.example.org.", RrType.A).Build(), TsigAlgorithm.HmacSha256, Now, out _);
        var tsig = Read(signed);
        var classAt = tsig.Offset + DnsRecord.NameBytes(KeyName).Length + 2;

        var notAny = (byte[])signed.Clone();
        notAny[classAt + 1] = 1;
        Assert.Equal(TsigReadResult.FormErr, Tsig.TryRead(notAny, out _));

        var ttl = (byte[])signed.Clone();
        ttl[classAt + 5] = 1;
        Assert.Equal(TsigReadResult.FormErr, Tsig.TryRead(ttl, out _));

        // An OPT after the TSIG.
        var notLast = new List<byte>(signed) { 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0 };
        var bytes = notLast.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(10), 2);
        Assert.Equal(TsigReadResult.FormErr, Tsig.TryRead(bytes, out _));
    }

    [Fact]
    public void Tsig_should_never_throw_on_a_truncated_message()
    {
        var signed = Sign(Query(), TsigAlgorithm.HmacSha384, Now, out _);
        for (var i = 0; i < signed.Length; i++)
        {
            var r = Tsig.TryRead(signed.AsSpan(0, i), out var tsig);
            Assert.NotEqual(TsigReadResult.Ok, r);
            Assert.Null(tsig);
        }
    }

    [Theory]
    [InlineData("hmac-sha256", "hmac-sha256.")]
    [InlineData("HMAC-SHA512.", "hmac-sha512.")]
    [InlineData("hmac-md5", "hmac-md5.sig-alg.reg.int.")]
    [InlineData("hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int.")]
    public void Tsig_should_find_algorithms_by_their_names(string name, string canonical)
    {
        Assert.Equal(canonical, TsigAlgorithm.Find(name)!.Name);
    }
}
