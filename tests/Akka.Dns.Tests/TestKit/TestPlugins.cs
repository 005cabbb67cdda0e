using System.Net;
using Akka.Actor;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Tests.TestKit;

/// <summary>
/// Test-only plugins, inserted into a copy of the catalog (never into plugin.cfg):
/// <c>fault throw NAME...</c> throws on those names, <c>fault stall NAME...</c> never answers them, and every other
/// name gets <c>A 192.0.2.1</c>; <c>answer COUNT</c> answers COUNT A records (for truncation).
/// </summary>
public static class TestPlugins
{
    public static PluginCatalog Catalog { get; } = PluginCatalog.Default
        .With("fault", new FaultSetup(), after: "whoami")
        .With("answer", new AnswerSetup(), after: "fault")
        .With("pass", new PassSetup(), after: "answer")
        .With("updates", new UpdatesSetup(), after: "pass");

    private sealed class UpdatesSetup : IPluginSetup
    {
        public Plugin Setup(SetupContext context)
        {
            var pass = false;
            foreach (var r in context.Readers())
            {
                r.Next();
                pass = r.NextArg() && r.Val == "pass";
            }
            return new UpdatesPlugin(pass);
        }
    }

    /// <summary><c>updates [pass]</c>: takes UPDATE messages (answers NOERROR with TXT "update-seen"), or passes them on; queries pass on.</summary>
    private sealed class UpdatesPlugin(bool pass) : Plugin("updates")
    {
        public override bool AcceptsUpdates => true;
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new UpdatesActor(pass, next));
    }

    private sealed class UpdatesActor(bool pass, ChainLink? next) : PluginActor("updates", next)
    {
        protected override bool SeesUpdates => true;

        protected override void Handle(DnsRequest request)
        {
            if (request.Query.Opcode != Opcode.Update || pass)
            {
                Next(request);
                return;
            }
            var reply = request.CreateReply();
            reply.Additional.Add(DnsRecord.Txt(request.Name, 0, RrClass.IN, "update-seen"));
            request.Respond(reply);
        }
    }

    private sealed class PassSetup : IPluginSetup
    {
        public Plugin Setup(SetupContext context) => new PassPlugin();
    }

    /// <summary><c>pass</c>: hands every query to the next plugin (none: SERVFAIL at the end of the chain).</summary>
    private sealed class PassPlugin() : Plugin("pass")
    {
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new PassActor(next));
    }

    private sealed class PassActor(ChainLink? next) : PluginActor("pass", next)
    {
        protected override void Handle(DnsRequest request) => Next(request);
    }

    private sealed class FaultSetup : IPluginSetup
    {
        public bool AllowMultiple => true;

        public Plugin Setup(SetupContext context)
        {
            var throws = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var stalls = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in context.Readers())
            {
                r.Next();
                var args = r.RemainingArgs();
                if (args.Length < 2) throw context.Error(r, "fault throw|stall NAME...");
                var set = args[0] == "throw" ? throws : stalls;
                foreach (var n in args[1..]) set.Add(DnsName.Normalize(n));
            }
            return new FaultPlugin(throws, stalls);
        }
    }

    public sealed class FaultPlugin(HashSet<string> throws, HashSet<string> stalls) : Plugin("fault")
    {
        public static int Instances;

        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new FaultActor(throws, stalls, next));
    }

    public sealed class FaultActor : PluginActor
    {
        private readonly HashSet<string> _throws;
        private readonly HashSet<string> _stalls;

        public FaultActor(HashSet<string> throws, HashSet<string> stalls, ChainLink? next) : base("fault", next)
        {
            _throws = throws;
            _stalls = stalls;
            Interlocked.Increment(ref FaultPlugin.Instances);
        }

        protected override void Handle(DnsRequest request)
        {
            if (_throws.Contains(request.Name)) throw new InvalidOperationException("fault injected for " + request.Name);
            if (_stalls.Contains(request.Name)) return;
            var reply = request.CreateReply();
            reply.Aa = true;
            reply.Answer.Add(DnsRecord.A(request.Name, 60, IPAddress.Parse("192.0.2.1")));
            request.Respond(reply);
        }
    }

    private sealed class AnswerSetup : IPluginSetup
    {
        public Plugin Setup(SetupContext context)
        {
            var count = 1;
            foreach (var r in context.Readers())
            {
                r.Next();
                if (r.NextArg()) count = int.Parse(r.Val);
            }
            return new AnswerPlugin(count);
        }
    }

    private sealed class AnswerPlugin(int count) : Plugin("answer")
    {
        public override Props HandlerProps(ChainLink? next) => Props.Create(() => new AnswerActor(count, next));
    }

    private sealed class AnswerActor(int count, ChainLink? next) : PluginActor("answer", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var reply = request.CreateReply();
            reply.Aa = true;
            for (var i = 0; i < count; i++)
                reply.Answer.Add(DnsRecord.A(request.Name, 60, new IPAddress([10, 0, (byte)(i >> 8), (byte)i])));
            request.Respond(reply);
        }
    }
}
