using Akka.Dns.Corefile;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Plugins.Kubernetes;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Dns.Tests.Plugins.Kubernetes;

/// <summary>The <c>kubernetes</c> directive read as CoreDNS's ParseStanza (setup_test.go's cases); setup never connects.</summary>
public sealed class KubernetesSetupSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(output: output)
{
    private KubernetesOptions Options(string corefile) =>
        PluginPlans.Plan(Sys, corefile).Blocks[0].Plugins.OfType<KubernetesPlugin>().Single().Options;

    private static string Block(string properties) => $"coredns.local {{\n kubernetes {{\n  {properties}\n }}\n}}\n";

    private string Error(string corefile) => Assert.Throws<CorefileException>(() => PluginPlans.Plan(Sys, corefile)).Message;

    [Fact]
    public void Kubernetes_should_default_to_the_block_zone_in_cluster_ttl_5_pods_disabled_and_a_5s_startup_timeout()
    {
        var o = Options("coredns.local {\n kubernetes\n}\n");
        Assert.Equal(["coredns.local."], o.Answers.Zones.ToArray());
        Assert.Null(o.Endpoint);
        Assert.Null(o.Kubeconfig);
        Assert.Equal(5u, o.Answers.Ttl);
        Assert.Equal(PodMode.Disabled, o.Answers.Pods);
        Assert.False(o.Watch.WatchPods);
        Assert.Equal(TimeSpan.FromSeconds(5), o.StartupTimeout);
        Assert.False(o.Answers.Fallthrough.IsSet);
        Assert.Empty(o.Answers.Namespaces);
    }

    [Fact]
    public void Kubernetes_should_take_its_zones_from_its_arguments()
    {
        var o = Options(". {\n kubernetes coredns.local test.local 10.0.0.0/8\n}\n");
        Assert.Equal(["coredns.local.", "test.local.", "10.in-addr.arpa."], o.Answers.Zones.ToArray());
    }

    [Fact]
    public void Kubernetes_should_read_every_property()
    {
        var o = Options("coredns.local {\n kubernetes {\n  endpoint http://localhost:9090 http://localhost:9091\n  tls cert key cacert\n" +
                        "  namespaces demo test\n  labels environment in (production, qa),application=nginx\n  pods verified\n" +
                        "  endpoint_pod_names\n  ttl 3600\n  noendpoints\n  fallthrough ip6.arpa\n  ignore empty_service\n" +
                        "  startup_timeout 1m30s\n  apiserver_qps 12.5\n  apiserver_burst 20\n  apiserver_max_inflight 3\n }\n}\n");
        Assert.Equal("http://localhost:9090", o.Endpoint);
        Assert.Equal(("cert", "key", "cacert"), (o.TlsCert, o.TlsKey, o.TlsCa));
        Assert.Equal(["demo", "test"], o.Answers.Namespaces.Order());
        Assert.Equal(["demo", "test"], o.Watch.Namespaces.Order());
        Assert.Equal("environment in (production, qa),application=nginx", o.Watch.LabelSelector);
        Assert.NotNull(o.Answers.Labels);
        Assert.Equal(PodMode.Verified, o.Answers.Pods);
        Assert.True(o.Watch.WatchPods);
        Assert.True(o.Answers.EndpointPodNames);
        Assert.Equal(3600u, o.Answers.Ttl);
        Assert.True(o.Answers.NoEndpoints);
        Assert.True(o.Answers.Fallthrough.Through("1.0.0.0.ip6.arpa."));
        Assert.False(o.Answers.Fallthrough.Through("svc.coredns.local."));
        Assert.True(o.Answers.IgnoreEmptyService);
        Assert.Equal(TimeSpan.FromSeconds(90), o.StartupTimeout);
    }

    [Theory]
    [InlineData("pods insecure", PodMode.Insecure)]
    [InlineData("pods disabled", PodMode.Disabled)]
    [InlineData("pods verified", PodMode.Verified)]
    public void Kubernetes_should_read_the_pod_mode(string line, PodMode mode) => Assert.Equal(mode, Options(Block(line)).Answers.Pods);

    [Fact]
    public void Kubernetes_should_read_kubeconfig_with_and_without_a_context()
    {
        var a = Options(Block("kubeconfig /home/me/.kube/config"));
        Assert.Equal(("/home/me/.kube/config", (string?)null), (a.Kubeconfig, a.KubeContext));
        var b = Options(Block("kubeconfig /home/me/.kube/config prod"));
        Assert.Equal(("/home/me/.kube/config", "prod"), (b.Kubeconfig, b.KubeContext));
    }

    [Fact]
    public void Kubernetes_should_read_namespace_labels_and_fall_through_everywhere_without_zones()
    {
        var o = Options(Block("namespace_labels istio-injection=enabled\n  fallthrough"));
        Assert.Equal("istio-injection=enabled", o.Watch.NamespaceLabelSelector);
        Assert.NotNull(o.Answers.NamespaceLabels);
        Assert.True(o.Answers.Fallthrough.Through("x.coredns.local."));
    }

    [Fact]
    public void Kubernetes_should_accept_ignore_without_a_value_as_coredns_does()
    {
        Assert.False(Options(Block("ignore")).Answers.IgnoreEmptyService);
    }

    private const string ArgErr = "Corefile:3 - Error during parsing: plugin/kubernetes: Wrong argument count or unexpected line ending after '";

