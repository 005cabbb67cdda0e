using System.Net;
using System.Text;
using Akka.Dns.Wire;
using Akka.Dns.Zones;
using ARSoft.Tools.Net.Dns;
using Xunit;
using static Akka.Dns.Tests.Zones.ZoneTestKit;

namespace Akka.Dns.Tests.Zones;

public class RDataSpec
{
    private const string Origin = "example.org.";
    private static readonly ARSoft.Tools.Net.DomainName Owner = N("owner.test.");

    /// <summary>One type: presentation as written, the wire RDATA it must encode to, and the text it prints back.</summary>
    private sealed record Case(string Type, string Text, Func<byte[]> Wire, string Printed);

    private static readonly byte[] Key64 = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
    private static readonly byte[] Sig = Enumerable.Range(100, 64).Select(i => (byte)i).ToArray();
    private static readonly string LongText = new('x', 300);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["A"] = new("A", "192.0.2.1", () => ArsoftRData(new ARecord(Owner, 0, IPAddress.Parse("192.0.2.1"))), "192.0.2.1"),
        ["AAAA"] = new("AAAA", "2001:DB8::1", () => ArsoftRData(new AaaaRecord(Owner, 0, IPAddress.Parse("2001:db8::1"))), "2001:db8::1"),
        ["AAAA v4-mapped"] = new("AAAA", "::ffff:192.0.2.1", () => Hex("00000000000000000000FFFFC0000201"), "::ffff:192.0.2.1"),
        ["NS relative"] = new("NS", "ns1", () => ArsoftRData(new NsRecord(Owner, 0, N("ns1.example.org."))), "ns1.example.org."),
        ["CNAME absolute"] = new("CNAME", "www.Example.NET.", () => ArsoftRData(new CNameRecord(Owner, 0, N("www.Example.NET."))), "www.Example.NET."),
        ["DNAME at origin"] = new("DNAME", "@", () => ArsoftRData(new DNameRecord(Owner, 0, N("example.org."))), "example.org."),
        ["PTR escaped dot"] = new("PTR", @"host\.dot", () => Hex("08 686F73742E646F74 076578616D706C65 036F7267 00"), @"host\.dot.example.org."),
        ["MX"] = new("MX", "10 mail", () => ArsoftRData(new MxRecord(Owner, 0, 10, N("mail.example.org."))), "10 mail.example.org."),
        ["SOA with units"] = new("SOA", "ns1 hostmaster.example.org. 2026112401 2h 1h 2w 5m",
            () => ArsoftRData(new SoaRecord(Owner, 0, N("ns1.example.org."), N("hostmaster.example.org."), 2026112401, 7200, 3600, 1209600, 300)),
            "ns1.example.org. hostmaster.example.org. 2026112401 7200 3600 1209600 300"),
        ["TXT strings, words, escapes"] = new("TXT", "\"v=spf1 mx -all\" word \"a\\\"q\" \"\\065\\\\\" \"semi;colon\"",
            () => ArsoftRData(new TxtRecord(Owner, 0, ["v=spf1 mx -all", "word", "a\"q", "A\\", "semi;colon"])),
            "\"v=spf1 mx -all\" \"word\" \"a\\\"q\" \"A\\\\\" \"semi;colon\""),
        ["TXT empty string"] = new("TXT", "\"\"", () => [0], "\"\""),
        ["TXT unprintable and UTF-8"] = new("TXT", "\"tab\\009é\"", () => Hex("06 746162 09 C3A9"), "\"tab\\009\\195\\169\""),
        ["TXT longer than 255 is split"] = new("TXT", LongText,
            () => ArsoftRData(new TxtRecord(Owner, 0, [LongText[..255], LongText[255..]])), $"\"{LongText[..255]}\" \"{LongText[255..]}\""),
        ["SPF"] = new("SPF", "\"v=spf1 -all\"", () => ArsoftRData(Spf(["v=spf1 -all"])), "\"v=spf1 -all\""),
        ["SRV"] = new("SRV", "10 60 5060 host10", () => ArsoftRData(new SrvRecord(Owner, 0, 10, 60, 5060, N("host10.example.org."))), "10 60 5060 host10.example.org."),
        ["HINFO"] = new("HINFO", "\"PC Intel\" Linux", () => ArsoftRData(new HInfoRecord(Owner, 0, "PC Intel", "Linux")), "\"PC Intel\" \"Linux\""),
        ["CAA"] = new("CAA", "0 issue \"ca.example.net\"", () => ArsoftRData(new CAARecord(Owner, 0, 0, "issue", "ca.example.net")), "0 issue \"ca.example.net\""),
        ["CAA critical iodef"] = new("CAA", "128 iodef \"mailto:security@example.org\"",
            () => ArsoftRData(new CAARecord(Owner, 0, 128, "iodef", "mailto:security@example.org")), "128 iodef \"mailto:security@example.org\""),
        ["NAPTR"] = new("NAPTR", "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.org!\" _sip._udp",
            () => ArsoftRData(new NaptrRecord(Owner, 0, 100, 10, "S", "SIP+D2U", "!^.*$!sip:info@example.org!", N("_sip._udp.example.org."))),
            "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:info@example.org!\" _sip._udp.example.org."),
        ["SSHFP split hex"] = new("SSHFP", "1 1 DEADbeef 0123",
            () => ArsoftRData(new SshFpRecord(Owner, 0, (SshFpRecord.SshFpAlgorithm)1, (SshFpRecord.SshFpFingerPrintType)1, Hex("DEADBEEF0123"))), "1 1 DEADBEEF0123"),
        ["TLSA"] = new("TLSA", "3 1 1 ABCDEF 012345",
            () => ArsoftRData(new TlsaRecord(Owner, 0, (TlsaRecord.TlsaCertificateUsage)3, (TlsaRecord.TlsaSelector)1, (TlsaRecord.TlsaMatchingType)1, Hex("ABCDEF012345"))),
            "3 1 1 ABCDEF012345"),
        ["DS with mnemonic algorithm"] = new("DS", "60485 RSASHA256 2 ( 2BB183AF5F22588179A53B0A\n 98631FAD1A292118 )",
            () => ArsoftRData(new DsRecord(Owner, RecordClass.INet, 0, 60485, (DnsSecAlgorithm)8, (DnsSecDigestType)2, Hex("2BB183AF5F22588179A53B0A98631FAD1A292118"))),
            "60485 8 2 2BB183AF5F22588179A53B0A98631FAD1A292118"),
        ["CDS"] = new("CDS", "60485 13 2 ABCD",
            () => ArsoftRData(new CDsRecord(Owner, RecordClass.INet, 0, 60485, (DnsSecAlgorithm)13, (DnsSecDigestType)2, Hex("ABCD"))), "60485 13 2 ABCD"),
        ["DNSKEY key across lines"] = new("DNSKEY", $"257 3 13 (\n {Convert.ToBase64String(Key64)[..40]}\n {Convert.ToBase64String(Key64)[40..]} )",
            () => ArsoftRData(new DnsKeyRecord(Owner, RecordClass.INet, 0, (DnsKeyFlags)257, 3, (DnsSecAlgorithm)13, Key64, null)),
            $"257 3 13 {Convert.ToBase64String(Key64)}"),
        ["CDNSKEY"] = new("CDNSKEY", $"256 3 ED25519 {Convert.ToBase64String(Key64)}",
            () => ArsoftRData(new CDnsKeyRecord(Owner, RecordClass.INet, 0, (DnsKeyFlags)256, 3, (DnsSecAlgorithm)15, Key64)),
            $"256 3 15 {Convert.ToBase64String(Key64)}"),
        ["RRSIG"] = new("RRSIG", $"AAAA 13 2 3600 20261201000000 20261101120000 12345 example.org. {Convert.ToBase64String(Sig)}",
            () => ArsoftRData(new RrSigRecord(Owner, RecordClass.INet, 0, RecordType.Aaaa, (DnsSecAlgorithm)13, 2, 3600,
                new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc), 12345, N("example.org."), Sig)),
            $"AAAA 13 2 3600 20261201000000 20261101120000 12345 example.org. {Convert.ToBase64String(Sig)}"),
        ["RRSIG integer times"] = new("RRSIG", $"A 8 3 300 1796083200 1793491200 1 @ {Convert.ToBase64String(Sig)}",
            () => ArsoftRData(new RrSigRecord(Owner, RecordClass.INet, 0, RecordType.A, (DnsSecAlgorithm)8, 3, 300,
                DateTimeOffset.FromUnixTimeSeconds(1796083200).UtcDateTime, DateTimeOffset.FromUnixTimeSeconds(1793491200).UtcDateTime, 1, N("example.org."), Sig)),
            $"A 8 3 300 20261201000000 20261101000000 1 example.org. {Convert.ToBase64String(Sig)}"),
        ["NSEC"] = new("NSEC", "host.example.org. A AAAA RRSIG NSEC TYPE1234",
            () => ArsoftRData(new NSecRecord(Owner, RecordClass.INet, 0, N("host.example.org."), [RecordType.A, RecordType.Aaaa, RecordType.RrSig, RecordType.NSec, (RecordType)1234])),
            "host.example.org. A AAAA RRSIG NSEC TYPE1234"),
        ["NSEC3"] = new("NSEC3", "1 1 12 AABBCCDD CPNMUOJ1 A RRSIG",
            () => ArsoftRData(new NSec3Record(Owner, RecordClass.INet, 0, NSec3HashAlgorithm.Sha1, (NSec3Flags)1, 12, Hex("AABBCCDD"), "fooba"u8.ToArray(), [RecordType.A, RecordType.RrSig])),
            "1 1 12 AABBCCDD CPNMUOJ1 A RRSIG"),
        ["NSEC3 no salt, lower-case hash"] = new("NSEC3", "1 0 0 - cpnmuoj1",
            () => ArsoftRData(new NSec3Record(Owner, RecordClass.INet, 0, NSec3HashAlgorithm.Sha1, 0, 0, [], "fooba"u8.ToArray(), [])),
            "1 0 0 - CPNMUOJ1"),
        ["NSEC3PARAM no salt"] = new("NSEC3PARAM", "1 0 0 -",
            () => ArsoftRData(new NSec3ParamRecord(Owner, RecordClass.INet, 0, NSec3HashAlgorithm.Sha1, 0, 0, [])), "1 0 0 -"),
        ["NSEC3PARAM salt"] = new("NSEC3PARAM", "1 0 10 aabb",
            () => ArsoftRData(new NSec3ParamRecord(Owner, RecordClass.INet, 0, NSec3HashAlgorithm.Sha1, 0, 10, Hex("AABB"))), "1 0 10 AABB"),
        ["HTTPS sorted params"] = new("HTTPS", "1 . port=8443 alpn=\"h2,h3\" mandatory=alpn",
            () => ArsoftRData(new HttpsRecord(Owner, 0, 1, N("."), new Dictionary<ServiceBindingParameterKey, ServiceBindingParameterBase>
            {
                [ServiceBindingParameterKey.Mandatory] = new MandatoryServiceBindingParameter([ServiceBindingParameterKey.ALPN]),
                [ServiceBindingParameterKey.ALPN] = new UnknownServiceBindingParameter(ServiceBindingParameterKey.ALPN, Hex("026832 026833")),
                [ServiceBindingParameterKey.Port] = new PortServiceBindingParameter(8443),
            })),
            "1 . mandatory=alpn alpn=\"h2,h3\" port=8443"),
        ["HTTPS alias form"] = new("HTTPS", "0 svc", () => Hex("0000 03737663 076578616D706C65 036F7267 00"), "0 svc.example.org."),
        ["SVCB every key"] = new("SVCB", "16 foo ipv6hint=2001:db8::1 key65000=\"x y\" ech=AAEC no-default-alpn ipv4hint=192.0.2.1,192.0.2.2 alpn=h2 dohpath=\"/q{?dns}\" key9",
            () => Hex("0010 03666F6F 076578616D706C65 036F7267 00"
                + "0001 0003 026832"                                      // alpn=h2
                + "0002 0000"                                             // no-default-alpn
                + "0004 0008 C0000201 C0000202"                           // ipv4hint
                + "0005 0003 000102"                                      // ech
                + "0006 0010 20010DB8000000000000000000000001"            // ipv6hint
                + "0007 0008 2F717B3F646E737D"                            // dohpath
                + "0009 0000"                                             // key9
                + "FDE8 0003 782079"),                                     // key65000="x y"
            "16 foo.example.org. alpn=\"h2\" no-default-alpn ipv4hint=192.0.2.1,192.0.2.2 ech=AAEC ipv6hint=2001:db8::1 dohpath=\"/q{?dns}\" key9 key65000=\"x y\""),
        ["SVCB alpn with escaped comma"] = new("SVCB", @"1 . alpn=""f\\,oo,bar""", () => Hex("0001 00 0001 0009 04662C6F6F 03626172"), @"1 . alpn=""f\\,oo,bar"""),
        ["URI"] = new("URI", "10 1 \"https://example.org/\"", () => ArsoftRData(new UriRecord(Owner, 0, 10, 1, "https://example.org/")), "10 1 \"https://example.org/\""),
        ["RFC 3597 unknown type"] = new("TYPE1234", @"\# 3 ABcd EF", () => Hex("ABCDEF"), @"\# 3 ABCDEF"),
        ["RFC 3597 empty"] = new("TYPE65280", @"\# 0", () => [], @"\# 0"),
        ["RFC 3597 for a known type"] = new("A", @"\# 4 C0000201", () => Hex("C0000201"), "192.0.2.1"),
        ["LOC (RFC 1876 example)"] = new("LOC", "42 21 54 N 71 06 18 W -24m 30m",
            () => ArsoftRData(new LocRecord(Owner, 0, 0, 30, 10000, 10,   // ARSoft takes metres here, whatever its doc says
                new LocRecord.Degree(false, 42, 21, 54, 0), new LocRecord.Degree(true, 71, 6, 18, 0), -24)),
            "42 21 54.000 N 71 6 18.000 W -24.00m 30m 10000m 10m"),
        ["LOC with every field"] = new("LOC", "52 22 23.123 n 4 53 32.5 e 2.05m 1.5m 20m 0.1m",
            () => Hex("00 12 23 11" + (0x80000000u + 52 * 3600000 + 22 * 60000 + 23123).ToString("X8") + (0x80000000u + 4 * 3600000 + 53 * 60000 + 32500).ToString("X8") + (10000000 + 205).ToString("X8")),
            "52 22 23.123 N 4 53 32.500 E 2.05m 1m 20m 0.1m"),
        ["LOC in RFC 3597 form"] = new("LOC", @"\# 16 00121300 89 17 2D D0 70 BE 15 F0 00 98 8D 20",
            () => Hex("00121300 89172DD0 70BE15F0 00988D20"), "42 21 54.000 N 71 6 18.000 W -24.00m 1m 10m 0m"),
        ["AVC"] = new("AVC", "\"app-name:WOLFGANG\"", () => Hex("11 6170702D6E616D653A574F4C4647414E47"), "\"app-name:WOLFGANG\""),
        ["TYPE without a presentation parser, RFC 3597 form"] = new("EUI48", @"\# 6 00005E0053FF", () => Hex("00005E0053FF"), @"\# 6 00005E0053FF"),
    };

