using System.Linq.Expressions;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Dns.Plugins.Acl;
using Akka.Dns.Server;
using Akka.Dns.Wire;
using DynamicExpresso;

namespace Akka.Dns.Plugins.View;

/// <summary>
/// What a view expression can call (CoreDNS's plugin/pkg/expression DefaultEnv), over one request. The methods are
/// named so C# keywords do not collide (type → qtype, class → qclass, do → dobit); <see cref="ViewExpression"/>
/// renames the calls; expr-lang's builtins that take no closure are here too (int → toint, ...). Template's
/// environment derives from it.
/// </summary>
public class ViewEnv(DnsRequest request)
{
    public int bufsize() => request.Query.HasEdns ? Math.Max(512, (int)request.Query.UdpSize) : 512;
    public string qclass() => RrClass.ToString(request.Class);
    public string client_ip() => request.Client.Address.ToString();
    public bool dobit() => request.Query.Do;
    public int id() => request.Query.Id;
    public string name() => request.Name.ToLowerInvariant();
    public int opcode() => request.Query.Opcode;
    public string port() => request.ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public string proto() => request.Proto;
    public string server_ip() => request.Local.Address.ToString();
    public string server_port() => request.Local.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public int size() => request.Query.Packet.Length;
    public string qtype() => RrType.ToString(request.Type);

    public bool incidr(string ip, string cidr)
    {
        var address = GoNet.ParseIP(ip) ?? throw new ArgumentException("first argument is not an IP address");
        if (!AclSetup.TryParseCidr(cidr, out var net)) throw new ArgumentException($"invalid CIDR address: {cidr}");
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return net.Contains(address);
    }

    public string metadata(string label) => request.Metadata.TryGetValue(label, out var v) ? v : "";

    public int toint(int v) => v;
    public int toint(long v) => (int)v;
    public int toint(double v) => (int)v;
    public int toint(string v) => int.TryParse(v, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var i)
        ? i : throw new FormatException($"strconv.Atoi: parsing {GoNet.Quote(v)}: invalid syntax");
    public double tofloat(int v) => v;
    public double tofloat(double v) => v;
    public double tofloat(string v) => double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
        ? d : throw new FormatException($"strconv.ParseFloat: parsing {GoNet.Quote(v)}: invalid syntax");
    public string tostring(object v) => v switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
    public int len(string s) => s.Length;
    public string lower(string s) => s.ToLowerInvariant();
    public string upper(string s) => s.ToUpperInvariant();
    public string trim(string s) => s.Trim();
    public string trimPrefix(string s, string prefix) => s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
    public string trimSuffix(string s, string suffix) => s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
    public string replace(string s, string old, string @new) => old.Length == 0 ? s : s.Replace(old, @new, StringComparison.Ordinal);
    public int abs(int v) => Math.Abs(v);
    public double abs(double v) => Math.Abs(v);

    public bool matches(string s, string pattern) => Regex.IsMatch(s, pattern, RegexOptions.CultureInvariant);
    public bool contains(string s, string part) => s.Contains(part, StringComparison.Ordinal);
    public bool startsWith(string s, string part) => s.StartsWith(part, StringComparison.Ordinal);
    public bool endsWith(string s, string part) => s.EndsWith(part, StringComparison.Ordinal);
}

/// <summary>
/// What an expression can name beyond the DNS functions: the environment type (a <see cref="ViewEnv"/> or a subclass
/// with more functions, e.g. template's <c>group</c>), the extra functions (expr-lang name → method), and variables
/// declared before it (template's <c>var</c>), each read from the environment's slot of the same index.
/// </summary>
public sealed class ExprScope
{
    public static readonly ExprScope View = new(typeof(ViewEnv), new Dictionary<string, string>(), []);

    public ExprScope(Type envType, IReadOnlyDictionary<string, string> functions, IReadOnlyList<(string Name, Type Type)> variables)
    {
        if (!typeof(ViewEnv).IsAssignableFrom(envType)) throw new ArgumentException("the environment must be a ViewEnv", nameof(envType));
        EnvType = envType;
        Functions = functions;
        Variables = variables;
    }

