using System.Buffers.Binary;
using System.Net;
using Akka.Dns.Server.Listeners.Https;
using Akka.Dns.Wire;
using Xunit;

namespace Akka.Dns.Tests.Server.Https;

/// <summary>max-age as CoreDNS computes it (response.Typify + dnsutil.MinimalTTLWithMaximum), case by case.</summary>
public sealed class DohCacheControlSpec
{
    private const long Now = 1_700_000_000;
    private static readonly DnsRecord Www = DnsRecord.A("www.example.org.", 120, IPAddress.Parse("192.0.2.1"));
    private static readonly DnsRecord Soa = DnsRecord.Soa("example.org.", 900, "ns.example.org.", "admin.example.org.", 1, 7200, 3600, 1209600, 300);
    private static readonly DnsRecord Ns = DnsRecord.Ns("example.org.", 3600, "ns.example.org.");
    private static readonly DnsRecord Glue = DnsRecord.A("ns.example.org.", 60, IPAddress.Parse("192.0.2.53"));

    private static uint MaxAge(int rcode, DnsRecord[] answer, DnsRecord[] authority, DnsRecord[] additional,
        bool edns = false, bool dnssecOk = false, int opcode = Opcode.Query, ushort qtype = RrType.A)
    {
        var r = new DnsResponse { QName = "www.example.org.", QType = qtype, QClass = RrClass.IN, Rcode = rcode, Opcode = opcode };
        r.Answer.AddRange(answer);
        r.Authority.AddRange(authority);
        r.Additional.AddRange(additional);
        if (edns) r.Edns = new EdnsRecord { UdpSize = 1232, Do = dnssecOk };
        var buf = new byte[4096];
        var len = DnsWriter.Encode(r, buf, buf.Length);
        return DohCacheControl.MaxAge(buf.AsSpan(0, len), Now);
    }

    private static DnsRecord Rrsig(uint inception, uint expiration)
    {
        var rdata = new byte[18 + 1 + 8];
        BinaryPrimitives.WriteUInt16BigEndian(rdata, RrType.A);
        rdata[2] = 13;
        rdata[3] = 3;
        BinaryPrimitives.WriteUInt32BigEndian(rdata.AsSpan(4), 120);
        BinaryPrimitives.WriteUInt32BigEndian(rdata.AsSpan(8), expiration);
        BinaryPrimitives.WriteUInt32BigEndian(rdata.AsSpan(12), inception);
        return new DnsRecord("www.example.org.", 46, RrClass.IN, 120, rdata);
    }

    [Fact]
    public void MaxAge_should_be_the_smallest_ttl_of_every_section()
    {
        Assert.Equal(60u, MaxAge(Rcode.NoError, [Www], [Ns], [Glue], edns: true));
        Assert.Equal(120u, MaxAge(Rcode.NoError, [Www], [Ns], [], edns: true));
    }

    [Fact]
    public void MaxAge_should_be_capped_at_an_hour_and_may_be_zero()
    {
        Assert.Equal(3600u, MaxAge(Rcode.NoError, [Www.WithTtl(86400)], [], []));
        Assert.Equal(0u, MaxAge(Rcode.NoError, [Www.WithTtl(0)], [], []));
    }

    [Fact]
    public void MaxAge_should_take_the_soa_ttl_of_nxdomain_and_nodata()
    {
        Assert.Equal(900u, MaxAge(Rcode.NxDomain, [], [Soa], []));
        Assert.Equal(900u, MaxAge(Rcode.NoError, [], [Soa], [], edns: true));
    }

    [Theory]
    [InlineData("SERVFAIL", Rcode.ServFail)]
    [InlineData("REFUSED", Rcode.Refused)]
    [InlineData("NOTIMP", Rcode.NotImp)]
    [InlineData("FORMERR", Rcode.FormErr)]
    public void MaxAge_should_be_5s_for_errors_even_with_records(string what, int rcode)
    {
        Assert.True(MaxAge(rcode, [], [Soa], []) == 5, what);
    }

    [Fact]
    public void MaxAge_should_be_5s_for_empty_replies_delegations_transfers_updates_and_answers_under_nxdomain()
    {
        Assert.Equal(5u, MaxAge(Rcode.NoError, [], [], []));
        Assert.Equal(5u, MaxAge(Rcode.NoError, [], [], [], edns: true));        // an OPT alone
        Assert.Equal(5u, MaxAge(Rcode.NoError, [], [Ns], [Glue]));              // delegation
        Assert.Equal(5u, MaxAge(Rcode.NxDomain, [Www], [Soa], []));             // Typify: OtherError
        Assert.Equal(5u, MaxAge(Rcode.NoError, [Www], [], [], qtype: 252));     // AXFR
        Assert.Equal(5u, MaxAge(Rcode.NoError, [], [], [], opcode: Opcode.Update));
        Assert.Equal(5u, MaxAge(Rcode.BadVers, [], [], [], edns: true));        // extended rcode from the OPT
    }

    [Fact]
    public void MaxAge_should_be_5s_for_an_expired_signature_only_when_the_client_set_DO()
    {
        var expired = Rrsig((uint)(Now - 7200), (uint)(Now - 3600));
        var valid = Rrsig((uint)(Now - 3600), (uint)(Now + 3600));
        Assert.Equal(5u, MaxAge(Rcode.NoError, [Www, expired], [], [], edns: true, dnssecOk: true));
        Assert.Equal(120u, MaxAge(Rcode.NoError, [Www, expired], [], [], edns: true, dnssecOk: false));
        Assert.Equal(120u, MaxAge(Rcode.NoError, [Www, valid], [], [], edns: true, dnssecOk: true));
    }
}
