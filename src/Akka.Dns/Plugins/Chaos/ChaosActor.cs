using Akka.Actor;
using Akka.Dns.Server;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Chaos;

/// <summary>
/// Answers CH-class TXT queries for version.bind./version.server. (the version), authors.bind. (one TXT per
/// author, in random order) and hostname.bind./id.server. (the host name); TTL 0, class CH, AA clear, owner
/// as the client wrote it. Every other query goes to the next plugin.
/// </summary>
public sealed class ChaosActor : PluginActor
{
    private readonly byte[] _version;
    private readonly byte[][] _authors;
    private readonly byte[] _hostname;

    public static Props Props(ChaosOptions options, ChainLink? next) => Akka.Actor.Props.Create(() => new ChaosActor(options, next));

    public ChaosActor(ChaosOptions options, ChainLink? next) : base("chaos", next)
    {
        _version = DnsRecord.CharacterStrings([options.Version]);
        _authors = new byte[options.Authors.Count][];
        for (var i = 0; i < _authors.Length; i++) _authors[i] = DnsRecord.CharacterStrings([options.Authors[i]]);
        _hostname = DnsRecord.CharacterStrings([ChaosSetup.Trim(HostName())]);
    }

    /// <summary>The host name as os.Hostname() gives it, "localhost" when it cannot be read.</summary>
    internal static string HostName()
    {
        try
        {
            var h = System.Net.Dns.GetHostName();
            return string.IsNullOrEmpty(h) ? "localhost" : h;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }

    protected override void Handle(DnsRequest request)
    {
        if (request.Class != RrClass.CH || request.Type != RrType.TXT)
        {
            Next(request);
            return;
        }
        var name = request.Name;
        DnsResponse reply;
        if (Is(name, "version.bind.") || Is(name, "version.server."))
        {
            reply = request.CreateReply();
            reply.Answer.Add(Txt(name, _version));
        }
        else if (Is(name, "authors.bind."))
        {
            reply = request.CreateReply();
            var order = new int[_authors.Length];
            for (var i = 0; i < order.Length; i++) order[i] = i;
            Random.Shared.Shuffle(order);
            foreach (var i in order) reply.Answer.Add(Txt(name, _authors[i]));
        }
        else if (Is(name, "hostname.bind.") || Is(name, "id.server."))
        {
            reply = request.CreateReply();
            reply.Answer.Add(Txt(name, _hostname));
        }
        else
        {
            Next(request);
            return;
        }
        reply.Plugin = "chaos";
        request.Respond(reply);
    }

    private static bool Is(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    private static DnsRecord Txt(string owner, byte[] rdata) => new(owner, RrType.TXT, RrClass.CH, 0, rdata);
}
