using System.Text.RegularExpressions;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Tests.Config;
using Xunit;

namespace Akka.Dns.Tests.Docs;

/// <summary>Plugin READMEs are tested like code: CoreDNS's sections, and every corefile example must set up.</summary>
public sealed class PluginReadmeSpec
{
    public static TheoryData<string> Readmes()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot.Path, "src/Akka.Dns/Plugins"), "README.md", SearchOption.AllDirectories).Order())
            data.Add(Path.GetFileName(Path.GetDirectoryName(f))!);
        return data;
    }

    private static string Text(string folder) => File.ReadAllText(Path.Combine(RepoRoot.Path, "src/Akka.Dns/Plugins", folder, "README.md"));

    [Theory, MemberData(nameof(Readmes))]
    public void Readme_should_have_coredns_sections(string folder)
    {
        var text = Text(folder);
        var directive = PluginCatalog.ReadPluginCfg().First(e => e.Folder == folder).Directive;
        Assert.StartsWith($"# {directive}\n", text);
        foreach (var section in new[] { "## Name", "## Description", "## Syntax", "## Examples", "## Bugs" })
            Assert.True(text.Contains("\n" + section + "\n"), $"{folder}/README.md lacks '{section}'");
        Assert.Matches(new Regex(@"## Name\n\n\*" + Regex.Escape(directive) + @"\* - "), text);
    }

    [Theory, MemberData(nameof(Readmes))]
    public void Every_corefile_example_in_a_readme_should_set_up(string folder)
    {
        var examples = Regex.Matches(Text(folder), "~~~ corefile\n(.*?)~~~", RegexOptions.Singleline);
        Assert.True(examples.Count > 0, $"{folder}/README.md has no ~~~ corefile example");
        var settings = DnsSettings.Create(Akka.Configuration.ConfigurationFactory.Empty);
        // Examples name cert.pem, key.pem and ca.pem (tls, forward): a throw-away PKI stands in for them.
        using var pki = new Akka.Dns.TestCertificates.TestPki();
        // Examples name DNSSEC keys: Kexample.org.+013+45330 and …45331 (dnssec) stand for a throw-away KSK and ZSK;
        // /etc/coredns/keys (sign) is a directory holding them, a KSK of example.net and Kexample.org.{key,private}.
        var keys = Directory.CreateTempSubdirectory("akka-dns-readme-keys-").FullName;
        try
        {
            using var ksk = Akka.Dns.Dnssec.DnssecKey.Generate("example.org.", 13, ksk: true);
            using var zsk = Akka.Dns.Dnssec.DnssecKey.Generate("example.org.", 13, ksk: false);
            using var net = Akka.Dns.Dnssec.DnssecKey.Generate("example.net.", 13, ksk: true);
            var kskFile = Akka.Dns.Dnssec.KeyFile.Write(ksk, keys);
            var zskFile = Akka.Dns.Dnssec.KeyFile.Write(zsk, keys);
            Akka.Dns.Dnssec.KeyFile.Write(net, keys);
            File.Copy(kskFile + ".key", Path.Combine(keys, "Kexample.org.key"));
            File.Copy(kskFile + ".private", Path.Combine(keys, "Kexample.org.private"));
            SetUpExamples(examples, pki, settings, keys, kskFile, zskFile, folder);
        }
        finally
        {
            Directory.Delete(keys, true);
        }
    }

    private static void SetUpExamples(MatchCollection examples, Akka.Dns.TestCertificates.TestPki pki, DnsSettings settings, string keys,
        string kskFile, string zskFile, string folder)
    {
        foreach (Match m in examples)
        {
            var text = m.Groups[1].Value.Replace(" cert.pem", " " + pki.ServerCertFile).Replace(" key.pem", " " + pki.ServerKeyFile)
                .Replace(" ca.pem", " " + pki.CaFile).Replace(" Kexample.org.+013+45330", " " + kskFile)
                .Replace(" Kexample.org.+013+45331", " " + zskFile).Replace("/etc/coredns/keys", keys);
            var doc = CorefileParser.Parse(text, $"{folder}/README.md", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
            // Examples may use plugins that are not built yet; those are skipped, everything else must set up.
            var unbuilt = doc.Blocks.SelectMany(b => b.Directives).Any(d => !PluginCatalog.Default.TryGetSetup(d.Name, out _))
                || doc.Blocks.SelectMany(b => b.Keys).Any(k => !Akka.Dns.Server.Listeners.TransportListeners.IsServed(k.Transport));
            if (unbuilt) continue;
            ServerPlan.Build(doc, PluginCatalog.Default, settings, 1053);
        }
    }
}
