using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Log;

/// <summary>
/// Finds the first rule whose name scope holds the query name and pushes that rule's writer; the writer sees the
/// reply on the answering thread (whoever answered, including the server's SERVFAIL at the end of the chain or
/// at the deadline), classifies it, formats the line and hands it to <see cref="LineLog"/>, which does the I/O
/// on its own thread.
/// </summary>
public sealed class LogActor : PluginActor
{
    private readonly LogRule[] _rules;
    private readonly LogWriter[] _writers;

    public static Props Props(IReadOnlyList<LogRule> rules, ChainLink? next) => Akka.Actor.Props.Create(() => new LogActor(rules, next));

    public LogActor(IReadOnlyList<LogRule> rules, ChainLink? next) : base("log", next)
    {
        _rules = [.. rules];
        _writers = new LogWriter[_rules.Length];
        for (var i = 0; i < _rules.Length; i++) _writers[i] = new LogWriter(_rules[i]);
    }

    /// <summary>UPDATE messages are logged too (where a dynupdate takes them).</summary>
    protected override bool SeesUpdates => true;

    protected override void Handle(DnsRequest request)
    {
        var name = request.Name;
        for (var i = 0; i < _rules.Length; i++)
        {
            if (!DnsName.IsSubdomain(name, _rules[i].NameScope)) continue;
            request.PushWriter(_writers[i]);
            break;
        }
        Next(request);
    }

    private sealed class LogWriter(LogRule rule) : IResponseWriter
    {
        public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
        {
            var type = Responses.Typify(response, DateTime.UtcNow);
            var cls = Responses.Classify(type);
            if (rule.Logs(cls)) LineLog.Info(rule.Format.Render(request, response, type, cls));
            return response;
        }
    }
}
