namespace Akka.Dns.Corefile;

/// <summary>
/// Walks the tokens of one directive the way a CoreDNS plugin walks its caddy.Controller. The cursor starts before
/// the first token, so the usual loop is:
/// <code>
/// while (r.Next())                 // on the directive name
/// {
///     var args = r.RemainingArgs();
///     while (r.NextBlock())        // on each sub-directive inside { }
///     {
///         switch (r.Val) { ... r.RemainingArgs() ... }
///     }
/// }
/// </code>
/// </summary>
public sealed class DirectiveReader
{
    private readonly Directive _directive;
    private readonly IReadOnlyList<Token> _tokens;
    private int _cursor = -1;

    public DirectiveReader(Directive d)
    {
        ArgumentNullException.ThrowIfNull(d);
        _directive = d;
        _tokens = d.Tokens;
    }

    /// <summary>The current token's text; empty before the first <see cref="Next"/> and after the end.</summary>
    public string Val => InRange ? _tokens[_cursor].Text : string.Empty;

    /// <summary>The current token; before the first <see cref="Next"/> (or past the end) the directive's name token
    /// (or last token) so that errors still carry a location.</summary>
    public Token Current => InRange
        ? _tokens[_cursor]
        : _tokens.Count == 0
            ? new Token(string.Empty, _directive.File, _directive.Line)
            : _tokens[_cursor < 0 ? 0 : _tokens.Count - 1];

    /// <summary>How many <c>{</c> blocks <see cref="NextBlock"/> has entered and not yet left.</summary>
    public int Nesting { get; private set; }

    private bool InRange => _cursor >= 0 && _cursor < _tokens.Count;

    /// <summary>Advances to the next token, whatever it is.</summary>
    public bool Next()
    {
        if (_cursor < _tokens.Count - 1)
        {
            _cursor++;
            return true;
        }

        return false;
    }

    /// <summary>Advances to the next token only if it is on the current token's line and is not a brace.
    /// Before the first token it loads the first token.</summary>
    public bool NextArg()
    {
        if (_cursor < 0)
        {
            return Next();
        }

        if (!NextIsOnSameLine() || _tokens[_cursor + 1].Text is "{" or "}")
        {
            return false;
        }

        _cursor++;
        return true;
    }

    /// <summary>The remaining arguments on the current line; stops before a <c>{</c> or <c>}</c>.</summary>
    public string[] RemainingArgs()
    {
        var args = new List<string>();
        while (NextArg())
        {
            args.Add(Val);
        }

        return args.ToArray();
    }

    /// <summary>
    /// caddy's NextBlock: true while inside a <c>{ }</c> block, each time positioned on the first token of the next
    /// line in the block (a sub-directive). On the directive line it enters a <c>{</c> that follows on the same
    /// line (false if there is none, or the block is empty). Inside a block, unread arguments of the current line
    /// are skipped; a <c>{</c> ending the current line is entered (so a nested <c>while (r.NextBlock())</c> loop
    /// reads a nested block); false once the closing <c>}</c> is reached.
    /// </summary>
    public bool NextBlock()
    {
        if (Nesting == 0)
        {
            if (_cursor < 0 || !NextIsOnSameLine() || _tokens[_cursor + 1].Text != "{")
            {
                return false;
            }

            _cursor++;
            return Enter();
        }

        while (NextIsOnSameLine() && _tokens[_cursor + 1].Text is not ("{" or "}"))
        {
            _cursor++;
        }

        if (NextIsOnSameLine() && _tokens[_cursor + 1].Text == "{" && Val != "}")
        {
            _cursor++;
            return Enter();
        }

        if (!Next())
        {
            return false;
        }

        if (Val == "}")
        {
            Nesting--;
            return false;
        }

        return true;
    }

    private bool Enter()
    {
        if (!Next() || Val == "}")
        {
            return false; // "{ }": opened and closed at once
        }

        Nesting++;
        return true;
    }

    /// <summary>An error at the current token: "<c>FILE:LINE - Error during parsing: MSG</c>".</summary>
    public CorefileException Err(string msg) => new(Current.File, Current.Line, msg);

    /// <summary>caddy's argument error: another argument was expected but not found.</summary>
    public CorefileException ArgErr() => Val == "{"
        ? Err("Unexpected token '{', expecting argument")
        : Err($"Wrong argument count or unexpected line ending after '{Val}'");

    /// <summary>caddy's syntax error: "<c>FILE:LINE - Syntax error: Unexpected token 'VAL', expecting 'EXPECTED'</c>".</summary>
    public CorefileException SyntaxErr(string expected) => CorefileException.Syntax(Current.File, Current.Line, Val, expected);

    private bool NextIsOnSameLine()
    {
        if (_cursor < 0 || _cursor >= _tokens.Count - 1)
        {
            return false;
        }

        var info = _directive.LineInfo;
        if (info is not null && info.Count == _tokens.Count)
        {
            return info[_cursor].Source == info[_cursor + 1].Source && info[_cursor].EndLine == _tokens[_cursor + 1].Line;
        }

        var cur = _tokens[_cursor];
        var next = _tokens[_cursor + 1];
        return string.Equals(cur.File, next.File, StringComparison.Ordinal)
            && cur.Line + cur.Text.Count(c => c == '\n') == next.Line;
    }
}
