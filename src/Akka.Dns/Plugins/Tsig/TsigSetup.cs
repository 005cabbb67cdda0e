using Akka.Actor;
using Akka.Dns.Corefile;
using Akka.Dns.Server.Pipeline;
using Akka.Dns.Wire;

namespace Akka.Dns.Plugins.Tsig;

/// <summary>
/// <c>tsig [ZONE...] { secret NAME KEY; secrets FILE; require [QTYPE...]; require_opcode [OPCODE...] }</c>, read the
/// way CoreDNS's tsig parse does it: once per block, key names normalized, a key defined twice an error,
/// <c>require</c>/<c>require_opcode</c> replacing what an earlier line required, <c>all</c> and <c>none</c> as the first
/// argument. Secrets are decoded here, so a secret that is not base64 stops start-up.
/// </summary>
[Plugin("tsig")]
public sealed class TsigSetup : IPluginSetup
{
    private static readonly Dictionary<string, int> Opcodes = new(StringComparer.Ordinal)
    {
        ["QUERY"] = Opcode.Query, ["IQUERY"] = Opcode.IQuery, ["STATUS"] = Opcode.Status,
        ["NOTIFY"] = Opcode.Notify, ["UPDATE"] = Opcode.Update,
    };

    public Plugin Setup(SetupContext context)
    {
        var options = new TsigOptions();
        foreach (var r in context.Readers())
        {
            r.Next();
            options.Zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
            while (r.NextBlock())
            {
                switch (r.Val)
                {
                    case "secret":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length != 2) throw context.Error(r, r.ArgErr().Detail);
                        var name = DnsName.Normalize(args[0]);
                        if (options.Keys.ContainsKey(name)) throw context.Error(r, $"key {GoNet.Quote(name)} redefined");
                        options.Keys[name] = new TsigKey(name, Decode(context, r, name, args[1]), null);
                        break;
                    }
                    case "secrets":
                    {
                        var args = r.RemainingArgs();
                        if (args.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                        var path = context.ResolvePath(args[0]);
                        if (!System.IO.File.Exists(path)) throw context.Error(r, $"open {args[0]}: no such file or directory");
                        List<KeyFileEntry> entries;
                        try
                        {
                            entries = ParseKeyFile(System.IO.File.ReadAllLines(path));
                        }
                        catch (FormatException e)
                        {
                            throw context.Error(r, e.Message);
                        }
                        foreach (var e in entries)
                        {
                            if (options.Keys.ContainsKey(e.Name)) throw context.Error(r, $"key {GoNet.Quote(e.Name)} redefined");
                            TsigAlgorithm? algorithm = null;
                            if (e.Algorithm is not null)
                                algorithm = TsigAlgorithm.Find(e.Algorithm)
                                            ?? throw context.Error(r, $"unknown algorithm {GoNet.Quote(e.Algorithm)} for key {GoNet.Quote(e.Name)}");
                            options.Keys[e.Name] = new TsigKey(e.Name, Decode(context, r, e.Name, e.Secret), algorithm);
                        }
                        break;
                    }
                    case "require":
                    {
                        options.Types.Clear();
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        if (args[0] == "all")
                        {
                            options.AllTypes = true;
                            continue;
                        }
                        if (args[0] == "none") continue;
                        foreach (var a in args)
                        {
                            if (!RrType.TryParse(a, out var t) || a != a.ToUpperInvariant()) throw context.Error(r, $"unknown query type '{a}'");
                            options.Types.Add(t);
                        }
                        break;
                    }
                    case "require_opcode":
                    {
                        options.Opcodes.Clear();
                        var args = r.RemainingArgs();
                        if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                        if (args[0] == "all")
                        {
                            options.AllOpcodes = true;
                            continue;
                        }
                        if (args[0] == "none") continue;
                        foreach (var a in args)
                        {
                            if (!Opcodes.TryGetValue(a, out var op)) throw context.Error(r, $"unknown opcode '{a}'");
                            options.Opcodes.Add(op);
                        }
                        break;
                    }
                    default:
                        throw context.Error(r, $"unknown property '{r.Val}'");
                }
            }
        }
        return new TsigPlugin(options);
    }

    private static byte[] Decode(SetupContext context, DirectiveReader r, string name, string secret)
    {
        try
        {
            return Convert.FromBase64String(secret);
        }
        catch (FormatException)
        {
            throw context.Error(r, $"secret for key {GoNet.Quote(name)} is not valid base64");
        }
    }

    /// <summary>One <c>key "NAME" { algorithm ALG; secret "KEY"; };</c> of a BIND key file.</summary>
    public sealed record KeyFileEntry(string Name, string Secret, string? Algorithm);

    /// <summary>
    /// Reads BIND's key-file format line by line, as CoreDNS's parseKeyFile does (one statement per line, <c>key</c>
    /// opening a block that <c>}</c> or <c>};</c> closes), with its error texts; the algorithm is kept.
    /// Throws <see cref="FormatException"/>.
    /// </summary>
    public static List<KeyFileEntry> ParseKeyFile(IReadOnlyList<string> lines)
    {
        var keys = new List<KeyFileEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        while (i < lines.Count)
        {
            var line = lines[i++];
            var fields = Fields(line);
            if (fields.Length == 0) continue;
            if (fields[0] != "key") throw new FormatException($"unexpected token {GoNet.Quote(fields[0])}");
            if (fields.Length < 2) throw new FormatException($"expected key name {GoNet.Quote(line)}");
            var name = fields[1].Trim('"', '{');
            if (name.Length == 0) throw new FormatException($"expected key name {GoNet.Quote(line)}");
            name = DnsName.Normalize(name);
            if (!seen.Add(name)) throw new FormatException($"key {GoNet.Quote(name)} redefined");
            string? secret = null, algorithm = null;
            while (i < lines.Count)
            {
                var inner = lines[i++];
                var f = Fields(inner);
                if (f.Length == 0) continue;
                if (f[0] is "}" or "};") break;
                switch (f[0])
                {
                    case "algorithm":
                        if (f.Length >= 2 && f[1].Trim('"', ';') is { Length: > 0 } alg) algorithm = alg;
                        break;
                    case "secret":
                        if (f.Length < 2) throw new FormatException($"expected secret key {GoNet.Quote(inner)}");
                        var s = f[1].Trim('"', ';');
                        if (s.Length == 0) throw new FormatException($"expected secret key {GoNet.Quote(inner)}");
                        secret = s;
                        break;
                    default:
                        throw new FormatException($"unexpected token {GoNet.Quote(f[0])}");
                }
            }
            if (secret is null) throw new FormatException($"expected secret for key {GoNet.Quote(name)}");
            keys.Add(new KeyFileEntry(name, secret, algorithm));
        }
        return keys;
    }

    private static string[] Fields(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A shared secret: its name (lower case, fully qualified), the decoded key, and the algorithm it is bound to (null: any).</summary>
public sealed record TsigKey(string Name, byte[] Secret, TsigAlgorithm? Algorithm);

/// <summary>What <see cref="TsigSetup"/> read; immutable once the block is set up.</summary>
public sealed class TsigOptions
{
    public IReadOnlyList<string> Zones { get; set; } = [];
    public Dictionary<string, TsigKey> Keys { get; } = new(StringComparer.Ordinal);
    public HashSet<ushort> Types { get; } = [];
    public bool AllTypes { get; set; }
    public HashSet<int> Opcodes { get; } = [];
    public bool AllOpcodes { get; set; }

    /// <summary>CoreDNS's tsigRequired: the query type or the opcode must be signed.</summary>
    public bool Required(ushort qtype, int opcode) => AllTypes || Types.Contains(qtype) || AllOpcodes || Opcodes.Contains(opcode);
}

/// <summary>The block's <c>tsig</c> plugin.</summary>
public sealed class TsigPlugin(TsigOptions options) : Plugin("tsig")
{
    public TsigOptions Options { get; } = options;

    public override Props HandlerProps(ChainLink? next) => TsigActor.Props(Options, next);
}
