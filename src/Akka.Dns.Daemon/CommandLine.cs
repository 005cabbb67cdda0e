namespace Akka.Dns.Daemon;

/// <summary>CoreDNS's flags (-conf, -dns.port/-p, -plugins, -quiet, -pidfile, -version) plus -hocon.</summary>
public sealed record CommandLine
{
    public string? Conf { get; init; }
    public int DnsPort { get; init; } = 53;
    public bool Plugins { get; init; }
    public bool Quiet { get; init; }
    public string? PidFile { get; init; }
    public bool Version { get; init; }
    public string? Hocon { get; init; }
    public bool Help { get; init; }

    public const string Usage = """
        Usage of Akka.Dns.Daemon:
          -conf FILE       Corefile to load (default "Corefile"; "stdin" reads standard input)
          -dns.port PORT   default port for dns:// keys without a port (default 53)
          -p PORT          same as -dns.port
          -hocon FILE      HOCON file with akka / akka.dns settings (over the built-in reference.conf)
          -pidfile FILE    write the process id to FILE
          -plugins         list the plugins built in, then exit
          -quiet           no start-up output
          -version         print the version, then exit
        """;

    /// <summary>Parses Go-flag style arguments ("-flag value", "-flag=value", "--flag"). Throws ArgumentException with the reason.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var c = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (!a.StartsWith('-') || a == "-" || a == "--")
                throw new ExtraArgumentsException($"extra command line arguments: {string.Join(" ", args.Skip(i))}");
            var name = a.TrimStart('-');
            string? inline = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Count) throw new ArgumentException($"flag needs an argument: -{name}");
                return args[++i];
            }
            bool Bool() => inline is null || inline is "true" or "1" || (inline is "false" or "0" ? false : throw new ArgumentException($"invalid boolean value \"{inline}\" for -{name}"));
            c = name switch
            {
                "conf" => c with { Conf = Value() },
                "dns.port" or "p" => c with { DnsPort = Port(Value(), name) },
                "plugins" => c with { Plugins = Bool() },
                "quiet" => c with { Quiet = Bool() },
                "pidfile" => c with { PidFile = Value() },
                "version" => c with { Version = Bool() },
                "hocon" => c with { Hocon = Value() },
                "h" or "help" => c with { Help = true },
                _ => throw new ArgumentException($"flag provided but not defined: -{name}"),
            };
        }
        return c;
    }

    private static int Port(string v, string flag) =>
        int.TryParse(v, out var p) && p is >= 0 and <= 65535 ? p : throw new ArgumentException($"invalid value \"{v}\" for flag -{flag}: must be a port 0..65535");
}

/// <summary>Positional arguments after the flags: fatal (exit 1) in CoreDNS, unlike flag errors (exit 2).</summary>
public sealed class ExtraArgumentsException(string message) : ArgumentException(message);
