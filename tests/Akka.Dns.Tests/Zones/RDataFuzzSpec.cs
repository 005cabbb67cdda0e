using Akka.Dns.Wire;
using Akka.Dns.Zones;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Zones;

public class RDataFuzzSpec(ITestOutputHelper output)
{
    private static readonly ushort[] Types =
    [
        RrType.A, RrType.AAAA, RrType.NS, RrType.CNAME, RrType.SOA, RrType.PTR, RrType.HINFO, RrType.MX, RrType.TXT,
        RrType.SRV, RrType.NAPTR, RrType.DNAME, RrType.DS, RrType.SSHFP, RrType.RRSIG, RrType.NSEC, RrType.DNSKEY,
        RrType.NSEC3, RrType.NSEC3PARAM, RrType.TLSA, RrType.SVCB, RrType.HTTPS, RrType.CAA, 29, 99, 256, 258, 62, 63, 61, 17, 4321,
    ];

    /// <summary>
    /// Random RDATA (mostly built from plausible pieces so that the decoders get past their first field) must never
    /// make ToText or TryReadFromMessage throw, and whatever ToText prints must parse back to the same octets, unless
    /// the RDATA does not decode as its type at all (then Parse refuses the RFC 3597 form, as miekg/dns does).
    /// </summary>
    [Fact]
    public void ToText_should_never_throw_and_always_parse_back_to_the_same_octets()
    {
        var rng = new Random(1035);
        var presented = 0;
        var generic = 0;
        var malformed = 0;
        foreach (var type in Types)
        {
            for (var i = 0; i < 400; i++)
            {
                var rdata = Random(rng, type);
                var text = RData.ToText(type, rdata);
                if (text.StartsWith(@"\#", StringComparison.Ordinal)) generic++; else presented++;
                var fields = new List<string>();
                new ZoneLexer(text, "fuzz").NextLine(fields, out _, out _);
                byte[] back;
                try
                {
                    back = RData.Parse(type, fields, ".");
                }
                catch (FormatException e)
                {
                    // Only RDATA that does not decode as its type may be refused (a zone must not carry it).
                    Assert.True(RData.TryToText(type, rdata) is null,
                        $"{RrType.ToString(type)} {Convert.ToHexString(rdata)} printed as '{text}' does not parse: {e.Message}");
                    malformed++;
                    continue;
                }
                Assert.True(back.AsSpan().SequenceEqual(rdata), $"{RrType.ToString(type)} {Convert.ToHexString(rdata)} printed as '{text}' parses to {Convert.ToHexString(back)}");
                RData.TryReadFromMessage(type, rdata, 0, rdata.Length, out _);
            }
        }
        output.WriteLine($"{presented} printed in presentation form, {generic} as RFC 3597 ({malformed} of them malformed, refused by Parse)");
        Assert.True(presented > generic, "the generator should mostly produce decodable RDATA");
    }