    public Type EnvType { get; }
    public IReadOnlyDictionary<string, string> Functions { get; }
    public IReadOnlyList<(string Name, Type Type)> Variables { get; }

    /// <summary>The same scope with one more variable.</summary>
    public ExprScope With(string name, Type type) => new(EnvType, Functions, [.. Variables, (name, type)]);

    internal int VariableIndex(string name)
    {
        for (var i = 0; i < Variables.Count; i++)
            if (Variables[i].Name == name) return i;
        return -1;
    }
}

/// <summary>
/// An expression in expr-lang's syntax (what CoreDNS's view and template READMEs show), translated token by token
/// into C# and compiled once by DynamicExpresso into a delegate: single-quoted strings become C# strings,
/// <c>and</c>/<c>or</c>/<c>not</c> become <c>&amp;&amp;</c>/<c>||</c>/<c>!</c>, <c>X in [A, B]</c> becomes
/// <c>(X == A || X == B)</c>, <c>any([A, B], P(#))</c> (all, none) becomes <c>(P(A) || P(B))</c>, <c>X matches Y</c>
/// (and contains, startsWith, endsWith) a call, the DNS functions and builtins calls on the environment, and
/// variables reads of the environment's slots. The view uses it as a filter (<see cref="Evaluate"/>), the template
/// for values of any type (<see cref="Run"/>).
/// </summary>
public sealed class ViewExpression
{
    private static readonly Dictionary<string, string> Functions = new(StringComparer.Ordinal)
    {
        ["bufsize"] = "bufsize", ["class"] = "qclass", ["client_ip"] = "client_ip", ["do"] = "dobit", ["id"] = "id",
        ["name"] = "name", ["opcode"] = "opcode", ["port"] = "port", ["proto"] = "proto", ["server_ip"] = "server_ip",
        ["server_port"] = "server_port", ["size"] = "size", ["type"] = "qtype", ["incidr"] = "incidr", ["metadata"] = "metadata",
        // expr-lang builtins
        ["int"] = "toint", ["float"] = "tofloat", ["string"] = "tostring", ["len"] = "len", ["lower"] = "lower", ["upper"] = "upper",
        ["trim"] = "trim", ["trimPrefix"] = "trimPrefix", ["trimSuffix"] = "trimSuffix", ["replace"] = "replace",
        ["hasPrefix"] = "startsWith", ["hasSuffix"] = "endsWith", ["abs"] = "abs",
    };

