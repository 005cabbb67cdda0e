using Akka.Dns.Corefile;
using Akka.Dns.Plugins.Tsig;
using Akka.Dns.Wire;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Tsig;

public sealed class TsigSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string Key = "NoTCJU+DMqFWywaPyxSijrDEA/eC3nK0xi3AMEZuPVk=";
    private const string Key2 = "X28hl0BOfAL5G0jsmJWSacrwn7YRm2f6U5brnzwWEus=";

    private TsigOptions Parse(string directives, string keys = ".") =>
        PluginPlans.Plan(Sys, $"{keys} {{\n {directives}\n}}\n").Blocks[0].Plugins.OfType<TsigPlugin>().Single().Options;

    [Fact]
    public void Tsig_should_parse_secrets_and_default_to_the_block_zones_and_no_requirement()
    {
        var o = Parse($"tsig {{\n secret name.key. {Key}\n secret Name2.KEY {Key2}\n }}", "example.org example.net");
        Assert.Equal(["example.org.", "example.net."], o.Zones);
        Assert.Equal(["name.key.", "name2.key."], o.Keys.Keys.Order());
        Assert.Equal(Convert.FromBase64String(Key2), o.Keys["name2.key."].Secret);
        Assert.Null(o.Keys["name.key."].Algorithm);
        Assert.False(o.Required(RrType.A, Opcode.Query));
        Assert.False(o.Required(RrType.AXFR, Opcode.Update));
    }

    [Fact]
    public void Tsig_should_take_its_zones_from_the_arguments()
    {
        Assert.Equal(["example.com."], Parse($"tsig example.com {{\n secret k. {Key}\n }}").Zones);
    }

    [Theory]
    [InlineData("require all", RrType.TXT, Opcode.Query, true)]
    [InlineData("require none", RrType.A, Opcode.Query, false)]
    [InlineData("require A AAAA", RrType.AAAA, Opcode.Query, true)]
    [InlineData("require A AAAA", RrType.MX, Opcode.Query, false)]
    [InlineData("require all\n require A", RrType.MX, Opcode.Query, true)]
    [InlineData("require A\n require AXFR", RrType.A, Opcode.Query, false)]
    [InlineData("require_opcode UPDATE NOTIFY", RrType.SOA, Opcode.Notify, true)]
    [InlineData("require_opcode UPDATE NOTIFY", RrType.SOA, Opcode.Query, false)]
    [InlineData("require_opcode all", RrType.A, Opcode.Query, true)]
    [InlineData("require_opcode none", RrType.A, Opcode.Update, false)]
    [InlineData("require AXFR\n require_opcode UPDATE", RrType.A, Opcode.Update, true)]
    public void Tsig_should_require_signing_as_configured(string require, ushort qtype, int opcode, bool required)
    {
        Assert.Equal(required, Parse($"tsig {{\n secret k. {Key}\n {require}\n }}").Required(qtype, opcode));
    }

    [Fact]
    public void Tsig_should_load_a_bind_key_file_relative_to_root()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            System.IO.File.WriteAllText(Path.Combine(dir.FullName, "keys.conf"),
                $"key \"name.key.\" {{\n\tsecret \"{Key}\";\n}};\nkey \"name2.key\" {{\n\talgorithm hmac-sha512;\n\tsecret \"{Key2}\";\n}};\n");
            var o = Parse($"root {dir.FullName}\n tsig {{\n secrets keys.conf\n }}");
            Assert.Equal(["name.key.", "name2.key."], o.Keys.Keys.Order());
            Assert.Null(o.Keys["name.key."].Algorithm);
            Assert.Same(TsigAlgorithm.HmacSha512, o.Keys["name2.key."].Algorithm);
            Assert.Equal(Convert.FromBase64String(Key2), o.Keys["name2.key."].Secret);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Theory]
    [InlineData("tsig {\n blah\n }", "Corefile:3 - Error during parsing: plugin/tsig: unknown property 'blah'")]
    [InlineData("tsig {\n secret name. too many parameters\n }", "Corefile:3 - Error during parsing: plugin/tsig: Wrong argument count or unexpected line ending after 'parameters'")]
    [InlineData("tsig {\n secret name.\n }", "Corefile:3 - Error during parsing: plugin/tsig: Wrong argument count or unexpected line ending after 'name.'")]
    [InlineData("tsig {\n secret name. " + Key + "\n secret NAME " + Key2 + "\n }", "Corefile:4 - Error during parsing: plugin/tsig: key \"name.\" redefined")]
    [InlineData("tsig {\n secret name. not*base64\n }", "Corefile:3 - Error during parsing: plugin/tsig: secret for key \"name.\" is not valid base64")]
    [InlineData("tsig {\n secrets\n }", "Corefile:3 - Error during parsing: plugin/tsig: Wrong argument count or unexpected line ending after 'secrets'")]
    [InlineData("tsig {\n secrets /nonexistent/keys.conf\n }", "Corefile:3 - Error during parsing: plugin/tsig: open /nonexistent/keys.conf: no such file or directory")]
    [InlineData("tsig {\n require\n }", "Corefile:3 - Error during parsing: plugin/tsig: Wrong argument count or unexpected line ending after 'require'")]
    [InlineData("tsig {\n require invalid-qtype\n }", "Corefile:3 - Error during parsing: plugin/tsig: unknown query type 'invalid-qtype'")]
    [InlineData("tsig {\n require a\n }", "Corefile:3 - Error during parsing: plugin/tsig: unknown query type 'a'")]
    [InlineData("tsig {\n require_opcode\n }", "Corefile:3 - Error during parsing: plugin/tsig: Wrong argument count or unexpected line ending after 'require_opcode'")]
    [InlineData("tsig {\n require_opcode INVALID\n }", "Corefile:3 - Error during parsing: plugin/tsig: unknown opcode 'INVALID'")]
    [InlineData("tsig\n tsig", "Corefile:3 - Error during parsing: plugin/tsig: this plugin can only be used once per Server Block")]
    public void Tsig_should_reject_a_bad_directive_with_file_and_line(string directives, string message)
    {
        var e = Assert.Throws<CorefileException>(() => Parse(directives));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("bogus", "unexpected token \"bogus\"")]
    [InlineData("key", "expected key name \"key\"")]
    [InlineData("key \"{", "expected key name \"key \\\"{\"")]
    [InlineData("key \"a.\" {\n secret \"" + Key + "\";\n};\nkey \"A\" {\n secret \"" + Key + "\";\n};", "key \"a.\" redefined")]
    [InlineData("key \"a.\" {\n secret\n};", "expected secret key \" secret\"")]
    [InlineData("key \"a.\" {\n secret \"\";\n};", "expected secret key \" secret \\\"\\\";\"")]
    [InlineData("key \"a.\" {\n algorithm hmac-sha256;\n};", "expected secret for key \"a.\"")]
    [InlineData("key \"a.\" {\n owner x;\n};", "unexpected token \"owner\"")]
    public void Tsig_should_reject_a_bad_key_file_with_coredns_error(string content, string message)
    {
        var e = Assert.Throws<FormatException>(() => TsigSetup.ParseKeyFile(content.Split('\n')));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Tsig_should_reject_a_key_file_error_and_an_unknown_algorithm_at_the_secrets_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllText(file, "key \"a.\" {\n algorithm hmac-foo;\n secret \"" + Key + "\";\n};\n");
            var e = Assert.Throws<CorefileException>(() => Parse($"tsig {{\n secrets {file}\n }}"));
            Assert.Equal("Corefile:3 - Error during parsing: plugin/tsig: unknown algorithm \"hmac-foo\" for key \"a.\"", e.Message);
            System.IO.File.WriteAllText(file, "bogus\n");
            e = Assert.Throws<CorefileException>(() => Parse($"tsig {{\n secrets {file}\n }}"));
            Assert.Equal("Corefile:3 - Error during parsing: plugin/tsig: unexpected token \"bogus\"", e.Message);
        }
        finally
        {
            System.IO.File.Delete(file);
        }
    }
}