    private static byte[] Random(Random rng, ushort type)
    {
        if (rng.Next(8) == 0) return Bytes(rng, rng.Next(0, 40));      // pure noise
        var b = new List<byte>();
        switch (type)
        {
            case RrType.A: b.AddRange(Bytes(rng, 4)); break;
            case RrType.AAAA: b.AddRange(Bytes(rng, 16)); break;
            case RrType.NS or RrType.CNAME or RrType.PTR or RrType.DNAME: b.AddRange(Name(rng)); break;
            case RrType.SOA: b.AddRange(Name(rng)); b.AddRange(Name(rng)); b.AddRange(Bytes(rng, 20)); break;
            case RrType.MX: b.AddRange(Bytes(rng, 2)); b.AddRange(Name(rng)); break;
            case 17: b.AddRange(Name(rng)); b.AddRange(Name(rng)); break;
            case RrType.SRV: b.AddRange(Bytes(rng, 6)); b.AddRange(Name(rng)); break;
            case RrType.TXT or 99 or 258 or RrType.HINFO:
                for (var n = rng.Next(1, 4); n > 0; n--) b.AddRange(CharString(rng));
                break;
            case RrType.NAPTR:
                b.AddRange(Bytes(rng, 4));
                for (var n = 0; n < 3; n++) b.AddRange(CharString(rng));
                b.AddRange(Name(rng));
                break;
            case RrType.CAA:
                b.Add((byte)rng.Next(256));
                var tag = "issue"u8.ToArray();
                b.Add((byte)tag.Length);
                b.AddRange(tag);
                b.AddRange(Bytes(rng, rng.Next(0, 20)));
                break;
            case RrType.RRSIG:
                b.AddRange(Bytes(rng, 18));
                b.AddRange(Name(rng));
                b.AddRange(Bytes(rng, rng.Next(1, 30)));
                break;
            case RrType.NSEC:
                b.AddRange(Name(rng));
                b.AddRange(Bitmap(rng));
                break;
            case RrType.NSEC3:
                b.AddRange(Bytes(rng, 4));
                var salt = Bytes(rng, rng.Next(0, 6));
                b.Add((byte)salt.Length);
                b.AddRange(salt);
                var hash = Bytes(rng, rng.Next(1, 21));
                b.Add((byte)hash.Length);
                b.AddRange(hash);
                b.AddRange(Bitmap(rng));
                break;
            case RrType.NSEC3PARAM:
                b.AddRange(Bytes(rng, 4));
                var s = Bytes(rng, rng.Next(0, 6));
                b.Add((byte)s.Length);
                b.AddRange(s);
                break;
            case RrType.SVCB or RrType.HTTPS:
                b.AddRange(Bytes(rng, 2));
                b.AddRange(Name(rng));
                var key = 0;
                for (var n = rng.Next(0, 5); n > 0; n--)
                {
                    key += rng.Next(0, 4);
                    var value = key switch
                    {
                        0 => new byte[] { 0, (byte)rng.Next(1, 9) },
                        1 => [.. CharString(rng)],
                        3 => Bytes(rng, 2),
                        4 => Bytes(rng, 4 * rng.Next(1, 3)),
                        6 => Bytes(rng, 16),
                        2 or 8 => [],
                        _ => Bytes(rng, rng.Next(0, 6)),
                    };
                    b.Add((byte)(key >> 8));
                    b.Add((byte)key);
                    b.Add((byte)(value.Length >> 8));
                    b.Add((byte)value.Length);
                    b.AddRange(value);
                }
                break;
            case 29:
                b.Add(0);
                for (var n = 0; n < 3; n++) b.Add((byte)(rng.Next(0, 10) << 4 | rng.Next(0, 10)));
                foreach (var v in new[] { (1u << 31) + (uint)rng.Next(-300_000_000, 300_000_000), (1u << 31) + (uint)rng.Next(-600_000_000, 600_000_000), (uint)rng.Next() })
                    b.AddRange([(byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v]);
                break;
            case 62:
                b.AddRange(Bytes(rng, 6));
                b.AddRange(Bitmap(rng));
                break;
            default:
                b.AddRange(Bytes(rng, rng.Next(1, 30)));
                break;
        }
        return b.ToArray();
    }

    private static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    private static IEnumerable<byte> CharString(Random rng)
    {
        var s = Bytes(rng, rng.Next(0, 12));
        return [(byte)s.Length, .. s];
    }

    private const string NameChars = "abcXYZ-_.\\ 09\"();@";

    private static IEnumerable<byte> Name(Random rng)
    {
        var b = new List<byte>();
        for (var n = rng.Next(0, 4); n > 0; n--)
        {
            var label = Bytes(rng, rng.Next(1, 8));
            if (rng.Next(2) == 0)
                for (var i = 0; i < label.Length; i++) label[i] = (byte)NameChars[label[i] % NameChars.Length];
            b.Add((byte)label.Length);
            b.AddRange(label);
        }
        b.Add(0);
        return b;
    }

    private static IEnumerable<byte> Bitmap(Random rng)
    {
        var b = new List<byte>();
        var window = -1;
        for (var n = rng.Next(0, 3); n > 0; n--)
        {
            window += rng.Next(1, 3);
            var len = rng.Next(1, 5);
            b.Add((byte)window);
            b.Add((byte)len);
            b.AddRange(Bytes(rng, len));
        }
        return b;
    }
}
