using System.Text;

namespace Akka.Dns.Corefile;

/// <summary>Where a run of tokens came from: one read of a file, or one expansion of a snippet. Tokens from
/// different sources never share a line, and the parent chain is the import stack used for cycle detection.</summary>
internal sealed class TokenSource(int id, string? file, string? snippet, TokenSource? parent)
{
    public int Id { get; } = id;

    /// <summary>Full path of the file read (null for a snippet expansion).</summary>
    public string? File { get; } = file;

    /// <summary>Name of the snippet expanded (null for a file).</summary>
    public string? Snippet { get; } = snippet;

    public TokenSource? Parent { get; } = parent;

    public string Describe() => Snippet is null ? File ?? "?" : $"snippet '{Snippet}'";
}

/// <summary>A token plus what the parser needs to tell lines apart.</summary>
internal readonly record struct Lexeme(Token Token, int EndLine, TokenSource Source)
{
    public string Text => Token.Text;

    /// <summary>True when <paramref name="next"/> starts on the line this token ends on, in the same source.</summary>
    public bool SameLineAs(Lexeme next) => ReferenceEquals(Source, next.Source) && EndLine == next.Token.Line;
}

/// <summary>Splits Corefile text into tokens following coredns/caddy caddyfile/lexer.go.</summary>
internal static class Lexer
{
    public static List<Lexeme> Lex(string text, string fileName, TokenSource source, Func<string, string?> env)
    {
        var result = new List<Lexeme>();
        var val = new StringBuilder();
        var line = 1;
        var start = 0;
        var tokenLine = 1;
        bool comment = false, quoted = false, escaped = false, inToken = false;

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            start = 1;
        }

        void Emit()
        {
            var raw = val.ToString();
            var endLine = tokenLine + raw.Count(c => c == '\n');
            result.Add(new Lexeme(new Token(Substitute(raw, env), fileName, tokenLine), endLine, source));
            val.Clear();
            inToken = false;
        }

        for (var i = start; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch == '\r')
            {
                continue;
            }

            if (quoted)
            {
                if (!escaped)
                {
                    if (ch == '\\')
                    {
                        escaped = true;
                        continue;
                    }

                    if (ch == '"')
                    {
                        quoted = false;
                        Emit();
                        continue;
                    }
                }

                if (ch == '\n')
                {
                    line++;
                }

                if (escaped && ch != '"')
                {
                    val.Append('\\');
                }

                val.Append(ch);
                escaped = false;
                continue;
            }

            if (char.IsWhiteSpace(ch))
            {
                if (ch == '\n')
                {
                    line++;
                    comment = false;
                }

                if (val.Length > 0)
                {
                    Emit();
                }

                continue;
            }

            if (ch == '#')
            {
                comment = true;
            }

            if (comment)
            {
                continue;
            }

            if (!inToken)
            {
                inToken = true;
                tokenLine = line;
                if (ch == '"')
                {
                    quoted = true;
                    continue;
                }
            }

            val.Append(ch);
        }

        if (val.Length > 0)
        {
            Emit();
        }

        return result;
    }

    /// <summary>Replaces every <c>{$NAME}</c> and <c>{%NAME%}</c> with the variable's value (unset = empty).
    /// Substituted values are not scanned again.</summary>
    public static string Substitute(string s, Func<string, string?> env)
    {
        if (!s.Contains("{$", StringComparison.Ordinal) && !s.Contains("{%", StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == '{' && i + 1 < s.Length && (s[i + 1] == '$' || s[i + 1] == '%'))
            {
                var close = s[i + 1] == '$' ? "}" : "%}";
                var end = s.IndexOf(close, i + 2, StringComparison.Ordinal);
                if (end > i + 2)
                {
                    sb.Append(env(s[(i + 2)..end]) ?? string.Empty);
                    i = end + close.Length;
                    continue;
                }
            }

            sb.Append(s[i]);
            i++;
        }

        return sb.ToString();
    }
}
