using System.Reflection;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.Wire;

/// <summary>
/// ARSoft.Tools.Net's TSIG, an implementation independent of ours: signing and verifying go through its internal
/// Encode/Parse (reached by reflection; its public API only parses unsigned).
/// </summary>
internal static class ArsoftTsig
{
    private static readonly MethodInfo ParseMethod = typeof(DnsMessageBase)
        .GetMethods(BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
        .Single(m => m.Name == "Parse" && m.GetParameters().Length == 3)
        .MakeGenericMethod(typeof(DnsMessage));

    private static readonly MethodInfo EncodeMethod = typeof(DnsMessageBase)
        .GetMethods(BindingFlags.NonPublic | BindingFlags.Instance)
        .Single(m => m.Name == "Encode" && m.GetParameters().Length == 1);

    private static readonly Type SelectorType = typeof(DnsServer).GetNestedType("SelectTsigKey")!;

    public static TSigAlgorithm Algorithm(TsigAlgorithm a) => a.Name switch
    {
        "hmac-md5.sig-alg.reg.int." => TSigAlgorithm.Md5,
        "hmac-sha1." => TSigAlgorithm.Sha1,
        "hmac-sha224." => TSigAlgorithm.Sha224,
        "hmac-sha256." => TSigAlgorithm.Sha256,
        "hmac-sha384." => TSigAlgorithm.Sha384,
        "hmac-sha512." => TSigAlgorithm.Sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    /// <summary>Parses a signed message, verifying its TSIG with <paramref name="key"/> (and the request MAC for a reply).</summary>
    public static DnsMessage Parse(byte[] wire, byte[] key, byte[]? requestMac = null)
    {
        var selector = Delegate.CreateDelegate(SelectorType, new KeySelector(key), typeof(KeySelector).GetMethod(nameof(KeySelector.Select))!);
        return (DnsMessage)ParseMethod.Invoke(null, [wire, selector, requestMac])!;
    }

    /// <summary>Encodes <paramref name="message"/> signed with its TSigOptions (and the request MAC for a reply).</summary>
    public static byte[] Encode(DnsMessage message, byte[]? requestMac = null)
    {
        var raw = EncodeMethod.Invoke(message, [requestMac])!;
        var segment = (ArraySegment<byte>)raw.GetType().GetMethod("ToArraySegment")!.Invoke(raw, [false])!;
        return segment.ToArray();
    }

    /// <summary>A query for <paramref name="name"/> signed by ARSoft at <paramref name="time"/>.</summary>
    public static byte[] SignedQuery(string name, RecordType type, string keyName, TsigAlgorithm algorithm, byte[] key, DateTime? time = null, ushort id = 0x4242)
    {
        var q = new DnsMessage { TransactionID = id, IsRecursionDesired = true };
        q.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        q.TSigOptions = new TSigRecord(DomainName.Parse(keyName), Algorithm(algorithm), time ?? DateTime.UtcNow, TimeSpan.FromMinutes(5), id, ReturnCode.NoError, null, key);
        return Encode(q);
    }

    private sealed class KeySelector(byte[] key)
    {
        public byte[] Select(TSigAlgorithm algorithm, bool unused, DomainName name) => key;
    }
}
