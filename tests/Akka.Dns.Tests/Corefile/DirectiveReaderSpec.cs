using Akka.Dns.Corefile;
using Xunit;

namespace Akka.Dns.Tests.Corefile;

public class DirectiveReaderSpec
{
    private static readonly IReadOnlySet<string> Known = new HashSet<string> { "cache", "forward", "log", "whoami" };

    private static DirectiveReader Reader(string body, int index = 0) =>
        new(CorefileParser.Parse($". {{\n{body}\n}}", "Corefile", "/", Known, _ => null).Blocks[0].Directives[index]);

    [Fact]
    public void Reader_should_walk_a_directive_with_args_and_a_nested_block()
    {
        var r = Reader("cache 30 example.org {\n success 9984 30\n denial 100 }");
        Assert.Equal(string.Empty, r.Val);
        Assert.True(r.Next());
        Assert.Equal("cache", r.Val);
        Assert.Equal(2, r.Current.Line);
        Assert.Equal(["30", "example.org"], r.RemainingArgs());

        var seen = new List<string[]>();
        while (r.NextBlock())
        {
            Assert.Equal(1, r.Nesting);
            seen.Add([r.Val, .. r.RemainingArgs()]);
        }

        Assert.Equal([["success", "9984", "30"], ["denial", "100"]], seen);
        Assert.Equal(0, r.Nesting);
        Assert.Equal("}", r.Val);
        Assert.False(r.Next());
    }

    [Fact]
    public void Reader_should_load_the_first_token_on_the_first_NextArg()
    {
        var r = Reader("log a b");
        Assert.True(r.NextArg());
        Assert.Equal("log", r.Val);
        Assert.True(r.NextArg());
        Assert.Equal("a", r.Val);
        Assert.True(r.NextArg());
        Assert.False(r.NextArg());
        Assert.Equal("b", r.Val);
    }

    [Fact]
    public void Reader_should_not_step_onto_braces_with_NextArg()
    {
        var r = Reader("forward . 1.1.1.1 {\n max_fails 3\n}");
        r.Next();
        Assert.True(r.NextArg());
        Assert.True(r.NextArg());
        Assert.False(r.NextArg());
        Assert.Equal("1.1.1.1", r.Val);
        Assert.True(r.Next());
        Assert.Equal("{", r.Val);
    }

    [Fact]
    public void Reader_should_report_no_block_when_there_is_none()
    {
        var r = Reader("cache 30");
        r.Next();
        Assert.False(r.NextBlock()); // "30" is not "{": nothing consumed
        Assert.Equal("cache", r.Val);
        Assert.Equal(["30"], r.RemainingArgs());
        Assert.False(r.NextBlock());
    }

    [Fact]
    public void Reader_should_treat_an_empty_block_as_no_block()
    {
        var r = Reader("cache {\n}");
        r.Next();
        Assert.False(r.NextBlock());
        Assert.Equal(0, r.Nesting);
        Assert.False(r.Next());
    }

    [Fact]
    public void Reader_should_skip_unread_arguments_when_moving_to_the_next_sub_directive()
    {
        var r = Reader("cache {\n success 1 2 3\n prefetch 10\n}");
        r.Next();
        var names = new List<string>();
        while (r.NextBlock())
        {
            names.Add(r.Val);
        }

        Assert.Equal(["success", "prefetch"], names);
    }

    [Fact]
    public void Reader_should_handle_nested_blocks_with_nested_loops()
    {
        var r = Reader("forward . 1.1.1.1 {\n tls {\n  a 1\n  b 2\n }\n policy random\n}");
        r.Next();
        r.RemainingArgs();
        var seen = new List<string>();
        while (r.NextBlock())
        {
            var name = r.Val;
            r.RemainingArgs();
            seen.Add($"{name}@{r.Nesting}");
            if (name == "tls")
            {
                while (r.NextBlock())
                {
                    seen.Add($"{r.Val}={string.Join(",", r.RemainingArgs())}@{r.Nesting}");
                }
            }
        }

        Assert.Equal(["tls@1", "a=1@2", "b=2@2", "policy@1"], seen);
        Assert.Equal(0, r.Nesting);
    }

    [Fact]
    public void Reader_should_read_a_block_written_on_one_line()
    {
        var r = Reader("cache 30 { success 100 }");
        r.Next();
        Assert.Equal(["30"], r.RemainingArgs());
        Assert.True(r.NextBlock());
        Assert.Equal(["success", "100"], [r.Val, .. r.RemainingArgs()]);
        Assert.False(r.NextBlock());
    }

    [Fact]
    public void Reader_should_treat_a_multi_line_quoted_token_as_ending_on_its_last_line()
    {
        var r = Reader("log \"a\nb\" c\nwhoami");
        r.Next();
        Assert.Equal(["a\nb", "c"], r.RemainingArgs());
    }

    [Fact]
    public void Reader_should_work_on_a_hand_built_directive()
    {
        var d = new Directive("log", [new Token("log", "f", 1), new Token("a", "f", 1), new Token("b", "f", 2)], "f", 1);
        var r = new DirectiveReader(d);
        r.Next();
        Assert.Equal(["a"], r.RemainingArgs());
        Assert.True(r.Next());
        Assert.Equal("b", r.Val);
    }

    [Fact]
    public void Reader_should_format_errors_at_the_current_token()
    {
        var r = Reader("cache 30 {\n bogus\n}");
        Assert.Equal("Corefile:2 - Error during parsing: boom", r.Err("boom").Message);
        r.Next();
        r.NextArg();
        Assert.Equal("Corefile:2 - Error during parsing: Wrong argument count or unexpected line ending after '30'", r.ArgErr().Message);
        Assert.True(r.Next());
        Assert.Equal("Corefile:2 - Error during parsing: Unexpected token '{', expecting argument", r.ArgErr().Message);
        r.Next();
        var e = r.SyntaxErr("success");
        Assert.Equal("Corefile:3 - Syntax error: Unexpected token 'bogus', expecting 'success'", e.Message);
        Assert.Equal(("Corefile", 3), (e.File, e.Line));
        Assert.Equal("bogus", r.Current.Text);
    }
}
