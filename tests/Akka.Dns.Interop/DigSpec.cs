using Akka.Dns.Interop.Infra;

namespace Akka.Dns.Interop;

/// <summary>ISC dig against the real daemon: whoami over UDP/TCP and IPv4/IPv6, zone routing, reverse CIDR keys, what the server answers by itself.</summary>
[Collection(RoutingCollection.Name)]
public sealed class DigSpec(RoutingDaemon daemon, ITestOutputHelper output) : IDisposable
{
    private readonly (int, int) _mark = daemon.Daemon.Mark();

    private int Port => daemon.Port;

    public void Dispose() => daemon.Daemon.Dump(output, _mark);

    private async Task<DigAnswer> DigAsync(string server, params string[] args)
    {
        var a = await Dig.QueryAsync(server, Port, args);
        output.WriteLine(a.Raw.ToString());
        return a;
    }

    [Theory]
    [InlineData("127.0.0.1", "udp", "A", "127.0.0.1")]
    [InlineData("127.0.0.1", "tcp", "A", "127.0.0.1")]
    [InlineData("::1", "udp", "AAAA", "::1")]
    public async Task Whoami_should_answer_the_client_address_and_port_over_each_transport_and_family(string server, string proto, string type, string address)
    {
        string[] args = proto == "tcp" ? ["+tcp", "whoami.example.org", "A"] : ["whoami.example.org", "A"];
        var a = await DigAsync(server, args);

        Assert.Equal("QUERY", a.Opcode);
        Assert.Equal("NOERROR", a.Status);
        Assert.Contains("qr", a.Flags);
        Assert.Contains("aa", a.Flags);
        Assert.Equal(proto.ToUpperInvariant(), a.Transport);
        Assert.Empty(a.Answer);
        var ip = Assert.Single(a.Additional, r => r.Type == type);
        Assert.Equal(("whoami.example.org.", address), (ip.Name, ip.Data));
        var srv = Assert.Single(a.Additional, r => r.Type == "SRV");
        Assert.Equal($"_{proto}.whoami.example.org.", srv.Name);
        var fields = srv.Data.Split(' ');
        Assert.Equal(["0", "0"], fields[..2]);
        Assert.InRange(int.Parse(fields[2]), 1, 65535);
        Assert.Equal(".", fields[3]);
    }

    [Theory]
    [InlineData("a.example.org", "NOERROR")]
    [InlineData("A.EXAMPLE.ORG", "NOERROR")]          // zones match case-insensitively
    [InlineData("example.org", "NOERROR")]
    [InlineData("x.empty.example.org", "REFUSED")]    // longest match: the empty block
    [InlineData("empty.example.org", "REFUSED")]
    [InlineData("notempty.example.org", "NOERROR")]   // label-wise, not string suffix
    [InlineData("example.net", "REFUSED")]            // no match and no root block
    [InlineData("org", "REFUSED")]
    [InlineData(".", "REFUSED")]
    public async Task Each_query_should_reach_the_block_of_its_longest_matching_zone(string name, string status)
    {
        var a = await DigAsync("127.0.0.1", name, "A");
        Assert.Equal(status, a.Status);
        if (status == "REFUSED")
        {
            Assert.DoesNotContain("aa", a.Flags);
            Assert.DoesNotContain(a.Additional, r => r.Type != "OPT");
        }
        else
        {
            Assert.Contains(a.Additional, r => r.Type == "A" && r.Data == "127.0.0.1");
        }
    }

    [Theory]
    [InlineData("10.0.0.1", "1.0.0.10.in-addr.arpa.", "NOERROR")]
    [InlineData("10.0.0.255", "255.0.0.10.in-addr.arpa.", "NOERROR")]
    [InlineData("10.0.1.1", "1.1.0.10.in-addr.arpa.", "REFUSED")]
    [InlineData("192.168.1.5", "5.1.168.192.in-addr.arpa.", "NOERROR")]
    [InlineData("192.168.1.127", "127.1.168.192.in-addr.arpa.", "NOERROR")]
    [InlineData("192.168.1.128", "128.1.168.192.in-addr.arpa.", "REFUSED")]
    [InlineData("192.168.1.200", "200.1.168.192.in-addr.arpa.", "REFUSED")]
    public async Task A_CIDR_key_should_serve_exactly_the_reverse_zones_it_covers(string ip, string ptrName, string status)
    {
        var a = await DigAsync("127.0.0.1", "-x", ip);
        Assert.Equal(status, a.Status);
        if (status == "NOERROR")
        {
            var rr = Assert.Single(a.Additional, r => r.Type == "A");
            Assert.Equal(ptrName, rr.Name);
        }
    }