#pragma warning disable CS0612 // SPF is obsolete (RFC 7208) but still a type zone files carry
    private static SpfRecord Spf(string[] parts) => new(Owner, 0, parts);
#pragma warning restore CS0612

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void RData_should_encode_presentation_as_the_oracle_and_print_it_back(string name)
    {
        var c = Cases[name];
        Assert.True(RrType.TryParse(c.Type, out var type));
        var wire = RData.Parse(type, Fields(c.Text), Origin);
        Assert.Equal(Convert.ToHexString(c.Wire()), Convert.ToHexString(wire));
        var printed = RData.ToText(type, wire);
        Assert.Equal(c.Printed, printed);
        Assert.Equal(Convert.ToHexString(wire), Convert.ToHexString(RData.Parse(type, Fields(printed), Origin)));
    }

    public static TheoryData<string, string, string> Errors => new()
    {
        { "A", "300.1.2.3", "bad A record: '300.1.2.3' is not an IPv4 address" },
        { "A", "1.2.3", "bad A record: '1.2.3' is not an IPv4 address" },
        { "A", "192.0.2.01", "bad A record: '192.0.2.01' is not an IPv4 address" },
        { "A", "1.2.3.4.5", "bad A record: '1.2.3.4.5' is not an IPv4 address" },
        { "A", "1..3.4", "bad A record: '1..3.4' is not an IPv4 address" },
        { "A", "1.2.3.4 5.6.7.8", "bad A record: unexpected '5.6.7.8' after the RDATA" },
        { "A", "", "bad A record: missing address" },
        { "AAAA", "192.0.2.1", "bad AAAA record: '192.0.2.1' is not an IPv6 address" },
        { "AAAA", "fe80::1%eth0", "bad AAAA record: 'fe80::1%eth0' is not an IPv6 address" },
        { "MX", "70000 mail", "bad MX record: preference '70000' is not a number from 0 to 65535" },
        { "MX", "10", "bad MX record: missing exchange" },
        { "CNAME", "a..b", "bad CNAME record: target 'a..b' is not a valid domain name" },
        { "SOA", "ns h 1 2x 3 4 5", "bad SOA record: refresh '2x' is not a time value" },
        { "SOA", "ns h 1 2 3 4", "bad SOA record: missing minimum" },
        { "SRV", "1 2 port host", "bad SRV record: port 'port' is not a number from 0 to 65535" },
        { "TXT", "", "bad TXT record: missing text" },
        { "TXT", @"""\999""", @"bad TXT record: '\999' has a bad \DDD escape" },
        { "NAPTR", $"1 1 \"{new string('a', 256)}\" \"\" \"\" .", "bad NAPTR record: flags is longer than 255 octets" },
        { "CAA", "0 is-sue x", "bad CAA record: tag 'is-sue' is not 1 to 255 letters and digits" },
        { "DS", "60485 8 2 XYZ", "bad DS record: digest 'XYZ' is not hex" },
        { "DS", "60485 FOO 2 AB", "bad DS record: algorithm 'FOO' is not a number from 0 to 255 or a DNSSEC algorithm name" },
        { "DNSKEY", "257 3 13 !!!!", "bad DNSKEY record: public key is not base64" },
        { "DNSKEY", "257 3 13", "bad DNSKEY record: missing public key" },
        { "RRSIG", "A 13 2 3600 2026120100000 20261101000000 1 . AAAA", "bad RRSIG record: signature expiration '2026120100000' is not YYYYMMDDHHmmSS or a number of seconds" },
        { "RRSIG", "BOGUS 13 2 3600 1 2 1 . AAAA", "bad RRSIG record: type covered 'BOGUS' is not an RR type" },
        { "NSEC", "next.example.org. A FOO", "bad NSEC record: type in the type bitmap 'FOO' is not an RR type" },
        { "NSEC3", "1 0 0 - WXYZ", "bad NSEC3 record: next hashed owner name 'WXYZ' is not base32hex" },
        { "NSEC3PARAM", "1 0 0 XYZ", "bad NSEC3PARAM record: salt 'XYZ' is not '-' or up to 255 octets of hex" },
        { "HTTPS", "1 . alpn=h2 alpn=h3", "bad HTTPS record: SvcParam 'alpn' is given twice" },
        { "HTTPS", "1 . mandatory=port", "bad HTTPS record: mandatory SvcParam 'port' is missing" },
        { "HTTPS", "1 . foo=bar", "bad HTTPS record: 'foo' is not a SvcParam key" },
        { "HTTPS", "1 . port", "bad HTTPS record: SvcParam 'port' needs a value" },
        { "HTTPS", "1 . no-default-alpn=x", "bad HTTPS record: SvcParam 'no-default-alpn' takes no value" },
        { "HTTPS", "1 . ipv4hint=192.0.2.1,::1", "bad HTTPS record: '::1' is not an IPv4 address" },
        { "TYPE123", @"\# 2 ABCDEF", "bad TYPE123 record: RFC 3597 data has 3 octets but the length says 2" },
        { "TYPE123", @"\# x", "bad TYPE123 record: RFC 3597 length 'x' is not a number from 0 to 65535" },
        { "A", @"\# 3 010203", "bad A record: RFC 3597 data is not a valid A RDATA" },
        { "EUI48", "00-00-5e-00-53-ff", @"bad EUI48 record: no presentation format is known for this type; write it as '\# length hex' (RFC 3597)" },
        { "LOC", "52 22 23.000 X 4 53 32.000 E -2.00m", "bad LOC record: 'X' is not N or S" },
        { "LOC", "91 N 4 E 0m", "bad LOC record: latitude degrees '91' is not a number from 0 to 90" },
        { "LOC", "52 N 4 E 0x", "bad LOC record: altitude '0x' is not a number of metres from -100000 to 42849672.95 with at most 2 decimals" },
        { "LOC", "52 N 4 E", "bad LOC record: missing altitude" },
        { "LOC", "N 4 E 0m", "bad LOC record: missing latitude degrees" },
        { "LOC", "90 1 N 4 E 0m", "bad LOC record: latitude is beyond 90 degrees" },
        { "LOC", "52 60 N 4 E 0m", "bad LOC record: latitude minutes '60' is not a number from 0 to 59" },
        { "LOC", "52 1 60 N 4 E 0m", "bad LOC record: latitude seconds '60' is not a number below 60 with at most 3 decimals" },
        { "LOC", "52 N 4 E 0m 1.234m", "bad LOC record: size '1.234m' is not a number of metres from 0 to 90000000 with at most 2 decimals" },
        { "TXT", @"abc\", @"bad TXT record: 'abc\' ends with a lone backslash" },
        { "HINFO", "", "bad HINFO record: missing CPU and OS" },
        { "SVCB", "1 . mandatory=mandatory", "bad SVCB record: 'mandatory' must not list itself" },
        { "SVCB", "1 . mandatory=foo", "bad SVCB record: 'foo' in 'mandatory' is not a SvcParam key" },
        { "SVCB", "1 . mandatory=port,port port=1", "bad SVCB record: 'port' is listed twice in 'mandatory'" },
        { "SVCB", "1 . alpn=,h2", "bad SVCB record: alpn ',h2' has an empty or too long protocol id" },
        { "SVCB", @"1 . alpn=a\\b", @"bad SVCB record: alpn 'a\\b' has a bad escape" },
        { "SVCB", "1 . port=x", "bad SVCB record: port 'x' is not a number from 0 to 65535" },
        { "SVCB", "1 . ech=!!", "bad SVCB record: ech '!!' is not base64" },
        { "SVCB", "1 . key65535", "bad SVCB record: 'key65535' is not a SvcParam key" },
        { "SVCB", "1 . alpn=", "bad SVCB record: missing value of SvcParam 'alpn'" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void RData_should_reject_bad_presentation_with_a_clear_reason(string type, string text, string message)
    {
        Assert.True(RrType.TryParse(type, out var t));
        var fields = text.Length == 0 ? new List<string>() : Fields(text);
        var e = Assert.ThrowsAny<FormatException>(() => RData.Parse(t, fields, Origin));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void ToText_should_fall_back_to_RFC_3597_for_malformed_or_unknown_RDATA()
    {
        Assert.Equal(@"\# 3 010203", RData.ToText(RrType.A, [1, 2, 3]));
        Assert.Equal(@"\# 2 C00C", RData.ToText(RrType.NS, [0xC0, 0x0C]));          // a pointer never belongs in stored RDATA
        Assert.Equal(@"\# 1 05", RData.ToText(4321, [5]));
        Assert.Equal(@"\# 0", RData.ToText(RrType.TXT, []));
    }
}
