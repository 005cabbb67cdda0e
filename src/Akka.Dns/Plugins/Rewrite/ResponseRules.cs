using System.Text.RegularExpressions;
using Akka.Dns.Server;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Rewrite;

/// <summary>A change to the reply on its way out (CoreDNS's ResponseRule).</summary>
internal interface IResponseRule
{
    /// <summary>The record as this rule leaves it (the same one when untouched).</summary>
    DnsRecord Record(DnsRecord rr) => rr;

    /// <summary>Message-level fields (rcode, OPT options); runs once per reply.</summary>
    void Message(DnsResponse response) { }
}

internal interface IStringRewriter
{
    string Rewrite(string s);
}

/// <summary>Regex FROM, replacement TO with {N} groups (answer name/value).</summary>
internal sealed class RegexRewriter(Regex pattern, string replacement) : IStringRewriter
{
    public string Rewrite(string s)
    {
        var m = pattern.Match(s);
        return m.Success ? RewriteRule.Substitute(replacement, m) : s;
    }
}

/// <summary>The name itself or a name under it, mapped back (answer auto).</summary>
internal sealed class RemapRewriter(string orig, string replacement) : IStringRewriter
{
    public string Rewrite(string s)
    {
        if (string.Equals(s, orig, StringComparison.OrdinalIgnoreCase)) return replacement;
        var i = s.Length - orig.Length;
        if (i > 0 && s[i - 1] == '.' && s.AsSpan(i).Equals(orig, StringComparison.OrdinalIgnoreCase))
            return string.Concat(s.AsSpan(0, i), replacement);
        return s;
    }
}

internal sealed class SuffixRewriter(string suffix, string replacement) : IStringRewriter
{
    public string Rewrite(string s) =>
        s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? string.Concat(s.AsSpan(0, s.Length - suffix.Length), replacement) : s;
}

internal sealed class NameResponseRule(IStringRewriter rewriter) : IResponseRule
{
    public DnsRecord Record(DnsRecord rr)
    {
        if (rr.Type == RrType.OPT) return rr;
        var n = rewriter.Rewrite(rr.Name);
        return ReferenceEquals(n, rr.Name) || n == rr.Name ? rr : rr.WithName(n);
    }
}

/// <summary>The domain name inside the RDATA of SRV, MX, CNAME, NS, DNAME, NAPTR, SOA (MNAME) and PTR.</summary>
internal sealed class ValueResponseRule(IStringRewriter rewriter) : IResponseRule
{
    public DnsRecord Record(DnsRecord rr)
    {
        var at = rr.Type switch
        {
            RrType.SRV => 6,
            RrType.MX => 2,
            RrType.CNAME or RrType.NS or RrType.DNAME or RrType.SOA or RrType.PTR => 0,
            RrType.NAPTR => NaptrReplacement(rr.RData),
            _ => -1,
        };
        if (at < 0 || at >= rr.RData.Length) return rr;
        var end = at;
        if (!DnsName.TryRead(rr.RData, ref end, out var value) || value.Length == 0) return rr;
        var n = rewriter.Rewrite(value);
        if (n == value) return rr;
        var name = DnsRecord.NameBytes(n);
        var rdata = new byte[at + name.Length + rr.RData.Length - end];
        rr.RData.AsSpan(0, at).CopyTo(rdata);
        name.CopyTo(rdata, at);
        rr.RData.AsSpan(end).CopyTo(rdata.AsSpan(at + name.Length));
        return new DnsRecord(rr.Name, rr.Type, rr.Class, rr.Ttl, rdata);
    }

    /// <summary>NAPTR: order, preference, then three character-strings before the replacement name.</summary>
    private static int NaptrReplacement(byte[] rd)
    {
        var at = 4;
        for (var i = 0; i < 3; i++)
        {
            if (at >= rd.Length) return -1;
            at += 1 + rd[at];
        }
        return at;
    }
}

internal sealed class TtlResponseRule(uint min, uint max) : IResponseRule
{
    public DnsRecord Record(DnsRecord rr) =>
        rr.Ttl < min ? rr.WithTtl(min) : rr.Ttl > max ? rr.WithTtl(max) : rr;
}

internal sealed class RcodeResponseRule(int old, int @new) : IResponseRule
{
    public void Message(DnsResponse response)
    {
        if (response.Rcode == old) response.Rcode = @new;
    }
}

/// <summary>edns0 ... revert for an option the rule added: it is taken out of the reply's OPT.</summary>
internal sealed class EdnsRemoveResponseRule(ushort code) : IResponseRule
{
    public void Message(DnsResponse response)
    {
        var opts = response.Edns?.Options;
        if (opts is null) return;
        for (var i = 0; i < opts.Count; i++)
        {
            if (opts[i].Code != code) continue;
            opts.RemoveAt(i);
            return;
        }
    }
}

/// <summary>edns0 ... revert for an option the rule replaced: the reply's copy gets the client's data back.</summary>
internal sealed class EdnsRestoreResponseRule(ushort code, byte[] data) : IResponseRule
{
    public void Message(DnsResponse response)
    {
        var opts = response.Edns?.Options;
        if (opts is null) return;
        for (var i = 0; i < opts.Count; i++)
        {
            if (opts[i].Code != code) continue;
            opts[i] = (code, data);
            return;
        }
    }
}

/// <summary>Marks a query a cname rule applies to (the actor does the work).</summary>
internal sealed class CnameMarker : IResponseRule
{
    public static readonly CnameMarker Instance = new();
}

/// <summary>
/// CoreDNS's ResponseReverter: the question as the client asked it, then the response rules in reverse order on the
/// authority, answer and additional records, then the message-level rules. The reply is copied first (a cache may
/// hold it). It also puts back the query's own OPT when edns0 rules changed it, so the reply mirrors what the client sent.
/// </summary>
internal sealed class Reverter(string qname, ushort qtype, ushort qclass, bool restoreQuestion, IResponseRule[] rules, EdnsEdit.Snapshot? edns) : IResponseWriter
{
    public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
    {
        edns?.Restore(request.Query);
        var c = response.Copy();
        if (restoreQuestion)
        {
            c.QName = qname;
            c.QType = qtype;
            c.QClass = qclass;
        }
        if (rules.Length == 0) return c;
        Apply(c.Authority);
        Apply(c.Answer);
        Apply(c.Additional);
        for (var i = rules.Length - 1; i >= 0; i--) rules[i].Message(c);
        return c;
    }

    private void Apply(List<DnsRecord> records)
    {
        for (var k = 0; k < records.Count; k++)
        {
            var rr = records[k];
            for (var i = rules.Length - 1; i >= 0; i--) rr = rules[i].Record(rr);
            records[k] = rr;
        }
    }
}
