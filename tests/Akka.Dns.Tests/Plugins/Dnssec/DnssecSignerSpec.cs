using System.Diagnostics;
using System.Net;
using Akka.Dns.Dnssec;
using Akka.Dns.Plugins.Dnssec;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Dnssec;

/// <summary>The signer on its own: concurrency against one key set, and its cost per reply (printed, not asserted).</summary>
public sealed class DnssecSignerSpec(ITestOutputHelper output)
{
    private static DnssecSigner Signer(byte algorithm, int capacity = 10000)
    {
        var key = DnssecKey.Generate("example.org.", algorithm, ksk: false);
        var ring = new KeyRing([(KeyFile.PublicText(key), KeyFile.PrivateText(key), "K.key", "K.private")]);
        return new DnssecSigner(["example.org."], ring, new SignatureCache(capacity));
    }

    private static DnsResponse Reply(string name)
    {
        var r = new DnsResponse { QName = name, QType = RrType.A, QClass = RrClass.IN, Aa = true };
        r.Answer.Add(DnsRecord.A(name, 300, IPAddress.Parse("192.0.2.1")));
        r.Answer.Add(DnsRecord.A(name, 300, IPAddress.Parse("192.0.2.2")));
        r.Authority.Add(DnsRecord.Ns("example.org.", 300, "ns1.example.org."));
        return r;
    }

    [Fact]
    public void Signer_should_sign_correctly_from_many_threads_at_once()
    {
        var s = Signer(DnssecAlgorithm.EcdsaP256Sha256, capacity: 1); // every reply a miss: all threads sign
        var key = s.Keys.Keys[0];
        var failures = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var r = Reply($"h{i}.example.org.");
            s.Sign(r, "example.org.");
            var rrset = r.Answer.GetRange(0, 2);
            var sig = r.Answer[2];
            if (sig.Type != RrType.RRSIG || !Rrsig.Verify(rrset, sig, key, DateTimeOffset.UtcNow)) Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
        Assert.InRange(s.Keys.Copies, 1, 8);
        output.WriteLine($"key set copies made for 8 threads: {s.Keys.Copies}");
    }

    [Theory]
    [InlineData(DnssecAlgorithm.EcdsaP256Sha256)]
    [InlineData(DnssecAlgorithm.Ed25519)]
    [InlineData(DnssecAlgorithm.RsaSha256)]
    public void Signer_cost_per_reply_cold_and_warm_is_printed(byte algorithm)
    {
        var s = Signer(algorithm);
        const int cold = 200, warm = 100_000;
        var replies = new DnsResponse[cold];
        for (var i = 0; i < cold; i++) replies[i] = Reply($"h{i}.example.org.");
        // Warm-up (JIT), then a cold pass: each reply's A RRset is a miss (the NS is a hit after the first).
        s.Sign(Reply("warmup.example.org."), "example.org.");
        var sw = Stopwatch.StartNew();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < cold; i++) s.Sign(replies[i].Copy(), "example.org.");
        var coldNs = sw.Elapsed.TotalNanoseconds / cold;
        var coldB = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)cold;
        sw.Restart();
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < warm; i++) s.Sign(replies[i % cold].Copy(), "example.org.");
        var warmNs = sw.Elapsed.TotalNanoseconds / warm;
        var warmB = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)warm;
        output.WriteLine($"{DnssecAlgorithm.Name(algorithm)}: reply with 2 RRsets (A×2, NS): cold {coldNs / 1000:F1} µs {coldB:F0} B/reply; " +
                         $"warm (cache hits) {warmNs:F0} ns {warmB:F0} B/reply (incl. the reply copy); hits {s.Cache.Hits} misses {s.Cache.Misses}");
        Assert.Equal(cold + 1 + 1, s.Cache.Misses); // warm-up's A and NS, then each cold A
    }
}