    /// <summary>The names an expression reaches without declaring them: DNS functions, builtins, operators, literals.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "bufsize", "class", "client_ip", "do", "id", "name", "opcode", "port", "proto", "server_ip", "server_port", "size", "type",
        "incidr", "metadata",
        // expr-lang keywords, literals and builtins (builtin.Index)
        "true", "false", "nil", "let", "in", "and", "or", "not", "matches", "contains", "startsWith", "endsWith", "if", "else",
        "all", "none", "any", "one", "filter", "map", "find", "findIndex", "findLast", "findLastIndex", "count", "sum", "groupBy",
        "sortBy", "reduce", "len", "type", "abs", "ceil", "floor", "round", "int", "float", "string", "trim", "trimPrefix",
        "trimSuffix", "upper", "lower", "split", "splitAfter", "replace", "repeat", "join", "indexOf", "lastIndexOf", "hasPrefix",
        "hasSuffix", "max", "min", "mean", "median", "toJSON", "fromJSON", "toBase64", "fromBase64", "now", "duration", "date",
        "timezone", "first", "last", "get", "take", "keys", "values", "toPairs", "fromPairs", "sort", "reverse", "uniq", "concat",
        "flatten", "bitand", "bitor", "bitxor", "bitnand", "bitnot", "bitshl", "bitshr", "bitushr",
    };

    private static readonly HashSet<string> InfixCalls = ["matches", "contains", "startsWith", "endsWith"];

    private const string Env = "__view";

    private readonly Func<ViewEnv, object?> _run;

    private ViewExpression(string text, string csharp, Type type, Func<ViewEnv, object?> run)
    {
        Text = text;
        CSharp = csharp;
        Type = type;
        _run = run;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>What it was translated to (for errors and specs).</summary>
    public string CSharp { get; }

    /// <summary>The static type of its value (known at compile time, as expr-lang's checker knows it).</summary>
    public Type Type { get; }

    /// <summary>Translates and compiles over the view's functions; throws <see cref="FormatException"/> with the reason.</summary>
    public static ViewExpression Compile(string text) => Compile(text, ExprScope.View);

    /// <summary>Translates and compiles in <paramref name="scope"/>; throws <see cref="FormatException"/> with the reason.</summary>
    public static ViewExpression Compile(string text, ExprScope scope)
    {
        var csharp = Translate(text, scope);
        try
        {
            var interpreter = new Interpreter(InterpreterOptions.PrimitiveTypes)
                .Reference(scope.EnvType)
                .Reference(typeof(string))
                .Reference(typeof(Math));
            var lambda = interpreter.Parse(csharp, new Parameter(Env, scope.EnvType));
            var body = lambda.Expression;
            StringConcatCheck.Instance.Visit(body);
            // The delegate takes the base environment and casts once to the scope's (one delegate type for every scope).
            var inner = lambda.DeclaredParameters.Single().Expression;
            var outer = Expression.Parameter(typeof(ViewEnv), "env");
            var boxed = Expression.Convert(Expression.Invoke(Expression.Lambda(body, inner), Expression.Convert(outer, scope.EnvType)), typeof(object));
            var run = Expression.Lambda<Func<ViewEnv, object?>>(boxed, outer).Compile();
            return new ViewExpression(text, csharp, body.Type, run);
        }
        catch (Exception e) when (e is DynamicExpresso.Exceptions.DynamicExpressoException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException(e.Message, e);
        }
    }

    /// <summary>Anything but a boolean true (an error included) is false, as CoreDNS's view Filter.</summary>
    public bool Evaluate(ViewEnv env)
    {
        try
        {
            return _run(env) is true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>The value; an error in a function (a bad IP for incidr, a bad number for int) throws, as expr.Run returns it.</summary>
    public object? Run(ViewEnv env) => _run(env);

    /// <summary>
    /// expr-lang does not add a string to a number (C# would concatenate): a <c>+</c> on a string and anything else is
    /// rejected at setup, as expr-lang's checker does.
    /// </summary>
    private sealed class StringConcatCheck : ExpressionVisitor
    {
        public static readonly StringConcatCheck Instance = new();

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.DeclaringType == typeof(string) && node.Method.Name == nameof(string.Concat))
            {
                var first = node.Arguments.Count > 0 ? SourceType(node.Arguments[0]) : typeof(string);
                foreach (var a in node.Arguments)
                {
                    var t = SourceType(a);
                    if (t != typeof(string) || first != typeof(string))
                        throw new ArgumentException($"invalid operation: + (mismatched types {GoTypeName(first)} and {GoTypeName(first == typeof(string) ? t : typeof(string))})");
                }
            }
            return base.VisitMethodCall(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Add && node.Method?.DeclaringType == typeof(string) &&
                (SourceType(node.Left) != typeof(string) || SourceType(node.Right) != typeof(string)))
                throw new ArgumentException($"invalid operation: + (mismatched types {GoTypeName(SourceType(node.Left))} and {GoTypeName(SourceType(node.Right))})");
            return base.VisitBinary(node);
        }

        /// <summary>The operand's type before the parser made it a string or an object for the concatenation.</summary>
        private static Type SourceType(Expression e) => e switch
        {
            UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.TypeAs } u => SourceType(u.Operand),
            MethodCallExpression { Method.Name: nameof(ToString), Arguments.Count: 0, Object: { } o } => o.Type,
            ConditionalExpression c => SourceType(c.IfFalse),
            _ => e.Type,
        };
    }

    internal static string GoTypeName(Type t) =>
        t == typeof(string) ? "string" : t == typeof(int) || t == typeof(long) ? "int" : t == typeof(double) ? "float" : t == typeof(bool) ? "bool" : t.Name;

    private enum Kind { Ident, String, Number, Op, Open, Close, OpenBracket, CloseBracket, Comma, Dot }

    private readonly record struct Tok(Kind Kind, string Text);

    /// <summary>expr-lang → C#. Throws <see cref="FormatException"/> on a token it cannot read.</summary>
    public static string Translate(string text) => Translate(text, ExprScope.View);

    /// <summary>expr-lang → C# in <paramref name="scope"/>. Throws <see cref="FormatException"/> on a token it cannot read.</summary>
    public static string Translate(string text, ExprScope scope)
    {
        var toks = Lex(text);
        // Function calls and variables first, so the infix rewrites see whole operands.
        var output = new List<Tok>();
        for (var i = 0; i < toks.Count; i++)
        {
            var t = toks[i];
            var member = i > 0 && toks[i - 1].Kind == Kind.Dot;
            if (t.Kind == Kind.Ident && i + 1 < toks.Count && toks[i + 1].Kind == Kind.Open && !member &&
                (scope.Functions.TryGetValue(t.Text, out var method) || Functions.TryGetValue(t.Text, out method)))
            {
                output.Add(new Tok(Kind.Ident, Env));
                output.Add(new Tok(Kind.Dot, "."));
                output.Add(new Tok(Kind.Ident, method));
                continue;
            }
            if (t.Kind == Kind.Ident && !member && scope.VariableIndex(t.Text) is var slot and >= 0)
            {
                // One atomic operand: the slot, unboxed to the variable's type.
                var type = scope.Variables[slot].Type;
                var read = $"{Env}.variable({slot.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
                output.Add(new Tok(Kind.Ident, CSharpTypeName(type) is { } cs ? $"(({cs}){read})" : read));
                continue;
            }
            output.Add(t switch
            {
                { Kind: Kind.Ident, Text: "and" } => new Tok(Kind.Op, "&&"),
                { Kind: Kind.Ident, Text: "or" } => new Tok(Kind.Op, "||"),
                { Kind: Kind.Ident, Text: "not" } when i + 1 < toks.Count && toks[i + 1] is { Kind: Kind.Ident, Text: "in" } => new Tok(Kind.Ident, "not"),
                { Kind: Kind.Ident, Text: "not" } => new Tok(Kind.Op, "!"),
                _ => t,
            });
        }
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var i = 0; i < output.Count; i++)
            {
                var t = output[i];
                if (t.Kind != Kind.Ident) continue;
                if (t.Text == "in" || (t.Text == "not" && i + 1 < output.Count && output[i + 1] is { Kind: Kind.Ident, Text: "in" }))
                {
                    var negate = t.Text == "not";
                    var opEnd = negate ? i + 1 : i;
                    var ls = OperandStart(output, i - 1);
                    if (ls < 0 || opEnd + 1 >= output.Count || output[opEnd + 1].Kind != Kind.OpenBracket)
                        throw new FormatException($"cannot read the operands of 'in' in: {text}");
                    var close = Matching(output, opEnd + 1, Kind.OpenBracket, Kind.CloseBracket);
                    var left = output.GetRange(ls, i - ls);
                    var items = SplitTopLevel(output.GetRange(opEnd + 2, close - opEnd - 2));
                    var repl = new List<Tok> { new(Kind.Open, "(") };
                    if (negate)
                    {
                        repl.Add(new Tok(Kind.Op, "!"));
                        repl.Add(new Tok(Kind.Open, "("));
                    }
                    if (items.Count == 0) repl.Add(new Tok(Kind.Ident, "false"));
                    for (var k = 0; k < items.Count; k++)
                    {
                        if (k > 0) repl.Add(new Tok(Kind.Op, "||"));
                        repl.AddRange(left);
                        repl.Add(new Tok(Kind.Op, "=="));
                        repl.AddRange(items[k]);
                    }
                    if (negate) repl.Add(new Tok(Kind.Close, ")"));
                    repl.Add(new Tok(Kind.Close, ")"));
                    output.RemoveRange(ls, close - ls + 1);
                    output.InsertRange(ls, repl);
                    changed = true;
                    break;
                }
                if (t.Text is "any" or "all" or "none" && i + 2 < output.Count && output[i + 1].Kind == Kind.Open &&
                    (i == 0 || output[i - 1].Kind != Kind.Dot))
                {
                    var close = Matching(output, i + 1, Kind.Open, Kind.Close);
                    var args = SplitTopLevel(output.GetRange(i + 2, close - i - 2));
                    if (args.Count != 2 || args[0].Count < 2 || args[0][0].Kind != Kind.OpenBracket || args[0][^1].Kind != Kind.CloseBracket)
                        throw new FormatException($"'{t.Text}' takes a literal array [A, B, ...] and a predicate over # in: {text}");
                    var items = SplitTopLevel(args[0].GetRange(1, args[0].Count - 2));
                    var join = t.Text == "all" ? "&&" : "||";
                    var repl = new List<Tok> { new(Kind.Open, "(") };
                    if (t.Text == "none")
                    {
                        repl.Add(new Tok(Kind.Op, "!"));
                        repl.Add(new Tok(Kind.Open, "("));
                    }
                    if (items.Count == 0) repl.Add(new Tok(Kind.Ident, t.Text == "all" ? "true" : "false"));
                    for (var k = 0; k < items.Count; k++)
                    {
                        if (k > 0) repl.Add(new Tok(Kind.Op, join));
                        repl.Add(new Tok(Kind.Open, "("));
                        foreach (var p in args[1])
                        {
                            if (p is { Kind: Kind.Ident, Text: "#" })
                            {
                                repl.Add(new Tok(Kind.Open, "("));
                                repl.AddRange(items[k]);
                                repl.Add(new Tok(Kind.Close, ")"));
                            }
                            else
                            {
                                repl.Add(p);
                            }
                        }
                        repl.Add(new Tok(Kind.Close, ")"));
                    }
                    if (t.Text == "none") repl.Add(new Tok(Kind.Close, ")"));
                    repl.Add(new Tok(Kind.Close, ")"));
                    output.RemoveRange(i, close - i + 1);
                    output.InsertRange(i, repl);
                    changed = true;
                    break;
                }
                if (InfixCalls.Contains(t.Text) && i > 0 && i + 1 < output.Count && output[i - 1].Kind != Kind.Dot)
                {
                    var ls = OperandStart(output, i - 1);
                    var re = OperandEnd(output, i + 1);
                    if (ls < 0 || re < 0) throw new FormatException($"cannot read the operands of '{t.Text}' in: {text}");
                    var repl = new List<Tok> { new(Kind.Ident, Env), new(Kind.Dot, "."), new(Kind.Ident, t.Text), new(Kind.Open, "(") };
                    repl.AddRange(output.GetRange(ls, i - ls));
                    repl.Add(new Tok(Kind.Comma, ","));
                    repl.AddRange(output.GetRange(i + 1, re - i));
                    repl.Add(new Tok(Kind.Close, ")"));
                    output.RemoveRange(ls, re - ls + 1);
                    output.InsertRange(ls, repl);
                    changed = true;
                    break;
                }
            }
        }
        var sb = new StringBuilder();
        foreach (var t in output)
        {
            if (sb.Length > 0 && t.Kind is not (Kind.Dot or Kind.Open or Kind.Close or Kind.Comma) && sb[^1] is not ('.' or '(')) sb.Append(' ');
            sb.Append(t.Text);
        }
        return sb.ToString();
    }

    /// <summary>Start of the operand ending at <paramref name="end"/>: a literal, or a (possibly dotted) call with its arguments, or a parenthesised group.</summary>
    private static int OperandStart(List<Tok> t, int end)
    {
        if (end < 0) return -1;
        if (t[end].Kind is Kind.String or Kind.Number or Kind.Ident) return DottedStart(t, end);
        if (t[end].Kind != Kind.Close) return -1;
        var depth = 0;
        for (var i = end; i >= 0; i--)
        {
            if (t[i].Kind == Kind.Close) depth++;
            else if (t[i].Kind == Kind.Open && --depth == 0)
                return i > 0 && t[i - 1].Kind == Kind.Ident ? DottedStart(t, i - 1) : i;
        }
        return -1;
    }

    private static int DottedStart(List<Tok> t, int i)
    {
        while (i >= 2 && t[i - 1].Kind == Kind.Dot && t[i - 2].Kind == Kind.Ident) i -= 2;
        return i;
    }

    /// <summary>End of the operand starting at <paramref name="start"/>.</summary>
    private static int OperandEnd(List<Tok> t, int start)
    {
        var i = start;
        if (t[i].Kind is Kind.String or Kind.Number) return i;
        if (t[i].Kind == Kind.Open) return Matching(t, i, Kind.Open, Kind.Close);
        if (t[i].Kind != Kind.Ident) return -1;
        while (i + 2 < t.Count && t[i + 1].Kind == Kind.Dot && t[i + 2].Kind == Kind.Ident) i += 2;
        return i + 1 < t.Count && t[i + 1].Kind == Kind.Open ? Matching(t, i + 1, Kind.Open, Kind.Close) : i;
    }

    private static int Matching(List<Tok> t, int open, Kind o, Kind c)
    {
        var depth = 0;
        for (var i = open; i < t.Count; i++)
        {
            if (t[i].Kind == o) depth++;
            else if (t[i].Kind == c && --depth == 0) return i;
        }
        throw new FormatException("unbalanced brackets");
    }

    private static List<List<Tok>> SplitTopLevel(List<Tok> t)
    {
        var items = new List<List<Tok>>();
        var cur = new List<Tok>();
        var depth = 0;
        foreach (var x in t)
        {
            if (x.Kind is Kind.Open or Kind.OpenBracket) depth++;
            if (x.Kind is Kind.Close or Kind.CloseBracket) depth--;
            if (x.Kind == Kind.Comma && depth == 0)
            {
                items.Add(cur);
                cur = [];
                continue;
            }
            cur.Add(x);
        }
        if (cur.Count > 0) items.Add(cur);
        return items;
    }

    private static List<Tok> Lex(string s)
    {
        var toks = new List<Tok>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c is '\'' or '"' or '`')
            {
                var sb = new StringBuilder();
                var j = i + 1;
                for (; j < s.Length && s[j] != c; j++)
                {
                    if (s[j] == '\\' && c != '`' && j + 1 < s.Length)
                    {
                        j++;
                        sb.Append(s[j] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => s[j] });
                        continue;
                    }
                    sb.Append(s[j]);
                }
                if (j >= s.Length) throw new FormatException($"unterminated string literal in: {s}");
                toks.Add(new Tok(Kind.String, CSharpString(sb.ToString())));
                i = j + 1;
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                var j = i;
                while (j < s.Length && (char.IsAsciiDigit(s[j]) || s[j] == '.')) j++;
                toks.Add(new Tok(Kind.Number, s[i..j]));
                i = j;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var j = i;
                while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] == '_')) j++;
                toks.Add(new Tok(Kind.Ident, s[i..j]));
                i = j;
                continue;
            }
            switch (c)
            {
                case '(': toks.Add(new Tok(Kind.Open, "(")); i++; continue;
                case ')': toks.Add(new Tok(Kind.Close, ")")); i++; continue;
                case '[': toks.Add(new Tok(Kind.OpenBracket, "[")); i++; continue;
                case ']': toks.Add(new Tok(Kind.CloseBracket, "]")); i++; continue;
                case ',': toks.Add(new Tok(Kind.Comma, ",")); i++; continue;
                case '.': toks.Add(new Tok(Kind.Dot, ".")); i++; continue;
                case '#': toks.Add(new Tok(Kind.Ident, "#")); i++; continue;
            }
            var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
            if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
            {
                toks.Add(new Tok(Kind.Op, two));
                i += 2;
                continue;
            }
            if (c is '<' or '>' or '+' or '-' or '*' or '/' or '%' or '!')
            {
                toks.Add(new Tok(Kind.Op, c.ToString()));
                i++;
                continue;
            }
            throw new FormatException($"unexpected character '{c}' in: {s}");
        }
        return toks;
    }

    private static string? CSharpTypeName(Type t) =>
        t == typeof(int) ? "int" : t == typeof(long) ? "long" : t == typeof(double) ? "double" : t == typeof(string) ? "string" :
        t == typeof(bool) ? "bool" : null;

    private static string CSharpString(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in value)
        {
            sb.Append(ch switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ => ch.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
