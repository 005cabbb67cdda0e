using System.Globalization;
using System.Text;

namespace Akka.Dns.Plugins.Template;

/// <summary>A template that does not parse or fails when it runs; the message follows Go's text/template.</summary>
public sealed class TemplateException(string message) : Exception(message);

/// <summary>
/// The subset of Go's text/template that CoreDNS's template README uses, parsed once at setup: text and
/// <c>{{ pipeline }}</c> actions (with <c>{{-</c>/<c>-}}</c> trimming); a pipeline is commands joined by <c>|</c>;
/// operands are field chains (<c>.Name</c>, <c>.Group.a</c>, <c>.Message.Question</c>), parenthesised pipelines
/// followed by fields (<c>(index .Message.Question 0).Name</c>), string and number literals; functions are
/// <c>index</c>, <c>parseInt</c> (strconv.ParseUint), <c>len</c>, <c>printf</c> (%s, %d, %v) and the method
/// <c>.Meta "label"</c>. A missing map key prints <c>&lt;no value&gt;</c>, as Go does.
/// </summary>
public sealed class GoTemplate
{
    private readonly Node[] _nodes;

    private GoTemplate(string name, Node[] nodes)
    {
        Name = name;
        _nodes = nodes;
    }

    public string Name { get; }

    public string Execute(ITemplateData data)
    {
        var sb = new StringBuilder();
        foreach (var n in _nodes)
        {
            if (n is TextNode t) sb.Append(t.Text);
            else sb.Append(Print(((ActionNode)n).Pipeline.Eval(data, this)));
        }
        return sb.ToString();
    }

    internal static string Print(object? v) => v switch
    {
        null => "<no value>",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    internal TemplateException Error(string message) => new($"template: {Name}:1:{message}");

    // ---- parsing ----

    public static GoTemplate Parse(string name, string text)
    {
        var nodes = new List<Node>();
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("{{", i, StringComparison.Ordinal);
            if (open < 0)
            {
                nodes.Add(new TextNode(text[i..]));
                break;
            }
            var literal = text[i..open];
            var start = open + 2;
            if (start + 1 < text.Length && text[start] == '-' && char.IsWhiteSpace(text[start + 1]))
            {
                literal = literal.TrimEnd();
                start++;
            }
            if (literal.Length > 0) nodes.Add(new TextNode(literal));
            var close = FindClose(text, start);
            if (close < 0) throw new TemplateException($"template: {name}:1: unclosed action");
            var end = close;
            var trimRight = close > start && text[close - 1] == '-' && close - 2 >= start && char.IsWhiteSpace(text[close - 2]);
            if (trimRight) end--;
            var p = new Parser(name, text[start..end]);
            var pipeline = p.ParsePipeline();
            p.ExpectEnd();
            nodes.Add(new ActionNode(pipeline));
            i = close + 2;
            if (trimRight)
                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
        }
        return new GoTemplate(name, [.. nodes]);
    }

    private static int FindClose(string text, int from)
    {
        var inString = false;
        for (var i = from; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            else if (c == '}' && text[i + 1] == '}') return i;
        }
        return -1;
    }

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record ActionNode(Pipeline Pipeline) : Node;

    internal sealed record Pipeline(Command[] Commands)
    {
        public object? Eval(ITemplateData data, GoTemplate t)
        {
            object? last = null;
            var hasLast = false;
            foreach (var c in Commands)
            {
                last = c.Eval(data, t, hasLast ? last : null, hasLast);
                hasLast = true;
            }
            return last;
        }
    }

