namespace Akka.Dns.Zones;

/// <summary>
/// Splits master-file text into logical lines (RFC 1035 §5.1): blanks separate tokens, ';' starts a comment,
/// '(' … ')' continue a line across newlines, "…" quotes (with backslash escapes kept for the RDATA parser; a newline
/// inside quotes is part of the string, as miekg/dns),
/// a backslash escapes the next character in an unquoted token. CR is a blank, so CRLF files read as LF.
/// </summary>
internal sealed class ZoneLexer(string text, string file)
{
    private int _pos;
    private int _line = 1;

    /// <summary>
    /// Reads the next logical line with at least one token into <paramref name="tokens"/>. False at the end of input.
    /// <paramref name="leadingBlank"/> says whether the line started with a blank (the owner is inherited).
    /// </summary>
    public bool NextLine(List<string> tokens, out int startLine, out bool leadingBlank) => NextLine(tokens, null, out startLine, out leadingBlank);

    /// <summary>As above, also recording the line each token starts on.</summary>
    public bool NextLine(List<string> tokens, List<int>? lines, out int startLine, out bool leadingBlank)
    {
        tokens.Clear();
        lines?.Clear();
        startLine = _line;
        leadingBlank = false;
        var braces = 0;
        var braceLine = 0;
        var atLineStart = true;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (atLineStart && braces == 0 && tokens.Count == 0)
            {
                startLine = _line;
                leadingBlank = c is ' ' or '\t';
            }
            atLineStart = false;
            switch (c)
            {
                case '\n':
                    _pos++;
                    _line++;
                    if (braces == 0 && tokens.Count > 0) return true;
                    atLineStart = true;
                    continue;
                case ' ' or '\t' or '\r':
                    _pos++;
                    continue;
                case ';':
                    while (_pos < text.Length && text[_pos] != '\n') _pos++;
                    continue;
                case '(':
                    if (braces++ == 0) braceLine = _line;
                    _pos++;
                    continue;
                case ')':
                    if (braces == 0) throw new MasterFileException(file, _line, "extra closing parenthesis");
                    braces--;
                    _pos++;
                    continue;
                case '"':
                    lines?.Add(_line);
                    tokens.Add(Quoted());
                    continue;
                default:
                    lines?.Add(_line);
                    tokens.Add(Unquoted());
                    continue;
            }
        }
        if (braces > 0) throw new MasterFileException(file, braceLine, "parenthesis not closed");
        return tokens.Count > 0;
    }

    private string Quoted()
    {
        var startLine = _line;
        var start = ++_pos;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (c == '\\' && _pos + 1 < text.Length)
            {
                if (text[_pos + 1] == '\n') _line++;
                _pos += 2;
                continue;
            }
            if (c == '\n') _line++;              // miekg/dns keeps newlines inside quotes as part of the string
            if (c == '"')
            {
                var s = text.Substring(start, _pos - start);
                _pos++;
                return s;
            }
            _pos++;
        }
        throw new MasterFileException(file, startLine, "quoted string not closed");
    }

    private string Unquoted()
    {
        var start = _pos;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (c == '\\' && _pos + 1 < text.Length && text[_pos + 1] is not ('\n' or '\r'))
            {
                _pos += 2;
                continue;
            }
            if (c is ' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"') break;
            _pos++;
        }
        return text.Substring(start, _pos - start);
    }
}
