using Akka.Dns.Corefile;
using Akka.Dns.Dnssec;

namespace Akka.Dns.Plugins.Sign;

/// <summary>
/// <c>sign DBFILE [ZONES...] { key file|directory KEY...|DIR...; directory DIR }</c>, as CoreDNS's sign setup.go: one
/// signer per zone (the directive's zones, else the block's), keys read at setup, DBFILE, key files and DIR relative
/// to <c>root</c>, output directory <c>/var/lib/coredns</c> unless given. The plugin answers no queries.
/// </summary>
[Plugin("sign")]
public sealed class SignSetup : IPluginSetup
{
    /// <summary>CoreDNS's sign.go default output directory.</summary>
    public const string DefaultDirectory = "/var/lib/coredns";

    public bool AllowMultiple => true;

    public Plugin Setup(SetupContext context)
    {
        var signers = new List<Signer>();
        var owned = new List<DnssecKey>();
        try
        {
            foreach (var r in context.Readers())
            {
                r.Next();
                if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                var dbFile = Clean(context.ResolvePath(r.Val));
                if (dbFile.Contains('\uFFFD')) throw context.Error(r, $"dbfile \"{dbFile}\" contains invalid characters");
                var origins = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
                var directory = DefaultDirectory;
                var keys = new List<(DnssecKey Key, string File)>[origins.Count];
                for (var i = 0; i < keys.Length; i++) keys[i] = [];
                while (r.NextBlock())
                {
                    switch (r.Val)
                    {
                        case "key":
                        {
                            if (!r.NextArg()) throw context.Error(r, r.ArgErr().Detail);
                            var kind = r.Val;
                            var args = r.RemainingArgs();
                            if (kind is not ("file" or "directory")) throw context.Error(r, $"unknown key source '{kind}': want file or directory");
                            if (args.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                            if (kind == "directory")
                            {
                                for (var i = 0; i < origins.Count; i++)
                                {
                                    foreach (var dir in args)
                                    {
                                        foreach (var (key, file) in FromDirectory(context, r, Clean(context.ResolvePath(dir)), origins[i]))
                                        {
                                            owned.Add(key);
                                            keys[i].Add((key, file));
                                        }
                                    }
                                }
                                break;
                            }
                            foreach (var k in args)
                            {
                                var name = Clean(context.ResolvePath(KeyFile.BaseName(k)));
                                var key = Read(context, r, name);
                                owned.Add(key);
                                foreach (var list in keys) list.Add((key, name + ".key"));
                            }
                            break;
                        }
                        case "directory":
                        {
                            var dir = r.RemainingArgs();
                            if (dir.Length != 1) throw context.Error(r, "can only be one argument after \"directory\"");
                            directory = Clean(context.ResolvePath(dir[0]));
                            break;
                        }
                        default:
                            throw context.Error(r, $"unknown property '{r.Val}'");
                    }
                }
                for (var i = 0; i < origins.Count; i++)
                {
                    var origin = origins[i];
                    var zoneKeys = keys[i];
                    if (zoneKeys.Count == 0) throw context.Error(r, $"no keys to sign \"{origin}\" with: add 'key file KEY' or 'key directory DIR'");
                    // keys.go accepts CSKs/KSKs only; we also take ZSKs beside a KSK (KSK/ZSK split: DNSKEY by the KSKs).
                    if (!zoneKeys.Exists(k => k.Key.IsKsk))
                        throw context.Error(r, $"DNSKEY in \"{zoneKeys[0].File}\" is not a CSK/KSK");
                    // setup.go: each key's owner is set to the zone it signs.
                    var rekeyed = new List<DnssecKey>(zoneKeys.Count);
                    foreach (var (key, _) in zoneKeys)
                        rekeyed.Add(Wire.DnsName.EqualsIgnoreCase(key.Zone, origin) ? key : key.WithZone(origin));
                    signers.Add(new Signer(dbFile, origin, directory, rekeyed,
                        TimeSpan.FromSeconds(Signer.InceptionJitterMax.TotalSeconds * Random.Shared.NextDouble()),
                        TimeSpan.FromSeconds(Signer.ExpirationJitterMax.TotalSeconds * Random.Shared.NextDouble())));
                }
            }
        }
        catch
        {
            foreach (var k in owned) k.Dispose();
            throw;
        }
        return new SignPlugin(signers, context.Options);
    }

    /// <summary>An absolute path cleaned of "." and ".." (Go's filepath.Join cleans what CoreDNS joins); a relative one as given.</summary>
    private static string Clean(string path) => Path.IsPathRooted(path) ? Path.GetFullPath(path) : path;

    private static DnssecKey Read(SetupContext context, DirectiveReader r, string path)
    {
        try
        {
            return KeyFile.Read(path);
        }
        catch (DnssecKeyException e)
        {
            throw context.Error(r, e.Message);
        }
    }

    /// <summary>The <c>K&lt;zone&gt;+&lt;alg&gt;+&lt;id&gt;</c> pairs of <paramref name="origin"/> in <paramref name="dir"/> (BIND's names), in name order.</summary>
    private static List<(DnssecKey, string)> FromDirectory(SetupContext context, DirectiveReader r, string dir, string origin)
    {
        if (!System.IO.Directory.Exists(dir)) throw context.Error(r, $"open {dir}: no such file or directory");
        var prefix = "K" + origin + "+";
        var found = new List<string>();
        foreach (var f in System.IO.Directory.EnumerateFiles(dir, "K*.key"))
        {
            var name = Path.GetFileName(f);
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) found.Add(f);
        }
        if (found.Count == 0) throw context.Error(r, $"no keys for \"{origin}\" in {dir}: want files named {prefix}<alg>+<id>.key and .private");
        found.Sort(StringComparer.Ordinal);
        var keys = new List<(DnssecKey, string)>(found.Count);
        foreach (var f in found) keys.Add((Read(context, r, KeyFile.BaseName(f)), f));
        return keys;
    }
}
