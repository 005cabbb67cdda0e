using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Server;
using Akka.Dns.Tests.Plugins.Health;
using Akka.Dns.Tests.Plugins.Prometheus;
using Xunit;
using Xunit.Abstractions;
using DnsServer = Akka.Dns.Server.DnsServer;

namespace Akka.Dns.Tests.Plugins.Reload;

public sealed class ReloadMetricsSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private const string VersionInfo = "coredns_reload_version_info";

    /// <summary>A daemon stand-in: a digest the spec sets; reloads fail (the old config keeps serving).</summary>
    private sealed class FakeReloader(string digest) : ICorefileReloader
    {
        private volatile string _digest = digest;
        private int _reloads;

        public string Current { set => _digest = value; }
        public int Reloads => Volatile.Read(ref _reloads);
        public string? Digest() => _digest;

        public Task<bool> ReloadAsync()
        {
            Interlocked.Increment(ref _reloads);
            return Task.FromResult(false);
        }
    }

    private static string Digest() => Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(Guid.NewGuid().ToByteArray()));

    [Fact]
    public async Task Reload_should_export_the_running_digest_and_replace_it_when_the_corefile_changes()
    {
        var http = HealthSpec.FreePort();
        var settings = DnsSettings.Create(Sys);
        var doc = CorefileParser.Parse($".:{HealthSpec.FreePort()} {{\n bind 127.0.0.1\n reload 2s 0s\n prometheus 127.0.0.1:{http}\n whoami\n}}\n",
            "Corefile", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
        var first = Digest();
        var reloader = new FakeReloader(first);
        var server = await DnsServer.StartAsync(Sys, ServerPlan.Build(doc, PluginCatalog.Default, settings, 0), settings, reloader: reloader);
        try
        {
            var scrape = await PrometheusSpec.ScrapeAsync(http);
            Assert.Equal(1, scrape.Value(VersionInfo, ("hash", "sha512"), ("value", first)));
            Assert.Single(scrape.Series(VersionInfo));

            // The Corefile changes: the poller (every 2 s) sees the new digest and tries a reload.
            var second = Digest();
            reloader.Current = second;
            await AwaitConditionAsync(() => Task.FromResult(reloader.Reloads >= 1), TimeSpan.FromSeconds(15));
            scrape = await PrometheusSpec.ScrapeAsync(http);
            Assert.Equal(1, scrape.Value(VersionInfo, ("hash", "sha512"), ("value", second)));
            Assert.Null(scrape.Value(VersionInfo, ("hash", "sha512"), ("value", first)));
            Assert.Single(scrape.Series(VersionInfo));
        }
        finally
        {
            await server.StopAsync(lameduck: false);
        }
    }
}
