using Akka.Actor;
using Akka.Configuration;
using Akka.Discovery;
using Akka.Dns.Cluster.Bootstrap;
using Akka.Dns.TestSupport;
using Xunit;
using Xunit.Abstractions;
using static Akka.Dns.TestSupport.FakeBootstrapPods;

namespace Akka.Dns.Tests.Cluster.Bootstrap;

/// <summary>
/// Cluster Bootstrap's pod discovery (method kubernetes-api) against the fake API server: the running pods of the
/// namespace that carry the label, each with its IP and the port named as asked; what it skips and why.
/// </summary>
public sealed class KubernetesApiDiscoverySpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output), IAsyncLifetime
{
    private FakeApiServer _api = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApiServer.StartAsync();
        _api.Put(Pod("kube-system", "akka-dns-a", "10.244.0.5", 8558));
        _api.Put(Pod("kube-system", "akka-dns-b", "10.244.1.7", 18558));
        _api.Put(Pod("kube-system", "akka-dns-pending", "10.244.1.8", 8558, phase: "Pending"));
        _api.Put(Pod("kube-system", "akka-dns-going", "10.244.1.9", 8558, terminating: true));
        _api.Put(Pod("kube-system", "akka-dns-noport", "10.244.2.3", managementPort: null));
        _api.Put(Pod("kube-system", "other", "10.244.2.4", 8558, app: "other"));
        _api.Put(Pod("default", "akka-dns-elsewhere", "10.244.2.5", 8558));
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private KubernetesApiDiscovery Discovery(string extra = "") =>
        new((ExtendedActorSystem)Sys, ConfigurationFactory.ParseString($"api-endpoint = \"{_api.Url}\"\npod-namespace = kube-system\n{extra}")
            .WithFallback(DnsSettings.DefaultConfig().GetConfig("akka.discovery.kubernetes-api")));

    [Fact]
    public async Task Discovery_should_return_the_running_labelled_pods_of_the_namespace_with_their_named_port()
    {
        var resolved = await Discovery().Lookup(new Lookup("akka-dns", "management", "tcp"), TimeSpan.FromSeconds(10));
        var targets = resolved.Addresses.Select(t => $"{t.Host}:{t.Port} {t.Address}").Order().ToArray();
        Assert.Equal(["10.244.0.5:8558 10.244.0.5", "10.244.1.7:18558 10.244.1.7"], targets);
        Assert.Equal(1, _api.NamespacedPodLists);
    }

    [Fact]
    public async Task Discovery_without_a_port_name_should_return_every_running_pod_without_a_port()
    {
        var resolved = await Discovery().Lookup(new Lookup("akka-dns"), TimeSpan.FromSeconds(10));
        Assert.Equal(["10.244.0.5", "10.244.1.7", "10.244.2.3"], resolved.Addresses.Select(t => t.Host).Order().ToArray());
        Assert.All(resolved.Addresses, t => Assert.Null(t.Port));
    }

    [Fact]
    public async Task Discovery_should_fill_the_service_name_into_the_label_selector()
    {
        var resolved = await Discovery("pod-label-selector = \"app={0},pod-template-hash=5c9f7d8b6\"").Lookup(new Lookup("other", "management", "tcp"), TimeSpan.FromSeconds(10));
        Assert.Equal("10.244.2.4", Assert.Single(resolved.Addresses).Host);
    }

    [Fact]
    public async Task Discovery_should_fail_the_lookup_when_the_api_server_is_down()
    {
        _api.GoDown();
        await Assert.ThrowsAnyAsync<Exception>(() => Discovery().Lookup(new Lookup("akka-dns", "management", "tcp"), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Settings_should_default_to_the_pods_namespace_file_else_default_and_refuse_an_empty_selector()
    {
        var dir = Directory.CreateTempSubdirectory("akka-dns-ns-").FullName;
        try
        {
            var file = Path.Combine(dir, "namespace");
            File.WriteAllText(file, "kube-system\n");
            var reference = DnsSettings.DefaultConfig().GetConfig("akka.discovery.kubernetes-api");
            Assert.Equal("kube-system", KubernetesApiDiscoverySettings.Create(ConfigurationFactory.ParseString($"pod-namespace-path = \"{file}\"").WithFallback(reference)).Namespace);
            Assert.Equal("default", KubernetesApiDiscoverySettings.Create(ConfigurationFactory.ParseString($"pod-namespace-path = \"{dir}/none\"").WithFallback(reference)).Namespace);
            var e = Assert.Throws<ConfigurationException>(() => KubernetesApiDiscoverySettings.Create(ConfigurationFactory.ParseString("pod-label-selector = \"\"").WithFallback(reference)));
            Assert.Equal("akka.discovery.kubernetes-api.pod-label-selector must not be empty (it would select every pod)", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
