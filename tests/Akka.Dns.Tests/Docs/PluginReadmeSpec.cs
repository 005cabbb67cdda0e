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
        // Examples name Kexample.org.+013+45330 and …45331 (dnssec): a throw-away KSK and ZSK stand in for them.
        var keys = Directory.CreateTempSubdirectory("akka-dns-readme-keys-").FullName;
        using var ksk = Akka.Dns.Dnssec.DnssecKey.Generate("example.org.", 13, ksk: true);
        using var zsk = Akka.Dns.Dnssec.DnssecKey.Generate("example.org.", 13, ksk: false);
        var kskFile = Akka.Dns.Dnssec.KeyFile.Write(ksk, keys);
        var zskFile = Akka.Dns.Dnssec.KeyFile.Write(zsk, keys);
        foreach (Match m in examples)
        {
            var text = m.Groups[1].Value.Replace(" cert.pem", " " + pki.ServerCertFile).Replace(" key.pem", " " + pki.ServerKeyFile)
                .Replace(" ca.pem", " " + pki.CaFile).Replace(" Kexample.org.+013+45330", " " + kskFile)
                .Replace(" Kexample.org.+013+45331", " " + zskFile);
            var doc = CorefileParser.Parse(text, $"{folder}/README.md", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
            // Examples may use plugins that are not built yet; those are skipped, everything else must set up.
            var unbuilt = doc.Blocks.SelectMany(b => b.Directives).Any(d => !PluginCatalog.Default.TryGetSetup(d.Name, out _))
                || doc.Blocks.SelectMany(b => b.Keys).Any(k => !Akka.Dns.Server.Listeners.TransportListeners.IsServed(k.Transport));
            if (unbuilt) continue;
            ServerPlan.Build(doc, PluginCatalog.Default, settings, 1053);
        }
    }
}
