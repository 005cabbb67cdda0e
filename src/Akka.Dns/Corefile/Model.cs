namespace Akka.Dns.Corefile;

/// <summary>One lexical token of a Corefile: its text (quotes removed, environment references substituted),
/// the file it came from and the line on which it starts.</summary>
public sealed record Token(string Text, string File, int Line);

/// <summary>One occurrence of a directive inside a server block.</summary>
/// <param name="Name">The directive name (the first token).</param>
/// <param name="Tokens">Every token of the directive in order: the name first, then its arguments and any nested
/// <c>{</c> ... <c>}</c> tokens.</param>
public sealed record Directive(string Name, IReadOnlyList<Token> Tokens, string File, int Line)
{
    /// <summary>Per token: an identifier of the file instance the token came from (a file read, or one expansion of a
    /// snippet) and the line the token ends on. Lets <see cref="DirectiveReader"/> tell lines apart exactly when
    /// imports splice tokens from elsewhere. Null for hand-built directives (file and line are used instead).</summary>
    internal IReadOnlyList<(int Source, int EndLine)>? LineInfo { get; init; }
}

/// <summary>A server block: its keys and its directives in Corefile order (a repeated directive appears once per occurrence).</summary>
public sealed record ServerBlock(IReadOnlyList<ServerKey> Keys, IReadOnlyList<Directive> Directives, string File, int Line);

/// <summary>The parsed Corefile.</summary>
/// <param name="Blocks">Server blocks in Corefile order (snippet definitions are not included).</param>
/// <param name="Files">Full paths of every file read from disk: the main file (when read by
/// <see cref="CorefileParser.ParseFile"/>) and every imported file, each once, in the order first read.</param>
public sealed record CorefileDocument(IReadOnlyList<ServerBlock> Blocks, IReadOnlyList<string> Files);

/// <summary>A Corefile syntax or semantic error, located at a file and line.</summary>
public sealed class CorefileException : Exception
{
    /// <summary>Creates the error "<c>FILE:LINE - Error during parsing: DETAIL</c>".</summary>
    public CorefileException(string file, int line, string detail)
        : this(file, line, detail, $"{file}:{line} - Error during parsing: {detail}")
    {
    }

    private CorefileException(string file, int line, string detail, string message)
        : base(message)
    {
        File = file;
        Line = line;
        Detail = detail;
    }

    /// <summary>The file the error refers to.</summary>
    public string File { get; }

    /// <summary>The line the error refers to (0 when no line applies).</summary>
    public int Line { get; }

    /// <summary>The message without the "FILE:LINE - ..." prefix.</summary>
    public string Detail { get; }

    /// <summary>caddy's syntax error: "<c>FILE:LINE - Syntax error: Unexpected token 'FOUND', expecting 'EXPECTED'</c>".</summary>
    internal static CorefileException Syntax(string file, int line, string found, string expected)
    {
        var detail = $"Unexpected token '{found}', expecting '{expected}'";
        return new CorefileException(file, line, detail, $"{file}:{line} - Syntax error: {detail}");
    }
}
