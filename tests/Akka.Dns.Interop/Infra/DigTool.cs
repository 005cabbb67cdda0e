using System.Text.Json;
using System.Text.RegularExpressions;

namespace Akka.Dns.Interop.Infra;

/// <summary>A record line from dig/kdig: owner, ttl, class, type, rdata (as printed).</summary>
public sealed record DigRecord(string Name, long Ttl, string Class, string Type, string Data);

/// <summary>What a client printed for one exchange, parsed. <see cref="Raw"/> keeps the whole output for messages.</summary>
public sealed record DigAnswer(string Opcode, string Status, int Id, IReadOnlySet<string> Flags, int QdCount,
    IReadOnlyList<DigRecord> Answer, IReadOnlyList<DigRecord> Authority, IReadOnlyList<DigRecord> Additional,
    int? EdnsVersion, int? EdnsUdpSize, string? Transport, ProcResult Raw)
{
    public override string ToString() => Raw.ToString();
}

/// <summary>
/// Runs ISC dig (BIND 9) against a daemon and parses its text output. Always <c>+tries=1 +time=2</c> and a hard
/// process bound, so a silent server fails the test instead of hanging it.
/// </summary>
public static partial class Dig
{
    public static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(15);

    public static async Task<DigAnswer> QueryAsync(string server, int port, params string[] args)
    {
        var r = await RunAsync(server, port, args);
        return Parse(r) ?? throw new InvalidOperationException($"dig printed no reply\n{r}");
    }

    public static Task<ProcResult> RunAsync(string server, int port, params string[] args) =>
        Proc.RunAsync("dig", [$"@{server}", "-p", port.ToString(), "+tries=1", "+time=2", .. args], ProcessTimeout);

    /// <summary>Parses dig's default output; null when it shows no reply (timeout, connection refused).</summary>
    public static DigAnswer? Parse(ProcResult r)
    {
        var text = r.Stdout;
        var header = HeaderRe().Match(text);
        if (!header.Success) return null;
        var flags = FlagsRe().Match(text);
        var edns = EdnsRe().Match(text);
        var server = ServerRe().Match(text);
        return new DigAnswer(
            header.Groups["op"].Value, header.Groups["st"].Value, int.Parse(header.Groups["id"].Value),
            flags.Success ? flags.Groups["f"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet() : new HashSet<string>(),
            flags.Success ? int.Parse(flags.Groups["qd"].Value) : -1,
            Section(text, "ANSWER"), Section(text, "AUTHORITY"), Section(text, "ADDITIONAL"),
            edns.Success ? int.Parse(edns.Groups["v"].Value) : null,
            edns.Success ? int.Parse(edns.Groups["udp"].Value) : null,
            server.Success ? server.Groups["t"].Value : null,
            r);
    }

    internal static List<DigRecord> Section(string text, string name, string marker = ";; {0} SECTION:")
    {
        var list = new List<DigRecord>();
        var lines = text.Split('\n');
        var at = Array.FindIndex(lines, l => l.TrimEnd() == string.Format(marker, name));
        if (at < 0) return list;
        for (var i = at + 1; i < lines.Length; i++)
        {
            var l = lines[i].TrimEnd();
            if (l.Length == 0 || l.StartsWith(';')) break;
            var f = l.Split((char[])['\t', ' '], 5, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4) continue;
            list.Add(new DigRecord(f[0], long.Parse(f[1]), f[2], f[3], f.Length > 4 ? string.Join(' ', f[4].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)) : ""));
        }
        return list;
    }

    [GeneratedRegex(@"->>HEADER<<- opcode: (?<op>\w+), status: (?<st>\w+), id: (?<id>\d+)")]
    private static partial Regex HeaderRe();

    [GeneratedRegex(@";; flags:(?<f>[^;]*); QUERY: (?<qd>\d+)")]
    private static partial Regex FlagsRe();

    [GeneratedRegex(@"; EDNS: version: (?<v>\d+), flags:[^;]*; udp: (?<udp>\d+)")]
    private static partial Regex EdnsRe();

    [GeneratedRegex(@";; SERVER: \S+ \((?<t>\w+)\)")]
    private static partial Regex ServerRe();
}

/// <summary>
/// Runs Knot's kdig against a daemon with <c>+json</c> (RFC 8427) and parses the JSON. Always <c>+retry=0
/// +timeout=2</c> (kdig's spelling of dig's +tries/+time) and a hard process bound.
/// </summary>
public static class Kdig
{
    public static async Task<KdigAnswer> QueryAsync(string server, int port, params string[] args)
    {
        var r = await RunAsync(server, port, ["+json", .. args]);
        var start = r.Stdout.IndexOf('{');
        if (r.ExitCode != 0 || start < 0) throw new InvalidOperationException($"kdig printed no reply\n{r}");
        using var doc = JsonDocument.Parse(r.Stdout[start..]);
        return new KdigAnswer(doc.RootElement.Clone(), r);
    }

    public static Task<ProcResult> RunAsync(string server, int port, params string[] args) =>
        Proc.RunAsync("kdig", [$"@{server}", "-p", port.ToString(), "+retry=0", "+timeout=2", .. args], Dig.ProcessTimeout);
}

/// <summary>kdig's RFC 8427 JSON reply.</summary>
public sealed record KdigAnswer(JsonElement Json, ProcResult Raw)
{
    public int Id => Json.GetProperty("ID").GetInt32();
    public int Rcode => Json.GetProperty("RCODE").GetInt32();
    public int Opcode => Json.GetProperty("Opcode").GetInt32();
    public bool Qr => Json.GetProperty("QR").GetInt32() == 1;
    public bool Aa => Json.GetProperty("AA").GetInt32() == 1;
    public string QName => Json.GetProperty("QNAME").GetString()!;

    /// <summary>Records of a section ("answerRRs", "authorityRRs", "additionalRRs") as (name, type, rdata text).</summary>
    public IReadOnlyList<(string Name, string Type, string Data)> Section(string key)
    {
        var list = new List<(string, string, string)>();
        if (!Json.TryGetProperty(key, out var rrs)) return list;
        foreach (var rr in rrs.EnumerateArray())
        {
            var type = rr.GetProperty("TYPEname").GetString()!;
            var data = rr.TryGetProperty("rdata" + type, out var d) ? d.GetString()! : rr.GetProperty("RDATAHEX").GetString()!;
            list.Add((rr.GetProperty("NAME").GetString()!, type, data));
        }
        return list;
    }

    public override string ToString() => Raw.ToString();
}
