using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>Knot's kdig (a second, independent client) against the same daemon, read through its RFC 8427 JSON.</summary>
[Collection(RoutingCollection.Name)]
public sealed class KdigSpec(RoutingDaemon daemon, ITestOutputHelper output) : IDisposable
{
    private readonly (int, int) _mark = daemon.Daemon.Mark();

    public void Dispose() => daemon.Daemon.Dump(output, _mark);

    private async Task<KdigAnswer> KdigAsync(params string[] args)
    {
        var a = await Kdig.QueryAsync("127.0.0.1", daemon.Port, args);
        output.WriteLine(a.Raw.ToString());
        return a;
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Whoami_should_answer_kdig_over_udp_and_tcp(string proto)
    {
        var a = await KdigAsync(proto == "tcp" ? "+tcp" : "+notcp", "whoami.example.org", "A");
        Assert.True(a.Qr);
        Assert.True(a.Aa);
        Assert.Equal((0, 0, "whoami.example.org."), (a.Rcode, a.Opcode, a.QName));
        Assert.Contains(a.Section("additionalRRs"), r => r is { Type: "A", Data: "127.0.0.1", Name: "whoami.example.org." });
        Assert.Contains(a.Section("additionalRRs"), r => r.Type == "SRV" && r.Name == $"_{proto}.whoami.example.org.");
    }

    [Theory]
    [InlineData("a.example.org", 0)]
    [InlineData("a.empty.example.org", 5)]
    [InlineData("example.com", 5)]
    [InlineData("9.0.0.10.in-addr.arpa", 0)]
    [InlineData("129.1.168.192.in-addr.arpa", 5)]
    public async Task Kdig_should_see_the_same_routing_as_dig(string name, int rcode)
    {
        var a = await KdigAsync(name, "PTR");
        Assert.Equal(rcode, a.Rcode);
    }

    [Fact]
    public async Task Kdig_bufsize_should_be_echoed_in_the_mirrored_OPT()
    {
        var r = await Kdig.RunAsync("127.0.0.1", daemon.Port, "+bufsize=512", "a.example.org");
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("status: NOERROR", r.Stdout);
        Assert.Contains("Version: 0; flags: ; UDP size: 512 B", r.Stdout);
    }

    [Fact]
    public async Task Kdig_nsid_without_the_nsid_plugin_should_get_an_empty_or_no_NSID()
    {
        // No nsid plugin in the block: the server mirrors the client's OPT, where NSID is a supported option
        // (CoreDNS's ScrubWriter keeps it), so kdig shows an empty NSID or none — never an identifier.
        var r = await Kdig.RunAsync("127.0.0.1", daemon.Port, "+nsid", "a.example.org");
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("status: NOERROR", r.Stdout);
        var nsid = r.Stdout.Split('\n').Where(l => l.StartsWith(";; NSID:", StringComparison.Ordinal)).Select(l => l[";; NSID:".Length..].Trim()).ToList();
        Assert.True(nsid.Count == 0 || nsid.All(v => v.Length == 0), $"unexpected NSID {string.Join(",", nsid)}");
    }

    [Fact]
    public async Task Kdig_edns_version_1_should_get_BADVERS()
    {
        var r = await Kdig.RunAsync("127.0.0.1", daemon.Port, "+edns=1", "a.example.org");
        output.WriteLine(r.ToString());
        Assert.Contains("status: BADVERS", r.Stdout);
        Assert.Contains("Version: 0;", r.Stdout);
    }
}
