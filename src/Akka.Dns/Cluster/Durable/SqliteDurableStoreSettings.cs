using Akka.Actor;
using Akka.Configuration;

namespace Akka.Dns.Cluster.Durable;

/// <summary>
/// Typed view of <c>akka.cluster.distributed-data.durable.sqlite</c> (see hocon/durable-sqlite.conf).
/// Missing keys take the defaults below, so a config that only names the store class works.
/// </summary>
public sealed record SqliteDurableStoreSettings
{
    /// <summary>The default <c>dir</c>: ends with "ddata", so the node's name is appended (see <see cref="ResolveDirectory"/>).</summary>
    public const string DefaultDir = "ddata";

    /// <summary>The database file inside the resolved directory.</summary>
    public const string FileName = "ddata.db";

    /// <summary>
    /// <c>dir</c>: the directory of the database. Ends with "ddata": a per-node directory
    /// <c>{dir}-{system}-{replicator}-{host}-{port}</c> is used (stable only with a fixed port);
    /// otherwise the path is used as is (one node per directory).
    /// </summary>
    public string Dir { get; init; } = DefaultDir;

    /// <summary><c>write-behind-interval</c>: <see cref="TimeSpan.Zero"/> (off) writes each Store at once.</summary>
    public TimeSpan WriteBehindInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Reads the <c>sqlite</c> section of the durable config the Replicator hands to the store.</summary>
    public static SqliteDurableStoreSettings Create(Config durableConfig)
    {
        var c = durableConfig.GetConfig("sqlite");
        if (c.IsNullOrEmpty()) return new SqliteDurableStoreSettings();

        var dir = c.GetString("dir", DefaultDir);
        if (string.IsNullOrWhiteSpace(dir)) dir = DefaultDir;

        var wb = c.GetString("write-behind-interval", "off").Trim().ToLowerInvariant();
        var interval = wb is "off" or "false" or "no" or "" ? TimeSpan.Zero : c.GetTimeSpan("write-behind-interval");
        if (interval < TimeSpan.Zero)
            throw new ConfigurationException(
                $"akka.cluster.distributed-data.durable.sqlite.write-behind-interval must be 'off' or a positive duration, not '{wb}'");

        return new SqliteDurableStoreSettings { Dir = dir, WriteBehindInterval = interval };
    }

    /// <summary>
    /// The directory for one node, by lmdb's rule: a <c>dir</c> ending with "ddata" gets the ActorSystem's name,
    /// the Replicator's name and the node's host and port appended; any other <c>dir</c> is used as is.
    /// </summary>
    public string ResolveDirectory(string systemName, string replicatorName, Address selfAddress)
    {
        var trimmed = Dir.TrimEnd('/', '\\');
        if (!trimmed.EndsWith(DefaultDir, StringComparison.Ordinal))
            return Path.GetFullPath(trimmed);
        var host = (selfAddress.Host ?? "local").Replace(':', '_'); // IPv6 literals stay one path segment
        var port = selfAddress.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0";
        return Path.GetFullPath($"{trimmed}-{systemName}-{replicatorName}-{host}-{port}");
    }
}
