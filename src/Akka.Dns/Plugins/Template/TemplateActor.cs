using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Dns.Plugins.View;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;
using Akka.Dns.Zones;

namespace Akka.Dns.Plugins.Template;

/// <summary>
/// CoreDNS's template handler: for a query in the plugin's zones, the first template whose zone, class, type and one
/// of whose regexes match answers it (AA set, the template's rcode, records rendered from the templates and read as
/// master-file lines); a template whose zone matches but nothing else does answers SERVFAIL unless it falls through.
/// For A and AAAA queries a rendered CNAME's target is looked up through the whole server and its answer appended.
/// </summary>
public sealed class TemplateActor : PluginActor
{
    private readonly TemplateRule[] _templates;
    private readonly string[] _zones;
    private readonly TemplateCounters _counters;

    public static Props Props(TemplateRule[] templates, string[] zones, TemplateCounters counters, ChainLink? next) =>
        Akka.Actor.Props.Create(() => new TemplateActor(templates, zones, counters, next));

    public TemplateActor(TemplateRule[] templates, string[] zones, TemplateCounters counters, ChainLink? next) : base("template", next)
    {
        _templates = templates;
        _zones = zones;
        _counters = counters;
    }

    protected override void Handle(DnsRequest request)
    {
        var name = request.Name.ToLowerInvariant();
        if (ZoneMatch.Longest(_zones, name) is null)
        {
            Next(request);
            return;
        }
        foreach (var t in _templates)
        {
            var data = Match(t, request, name, out var fallthrough);
            if (data is null)
            {
                if (!fallthrough)
                {
                    request.Fail(Rcode.ServFail, null, "template");
                    return;
                }
                continue;
            }
            _counters.Match(request, data);
            if (t.Rcode == Rcode.ServFail)
            {
                request.Fail(Rcode.ServFail, null, "template");
                return;
            }
            Answer(request, t, data);
            return;
        }
        Next(request);
    }

    private void Answer(DnsRequest request, TemplateRule t, TemplateData data)
    {
        var reply = request.CreateReply(t.Rcode);
        reply.Aa = true;
        reply.Plugin = "template";
        var answers = new List<DnsRecord>(t.Answer.Length);
        try
        {
            foreach (var a in t.Answer) answers.Add(Render(request, a, data, "answer"));
            foreach (var a in t.Additional) reply.Additional.Add(Render(request, a, data, "additional"));
            foreach (var a in t.Authority) reply.Authority.Add(Render(request, a, data, "authority"));
        }
        catch (TemplateException e)
        {
            request.Fail(Rcode.ServFail, $"plugin/template: {e.Message}", "template");
            return;
        }
        if (t.Ede is { } ede)
        {
            reply.Edns = new EdnsRecord { UdpSize = 4096, Do = true };
            var reason = System.Text.Encoding.UTF8.GetBytes(ede.Reason);
            var opt = new byte[2 + reason.Length];
            opt[0] = (byte)(ede.Code >> 8);
            opt[1] = (byte)ede.Code;
            reason.CopyTo(opt, 2);
            reply.Edns.Options.Add((EdnsOption.Ede, opt));
        }
        Continue(new Pending(request, reply, answers));
    }

    /// <summary>
    /// Runs a template and reads its output as one resource record (CoreDNS's dns.NewRR); a failure counts in
    /// coredns_template_template_failures_total (execution) or coredns_template_rr_failures_total (not a record).
    /// </summary>
    private DnsRecord Render(DnsRequest request, GoTemplate template, TemplateData data, string section)
    {
        string text;
        try
        {
            text = template.Execute(data);
        }
        catch (TemplateException)
        {
            _counters.Failure(TemplateMetrics.TemplateFailures, request, data, section, template.Name);
            throw;
        }
        IReadOnlyList<DnsRecord> records;
        try
        {
            records = MasterFile.Parse(text, DnsName.Root, "template");
        }
        catch (Exception e) when (e is MasterFileException or FormatException or ArgumentException)
        {
            _counters.Failure(TemplateMetrics.RrFailures, request, data, section, template.Name);
            throw new TemplateException($"{template.Name}: {e.Message}");
        }
        if (records.Count == 0)
        {
            _counters.Failure(TemplateMetrics.RrFailures, request, data, section, template.Name);
            throw new TemplateException($"{template.Name}: no resource record in \"{text}\"");
        }
        return records[0];
    }

