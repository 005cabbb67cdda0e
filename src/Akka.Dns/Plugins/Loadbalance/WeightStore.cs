using System.Net;
using System.Security.Cryptography;

namespace Akka.Dns.Plugins.Loadbalance;

/// <summary>One address's weight for a name in the weight file.</summary>
public readonly record struct WeightItem(byte[] Address, byte Weight);

/// <summary>
/// The weight file of <c>loadbalance weighted</c>: an immutable name → weights map, swapped whole when the file's
/// content (MD5) changes; readers take the current map without a lock.
/// </summary>
public sealed class WeightStore(string path, TimeSpan reload)
{
    private static readonly Dictionary<string, WeightItem[]> Empty = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, WeightItem[]> _current = Empty;
    private byte[]? _md5;
    private Timer? _timer;
    private int _started;

    public string Path { get; } = path;
    public TimeSpan Reload { get; } = reload;
    public IReadOnlyDictionary<string, WeightItem[]> Current => Volatile.Read(ref _current);

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        var error = Update(out var openFailed);
        if (error is not null)
        {
            if (openFailed && Reload != TimeSpan.Zero) LineLog.Warning($"plugin/loadbalance: Failed to open weight file:{error}. Will try again in {GoDuration.Format(Reload.Ticks * 100)}");
            else throw new InvalidOperationException($"plugin/loadbalance: {error}");
        }
        if (Reload != TimeSpan.Zero) _timer = new Timer(static s => ((WeightStore)s!).Tick(), this, Reload, Reload);
    }

    public void Stop() => _timer?.Dispose();

    private void Tick()
    {
        var error = Update(out _);
        if (error is not null) LineLog.Error($"plugin/loadbalance: {error}");
    }

    /// <summary>Reads the file if it changed; null on success, else the error (and the old weights stay).</summary>
    public string? Update(out bool openFailed)
    {
        openFailed = false;
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            openFailed = true;
            return "weight file open error";
        }
        var md5 = MD5.HashData(bytes);
        if (_md5 is not null && md5.AsSpan().SequenceEqual(_md5)) return null;
        var parsed = Parse(System.Text.Encoding.UTF8.GetString(bytes), Path, out var error);
        if (parsed is null) return error;
        _md5 = md5;
        Volatile.Write(ref _current, parsed);
        LineLog.Info($"plugin/loadbalance: Successfully reloaded weight file {Path}");
        return null;
    }

    /// <summary>CoreDNS's parseWeights, with its messages.</summary>
    public static Dictionary<string, WeightItem[]>? Parse(string text, string fileName, out string? error)
    {
        error = null;
        var lists = new Dictionary<string, List<WeightItem>>(StringComparer.OrdinalIgnoreCase);
        string? name = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            switch (fields.Length)
            {
                case 1:
                    if (GoNet.ParseIP(fields[0]) is not null)
                    {
                        error = $"wrong domain name:\"{fields[0]}\" in weight file {fileName}. (Maybe a missing weight value?)";
                        return null;
                    }
                    name = fields[0].EndsWith('.') ? fields[0] : fields[0] + ".";
                    if (!lists.ContainsKey(name)) lists[name] = [];
                    break;
                case 2:
                    var ip = GoNet.ParseIP(fields[0]);
                    if (ip is null)
                    {
                        error = $"wrong IP address:\"{fields[0]}\" in weight file {fileName}";
                        return null;
                    }
                    if (!byte.TryParse(fields[1], System.Globalization.NumberStyles.None, null, out var w) || w == 0)
                    {
                        error = $"wrong weight value:\"{fields[1]}\" in weight file {fileName}";
                        return null;
                    }
                    if (name is null)
                    {
                        error = $"missing domain name in weight file {fileName}";
                        return null;
                    }
                    var addr = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
                    lists[name].Add(new WeightItem(addr.GetAddressBytes(), w));
                    break;
                default:
                    error = $"could not parse weight line:\"{line}\" in weight file {fileName}";
                    return null;
            }
        }
        var map = new Dictionary<string, WeightItem[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in lists) map[k] = [.. v];
        return map;
    }
}
