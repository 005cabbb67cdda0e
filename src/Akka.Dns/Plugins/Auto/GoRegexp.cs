using System.Text;
using System.Text.RegularExpressions;

namespace Akka.Dns.Plugins.Auto;

/// <summary>
/// The parts of Go's <c>regexp</c> that auto's <c>directory DIR REGEXP TEMPLATE</c> uses, on .NET's linear-time
/// engine (<see cref="RegexOptions.NonBacktracking"/>, RE2's guarantee and RE2's refusals: no backreferences, no
/// lookaround): compiling with Go's error text for the common mistakes, and <c>Regexp.ExpandString</c>.
/// </summary>
public static class GoRegexp
{
    /// <summary>Compiles <paramref name="pattern"/>; on failure <paramref name="error"/> reads as Go's
    /// <c>error parsing regexp: CODE: `EXPR`</c>.</summary>
    public static bool TryCompile(string pattern, out Regex? regex, out string error)
    {
        regex = null;
        error = "";
        // Go spells named groups (?P<name>...) as well as (?<name>...).
        var dotnet = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        try
        {
            regex = new Regex(dotnet, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            return true;
        }
        catch (RegexParseException e)
        {
            error = Error(pattern, e);
            return false;
        }
        catch (NotSupportedException)
        {
            error = $"error parsing regexp: invalid or unsupported Perl syntax: `{pattern}`";
            return false;
        }
    }

    private static string Error(string pattern, RegexParseException e)
    {
        var at = Math.Clamp(e.Offset, 0, pattern.Length);
        var (code, expr) = e.Error switch
        {
            RegexParseError.InsufficientClosingParentheses => ("missing closing )", pattern),
            RegexParseError.InsufficientOpeningParentheses => ("unexpected )", pattern),
            RegexParseError.QuantifierAfterNothing => ("missing argument to repetition operator", at > 0 ? pattern[(at - 1)..at] : pattern),
            RegexParseError.NestedQuantifiersNotParenthesized => ("invalid nested repetition operator", pattern),
            RegexParseError.UnterminatedBracket => ("missing closing ]", pattern[Math.Max(0, pattern.LastIndexOf('['))..]),
            RegexParseError.UnescapedEndingBackslash => ("trailing backslash at end of expression", ""),
            RegexParseError.UnrecognizedEscape => ("invalid escape sequence", pattern),
            RegexParseError.ReversedCharacterRange => ("invalid character class range", pattern),
            RegexParseError.ReversedQuantifierRange => ("invalid repeat count", pattern),
            _ => ("invalid or unsupported Perl syntax", pattern),
        };
        return $"error parsing regexp: {code}: `{expr}`";
    }

    /// <summary>Go's <c>Regexp.NumSubexp</c>: the number of capturing groups.</summary>
    public static int NumSubexp(Regex regex) => regex.GetGroupNumbers().Length - 1;

    /// <summary>
    /// Go's <c>Regexp.ExpandString</c>: <c>$name</c> and <c>${name}</c> become the group with that number or name
    /// (empty when there is none or it did not match), <c>$$</c> a dollar; a malformed reference is copied as is.
    /// </summary>
    public static string Expand(string template, Match match, Regex regex)
    {
        var sb = new StringBuilder(template.Length + 16);
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            sb.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            if (!TryExtract(template, ref i, out var name))
            {
                sb.Append('$');
                continue;
            }
            Group? g = null;
            if (IsNumber(name))
            {
                if (int.TryParse(name, out var n) && n < match.Groups.Count) g = match.Groups[n];
            }
            else if (regex.GroupNumberFromName(name) >= 0)
            {
                g = match.Groups[name];
            }
            if (g is { Success: true }) sb.Append(g.Value);
        }
        return sb.ToString();
    }

    // Go's regexp.extract: a name of letters, digits and underscores, braced or not.
    private static bool TryExtract(string s, ref int i, out string name)
    {
        name = "";
        var j = i;
        var brace = j < s.Length && s[j] == '{';
        if (brace) j++;
        var start = j;
        while (j < s.Length && (char.IsAsciiLetterOrDigit(s[j]) || s[j] == '_')) j++;
        if (j == start) return false;
        if (brace)
        {
            if (j >= s.Length || s[j] != '}') return false;
            name = s[start..j];
            i = j + 1;
            return true;
        }
        name = s[start..j];
        i = j;
        return true;
    }

    private static bool IsNumber(string s)
    {
        foreach (var c in s)
            if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>auto's rewriteToExpand: every <c>{</c> gets a <c>$</c> before it, so <c>{1}</c> reads <c>${1}</c>.</summary>
    public static string RewriteToExpand(string template) => template.Replace("{", "${", StringComparison.Ordinal);
}
