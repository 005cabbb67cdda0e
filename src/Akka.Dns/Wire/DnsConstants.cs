namespace Akka.Dns.Wire;

/// <summary>Record types used by name in the code; any other type is just its number.</summary>
public static class RrType
{
    public const ushort A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, HINFO = 13, MX = 15, TXT = 16, AAAA = 28,
        SRV = 33, NAPTR = 35, DNAME = 39, OPT = 41, DS = 43, SSHFP = 44, RRSIG = 46, NSEC = 47, DNSKEY = 48,
        NSEC3 = 50, NSEC3PARAM = 51, TLSA = 52, SVCB = 64, HTTPS = 65, TSIG = 250, IXFR = 251, AXFR = 252,
        ANY = 255, CAA = 257;

    private static readonly Dictionary<ushort, string> Names = new()
    {
        [A] = "A", [NS] = "NS", [CNAME] = "CNAME", [SOA] = "SOA", [PTR] = "PTR", [HINFO] = "HINFO", [MX] = "MX",
        [TXT] = "TXT", [AAAA] = "AAAA", [SRV] = "SRV", [NAPTR] = "NAPTR", [DNAME] = "DNAME", [OPT] = "OPT",
        [DS] = "DS", [SSHFP] = "SSHFP", [RRSIG] = "RRSIG", [NSEC] = "NSEC", [DNSKEY] = "DNSKEY", [NSEC3] = "NSEC3",
        [NSEC3PARAM] = "NSEC3PARAM", [TLSA] = "TLSA", [SVCB] = "SVCB", [HTTPS] = "HTTPS", [TSIG] = "TSIG",
        [IXFR] = "IXFR", [AXFR] = "AXFR", [ANY] = "ANY", [CAA] = "CAA", [99] = "SPF", [3] = "MD", [4] = "MF",
        [7] = "MB", [8] = "MG", [9] = "MR", [10] = "NULL", [11] = "WKS", [14] = "MINFO", [17] = "RP",
        [18] = "AFSDB", [29] = "LOC", [37] = "CERT", [42] = "APL", [45] = "IPSECKEY", [49] = "DHCID",
        [59] = "CDS", [60] = "CDNSKEY", [61] = "OPENPGPKEY", [62] = "CSYNC", [63] = "ZONEMD", [108] = "EUI48",
        [109] = "EUI64", [249] = "TKEY", [256] = "URI", [21] = "RT", [24] = "SIG", [25] = "KEY", [26] = "PX",
        [36] = "KX", [53] = "SMIMEA", [258] = "AVC", [32769] = "DLV",
    };

    private static readonly Dictionary<string, ushort> ByName =
        Names.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] Cache = BuildCache();

    private static string[] BuildCache()
    {
        var c = new string[512];
        for (var i = 0; i < c.Length; i++) c[i] = Names.TryGetValue((ushort)i, out var n) ? n : "TYPE" + i;
        return c;
    }

    /// <summary>Mnemonic ("AAAA") or RFC 3597 "TYPE123"; no allocation for common types.</summary>
    public static string ToString(ushort type) => type < Cache.Length ? Cache[type] : Names.TryGetValue(type, out var n) ? n : "TYPE" + type;

    public static bool TryParse(string text, out ushort type)
    {
        if (ByName.TryGetValue(text, out type)) return true;
        return text.StartsWith("TYPE", StringComparison.OrdinalIgnoreCase) && ushort.TryParse(text.AsSpan(4), out type);
    }
}

public static class RrClass
{
    public const ushort IN = 1, CH = 3, HS = 4, NONE = 254, ANY = 255;

    public static string ToString(ushort c) => c switch
    {
        IN => "IN", CH => "CH", HS => "HS", NONE => "NONE", ANY => "ANY", _ => "CLASS" + c,
    };

    public static bool TryParse(string text, out ushort c)
    {
        c = 0;
        switch (text.ToUpperInvariant())
        {
            case "IN": c = IN; return true;
            case "CH": case "CHAOS": c = CH; return true;
            case "HS": c = HS; return true;
            case "NONE": c = NONE; return true;
            case "ANY": c = ANY; return true;
        }
        return text.StartsWith("CLASS", StringComparison.OrdinalIgnoreCase) && ushort.TryParse(text.AsSpan(5), out c);
    }
}

public static class Rcode
{
    public const int NoError = 0, FormErr = 1, ServFail = 2, NxDomain = 3, NotImp = 4, Refused = 5, YxDomain = 6,
        YxRrset = 7, NxRrset = 8, NotAuth = 9, NotZone = 10, BadVers = 16;

    private static readonly string[] Names =
    [
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET",
        "NOTAUTH", "NOTZONE", "RCODE11", "RCODE12", "RCODE13", "RCODE14", "RCODE15", "BADVERS",
    ];

    public static string ToString(int rcode) => rcode >= 0 && rcode < Names.Length ? Names[rcode] : "RCODE" + rcode;

    public static bool TryParse(string text, out int rcode)
    {
        var i = Array.FindIndex(Names, n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        if (i >= 0) { rcode = i; return true; }
        return int.TryParse(text, out rcode) && rcode is >= 0 and <= 4095;
    }

    /// <summary>CoreDNS's plugin.ClientWrite: false for the rcodes that mean "nothing written, the server writes".</summary>
    public static bool ClientWrite(int rcode) => rcode is not (ServFail or Refused or FormErr or NotImp);
}

public static class Opcode
{
    public const int Query = 0, IQuery = 1, Status = 2, Notify = 4, Update = 5;

    public static string ToString(int op) => op switch
    {
        Query => "QUERY", IQuery => "IQUERY", Status => "STATUS", Notify => "NOTIFY", Update => "UPDATE", _ => "OPCODE" + op,
    };
}

public static class EdnsOption
{
    public const ushort Nsid = 3, ClientSubnet = 8, Expire = 9, Cookie = 10, TcpKeepalive = 11, Padding = 12, Ede = 15;
}