    [Fact]
    public async Task Whoami_should_answer_over_tcp_on_ipv6_with_the_wildcard_listener()
    {
        var a = await DigAsync("::1", "+tcp", "whoami.example.org", "A");
        Assert.Equal(("NOERROR", "TCP"), (a.Status, a.Transport));
        Assert.Contains(a.Additional, r => r.Type == "AAAA" && r.Data == "::1");
    }

    [Fact]
    public async Task A_CIDR_key_should_answer_over_tcp_as_well()
    {
        var a = await DigAsync("127.0.0.1", "+tcp", "1.0.0.10.in-addr.arpa.", "PTR");
        Assert.Equal(("NOERROR", "TCP"), (a.Status, a.Transport));
        Assert.Contains(a.Additional, r => r.Type == "SRV" && r.Name == "_tcp.1.0.0.10.in-addr.arpa.");
    }

    [Fact]
    public async Task A_query_with_EDNS_version_1_should_get_BADVERS_with_an_OPT_of_version_0()
    {
        var a = await DigAsync("127.0.0.1", "+edns=1", "+noednsnegotiation", "a.example.org");
        Assert.Equal("BADVERS", a.Status);
        Assert.Equal(0, a.EdnsVersion);
    }

    [Fact]
    public async Task The_server_should_mirror_the_clients_OPT_and_add_none_when_the_query_had_none()
    {
        var withEdns = await DigAsync("127.0.0.1", "+bufsize=1400", "a.example.org");
        Assert.Equal((0, 1400), (withEdns.EdnsVersion, withEdns.EdnsUdpSize));
        var without = await DigAsync("127.0.0.1", "+noedns", "a.example.org");
        Assert.Equal("NOERROR", without.Status);
        Assert.Null(without.EdnsVersion);
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task A_CH_query_without_chaos_in_the_block_should_be_REFUSED(string proto)
    {
        string[] args = proto == "tcp" ? ["+tcp", "version.bind", "CH", "TXT"] : ["version.bind", "CH", "TXT"];
        Assert.Equal("REFUSED", (await DigAsync("127.0.0.1", args)).Status);
        string[] inZone = proto == "tcp" ? ["+tcp", "a.example.org", "CH", "TXT"] : ["a.example.org", "CH", "TXT"];
        Assert.Equal("REFUSED", (await DigAsync("127.0.0.1", inZone)).Status);
    }

    [Fact]
    public async Task NOTIFY_should_go_through_the_chain_but_UPDATE_should_get_NOTIMP()
    {
        var notify = await DigAsync("127.0.0.1", "+opcode=NOTIFY", "a.example.org", "SOA");
        Assert.Equal(("NOTIFY", "NOERROR"), (notify.Opcode, notify.Status));
        Assert.Contains("qr", notify.Flags);

        var update = await DigAsync("127.0.0.1", "+opcode=UPDATE", "a.example.org", "SOA");
        Assert.Equal(("UPDATE", "NOTIMP"), (update.Opcode, update.Status));
        Assert.Contains("qr", update.Flags);
    }

    [Fact]
    public async Task The_reply_id_should_match_the_query_id_dig_chose()
    {
        // dig checks the id itself and prints "ID mismatch" warnings; a printed reply means they matched.
        var a = await DigAsync("127.0.0.1", "+qr", "a.example.org");
        Assert.DoesNotContain("ID mismatch", a.Raw.Stdout + a.Raw.Stderr);
        Assert.Equal(0, a.Raw.ExitCode);
    }
}
