using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Dns.Corefile;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Forward;

/// <summary>
/// Parses every <c>forward FROM TO... { ... }</c> of a block (CoreDNS allows several; they are evaluated in the
/// order written) into one <see cref="ForwardPlugin"/>, with CoreDNS's error messages.
/// </summary>
[Plugin("forward")]
public sealed class ForwardSetup : IPluginSetup
{
    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext ctx)
    {
        var stanzas = new List<ForwardOptions>();
        foreach (var r in ctx.Readers())
        {
            r.Next();
            stanzas.Add(ParseStanza(ctx, r));
        }
        return new ForwardPlugin(stanzas, ctx.Settings.RequestTimeout);
    }

    private static ForwardOptions ParseStanza(SetupContext ctx, DirectiveReader r)
    {
        if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
        var fromArg = r.Val;
        var zones = ZoneMatch.NormalizeExact([fromArg], r);
        if (zones.Count == 0) throw ctx.Error(r, $"unable to normalize '{fromArg}'");
        var o = new ForwardOptions { From = zones[0] };
        var to = r.RemainingArgs();
        if (to.Length == 0) throw ctx.Error(r, r.ArgErr().Detail);

        while (r.NextBlock()) o = ParseProperty(ctx, r, o);

        if (o.MaxAge > TimeSpan.Zero && o.MaxAge < o.Expire)
            throw ctx.Error(r, $"max_age ({Go(o.MaxAge)}) must not be less than expire ({Go(o.Expire)})");

        var upstreams = new List<UpstreamAddress>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in to)
        {
            foreach (var u in ParseTo(ctx, r, t, o.TlsServerName))
                if (seen.Add(u.EndPoint.ToString())) upstreams.Add(u);
        }
        if (upstreams.Count == 0) throw ctx.Error(r, "no valid upstream addresses found");
        if (upstreams.Count > ForwardOptions.MaxUpstreams)
            throw ctx.Error(r, $"more than {ForwardOptions.MaxUpstreams} TOs configured: {upstreams.Count}");
        return o with { Upstreams = upstreams };
    }

    /// <summary>One TO: [dns://|tls://]IP[%SERVERNAME][:PORT], or a resolv.conf-style file of nameservers.</summary>
    private static IEnumerable<UpstreamAddress> ParseTo(SetupContext ctx, DirectiveReader r, string to, string? tlsServerName)
    {
        var (hostWithZone, trans) = SplitTransport(to);
        if (trans is not ("dns" or "tls"))
            throw ctx.Error(r, $"'{trans}' is not supported as a destination protocol in forward: {to}");
        if (hostWithZone.Length == 0) throw ctx.Error(r, $"invalid address: {GoNet.Quote(to)}");
        var tls = trans == "tls";
        var (host, serverName) = SplitZone(hostWithZone);
        if (serverName is not null && tls && tlsServerName is not null)
            throw ctx.Error(r, $"both forward ('{tlsServerName}') and proxy level ('{serverName}') TLS servernames are set for upstream proxy '{to}'");
        if (!tls) serverName = null;
        var defaultPort = tls ? 853 : 53;

        IPAddress? ip;
        int port;
        if (GoNet.TrySplitHostPort(host, out var h, out var p, out _))
        {
            ip = GoNet.ParseIP(h);
            if (ip is null) return FromFile(ctx, r, hostWithZone, tls);
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                throw ctx.Error(r, $"invalid port in address: {GoNet.Quote(to)}");
        }
        else
        {
            var bare = host.Trim('[', ']');
            ip = GoNet.ParseIP(bare);
            if (ip is null) return FromFile(ctx, r, bare, tls);
            port = defaultPort;
        }
        return [new UpstreamAddress(tls, new IPEndPoint(ip, port), serverName)];
    }

    /// <summary>The nameservers of a resolv.conf-style file (port 53), as CoreDNS's HostPortOrFile reads them.</summary>
    internal static IEnumerable<UpstreamAddress> FromFile(SetupContext ctx, DirectiveReader r, string path, bool tls)
    {
        var full = ctx.ResolvePath(path);
        string[] lines;
        try
        {
            lines = System.IO.File.ReadAllLines(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is FileNotFoundException or DirectoryNotFoundException ? "no such file or directory" : e.Message;
            throw ctx.Error(r, $"not an IP address or file {GoNet.Quote(path)}: failed to open file {GoNet.Quote(path)}: {GoNet.Quote($"open {path}: {why}")}");
        }
        var list = new List<UpstreamAddress>();
        foreach (var line in lines)
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || f[0] != "nameserver") continue;
            var addr = f[1];
            var pct = addr.IndexOf('%');
            if (pct >= 0) addr = addr[..pct];
            if (GoNet.ParseIP(addr) is { } ip) list.Add(new UpstreamAddress(tls, new IPEndPoint(ip, 53), null));
        }
        return list;
    }

    private static (string Host, string Transport) SplitTransport(string s)
    {
        var i = s.IndexOf("://", StringComparison.Ordinal);
        return i < 0 ? (s, "dns") : (s[(i + 3)..], s[..i]);
    }

    /// <summary>CoreDNS's splitZone: "1.2.3.4%name:853" → ("1.2.3.4:853", "name").</summary>
    private static (string Host, string? Zone) SplitZone(string host)
    {
        var pct = host.LastIndexOf('%');
        if (pct < 0) return (host, null);
        var newHost = host[..pct];
        if (newHost.StartsWith('[')) newHost += "]";
        var zone = host[(pct + 1)..];
        var colon = zone.LastIndexOf(':');
        if (colon >= 0)
        {
            newHost += zone[colon..];
            zone = zone[..colon].TrimEnd(']');
        }
        return (newHost, zone);
    }

    private static ForwardOptions ParseProperty(SetupContext ctx, DirectiveReader r, ForwardOptions o)
    {
        var prop = r.Val;
        switch (prop)
        {
            case "except":
            {
                var ignore = r.RemainingArgs();
                if (ignore.Length == 0) throw ctx.Error(r, r.ArgErr().Detail);
                return o with { Ignored = [.. o.Ignored, .. ZoneMatch.NormalizeExact(ignore, r)] };
            }
            case "max_fails":
                return o with { MaxFails = ParseUint(ctx, r) };
            case "max_connect_attempts":
                return o with { MaxConnectAttempts = ParseUint(ctx, r), MaxConnectAttemptsSet = true };
            case "health_check":
            {
                var d = Duration(ctx, r);
                if (d < 0) throw ctx.Error(r, $"health_check can't be negative: {d}");
                o = o with { HealthCheckInterval = GoDuration.ToTimeSpan(d), HealthCheckDomain = "." };
                while (r.NextArg())
                {
                    switch (r.Val)
                    {
                        case "no_rec":
                            o = o with { HealthCheckRecursionDesired = false };
                            break;
                        case "domain":
                            if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
                            var dom = r.Val;
                            if (!IsDomainName(dom)) throw ctx.Error(r, $"health_check: invalid domain name {dom}");
                            o = o with { HealthCheckDomain = DnsName.Normalize(dom.EndsWith('.') ? dom : dom + ".") };
                            break;
                        default:
                            throw ctx.Error(r, $"health_check: unknown option {r.Val}");
                    }
                }
                return o;
            }
            case "force_tcp":
                NoArgs(ctx, r);
                return o with { ForceTcp = true };
            case "prefer_udp":
                NoArgs(ctx, r);
                return o with { PreferUdp = true };
            case "tls":
            {
                var args = r.RemainingArgs();
                if (args.Length > 3) throw ctx.Error(r, r.ArgErr().Detail);
                for (var i = 0; i < args.Length; i++) args[i] = ctx.ResolvePath(args[i]);
                return o with { Tls = LoadTls(ctx, r, args) };
            }
            case "tls_servername":
                if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
                return o with { TlsServerName = r.Val };
            case "expire":
            {
                var d = Duration(ctx, r);
                if (d < 0) throw ctx.Error(r, $"expire can't be negative: {GoDuration.Format(d)}");
                return o with { Expire = GoDuration.ToTimeSpan(d) };
            }
            case "max_age":
            {
                var d = Duration(ctx, r);
                if (d < 0) throw ctx.Error(r, $"max_age can't be negative: {GoDuration.Format(d)}");
                return o with { MaxAge = GoDuration.ToTimeSpan(d) };
            }
            case "max_idle_conns":
            {
                var n = ParseInt(ctx, r);
                if (n < 0) throw ctx.Error(r, $"max_idle_conns can't be negative: {n}");
                return o with { MaxIdleConns = n };
            }
            case "read_timeout":
            {
                var d = Duration(ctx, r);
                if (d <= 0) throw ctx.Error(r, $"read_timeout must be positive: {GoDuration.Format(d)}");
                return o with { ReadTimeout = GoDuration.ToTimeSpan(d) };
            }
            case "policy":
                if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
                return r.Val switch
                {
                    "random" => o with { Policy = ForwardPolicy.Random },
                    "round_robin" => o with { Policy = ForwardPolicy.RoundRobin },
                    "sequential" => o with { Policy = ForwardPolicy.Sequential },
                    _ => throw ctx.Error(r, $"unknown policy '{r.Val}'"),
                };
            case "max_concurrent":
            {
                var n = ParseInt(ctx, r);
                if (n < 0) throw ctx.Error(r, $"max_concurrent can't be negative: {n}");
                return o with { MaxConcurrent = n };
            }
            case "next":
                return o with { NextRcodes = Rcodes(ctx, r, allowNoError: true) };
            case "next_on_nodata":
                NoArgs(ctx, r);
                return o with { NextOnNoData = true };
            case "failfast_all_unhealthy_upstreams":
                if (r.RemainingArgs().Length != 0) throw ctx.Error(r, r.ArgErr().Detail);
                return o with { FailfastAllUnhealthy = true };
            case "failover":
                return o with { FailoverRcodes = Rcodes(ctx, r, allowNoError: false) };
            case "source_address":
            {
                if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
                var ip = GoNet.ParseIP(r.Val) ?? throw ctx.Error(r, $"invalid IP address: {r.Val}");
                return o with { SourceAddress = ip };
            }
            default:
                throw ctx.Error(r, $"unknown property '{prop}'");
        }
    }

    private static void NoArgs(SetupContext ctx, DirectiveReader r)
    {
        if (r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
    }

    private static long Duration(SetupContext ctx, DirectiveReader r)
    {
        if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
        if (!GoDuration.TryParse(r.Val, out var d, out var error)) throw ctx.Error(r, error);
        return d;
    }

    private static uint ParseUint(SetupContext ctx, DirectiveReader r)
    {
        if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
        if (!uint.TryParse(r.Val, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            var why = r.Val.Length > 0 && r.Val.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
            throw ctx.Error(r, $"strconv.ParseUint: parsing {GoNet.Quote(r.Val)}: {why}");
        }
        return n;
    }

    private static int ParseInt(SetupContext ctx, DirectiveReader r)
    {
        if (!r.NextArg()) throw ctx.Error(r, r.ArgErr().Detail);
        if (!int.TryParse(r.Val, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            var v = r.Val.TrimStart('+', '-');
            var why = v.Length > 0 && v.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
            throw ctx.Error(r, $"strconv.Atoi: parsing {GoNet.Quote(r.Val)}: {why}");
        }
        return n;
    }

    /// <summary>RCODE names as miekg's StringToRcode knows them (upper-cased).</summary>
    private static readonly Dictionary<string, int> RcodeNames = new(StringComparer.Ordinal)
    {
        ["NOERROR"] = 0, ["FORMERR"] = 1, ["SERVFAIL"] = 2, ["NXDOMAIN"] = 3, ["NOTIMP"] = 4, ["REFUSED"] = 5,
        ["YXDOMAIN"] = 6, ["YXRRSET"] = 7, ["NXRRSET"] = 8, ["NOTAUTH"] = 9, ["NOTZONE"] = 10, ["BADSIG"] = 16,
        ["BADVERS"] = 16, ["BADKEY"] = 17, ["BADTIME"] = 18, ["BADMODE"] = 19, ["BADNAME"] = 20, ["BADALG"] = 21,
        ["BADTRUNC"] = 22, ["BADCOOKIE"] = 23,
    };

    private static List<int> Rcodes(SetupContext ctx, DirectiveReader r, bool allowNoError)
    {
        var args = r.RemainingArgs();
        if (args.Length == 0) throw ctx.Error(r, r.ArgErr().Detail);
        var list = new List<int>();
        foreach (var a in args)
        {
            if (!RcodeNames.TryGetValue(a.ToUpperInvariant(), out var rc)) throw ctx.Error(r, $"{a} is not a valid rcode");
            if (!allowNoError && rc == Rcode.NoError) throw ctx.Error(r, "NoError cannot be used in failover");
            list.Add(rc);
        }
        return list;
    }

    /// <summary>miekg's IsDomainName: labels of 1..63 octets, at most 255 in all; escapes are not checked further.</summary>
    private static bool IsDomainName(string s)
    {
        if (s.Length == 0 || s.Length > 255) return false;
        if (s == ".") return true;
        var labels = s.TrimEnd('.').Split('.');
        foreach (var l in labels)
            if (l.Length is 0 or > 63) return false;
        return !s.EndsWith("..", StringComparison.Ordinal);
    }

    internal static ForwardTls LoadTls(SetupContext ctx, DirectiveReader r, string[] args)
    {
        try
        {
            X509Certificate2? cert = null;
            X509Certificate2Collection? roots = null;
            string? ca = args.Length switch { 1 => args[0], 3 => args[2], _ => null };
            if (args.Length >= 2)
            {
                try
                {
                    cert = X509Certificate2.CreateFromPemFile(args[0], args[1]);
                }
                catch (Exception e)
                {
                    throw ctx.Error(r, $"could not load TLS cert: {e.Message}");
                }
            }
            if (ca is not null)
            {
                string pem;
                try
                {
                    pem = System.IO.File.ReadAllText(ca);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw ctx.Error(r, $"error reading {ca}: {e.Message}");
                }
                roots = [];
                roots.ImportFromPem(pem);
                if (roots.Count == 0) throw ctx.Error(r, "could not read root certs: no certificates found");
            }
            return new ForwardTls(cert, roots);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw ctx.Error(r, $"could not read root certs: {e.Message}");
        }
    }

    private static string Go(TimeSpan t) => GoDuration.Format(t.Ticks * 100);
}
