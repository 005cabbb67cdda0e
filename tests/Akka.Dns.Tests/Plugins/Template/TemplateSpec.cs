using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Template;

public sealed class TemplateSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>The templates of CoreDNS's TestHandler (template_test.go), in one block; whoami answers what falls through.</summary>
    private const string Corefile = """
        . {
            template IN A example {
                match ^ip-10-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$
                answer "{{ .Name }} 60 IN A 10.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
                fallthrough
            }
            template IN MX example {
                match ^ip-10-(?P<b>[0-9]*)-(?P<c>[0-9]*)-(?P<d>[0-9]*)[.]example[.]$
                answer "{{ .Name }} 60 IN MX 10 {{ .Name }}"
                additional "{{ .Name }} 60 IN A 10.{{ .Group.b }}.{{ .Group.c }}.{{ .Group.d }}"
                authority "example. 60 IN NS ns0.example."
                authority "example. 60 IN NS ns1.example."
                additional "ns0.example. 60 IN A 203.0.113.8"
                additional "ns1.example. 60 IN A 198.51.100.8"
            }
            template IN A hex {
                match ^ip0a(?P<b>[a-f0-9]{2})(?P<c>[a-f0-9]{2})(?P<d>[a-f0-9]{2})[.]hex[.]$
                answer "{{ .Name }} 60 IN A 10.{{ parseInt .Group.b 16 8 }}.{{ parseInt .Group.c 16 8 }}.{{ parseInt .Group.d 16 8 }}"
            }
            template IN ANY invalid {
                rcode NXDOMAIN
                authority "invalid. 60 {{ .Class }} SOA ns.invalid. hostmaster.invalid. (1 60 60 60 60)"
                ederror 21 "Blocked according to RFC2606"
            }
            template IN TXT info {
                answer "{{ .Name }} 60 IN TXT \"{{ .Zone }}|{{ .Type }}|{{ .Class }}|{{ index .Match 0 }}|{{ .Remote }}|{{ (index .Message.Question 0).Name }}|{{ .Question.Qtype }}|{{ .Message.Id }}|{{ .Group.none }}|{{ index .Group \"none\" }}\""
            }
            template IN A fail {
                answer "{{ index .Match 5 }} 60 IN A 10.0.0.1"
            }
            template IN A bad {
                answer "not a record"
            }
            template IN A nofall {
                match ^only[.]nofall[.]$
                answer "{{ .Name }} 60 IN A 10.0.0.2"
            }
            template IN A servfail {
                rcode SERVFAIL
            }
            whoami
        }
        """;

    [Theory]
    [InlineData("ip-10-95-12-8.example.", "10.95.12.8")]
    [InlineData("IP-10-1-2-3.EXAMPLE.", "10.1.2.3")]
    [InlineData("ip0a5f0c09.hex.", "10.95.12.9")]
    public async Task Template_should_answer_a_from_regex_groups(string qname, string address)
    {
        await using var h = PipelineHarness.Start(Sys, Corefile);
        var m = (await h.QueryAsync(qname)).Message;
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        var a = Assert.IsType<ARecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal(IPAddress.Parse(address), a.Address);
        Assert.Equal(qname, a.Name.ToString(), ignoreCase: true);
        Assert.Equal(60, a.TimeToLive);
    }

    [Fact]
    public async Task Template_should_fill_answer_additional_and_authority()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile);
        var m = (await h.QueryAsync("ip-10-95-12-8.example.", RrType.MX)).Message;
        var mx = Assert.IsType<MxRecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal("ip-10-95-12-8.example.", mx.ExchangeDomainName.ToString());
        Assert.Equal(2, m.AuthorityRecords.Count);
        Assert.Equal(["10.95.12.8", "203.0.113.8", "198.51.100.8"], m.AdditionalRecords.OfType<ARecord>().Select(a => a.Address.ToString()));
    }

    [Fact]
    public async Task Template_should_answer_nxdomain_with_a_soa_and_an_extended_error()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile);
        var reply = await h.QueryAsync(new QueryBuilder("foo.invalid.", RrType.AAAA) { UdpSize = 1232 });
        var m = reply.Message;
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(m.AuthorityRecords));
        Assert.Equal("ns.invalid.", soa.MasterName.ToString());
        Assert.Single(m.EDnsOptions!.Options, o => (int)o.Type == 15);
        byte[] ede = [0, 15, 0, 30, 0, 21, .. System.Text.Encoding.ASCII.GetBytes("Blocked according to RFC2606")];
        Assert.True(reply.Wire.AsSpan().IndexOf(ede) > 0);
    }

    [Fact]
    public async Task Template_should_give_templates_the_zone_type_class_matches_and_message()
    {
        await using var h = PipelineHarness.Start(Sys, Corefile);
        var m = (await h.QueryAsync(new QueryBuilder("Who.Info.", RrType.TXT) { Id = 4242 }, DnsTransport.Udp, client: new IPEndPoint(IPAddress.Parse("192.0.2.7"), 5353))).Message;
        var txt = Assert.IsType<TxtRecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal("info.|TXT|IN|who.info.|192.0.2.7|Who.Info.|16|4242|<no value>|", txt.TextData);
    }

    [Theory]
    [InlineData("x.fail.")]
    [InlineData("x.bad.")]
    [InlineData("other.nofall.")]
    [InlineData("x.servfail.")]
    public async Task Template_should_answer_servfail_on_failing_templates_or_no_match_without_fallthrough(string qname)
    {
        await using var h = PipelineHarness.Start(Sys, Corefile);
        Assert.Equal(ReturnCode.ServerFailure, (await h.QueryAsync(qname)).Rcode);
    }

    /// <summary>Outside the zones, another type or class, or no match with fallthrough: the next plugin (whoami) answers.</summary>
    [Theory]
    [InlineData("ip-10-95-12-8.example.", RrType.AAAA)]
    [InlineData("host.example.", RrType.A)]
    [InlineData("elsewhere.org.", RrType.A)]
    public async Task Template_should_pass_queries_it_does_not_answer_to_the_next_plugin(string qname, ushort type)
    {
        await using var h = PipelineHarness.Start(Sys, Corefile);
        var m = (await h.QueryAsync(qname, type)).Message;
        Assert.Empty(m.AnswerRecords);
        Assert.IsType<SrvRecord>(m.AdditionalRecords.Last(r => r is SrvRecord));
    }

    [Fact]
    public async Task Template_should_resolve_a_fabricated_cname_through_the_server()
    {
        const string corefile = """
            . {
                template IN ANY foogle.com {
                    match "^(?P<name>.*)[.]foogle[.]com[.]$"
                    answer "{{ .Name }} 60 IN CNAME {{ .Group.name }}.google.com."
                }
                template IN A google.com {
                    answer "{{ .Name }} 30 IN A 192.0.2.99"
                }
            }
            """;
        await using var h = PipelineHarness.Start(Sys, corefile);
        var m = (await h.QueryAsync("www.foogle.com.")).Message;
        Assert.Equal(2, m.AnswerRecords.Count);
        Assert.Equal("www.google.com.", Assert.IsType<CNameRecord>(m.AnswerRecords[0]).CanonicalName.ToString());
        Assert.Equal(IPAddress.Parse("192.0.2.99"), Assert.IsType<ARecord>(m.AnswerRecords[1]).Address);
        var mx = (await h.QueryAsync("www.foogle.com.", RrType.MX)).Message;
        Assert.IsType<CNameRecord>(Assert.Single(mx.AnswerRecords));
    }
}
