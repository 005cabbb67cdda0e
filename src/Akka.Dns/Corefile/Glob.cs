namespace Akka.Dns.Corefile;

/// <summary>Minimal glob for import patterns holding exactly one wildcard (<c>*</c> or <c>?</c>) in one path
/// segment, as Go's filepath.Glob: <c>*</c> matches any run of non-separator characters, <c>?</c> one character.</summary>
internal static class Glob
{
    public static List<string> Match(string fullPattern)
    {
        var root = Path.GetPathRoot(fullPattern) ?? string.Empty;
        var segments = fullPattern[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { root };
        foreach (var segment in segments)
        {
            var next = new List<string>();
            var isPattern = segment.IndexOfAny(['*', '?']) >= 0;
            foreach (var dir in current)
            {
                if (!isPattern)
                {
                    var candidate = Path.Combine(dir, segment);
                    if (File.Exists(candidate) || Directory.Exists(candidate))
                    {
                        next.Add(candidate);
                    }

                    continue;
                }

                if (!Directory.Exists(dir))
                {
                    continue;
                }

                var names = Directory.EnumerateFileSystemEntries(dir)
                    .Select(Path.GetFileName)
                    .OfType<string>()
                    .Where(n => IsMatch(segment, n))
                    .Order(StringComparer.Ordinal);
                next.AddRange(names.Select(n => Path.Combine(dir, n)));
            }

            current = next;
        }

        return current;
    }

    internal static bool IsMatch(string pattern, string name)
    {
        var star = pattern.IndexOf('*');
        if (star >= 0)
        {
            var prefix = pattern[..star];
            var suffix = pattern[(star + 1)..];
            return name.Length >= prefix.Length + suffix.Length
                && name.StartsWith(prefix, StringComparison.Ordinal)
                && name.EndsWith(suffix, StringComparison.Ordinal);
        }

        var q = pattern.IndexOf('?');
        return q >= 0
            ? name.Length == pattern.Length && string.CompareOrdinal(name, 0, pattern, 0, q) == 0
                && string.CompareOrdinal(name, q + 1, pattern, q + 1, pattern.Length - q - 1) == 0
            : string.Equals(pattern, name, StringComparison.Ordinal);
    }
}
