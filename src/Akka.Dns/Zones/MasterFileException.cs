namespace Akka.Dns.Zones;

/// <summary>
/// A master file (zone file) that cannot be loaded. <see cref="Exception.Message"/> reads
/// <c>FILE:LINE: what is wrong</c>; for an error inside an <c>$INCLUDE</c>d file, FILE is the included file.
/// </summary>
public sealed class MasterFileException : Exception
{
    public MasterFileException(string file, int line, string reason, Exception? inner = null)
        : base($"{file}:{line}: {reason}", inner)
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public string File { get; }
    public int Line { get; }

    /// <summary>The message without the <c>FILE:LINE: </c> prefix.</summary>
    public string Reason { get; }
}
