using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using DData = Akka.DistributedData.DistributedData;
using Akka.Dns.Tests.Config;

namespace Akka.Dns.Tests.Cluster.Durable;

/// <summary>Single-node cluster configs on 127.0.0.1:0 with hocon/durable-sqlite.conf and a per-test directory.</summary>
internal static class DurableTestConfig
{
    /// <summary>The repo's fragment, parsed as the cluster configs will use it.</summary>
    public static Akka.Configuration.Config Fragment() =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(RepoRoot.Path, "hocon", "durable-sqlite.conf")));

    public static Akka.Configuration.Config For(string dir, string writeBehind = "off") =>
        ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = 127.0.0.1
            akka.remote.dot-netty.tcp.port = 0
            akka.cluster.distributed-data.durable {
              keys = ["durable-*", "counter"]
              sqlite.dir = "{{dir.Replace("\\", "\\\\")}}"
              sqlite.write-behind-interval = {{writeBehind}}
            }
            """)
            .WithFallback(Fragment())
            .WithFallback(DData.DefaultConfig());

    /// <summary>A fresh empty directory under the temp folder.</summary>
    public static string NewDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "akka-dns-durable-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static void Delete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still open by a system that is shutting down: the temp folder is cleaned up by the OS
        }
    }

    /// <summary>Joins the node to itself and waits until it is Up.</summary>
    public static async Task JoinSelfAsync(ActorSystem system)
    {
        var cluster = global::Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        cluster.Join(cluster.SelfAddress);
        await up.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