    [Theory]
    [InlineData("endpoint", "endpoint")]
    [InlineData("tls cert key", "key")]
    [InlineData("namespaces", "namespaces")]
    [InlineData("labels", "labels")]
    [InlineData("namespace_labels", "namespace_labels")]
    [InlineData("pods", "pods")]
    [InlineData("pods insecure verified", "verified")]
    [InlineData("endpoint_pod_names x", "x")]
    [InlineData("noendpoints x", "x")]
    [InlineData("ttl", "ttl")]
    [InlineData("kubeconfig", "kubeconfig")]
    [InlineData("kubeconfig a b c", "c")]
    [InlineData("startup_timeout", "startup_timeout")]
    [InlineData("apiserver_qps", "apiserver_qps")]
    public void Kubernetes_should_refuse_a_wrong_argument_count(string line, string after)
    {
        Assert.Equal(ArgErr + after + "'", Error(Block(line)));
    }

    [Theory]
    [InlineData("pods giant_seed", "wrong value for pods: giant_seed,  must be one of: disabled, verified, insecure")]
    [InlineData("ttl -1", "ttl must be in range [0, 3600]: -1")]
    [InlineData("ttl 3601", "ttl must be in range [0, 3600]: 3601")]
    [InlineData("ttl x", "strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("ignore nothing", "unable to parse ignore value: 'nothing'")]
    [InlineData("startup_timeout 5x", "failed to parse startup_timeout: 5x, time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("startup_timeout x", "failed to parse startup_timeout: x, time: invalid duration \"x\"")]
    [InlineData("apiserver_qps -1", "apiserver_qps must be >= 0")]
    [InlineData("apiserver_qps x", "invalid apiserver_qps \"x\": strconv.ParseFloat: parsing \"x\": invalid syntax")]
    [InlineData("apiserver_burst x", "invalid apiserver_burst \"x\": strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("apiserver_max_inflight -2", "apiserver_max_inflight must be >= 0")]
    [InlineData("zonal", "zonal is not supported by Akka.Dns yet")]
    [InlineData("bogus", "unknown property 'bogus'")]
    public void Kubernetes_should_refuse_bad_values_with_corednss_message(string line, string message)
    {
        Assert.Equal("Corefile:3 - Error during parsing: plugin/kubernetes: " + message, Error(Block(line)));
    }

    [Fact]
    public void Kubernetes_should_read_multicluster_zones_among_its_own_and_then_watch_service_imports()
    {
        // CoreDNS setup_test.go TestKubernetesParseMulticluster, valid case.
        var o = Options(". {\n kubernetes coredns.local ClusterSet.Local {\n  multicluster clusterset.local.\n }\n}\n");
        Assert.Equal(["clusterset.local."], o.Answers.MultiClusterZones.ToArray());
        Assert.True(o.Watch.WatchMultiCluster);

        // The block's zones are the plugin's when it names none.
        var b = Options("cluster.local clusterset.local {\n kubernetes {\n  multicluster clusterset.local\n }\n}\n");
        Assert.Equal(["clusterset.local."], b.Answers.MultiClusterZones.ToArray());
    }

    [Fact]
    public void Kubernetes_multicluster_without_zones_should_set_none_and_watch_nothing_more()
    {
        // CoreDNS: OriginsFromArgsOrServerBlock(args, []string{}) — no arguments, no zones ("not set" case).
        var o = Options(". {\n kubernetes coredns.local {\n  multicluster\n }\n}\n");
        Assert.Empty(o.Answers.MultiClusterZones);
        Assert.False(o.Watch.WatchMultiCluster);
        Assert.False(Options("coredns.local {\n kubernetes\n}\n").Watch.WatchMultiCluster);
    }

    [Theory]
    [InlineData("kubernetes coredns.local {\n  multicluster clusterset.local\n }",
        "Corefile:4 - Error during parsing: plugin/kubernetes: is not authoritative for the multicluster zone clusterset.local. (authoritative zones: [coredns.local.])")]
    [InlineData("kubernetes coredns.local clusterset.local {\n  multicluster clusterset.local test.local\n }",
        "Corefile:4 - Error during parsing: plugin/kubernetes: is not authoritative for the multicluster zone test.local. (authoritative zones: [coredns.local. clusterset.local.])")]
    [InlineData("kubernetes coredns.local clusterset.local {\n  multicluster east.clusterset.local\n }",
        "Corefile:4 - Error during parsing: plugin/kubernetes: is not authoritative for the multicluster zone east.clusterset.local. (authoritative zones: [coredns.local. clusterset.local.])")]
    public void Kubernetes_should_refuse_a_multicluster_zone_it_is_not_authoritative_for(string stanza, string message)
    {
        // CoreDNS setup_test.go TestKubernetesParseMulticluster, invalid cases (the zone must be one of the plugin's, exactly).
        Assert.Equal(message, Error(". {\n " + stanza + "\n}\n"));
    }

    [Fact]
    public void Kubernetes_should_refuse_a_bad_label_selector()
    {
        Assert.StartsWith("Corefile:3 - Error during parsing: plugin/kubernetes: unable to parse label selector value: 'a in b': ",
            Error(Block("labels a in b")));
    }

    [Fact]
    public void Kubernetes_should_refuse_namespaces_with_namespace_labels()
    {
        Assert.Equal("Corefile:5 - Error during parsing: plugin/kubernetes: namespaces and namespace_labels cannot both be set",
            Error(Block("namespaces demo\n  namespace_labels istio-injection=enabled")));
    }

    [Fact]
    public void Kubernetes_should_refuse_only_reverse_zones()
    {
        Assert.Equal("Corefile:2 - Error during parsing: plugin/kubernetes: non-reverse zone name must be used",
            Error(". {\n kubernetes 10.in-addr.arpa\n}\n"));
    }

    [Fact]
    public void Kubernetes_should_be_used_once_per_block()
    {
        Assert.Equal("Corefile:3 - Error during parsing: plugin/kubernetes: this plugin can only be used once per Server Block",
            Error("coredns.local {\n kubernetes\n kubernetes\n}\n"));
    }
}
