namespace Akka.Dns.Corefile;

/// <summary>
/// Parses a Corefile into server blocks, following coredns/caddy's caddyfile parser: server block keys, directives
/// (validated against the known names), snippets, <c>import</c> of snippets and files, and environment references.
/// </summary>
public static class CorefileParser
{
    /// <summary>Hard cap on snippet expansions in one parse (as caddy).</summary>
    internal const int MaxSnippetExpansions = 10_000;

    /// <summary>Hard cap on file imports in one parse.</summary>
    internal const int MaxFileExpansions = 10_000;

    /// <summary>Parses Corefile text.</summary>
    /// <param name="text">The Corefile contents.</param>
    /// <param name="fileName">The name shown in errors and tokens.</param>
    /// <param name="baseDirectory">The directory relative imports of this text are resolved against.</param>
    /// <param name="knownDirectives">Names valid as directives.</param>
    /// <param name="env">Environment lookup; null means <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    public static CorefileDocument Parse(string text, string fileName, string baseDirectory, IReadOnlySet<string> knownDirectives, Func<string, string?>? env = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(knownDirectives);
        var parser = new Parser(fileName, Path.GetFullPath(baseDirectory), knownDirectives, env ?? Environment.GetEnvironmentVariable);
        return parser.Run(text, Path.GetFullPath(Path.Combine(baseDirectory, fileName)));
    }

    /// <summary>Reads and parses a Corefile; errors name the file by <paramref name="path"/> as given.</summary>
    public static CorefileDocument ParseFile(string path, IReadOnlySet<string> knownDirectives, Func<string, string?>? env = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CorefileException(path, 0, $"Could not read {path}: {e.Message}");
        }

        var directory = Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory();
        var parser = new Parser(path, directory, knownDirectives, env ?? Environment.GetEnvironmentVariable);
        var document = parser.Run(text, fullPath);
        var files = new List<string> { fullPath };
        files.AddRange(document.Files.Where(f => !string.Equals(f, fullPath, StringComparison.Ordinal)));
        return document with { Files = files };
    }

    private sealed class Parser(string fileName, string baseDirectory, IReadOnlySet<string> knownDirectives, Func<string, string?> env)
    {
        private readonly Dictionary<string, List<Lexeme>> _snippets = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _directoryOfFile = new(StringComparer.Ordinal) { [fileName] = baseDirectory };
        private readonly List<string> _filesRead = [];
        private List<Lexeme> _tokens = [];
        private int _pos;
        private int _nextSourceId;
        private int _snippetExpansions;
        private int _fileExpansions;
        private Lexeme? _last;

        public CorefileDocument Run(string text, string mainFullPath)
        {
            var root = new TokenSource(_nextSourceId++, mainFullPath, null, null);
            _tokens = Lexer.Lex(text, fileName, root, env);
            var blocks = new List<ServerBlock>();
            while (true)
            {
                ExpandImports(requireLineStart: true);
                if (AtEnd)
                {
                    break;
                }

                if (ParseBlock() is { } block)
                {
                    blocks.Add(block);
                }
            }

            return new CorefileDocument(blocks, _filesRead.ToArray());
        }

        private bool AtEnd => _pos >= _tokens.Count;

        private Lexeme Peek => _tokens[_pos];

        private Lexeme Take()
        {
            var t = _tokens[_pos++];
            _last = t;
            return t;
        }

        private bool IsLineStart(int index) => index == 0 || !_tokens[index - 1].SameLineAs(_tokens[index]);

        private static CorefileException Err(Lexeme at, string what) => new(at.Token.File, at.Token.Line, what);

        private CorefileException EofErr(Lexeme at) => Err(_last ?? at, "Unexpected EOF");

        /// <summary>Parses one server block (or snippet definition, returning null) starting at the current token.</summary>
        private ServerBlock? ParseBlock()
        {
            var keys = new List<Lexeme>();
            var first = Peek;
            var expectingAnother = false;
            var braced = false;
            while (true)
            {
                var tok = Take();
                if (tok.Text == "{")
                {
                    if (expectingAnother)
                    {
                        throw Err(tok, "Expected another address but had '{' - check for extra comma");
                    }

                    if (keys.Count == 0)
                    {
                        throw Err(tok, "Expected a server block key (zone) before '{'");
                    }

                    braced = true;
                    break;
                }

                if (tok.Text == "}")
                {
                    throw Err(tok, "Unexpected '}' because no matching opening brace");
                }

                var text = tok.Text;
                if (text.EndsWith(','))
                {
                    text = text[..^1];
                    expectingAnother = true;
                }
                else
                {
                    expectingAnother = false;
                }

                if (text.Length > 0)
                {
                    keys.Add(tok with { Token = tok.Token with { Text = text } });
                }

                if (expectingAnother && !AtEnd && Peek.Text == "import" && IsLineStart(_pos))
                {
                    ExpandImports(requireLineStart: true);
                }

                if (AtEnd)
                {
                    if (expectingAnother)
                    {
                        throw EofErr(tok);
                    }

                    break;
                }

                if (!expectingAnother && IsLineStart(_pos))
                {
                    // Keys end at the line end; the opening brace may still follow on the next line.
                    if (Peek.Text == "{")
                    {
                        var brace = Take();
                        if (keys.Count == 0)
                        {
                            throw Err(brace, "Expected a server block key (zone) before '{'");
                        }

                        braced = true;
                    }

                    break;
                }
            }

            if (keys.Count == 0)
            {
                throw Err(first, "Expected a server block key (zone)");
            }

            if (keys.Count == 1 && keys[0].Text.Length >= 2 && keys[0].Text.StartsWith('(') && keys[0].Text.EndsWith(')'))
            {
                DefineSnippet(keys[0], braced);
                return null;
            }

            var serverKeys = keys.Select(k => ServerKey.Parse(k.Text, k.Token.File, k.Token.Line)).ToArray();
            var directives = ParseDirectives(braced);
            return new ServerBlock(serverKeys, directives, keys[0].Token.File, keys[0].Token.Line);
        }

        private void DefineSnippet(Lexeme key, bool braced)
        {
            var name = key.Text[1..^1];
            if (!braced)
            {
                throw AtEnd
                    ? CorefileException.Syntax(key.Token.File, key.Token.Line, key.Text, "{")
                    : CorefileException.Syntax(Peek.Token.File, Peek.Token.Line, Peek.Text, "{");
            }

            if (_snippets.ContainsKey(name))
            {
                throw Err(key, $"redeclaration of previously declared snippet {name}");
            }

            var body = new List<Lexeme>();
            var depth = 1;
            while (true)
            {
                if (AtEnd)
                {
                    var last = _last ?? key;
                    throw CorefileException.Syntax(last.Token.File, last.Token.Line, last.Text, "}");
                }

                var tok = Take();
                if (tok.Text == "}" && --depth == 0)
                {
                    break;
                }

                if (tok.Text == "{")
                {
                    depth++;
                }

                body.Add(tok);
            }

            for (var i = 0; i + 1 < body.Count; i++)
            {
                var atLineStart = i == 0 || !body[i - 1].SameLineAs(body[i]);
                if (atLineStart && body[i].Text == "import" && body[i + 1].Text == name)
                {
                    throw Err(body[i], $"maximum snippet import depth ({MaxSnippetExpansions}) exceeded");
                }
            }

            _snippets[name] = body;
        }

        private List<Directive> ParseDirectives(bool braced)
        {
            var directives = new List<Directive>();
            while (true)
            {
                if (AtEnd)
                {
                    if (braced)
                    {
                        throw EofErr(_tokens[^1]);
                    }

                    return directives;
                }

                var tok = Peek;
                if (tok.Text == "}")
                {
                    Take();
                    if (!braced)
                    {
                        throw Err(tok, "Unexpected '}' because no matching opening brace");
                    }

                    return directives;
                }

                if (tok.Text == "import")
                {
                    ExpandImports(requireLineStart: false);
                    continue;
                }

                directives.Add(ParseDirective());
            }
        }

        private Directive ParseDirective()
        {
            var name = Take();
            if (!knownDirectives.Contains(name.Text))
            {
                throw Err(name, $"Unknown directive '{name.Text}'");
            }

            var tokens = new List<Lexeme> { name };
            var nesting = 0;
            while (!AtEnd)
            {
                var tok = Peek;
                if (tok.Text == "{")
                {
                    nesting++;
                }
                else if (nesting == 0 && IsLineStart(_pos))
                {
                    break;
                }
                else if (tok.Text == "}")
                {
                    if (nesting == 0)
                    {
                        // "} " closing the server block on the directive's own line ends the directive.
                        break;
                    }

                    nesting--;
                }
                else if (tok.Text == "import" && IsLineStart(_pos))
                {
                    ExpandImports(requireLineStart: true);
                    continue;
                }

                tokens.Add(Take());
            }

            if (nesting > 0)
            {
                throw EofErr(tokens[^1]);
            }

            return new Directive(name.Text, tokens.Select(t => t.Token).ToArray(), name.Token.File, name.Token.Line)
            {
                LineInfo = tokens.Select(t => (t.Source.Id, t.EndLine)).ToArray(),
            };
        }

        /// <summary>While the current token is <c>import</c> (at a line start when required), replaces it and its
        /// argument with the imported tokens.</summary>
        private void ExpandImports(bool requireLineStart)
        {
            while (!AtEnd && Peek.Text == "import" && (!requireLineStart || IsLineStart(_pos)))
            {
                var site = Peek;
                if (_pos + 1 >= _tokens.Count || !site.SameLineAs(_tokens[_pos + 1]))
                {
                    throw Err(site, "Wrong argument count or unexpected line ending after 'import'");
                }

                var arg = _tokens[_pos + 1];
                if (arg.Text.Length == 0)
                {
                    throw Err(arg, "Import requires a non-empty filepath");
                }

                if (_pos + 2 < _tokens.Count && arg.SameLineAs(_tokens[_pos + 2]))
                {
                    throw Err(_tokens[_pos + 2], "Import takes only one argument (glob pattern or file)");
                }

                var imported = _snippets.TryGetValue(arg.Text, out var body)
                    ? ExpandSnippet(site, arg.Text, body)
                    : ImportFiles(site, arg);
                _tokens.RemoveRange(_pos, 2);
                _tokens.InsertRange(_pos, imported);
            }
        }

        private List<Lexeme> ExpandSnippet(Lexeme site, string name, List<Lexeme> body)
        {
            for (var s = site.Source; s is not null; s = s.Parent)
            {
                if (s.Snippet == name)
                {
                    throw Err(site, $"Import cycle detected: {Chain(site.Source, $"snippet '{name}'")}");
                }
            }

            if (_snippetExpansions >= MaxSnippetExpansions)
            {
                throw Err(site, $"maximum snippet import depth ({MaxSnippetExpansions}) exceeded");
            }

            _snippetExpansions++;

            // Each expansion is a new source: its tokens never share a line with the tokens around the import.
            var sources = new Dictionary<TokenSource, TokenSource>(ReferenceEqualityComparer.Instance);
            var copy = new List<Lexeme>(body.Count);
            foreach (var t in body)
            {
                if (!sources.TryGetValue(t.Source, out var src))
                {
                    src = new TokenSource(_nextSourceId++, null, name, site.Source);
                    sources[t.Source] = src;
                }

                copy.Add(t with { Source = src });
            }

            return copy;
        }

        private static string Chain(TokenSource? from, string next)
        {
            var parts = new List<string> { next };
            for (var s = from; s is not null; s = s.Parent)
            {
                parts.Add(s.Describe());
            }

            parts.Reverse();
            return string.Join(" -> ", parts);
        }

        private List<Lexeme> ImportFiles(Lexeme site, Lexeme arg)
        {
            var pattern = arg.Text;
            if (_fileExpansions >= MaxFileExpansions)
            {
                throw Err(site, $"maximum file import depth ({MaxFileExpansions}) exceeded");
            }

            _fileExpansions++;

            var directory = _directoryOfFile.TryGetValue(site.Token.File, out var d)
                ? d
                : Path.GetDirectoryName(Path.GetFullPath(site.Token.File)) ?? baseDirectory;
            var fullPattern = Path.GetFullPath(Path.IsPathRooted(pattern) ? pattern : Path.Combine(directory, pattern));

            var wildcards = pattern.Count(c => c is '*' or '?');
            if (wildcards > 1 || pattern.Contains('['))
            {
                throw Err(arg, $"Glob pattern may only contain one wildcard (*), but has others: {fullPattern}");
            }

            List<string> matches;
            if (wildcards == 0)
            {
                if (!File.Exists(fullPattern) && !Directory.Exists(fullPattern))
                {
                    throw Err(arg, $"File to import not found: {pattern}");
                }

                matches = [fullPattern];
            }
            else
            {
                matches = Glob.Match(fullPattern);
            }

            var result = new List<Lexeme>();
            foreach (var file in matches)
            {
                for (var s = site.Source; s is not null; s = s.Parent)
                {
                    if (s.Snippet is null && string.Equals(s.File, file, StringComparison.Ordinal))
                    {
                        throw Err(site, $"Import cycle detected: {Chain(site.Source, file)}");
                    }
                }

                if (Directory.Exists(file))
                {
                    throw Err(arg, $"Could not import {file}: is a directory");
                }

                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw Err(arg, $"Could not import {file}: {e.Message}");
                }

                if (!_filesRead.Contains(file))
                {
                    _filesRead.Add(file);
                }

                _directoryOfFile[file] = Path.GetDirectoryName(file) ?? directory;
                var source = new TokenSource(_nextSourceId++, file, null, site.Source);
                result.AddRange(Lexer.Lex(text, file, source, env));
            }

            return result;
        }
    }
}
