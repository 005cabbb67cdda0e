using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Dns.TestSupport;

namespace Akka.Dns.FakeKube;

/// <summary>
/// Serves a fake Kubernetes API (the tests' <see cref="FakeApiServer"/>) on 127.0.0.1, loaded with a generated
/// cluster, for bench/kubernetes.sh. Prints <c>url http://127.0.0.1:PORT</c> once listening and <c>ready</c> once
/// every object is in; progress and a summary go to stderr. Exits at the end of standard input (keep a pipe or a
/// FIFO open on it) or on SIGTERM/SIGINT.
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: Akka.Dns.FakeKube [options]
          --services N               services (default 10000)
          --endpoints-per-service M  ready endpoints per service, one EndpointSlice each (default 5)
          --headless-every K         every K-th service is headless (default 10; 0: none)
          --namespaces S             namespaces the services are spread over, round robin (default 100)
          --pods                     also serve a Pod for every endpoint (for `pods verified`)
          --records FILE             write the DNS records the objects imply (zone-file lines, each tagged
                                     '; clusterip|headless|endpoint|srv') for a reference zone and query files
          --zone ZONE                the cluster domain of --records (default cluster.local)
        Exits at the end of standard input or on SIGTERM/SIGINT.
        """;

    public static async Task<int> Main(string[] args)
    {
        ClusterShape shape;
        try
        {
            shape = ClusterShape.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Akka.Dns.FakeKube: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.TrySetResult(); });
        _ = Task.Run(async () =>
        {
            await Console.In.ReadToEndAsync();
            stop.TrySetResult();
        });

        var api = await FakeApiServer.StartAsync();
        try
        {
            Console.WriteLine($"url {api.Url}");
            var records = shape.RecordsPath is null ? null : new StreamWriter(shape.RecordsPath);
            try
            {
                var summary = ClusterLoader.Load(api, shape, records, stop.Task);
                Console.Error.WriteLine($"Akka.Dns.FakeKube: {summary}");
            }
            finally
            {
                records?.Dispose();
            }
            if (!stop.Task.IsCompleted) Console.WriteLine("ready");
            await stop.Task;
        }
        finally
        {
            // Open watches are aborted first; bound the stop so a stuck connection cannot keep the process.
            await Task.WhenAny(api.DisposeAsync().AsTask(), Task.Delay(TimeSpan.FromSeconds(5)));
        }
        return 0;
    }
}

/// <summary>What to generate, from the command line.</summary>
public sealed record ClusterShape(int Services, int EndpointsPerService, int HeadlessEvery, int Namespaces, bool Pods,
    string? RecordsPath, string Zone)
{
    public static ClusterShape Parse(string[] args)
    {
        var s = new ClusterShape(10_000, 5, 10, 100, false, null, "cluster.local");
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Count(int min) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                ? n
                : throw new ArgumentException($"{args[i - 1]} needs a number >= {min}, not '{args[i]}'");
            s = args[i] switch
            {
                "--services" => s with { Services = Count(0) },
                "--endpoints-per-service" => s with { EndpointsPerService = Count(0) },
                "--headless-every" => s with { HeadlessEvery = Count(0) },
                "--namespaces" => s with { Namespaces = Count(1) },
                "--pods" => s with { Pods = true },
                "--records" => s with { RecordsPath = Value() },
                "--zone" => s with { Zone = Value().TrimEnd('.') },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }
        // Addresses come from 10.96.0.0/12 (services) and 10.128.0.0/9 (pods): keep inside them.
        if (s.Services > 1_000_000) throw new ArgumentException("--services is at most 1000000");
        if ((long)s.Services * s.EndpointsPerService > 8_000_000) throw new ArgumentException("at most 8000000 endpoints");
        return s;
    }
}
