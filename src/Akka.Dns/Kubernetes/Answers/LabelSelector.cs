using System.Collections.Immutable;

namespace Akka.Dns.Kubernetes.Answers;

/// <summary>
/// A Kubernetes label selector in its string form (what <c>labels</c> and <c>namespace_labels</c> take, as
/// <c>kubectl -l</c>): comma-separated requirements <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k in (a,b)</c>,
/// <c>k notin (a,b)</c>, <c>k</c> (exists) and <c>!k</c> (does not exist); all must hold.
/// </summary>
public sealed class LabelSelector
{
    private enum Op { Equals, NotEquals, In, NotIn, Exists, NotExists }

    private sealed record Requirement(string Key, Op Op, ImmutableArray<string> Values);

    private readonly ImmutableArray<Requirement> _requirements;

    private LabelSelector(ImmutableArray<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Parse(string text)
    {
        var reqs = ImmutableArray.CreateBuilder<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var s = part.Trim();
            if (s.Length == 0) throw new FormatException($"invalid label selector: '{text}'");
            if (s[0] == '!')
            {
                reqs.Add(new Requirement(Key(s[1..], text), Op.NotExists, []));
                continue;
            }
            int i;
            if ((i = s.IndexOf("!=", StringComparison.Ordinal)) > 0)
                reqs.Add(new Requirement(Key(s[..i], text), Op.NotEquals, [s[(i + 2)..].Trim()]));
            else if ((i = s.IndexOf("==", StringComparison.Ordinal)) > 0)
                reqs.Add(new Requirement(Key(s[..i], text), Op.Equals, [s[(i + 2)..].Trim()]));
            else if ((i = s.IndexOf('=')) > 0)
                reqs.Add(new Requirement(Key(s[..i], text), Op.Equals, [s[(i + 1)..].Trim()]));
            else if (SetOp(s, " notin ", out var k, out var vals) || SetOp(s, " in ", out k, out vals))
                reqs.Add(new Requirement(Key(k, text), s.Contains(" notin ", StringComparison.Ordinal) ? Op.NotIn : Op.In, vals));
            else
                reqs.Add(new Requirement(Key(s, text), Op.Exists, []));
        }
        return new LabelSelector(reqs.ToImmutable());

        bool SetOp(string s, string op, out string key, out ImmutableArray<string> values)
        {
            key = "";
            values = [];
            var i = s.IndexOf(op, StringComparison.Ordinal);
            if (i <= 0) return false;
            key = s[..i];
            var rest = s[(i + op.Length)..].Trim();
            if (rest.Length < 2 || rest[0] != '(' || rest[^1] != ')') throw new FormatException($"invalid label selector: '{text}'");
            values = [.. rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
            return true;
        }
    }

    private static string Key(string k, string text)
    {
        k = k.Trim();
        if (k.Length == 0 || k.AsSpan().IndexOfAny(" ()!=,") >= 0) throw new FormatException($"invalid label selector: '{text}'");
        return k;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels.TryGetValue(r.Key, out var v);
            var ok = r.Op switch
            {
                Op.Equals => has && v == r.Values[0],
                Op.NotEquals => !has || v != r.Values[0],
                Op.In => has && r.Values.Contains(v!),
                Op.NotIn => !has || !r.Values.Contains(v!),
                Op.Exists => has,
                _ => !has,
            };
            if (!ok) return false;
        }
        return true;
    }
}
