using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Hosts;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Hosts;

public sealed class HostsSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private HostsPlugin Hosts(string corefile) =>
        PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<HostsPlugin>().Single();

    /// <summary>CoreDNS's TestHostsParse: corefile, path, origins, fallthrough zones.</summary>
    public static TheoryData<string, string, string[], string[]> Parsed => new()
    {
        { ". {\n hosts\n}\n", "/etc/hosts", ["."], [] },
        { ". {\n hosts /tmp\n}\n", "/tmp", ["."], [] },
        { ". {\n hosts /etc/hosts miek.nl.\n}\n", "/etc/hosts", ["miek.nl."], [] },
        { ". {\n hosts /etc/hosts miek.nl. pun.gent.\n}\n", "/etc/hosts", ["miek.nl.", "pun.gent."], [] },
        { ". {\n hosts {\n  fallthrough\n }\n}\n", "/etc/hosts", ["."], ["."] },
        { ". {\n hosts /tmp {\n  fallthrough\n }\n}\n", "/tmp", ["."], ["."] },
        { ". {\n hosts /etc/hosts miek.nl. {\n  fallthrough\n }\n}\n", "/etc/hosts", ["miek.nl."], ["."] },
        { ". {\n hosts /etc/hosts MIEK.nl 10.0.0.9/8 {\n  fallthrough\n }\n}\n", "/etc/hosts", ["miek.nl.", "10.in-addr.arpa."], ["."] },
        { "example.org example.net {\n hosts {\n  fallthrough in-addr.arpa Example.COM\n }\n}\n", "/etc/hosts", ["example.org.", "example.net."], ["in-addr.arpa.", "example.com."] },
        { "example.org {\n root /srv/dns\n hosts my.hosts\n}\n", "/srv/dns/my.hosts", ["example.org."], [] },
        { "example.org {\n root /srv/dns\n hosts\n}\n", "/etc/hosts", ["example.org."], [] },
    };

    [Theory, MemberData(nameof(Parsed))]
    public void Hosts_should_parse_path_zones_and_fallthrough_like_coredns(string corefile, string path, string[] origins, string[] fall)
    {
        var o = Hosts(corefile).Options;
        Assert.Equal(path, o.Path);
        Assert.Equal(origins, o.Origins);
        Assert.Equal(fall, o.Fallthrough);
    }

    [Fact]
    public void Hosts_should_default_to_ttl_3600_reverse_on_and_reload_every_5s()
    {
        var o = Hosts(". {\n hosts\n}\n").Options;
        Assert.Equal(3600u, o.Ttl);
        Assert.True(o.AutoReverse);
        Assert.Equal(TimeSpan.FromSeconds(5), o.Reload);
        Assert.False(o.FallthroughUnsupported);
    }

    [Theory]
    [InlineData("ttl 1", 1u)]
    [InlineData("ttl 65535", 65535u)]
    [InlineData("ttl +60", 60u)]
    public void Hosts_should_take_a_ttl_between_1_and_65535(string line, uint ttl) =>
        Assert.Equal(ttl, Hosts($". {{\n hosts {{\n  {line}\n }}\n}}\n").Options.Ttl);

    [Theory]
    [InlineData("reload 0", 0)]
    [InlineData("reload 0s", 0)]
    [InlineData("reload 300ms", 300)]
    [InlineData("reload 1.5h", 5_400_000)]
    [InlineData("reload 2h45m", 9_900_000)]
    public void Hosts_should_take_a_go_duration_for_reload(string line, long ms) =>
        Assert.Equal(TimeSpan.FromMilliseconds(ms), Hosts($". {{\n hosts {{\n  {line}\n }}\n}}\n").Options.Reload);

    [Fact]
    public void Hosts_should_read_options_after_inline_lines_and_turn_other_lines_into_entries()
    {
        var p = Hosts(". {\n hosts /nonexistent example.org {\n  10.0.0.1 example.org\n  no_reverse\n  fallthrough_unsupported\n  fallthrough\n }\n}\n");
        Assert.False(p.Options.AutoReverse);
        Assert.True(p.Options.FallthroughUnsupported);
        Assert.Equal(["."], p.Options.Fallthrough);
        // The inline map is built after the whole block is read: no_reverse applies to it.
        Assert.Equal(1, p.Entries);
        Assert.Null(p.Source.Current.Inline.LookupAddress("10.0.0.1"));
    }

    [Fact]
    public void Hosts_should_keep_inline_lines_like_coredns_inline_parse_test()
    {
        var p = Hosts(". {\n hosts highly_unlikely_to_exist_hosts_file example.org {\n  10.0.0.1 example.org\n  fallthrough\n }\n}\n");
        Assert.Equal(["example.org."], p.Source.Current.Inline.LookupAddress("10.0.0.1")!.Names);
        Assert.Equal(["."], p.Options.Fallthrough);
    }

    [Fact]
    public void Hosts_should_not_read_the_file_nor_start_a_timer_at_setup()
    {
        using var file = new TempHosts("10.0.0.1 example.org\n");
        var p = Hosts($". {{\n hosts {file.Path}\n}}\n");
        Assert.Equal(0, p.Source.Loads);
        Assert.Equal(0, p.Entries);
    }

    [Theory]
    [InlineData(". {\n hosts {\n  ttl\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl needs a time in second")]
    [InlineData(". {\n hosts {\n  ttl abc\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl needs a number of second")]
    [InlineData(". {\n hosts {\n  ttl 60s\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl needs a number of second")]
    [InlineData(". {\n hosts {\n  ttl 99999999999999999999\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl needs a number of second")]
    [InlineData(". {\n hosts {\n  ttl 0\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl provided is invalid")]
    [InlineData(". {\n hosts {\n  ttl -1\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl provided is invalid")]
    [InlineData(". {\n hosts {\n  ttl 65536\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: ttl provided is invalid")]
    [InlineData(". {\n hosts {\n  reload\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: reload needs a duration (zero seconds to disable)")]
    [InlineData(". {\n hosts {\n  reload 1s 2s\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: reload needs a duration (zero seconds to disable)")]
    [InlineData(". {\n hosts {\n  reload abc\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: invalid duration for reload 'abc'")]
    [InlineData(". {\n hosts {\n  reload 5\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: invalid duration for reload '5'")]
    [InlineData(". {\n hosts {\n  reload -1s\n }\n}\n", "Corefile:3 - Error during parsing: plugin/hosts: invalid negative duration for reload '-1s'")]
    [InlineData(". {\n hosts {\n  fallthrough\n  10.0.0.1 example.org\n }\n}\n", "Corefile:4 - Error during parsing: plugin/hosts: unknown property '10.0.0.1'")]
    [InlineData(". {\n hosts {\n  fallthrough example.org\n  giraffe\n }\n}\n", "Corefile:4 - Error during parsing: plugin/hosts: unknown property 'giraffe'")]
    [InlineData(". {\n hosts {\n  fallthrough_unsupported\n }\n}\n", "Corefile:4 - Error during parsing: plugin/hosts: fallthrough_unsupported requires fallthrough")]
    [InlineData(". {\n hosts {\n  fallthrough\n  fallthrough_unsupported example.org\n }\n}\n", "Corefile:4 - Error during parsing: plugin/hosts: Wrong argument count or unexpected line ending after 'example.org'")]
    [InlineData(". {\n hosts /etc/hosts {\n  fallthrough\n }\n hosts /etc/hosts {\n  fallthrough\n }\n}\n", "Corefile:5 - Error during parsing: plugin/hosts: this plugin can only be used once per Server Block")]
    public void Hosts_should_reject_a_bad_directive_with_the_coredns_message(string corefile, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, corefile));
        Assert.Equal(message, e.Message);
    }
}
