using System.Text.Json;
using Akka.Configuration;
using System.Text.RegularExpressions;

namespace Akka.Dns;

/// <summary>
/// HOCON's environment fallback, which Akka.NET's parser lacks (it neither reads <c>${NAME}</c> from the environment
/// nor drops a field whose <c>${?NAME}</c> is unset): applied to the daemon's <c>-hocon</c> file before parsing.
/// <c>${NAME}</c> and <c>${?NAME}</c>, NAME without dots, become the environment variable's value as a quoted string
/// when it is set (the environment wins over a key of the same name); a line <c>key = ${?NAME}</c> with NAME unset
/// is dropped, so the key keeps its fallback value; any other <c>${?...}</c> is refused (Akka.NET's parser would
/// silently drop fields), and an unset <c>${NAME}</c> is left to the parser ("Unresolved substitution"). Used by
/// hocon/kubernetes.conf for POD_IP and POD_NAME.
/// </summary>
public static partial class HoconEnvironment
{
    public static string Expand(string hocon, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var lines = hocon.Split('\n');
        var kept = new List<string>(lines.Length);
        foreach (var line in lines)
        {
            var unsetOptional = OptionalField().Match(line);
            if (unsetOptional.Success && env(unsetOptional.Groups[1].Value) is null)
            {
                kept.Add("");   // keeps line numbers in parse errors
                continue;
            }
            kept.Add(Reference().Replace(line, m => env(m.Groups[2].Value) is { } v ? JsonSerializer.Serialize(v) : m.Value));
        }
        // Akka.NET's parser mishandles what is left of ${?...}: it silently drops that field and the ones after it.
        for (var i = 0; i < kept.Count; i++)
        {
            var left = Optional().Match(CodePart(kept[i]));
            if (left.Success)
                throw new ConfigurationException(
                    $"{left.Value} on line {i + 1}: an optional substitution is only read as a whole line 'key = ${{?NAME}}' with NAME an environment variable");
        }
        return string.Join('\n', kept);
    }

    /// <summary>The line up to its comment (# or //) outside a quoted string.</summary>
    private static string CodePart(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"' && (i == 0 || line[i - 1] != '\\')) quoted = !quoted;
            else if (!quoted && (c == '#' || (c == '/' && i + 1 < line.Length && line[i + 1] == '/'))) return line[..i];
        }
        return line;
    }

    [GeneratedRegex(@"\$\{\?[^}]*\}")]
    private static partial Regex Optional();

    [GeneratedRegex(@"\$\{(\?)?([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\s*[^\s=:{}#]+\s*[=:]\s*\$\{\?([A-Za-z_][A-Za-z0-9_]*)\}\s*(#.*|//.*)?\r?$")]
    private static partial Regex OptionalField();
}