    internal sealed record Command(Operand[] Operands)
    {
        public object? Eval(ITemplateData data, GoTemplate t, object? piped, bool hasPiped)
        {
            var first = Operands[0];
            if (first is FunctionOperand f)
            {
                var args = new List<object?>();
                for (var i = 1; i < Operands.Length; i++) args.Add(Operands[i].Eval(data, t));
                if (hasPiped) args.Add(piped);
                return Functions.Call(f.Name, args, t);
            }
            if (first is FieldOperand fo && (Operands.Length > 1 || hasPiped))
            {
                // a method call: .Meta "label"
                var args = new List<object?>();
                for (var i = 1; i < Operands.Length; i++) args.Add(Operands[i].Eval(data, t));
                if (hasPiped) args.Add(piped);
                return fo.Call(data, t, args);
            }
            if (Operands.Length > 1 || hasPiped) throw t.Error($" can't give argument to non-function {first}");
            return first.Eval(data, t);
        }
    }

    internal abstract record Operand
    {
        public abstract object? Eval(ITemplateData data, GoTemplate t);
    }

    internal sealed record LiteralOperand(object Value) : Operand
    {
        public override object? Eval(ITemplateData data, GoTemplate t) => Value;
    }

    internal sealed record FunctionOperand(string Name) : Operand
    {
        public override object? Eval(ITemplateData data, GoTemplate t) => Functions.Call(Name, [], t);
    }

    /// <summary>A field chain on the data (<c>.A.B</c>) or on a parenthesised pipeline (<c>(...).A</c>).</summary>
    internal sealed record FieldOperand(Pipeline? Base, string[] Fields) : Operand
    {
        public override object? Eval(ITemplateData data, GoTemplate t)
        {
            object? v = Base is null ? data : Base.Eval(data, t);
            foreach (var f in Fields) v = Field(v, f, t);
            return v;
        }

        public object? Call(ITemplateData data, GoTemplate t, List<object?> args)
        {
            object? v = Base is null ? data : Base.Eval(data, t);
            for (var i = 0; i < Fields.Length - 1; i++) v = Field(v, Fields[i], t);
            var method = Fields.Length == 0 ? "" : Fields[^1];
            if (v is ITemplateData d && method == "Meta")
            {
                if (args.Count != 1 || args[0] is not string label) throw t.Error($" wrong number of args for Meta: want 1 got {args.Count}");
                return d.Meta(label);
            }
            throw t.Error($" can't give argument to non-function .{string.Join('.', Fields)}");
        }

        public override string ToString() => "." + string.Join('.', Fields);
    }

    internal static object? Field(object? v, string name, GoTemplate t)
    {
        switch (v)
        {
            case null:
                throw t.Error($" nil pointer evaluating .{name}");
            case IReadOnlyDictionary<string, string> map:
                return map.TryGetValue(name, out var s) ? s : null;
            case IReadOnlyDictionary<string, object?> omap:
                return omap.TryGetValue(name, out var o) ? o : null;
            case ITemplateObject obj:
                return obj.TryGetField(name, out var value) ? value : throw t.Error($" can't evaluate field {name} in type {obj.TypeName}");
            default:
                throw t.Error($" can't evaluate field {name} in type {v.GetType().Name}");
        }
    }

    /// <summary>Tokenizes and parses one action's pipeline.</summary>
    private sealed class Parser(string name, string text)
    {
        private int _i;

        private TemplateException Err(string message) => new($"template: {name}:1: {message}");

        private void SkipSpace()
        {
            while (_i < text.Length && char.IsWhiteSpace(text[_i])) _i++;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_i < text.Length) throw Err($"unexpected \"{text[_i]}\" in command");
        }

        public Pipeline ParsePipeline()
        {
            var commands = new List<Command>();
            while (true)
            {
                commands.Add(ParseCommand());
                SkipSpace();
                if (_i < text.Length && text[_i] == '|')
                {
                    _i++;
                    continue;
                }
                break;
            }
            return new Pipeline([.. commands]);
        }

        private Command ParseCommand()
        {
            var operands = new List<Operand>();
            while (true)
            {
                SkipSpace();
                if (_i >= text.Length || text[_i] is '|' or ')') break;
                operands.Add(ParseOperand());
            }
            if (operands.Count == 0) throw Err("missing value for command");
            return new Command([.. operands]);
        }

