using System.Net;
using ARSoft.Tools.Net.Dns;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins.View;
using Akka.Dns.Server;
using Akka.Dns.Tests.TestKit;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.View;

public sealed class ViewSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    /// <summary>CoreDNS's README example: CIDR-based split DNS over four blocks sharing ".".</summary>
    private const string SplitDns = """
        . {
          view example1 {
            expr incidr(client_ip(), '127.0.0.0/24')
          }
          hosts {
            1.1.1.1 test
          }
        }

        . {
          view example2 {
            expr incidr(client_ip(), '192.168.0.0/16')
          }
          hosts {
            2.2.2.2 test
          }
        }

        . {
          view v6_example1 {
            expr incidr(client_ip(), '2001:0DB8::/32')
          }
          hosts {
            2001:0DB8::1 test
          }
        }

        . {
          hosts {
            3.3.3.3 test
          }
        }
        """;

    private static async Task<DnsMessage> Ask(PipelineHarness h, string name, ushort type, string client, DnsTransport transport = DnsTransport.Udp) =>
        (await h.QueryAsync(new QueryBuilder(name, type), transport, client: new IPEndPoint(IPAddress.Parse(client), 40000))).Message;

    private static string Answer(DnsMessage m) => m.AnswerRecords.Count == 0 ? m.ReturnCode.ToString() : string.Join(",", m.AnswerRecords.Select(r => r switch
    {
        ARecord a => a.Address.ToString(),
        AaaaRecord a => a.Address.ToString(),
        _ => r.ToString(),
    }));

    public static TheoryData<string, ushort, string> SplitCases => new()
    {
        { "127.0.0.1", RrType.A, "1.1.1.1" },
        { "127.0.0.200", RrType.A, "1.1.1.1" },
        { "192.168.10.1", RrType.A, "2.2.2.2" },
        { "2001:db8::5", RrType.AAAA, "2001:db8::1" },
        { "10.0.0.1", RrType.A, "3.3.3.3" },
        { "2001:db9::5", RrType.A, "3.3.3.3" },
    };

    [Theory, MemberData(nameof(SplitCases))]
    public async Task View_should_route_to_the_first_block_whose_expression_holds(string client, ushort type, string answer)
    {
        await using var h = PipelineHarness.Start(Sys, SplitDns);
        Assert.Equal(answer, Answer(await Ask(h, "test.", type, client)));
    }

    public static TheoryData<string, string, ushort, string> ExpressionCases => new()
    {
        // expression, qname, qtype, which block answers ("view" or "other")
        { "type() in ['A', 'AAAA']", "test.", RrType.A, "view" },
        { "type() in ['A', 'AAAA']", "test.", RrType.AAAA, "view" },
        { "type() in ['A', 'AAAA']", "test.", RrType.TXT, "other" },
        { "type() not in ['A', 'AAAA']", "test.", RrType.TXT, "view" },
        { "name() matches '^abc\\\\..*\\\\.example\\\\.com\\\\.$'", "abc.x.y.example.com.", RrType.A, "view" },
        { "name() matches '^abc\\\\..*\\\\.example\\\\.com\\\\.$'", "abcd.x.example.com.", RrType.A, "other" },
        { "name() == 'test.'", "TEST.", RrType.A, "view" },
        { "name() == 'test.' && type() == 'A'", "test.", RrType.MX, "other" },
        { "name() == 'test.' and not (type() == 'MX')", "test.", RrType.A, "view" },
        { "(type() == 'A' && name() == 'example.com.') || client_ip() == '127.0.0.1'", "test.", RrType.TXT, "view" },
        { "client_ip() == '1.2.3.4'", "test.", RrType.A, "other" },
        { "proto() == 'udp'", "test.", RrType.A, "view" },
        { "class() == 'IN' && opcode() == 0", "test.", RrType.A, "view" },
        { "bufsize() == 512 && !do()", "test.", RrType.A, "view" },
        { "id() == 4660", "test.", RrType.A, "view" },
        { "port() == '40000'", "test.", RrType.A, "view" },
        { "size() > 12", "test.", RrType.A, "view" },
        { "server_port() == '1053'", "test.", RrType.A, "view" },
        { "metadata('nothing') == ''", "test.", RrType.A, "view" },
        { "name() endsWith 'st.'", "test.", RrType.A, "view" },
        { "incidr('invalid', '1.2.3.0/24')", "test.", RrType.A, "other" },
        { "1", "test.", RrType.A, "other" },
    };

    [Theory, MemberData(nameof(ExpressionCases))]
    public async Task View_should_evaluate_coredns_expressions(string expr, string qname, ushort qtype, string block)
    {
        var corefile = $". {{\n view v {{\n  expr {expr}\n }}\n answer 1\n}}\n. {{\n whoami\n}}\n";
        await using var h = PipelineHarness.Start(Sys, corefile, TestPlugins.Catalog);
        var m = await Ask(h, qname, qtype, "127.0.0.1");
        // answer (the view block) gives an A record; whoami (the other) an empty answer with the client in additional.
        Assert.Equal(block, m.AnswerRecords.Count > 0 ? "view" : "other");
    }

    [Fact]
    public async Task View_should_need_every_expression_to_hold()
    {
        var corefile = ". {\n view v {\n  expr type() == 'A'\n  expr name() == 'a.'\n }\n answer 1\n}\n. {\n whoami\n}\n";
        await using var h = PipelineHarness.Start(Sys, corefile, TestPlugins.Catalog);
        Assert.Single((await Ask(h, "a.", RrType.A, "127.0.0.1")).AnswerRecords);
        Assert.Empty((await Ask(h, "b.", RrType.A, "127.0.0.1")).AnswerRecords);
        Assert.Empty((await Ask(h, "a.", RrType.MX, "127.0.0.1")).AnswerRecords);
    }

    [Fact]
    public async Task An_unfiltered_block_declared_first_should_shadow_a_view()
    {
        var corefile = ". {\n whoami\n}\n. {\n view v {\n  expr type() == 'A'\n }\n answer 1\n}\n";
        await using var h = PipelineHarness.Start(Sys, corefile, TestPlugins.Catalog);
        Assert.Empty((await Ask(h, "a.", RrType.A, "127.0.0.1")).AnswerRecords);
    }

    [Fact]
    public async Task A_view_that_does_not_hold_should_let_the_walk_go_on_towards_the_root()
    {
        var corefile = "example.org {\n view v {\n  expr client_ip() == '10.9.9.9'\n }\n answer 1\n}\n. {\n whoami\n}\n";
        await using var h = PipelineHarness.Start(Sys, corefile, TestPlugins.Catalog);
        Assert.Empty((await Ask(h, "a.example.org.", RrType.A, "127.0.0.1")).AnswerRecords);   // whoami
        Assert.Single((await Ask(h, "a.example.org.", RrType.A, "10.9.9.9")).AnswerRecords);   // the view
    }

    [Fact]
    public async Task A_zone_where_no_view_holds_should_be_refused()
    {
        var corefile = "example.org {\n view v {\n  expr client_ip() == '10.9.9.9'\n }\n answer 1\n}\n";
        await using var h = PipelineHarness.Start(Sys, corefile, TestPlugins.Catalog);
        Assert.Equal(ReturnCode.Refused, (await Ask(h, "a.example.org.", RrType.A, "127.0.0.1")).ReturnCode);
    }

    [Fact]
    public void Two_unfiltered_blocks_for_one_zone_should_still_be_refused_at_setup()
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, ". {\n whoami\n}\n. {\n whoami\n}\n"));
        Assert.Equal("Corefile:4 - Error during parsing: cannot serve dns://.:1053 - it is already defined", e.Message);
    }

    /// <summary><c>clientmd</c>: a metadata provider that sets test/client to the client's address.</summary>
    private sealed class ClientMdSetup : Akka.Dns.Plugins.IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(Akka.Dns.Plugins.SetupContext context) => new ClientMdPlugin();
    }

    private sealed class ClientMdPlugin() : Akka.Dns.Plugins.SetupOnlyPlugin("clientmd"), Akka.Dns.Plugins.Metadata.IMetadataProvider
    {
        public void Provide(DnsRequest request) => request.Metadata["test/client"] = request.Client.Address.ToString();
    }

    /// <summary><c>echomd</c>: answers TXT with the request's view/name metadata ("none" without).</summary>
    private sealed class EchoMdSetup : Akka.Dns.Plugins.IPluginSetup
    {
        public Akka.Dns.Plugins.Plugin Setup(Akka.Dns.Plugins.SetupContext context) => new EchoMdPlugin();
    }

    private sealed class EchoMdPlugin() : Akka.Dns.Plugins.Plugin("echomd")
    {
        public override Akka.Actor.Props HandlerProps(Akka.Dns.Server.Pipeline.ChainLink? next) => Akka.Actor.Props.Create(() => new EchoMdActor(next));
    }

    private sealed class EchoMdActor(Akka.Dns.Server.Pipeline.ChainLink? next) : Akka.Dns.Server.Pipeline.PluginActor("echomd", next)
    {
        protected override void Handle(DnsRequest request)
        {
            var reply = request.CreateReply();
            reply.Answer.Add(DnsRecord.Txt(request.Name, 0, RrClass.IN, request.Metadata.TryGetValue("view/name", out var v) ? v : "none"));
            request.Respond(reply);
        }
    }

    private static readonly Akka.Dns.Plugins.PluginCatalog MdCatalog = Akka.Dns.Plugins.PluginCatalog.Default
        .With("clientmd", new ClientMdSetup(), after: "whoami")
        .With("echomd", new EchoMdSetup(), after: "view");

    [Theory]
    [InlineData("10.1.1.1", "split")]
    [InlineData("10.1.1.2", "none")]
    public async Task View_should_see_the_blocks_metadata_and_provide_its_name(string client, string txt)
    {
        var corefile = ". {\n metadata\n clientmd\n view split {\n  expr metadata('test/client') == '10.1.1.1'\n }\n echomd\n}\n. {\n metadata\n echomd\n}\n";
        await using var h = PipelineHarness.Start(Sys, corefile, MdCatalog);
        var m = await Ask(h, "a.example.", RrType.TXT, client);
        Assert.Equal(txt, Assert.IsType<TxtRecord>(Assert.Single(m.AnswerRecords)).TextData);
    }

    public static TheoryData<string, string> Translations => new()
    {
        { "type() == 'A'", "__view.qtype() == \"A\"" },
        { "type() in ['A', 'AAAA']", "(__view.qtype() == \"A\" || __view.qtype() == \"AAAA\")" },
        { "name() matches '^a\\\\.b$'", "__view.matches(__view.name(), \"^a\\\\.b$\")" },
        { "do() and not (class() == 'CH')", "__view.dobit() && !(__view.qclass() == \"CH\")" },
        { "incidr(client_ip(), '10.0.0.0/8') or metadata('x') == \"y\"", "__view.incidr(__view.client_ip(), \"10.0.0.0/8\") || __view.metadata(\"x\") == \"y\"" },
    };

    [Theory, MemberData(nameof(Translations))]
    public void View_should_translate_expr_lang_into_csharp(string expr, string csharp) =>
        Assert.Equal(csharp, ViewExpression.Translate(expr));

    public static TheoryData<string, string> InvalidSetups => new()
    {
        { "view", "Corefile:2 - Error during parsing: plugin/view: Wrong argument count or unexpected line ending after 'view'" },
        { "view a b", "Corefile:2 - Error during parsing: plugin/view: Wrong argument count or unexpected line ending after 'b'" },
        { "view a {\n foo\n }", "Corefile:3 - Error during parsing: plugin/view: unknown property 'foo'" },
        { "view a\n view b", "Corefile:3 - Error during parsing: plugin/view: this plugin can only be used once per Server Block" },
    };

    [Theory, MemberData(nameof(InvalidSetups))]
    public void View_should_reject_bad_configuration(string directive, string message)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n {directive}\n}}\n"));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("name() ==")]
    [InlineData("nosuch() == 'a'")]
    [InlineData("name() == 'a")]
    [InlineData("type() in 'A'")]
    public void View_should_reject_an_expression_that_does_not_compile(string expr)
    {
        var e = Assert.Throws<CorefileException>(() => PipelineHarness.Start(Sys, $". {{\n view a {{\n  expr {expr}\n }}\n}}\n"));
        Assert.StartsWith($"Corefile:3 - Error during parsing: plugin/view: cannot compile expression ", e.Message);
    }
}
