using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Header;

/// <summary>
/// Applies the query rules to the request's flags (what later plugins and the reply skeleton see: RD is
/// copied into replies) and the response rules to the reply on its way out.
/// </summary>
public sealed class HeaderActor : PluginActor
{
    private readonly HeaderOptions _options;
    private readonly ResponseRules? _writer;

    public static Props Props(HeaderOptions options, ChainLink? next) => Akka.Actor.Props.Create(() => new HeaderActor(options, next));

    public HeaderActor(HeaderOptions options, ChainLink? next) : base("header", next)
    {
        _options = options;
        if (options.Response.Count > 0) _writer = new ResponseRules(options.Response);
    }

    protected override void Handle(DnsRequest request)
    {
        if (_options.Query.Count > 0) request.Flags = HeaderOptions.Apply(_options.Query, request.Flags);
        if (_writer is not null) request.PushWriter(_writer);
        Next(request);
    }

    private sealed class ResponseRules(IReadOnlyList<HeaderRule> rules) : IResponseWriter
    {
        public DnsResponse OnResponse(DnsRequest request, DnsResponse response)
        {
            var before = Flags(response);
            var after = HeaderOptions.Apply(rules, before);
            if (after == before) return response;
            // Copy before changing: the reply may be one someone else keeps (a cache).
            var r = response.Copy();
            r.Aa = (after & HeaderRule.Aa) != 0;
            r.Rd = (after & HeaderRule.Rd) != 0;
            r.Ra = (after & HeaderRule.Ra) != 0;
            return r;
        }

        private static ushort Flags(DnsResponse r) =>
            (ushort)((r.Aa ? HeaderRule.Aa : 0) | (r.Rd ? HeaderRule.Rd : 0) | (r.Ra ? HeaderRule.Ra : 0));
    }
}