        private Operand ParseOperand()
        {
            var c = text[_i];
            if (c == '(')
            {
                _i++;
                var inner = ParsePipeline();
                SkipSpace();
                if (_i >= text.Length || text[_i] != ')') throw Err("unclosed left paren");
                _i++;
                var fields = ReadFields();
                return new FieldOperand(inner, fields);
            }
            if (c == '.')
            {
                var fields = ReadFields();
                return new FieldOperand(null, fields);
            }
            if (c == '"') return new LiteralOperand(ReadString());
            if (c == '`')
            {
                var end = text.IndexOf('`', _i + 1);
                if (end < 0) throw Err("unterminated raw quoted string");
                var s = text[(_i + 1)..end];
                _i = end + 1;
                return new LiteralOperand(s);
            }
            if (char.IsAsciiDigit(c) || c is '-' or '+')
            {
                var start = _i++;
                while (_i < text.Length && (char.IsAsciiLetterOrDigit(text[_i]) || text[_i] is '.' or '_')) _i++;
                var num = text[start.._i];
                if (long.TryParse(num, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return new LiteralOperand(l);
                throw Err($"bad number syntax: \"{num}\"");
            }
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = _i;
                while (_i < text.Length && (char.IsAsciiLetterOrDigit(text[_i]) || text[_i] == '_')) _i++;
                var id = text[start.._i];
                switch (id)
                {
                    case "true": return new LiteralOperand(true);
                    case "false": return new LiteralOperand(false);
                    case "nil": throw Err("nil is not a command");
                }
                if (!Functions.Known(id)) throw Err($"function \"{id}\" not defined");
                return new FunctionOperand(id);
            }
            if (c == '$') throw Err("template variables ($x) are not supported");
            throw Err($"unexpected \"{c}\" in operand");
        }

        private string[] ReadFields()
        {
            var fields = new List<string>();
            while (_i < text.Length && text[_i] == '.')
            {
                _i++;
                var start = _i;
                while (_i < text.Length && (char.IsAsciiLetterOrDigit(text[_i]) || text[_i] == '_')) _i++;
                if (_i == start)
                {
                    if (fields.Count == 0) break; // "." alone: the data itself
                    throw Err("unexpected . after term");
                }
                fields.Add(text[start.._i]);
            }
            return [.. fields];
        }

        private string ReadString()
        {
            var sb = new StringBuilder();
            _i++;
            while (_i < text.Length && text[_i] != '"')
            {
                if (text[_i] == '\\' && _i + 1 < text.Length)
                {
                    _i++;
                    sb.Append(text[_i] switch { 'n' => '\n', 't' => '\t', _ => text[_i] });
                }
                else sb.Append(text[_i]);
                _i++;
            }
            if (_i >= text.Length) throw Err("unterminated quoted string");
            _i++;
            return sb.ToString();
        }
    }
}

/// <summary>An object whose fields a template can read.</summary>
public interface ITemplateObject
{
    string TypeName { get; }
    bool TryGetField(string name, out object? value);
}

/// <summary>The root data of a template (CoreDNS's templateData): fields plus the <c>Meta</c> method.</summary>
public interface ITemplateData : ITemplateObject
{
    string Meta(string label);
}

internal static class Functions
{
    public static bool Known(string name) => name is "index" or "parseInt" or "len" or "printf" or "print";