    private sealed class Pending(DnsRequest request, DnsResponse reply, List<DnsRecord> answers)
    {
        public DnsRequest Request { get; } = request;
        public DnsResponse Reply { get; } = reply;
        public List<DnsRecord> Answers { get; } = answers;
        public int Next { get; set; }
    }

    private sealed record Looked(Pending Pending, DnsResponse Reply);

    /// <summary>Adds the rendered answers in order; after a CNAME (for A/AAAA) waits for the lookup of its target.</summary>
    private void Continue(Pending p)
    {
        var qtype = p.Request.Type;
        while (p.Next < p.Answers.Count)
        {
            var rr = p.Answers[p.Next++];
            p.Reply.Answer.Add(rr);
            if (rr.Type != RrType.CNAME || qtype is not (RrType.A or RrType.AAAA)) continue;
            var at = 0;
            if (!DnsName.TryRead(rr.RData, ref at, out var target)) continue;
            var self = Self;
            Upstream.Lookup(p.Request, target, qtype, up => self.Tell(new Looked(p, up)));
            return;
        }
        p.Request.Respond(p.Reply);
    }

    protected override void OnOther(object message)
    {
        if (message is Looked l)
        {
            l.Pending.Reply.Tc = l.Reply.Tc;
            l.Pending.Reply.Answer.AddRange(l.Reply.Answer);
            Continue(l.Pending);
        }
        else
        {
            Unhandled(message);
        }
    }

    private static bool TryRun(ViewExpression e, TemplateEnv env, out object? value)
    {
        try
        {
            value = e.Run(env);
            return true;
        }
        catch (Exception)
        {
            value = null;
            return false;
        }
    }

    /// <summary>CoreDNS's template.match: the data for the first matching regex, or null (and whether to fall through).</summary>
    private static TemplateData? Match(TemplateRule t, DnsRequest request, string name, out bool fallthrough)
    {
        fallthrough = true;
        var zone = ZoneMatch.Longest(t.Zones, name);
        if (zone is null) return null;
        var q = request.Query;
        if (t.Class != RrClass.ANY && q.Class != RrClass.ANY && q.Class != t.Class) return null;
        if (t.Type != RrType.ANY && q.Type != RrType.ANY && q.Type != t.Type) return null;
        foreach (var regex in t.Regexes)
        {
            var m = regex.Match(name);
            if (!m.Success) continue;
            fallthrough = false;
            var data = new TemplateData(request, zone, name, regex, m,
                RrClass.ToString(q.Class != RrClass.ANY ? q.Class : t.Class),
                RrType.ToString(q.Type != RrType.ANY ? q.Type : t.Type));
            if (t.Vars.Length == 0 && t.Exprs.Length == 0) return data;
            // CoreDNS: an expression that fails to run answers SERVFAIL (no fallthrough); a condition that is not
            // true is a non-match, subject to fallthrough. Only the first matching regex is tried.
            var slots = new object?[t.Vars.Length];
            var env = new TemplateEnv(request, data.Group, slots);
            var vars = new Dictionary<string, object?>(t.Vars.Length, StringComparer.Ordinal);
            for (var i = 0; i < t.Vars.Length; i++)
            {
                if (!TryRun(t.Vars[i].Expression, env, out slots[i])) return null;
                vars[t.Vars[i].Name] = slots[i];
            }
            data.Var = vars;
            foreach (var e in t.Exprs)
            {
                if (!TryRun(e, env, out var value)) return null;
                if (value is not true)
                {
                    fallthrough = t.Fall.Through(name);
                    return null;
                }
            }
            return data;
        }
        fallthrough = t.Fall.Through(name);
        return null;
    }
}

/// <summary>CoreDNS's templateData: what a template can read.</summary>
public sealed class TemplateData : ITemplateData
{
    private static readonly IReadOnlyDictionary<string, object?> NoVars = new Dictionary<string, object?>();
    private readonly DnsRequest _request;


    internal TemplateData(DnsRequest request, string zone, string name, Regex regex, Match m, string cls, string type)
    {
        _request = request;
        Zone = zone;
        Name = name;
        Regex = regex.ToString();
        Class = cls;
        Type = type;
        var groups = m.Groups;
        Match = new string[groups.Count];
        var group = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            Match[i] = groups[i].Value;
            group[i.ToString(CultureInfo.InvariantCulture)] = groups[i].Value;
        }
        foreach (var gname in regex.GetGroupNames())
            if (!int.TryParse(gname, NumberStyles.None, CultureInfo.InvariantCulture, out _)) group[gname] = groups[gname].Value;
        Group = group;
    }

    public string Zone { get; }
    public string Name { get; }
    public string Regex { get; }
    public string Class { get; }
    public string Type { get; }
    public string[] Match { get; }
    public IReadOnlyDictionary<string, string> Group { get; }

    /// <summary>The values of the template's <c>var</c>s for this query (<c>.Var.NAME</c>).</summary>
    public IReadOnlyDictionary<string, object?> Var { get; internal set; } = NoVars;
    public string TypeName => "*template.templateData";

    public string Meta(string label) => _request.Metadata.TryGetValue(label, out var v) ? v : "";

    public bool TryGetField(string name, out object? value)
    {
        value = name switch
        {
            "Zone" => Zone,
            "Name" => Name,
            "Regex" => Regex,
            "Match" => Match,
            "Group" => Group,
            "Class" => Class,
            "Type" => Type,
            "Message" => new MessageView(_request),
            "Question" => new QuestionView(_request.Query.Name, _request.Query.Type, _request.Query.Class),
            "Remote" => _request.Client.Address.ToString(),
            "Var" => Var,
            _ => Missing,
        };
        if (ReferenceEquals(value, Missing))
        {
            value = null;
            return false;
        }
        return true;
    }

    private static readonly object Missing = new();

    /// <summary>The incoming message's header fields and question, named as miekg/dns's Msg.</summary>
    private sealed class MessageView(DnsRequest request) : ITemplateObject
    {
        public string TypeName => "*dns.Msg";

        public bool TryGetField(string name, out object? value)
        {
            var q = request.Query;
            value = name switch
            {
                "Id" => (long)q.Id,
                "Opcode" => (long)q.Opcode,
                "RecursionDesired" => q.Rd,
                "CheckingDisabled" => q.Cd,
                "AuthenticatedData" => q.Ad,
                "Question" => new object[] { new QuestionView(q.Name, q.Type, q.Class) },
                _ => null,
            };
            return name is "Id" or "Opcode" or "RecursionDesired" or "CheckingDisabled" or "AuthenticatedData" or "Question";
        }
    }

    /// <summary>miekg/dns's Question: Name, Qtype, Qclass.</summary>
    private sealed class QuestionView(string name, ushort type, ushort cls) : ITemplateObject
    {
        public string TypeName => "*dns.Question";

        public bool TryGetField(string field, out object? value)
        {
            value = field switch
            {
                "Name" => name,
                "Qtype" => (long)type,
                "Qclass" => (long)cls,
                _ => null,
            };
            return field is "Name" or "Qtype" or "Qclass";
        }
    }
}

/// <summary>
/// What a template's <c>var</c> and <c>expr</c> can call: the view's functions, <c>group(name|index)</c> over the
/// matching regex, and the values of the variables declared before (slots filled in order).
/// </summary>
public sealed class TemplateEnv(DnsRequest request, IReadOnlyDictionary<string, string> groups, object?[] slots) : ViewEnv(request)
{
    public static readonly ExprScope Scope = new(typeof(TemplateEnv), new Dictionary<string, string>(StringComparer.Ordinal) { ["group"] = "group" }, []);

    public string group(string name) => groups.TryGetValue(name, out var v) ? v : "";
    public string group(int index) => groups.TryGetValue(index.ToString(CultureInfo.InvariantCulture), out var v) ? v : "";
    public object? variable(int slot) => slots[slot];
}