    public static object? Call(string name, List<object?> args, GoTemplate t)
    {
        switch (name)
        {
            case "index":
                if (args.Count == 0) throw t.Error(" wrong number of args for index: want at least 1 got 0");
                var v = args[0];
                for (var i = 1; i < args.Count; i++) v = Index(v, args[i], t);
                return v;
            case "parseInt":
                if (args.Count != 3) throw t.Error($" wrong number of args for parseInt: want 3 got {args.Count}");
                return ParseUint(GoTemplate.Print(args[0]), ToInt(args[1], t), ToInt(args[2], t), t);
            case "len":
                if (args.Count != 1) throw t.Error($" wrong number of args for len: want 1 got {args.Count}");
                return args[0] switch
                {
                    string s => (long)s.Length,
                    System.Collections.ICollection c => (long)c.Count,
                    _ => throw t.Error(" error calling len: len of type"),
                };
            case "print":
                var sb = new StringBuilder();
                foreach (var a in args) sb.Append(GoTemplate.Print(a));
                return sb.ToString();
            default: // printf
                if (args.Count == 0 || args[0] is not string format) throw t.Error(" wrong number of args for printf");
                return Printf(format, args);
        }
    }

    private static int ToInt(object? v, GoTemplate t) => v switch
    {
        long l => (int)l,
        ulong u => (int)u,
        int i => i,
        ushort s => s,
        _ => throw t.Error($" wrong type for value; expected int; got {v?.GetType().Name ?? "nil"}"),
    };

    private static object? Index(object? v, object? key, GoTemplate t)
    {
        switch (v)
        {
            case IReadOnlyDictionary<string, string> map:
                return key is string k ? (map.TryGetValue(k, out var s) ? s : "") : throw t.Error(" error calling index: value has type int; should be string");
            case System.Collections.IList list:
                var i = ToInt(key, t);
                if (i < 0 || i >= list.Count) throw t.Error($" error calling index: index out of range: {i}");
                return list[i];
            case string str:
                var j = ToInt(key, t);
                if (j < 0 || j >= str.Length) throw t.Error($" error calling index: index out of range: {j}");
                return (long)str[j];
            case null:
                throw t.Error(" error calling index: index of untyped nil");
            default:
                throw t.Error($" error calling index: can't index item of type {v.GetType().Name}");
        }
    }

    /// <summary>Go's strconv.ParseUint(s, base, bitSize); the error fails the template.</summary>
    private static ulong ParseUint(string s, int @base, int bits, GoTemplate t)
    {
        if (bits == 0) bits = 64;
        var fail = $" error calling parseInt: strconv.ParseUint: parsing {GoNet.Quote(s)}: ";
        var text = s;
        if (@base == 0)
        {
            @base = 10;
            if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) { @base = 16; text = text[2..]; }
            else if (text.StartsWith("0b", StringComparison.OrdinalIgnoreCase)) { @base = 2; text = text[2..]; }
            else if (text.StartsWith("0o", StringComparison.OrdinalIgnoreCase)) { @base = 8; text = text[2..]; }
            else if (text.Length > 1 && text[0] == '0') { @base = 8; text = text[1..]; }
        }
        if (@base is < 2 or > 36) throw t.Error($" error calling parseInt: strconv.ParseUint: parsing {GoNet.Quote(s)}: invalid base {@base}");
        if (text.Length == 0) throw t.Error(fail + "invalid syntax");
        ulong v = 0;
        var max = bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;
        var overflow = false;
        foreach (var ch in text)
        {
            var d = ch is >= '0' and <= '9' ? ch - '0' : ch is >= 'a' and <= 'z' ? ch - 'a' + 10 : ch is >= 'A' and <= 'Z' ? ch - 'A' + 10 : 99;
            if (d >= @base) throw t.Error(fail + "invalid syntax");
            var next = v * (ulong)@base + (ulong)d;
            if (v > (ulong.MaxValue - (ulong)d) / (ulong)@base || next > max) overflow = true;
            v = next;
        }
        if (overflow) throw t.Error(fail + "value out of range");
        return v;
    }

    private static string Printf(string format, List<object?> args)
    {
        var sb = new StringBuilder();
        var a = 1;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var verb = format[++i];
            if (verb == '%') { sb.Append('%'); continue; }
            sb.Append(a < args.Count ? GoTemplate.Print(args[a++]) : $"%!{verb}(MISSING)");
        }
        return sb.ToString();
    }
}
