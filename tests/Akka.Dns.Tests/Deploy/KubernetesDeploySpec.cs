using Akka.Configuration;
using Akka.Dns.Cluster;
using Akka.Dns.Cluster.Bootstrap;
using Akka.Dns.Corefile;
using Akka.Dns.Plugins;
using Akka.Dns.Plugins.Health;
using Akka.Dns.Plugins.Kubernetes;
using Akka.Dns.Plugins.Prometheus;
using Akka.Dns.Plugins.Ready;
using Akka.Dns.Server;
using Akka.Dns.Tests.Config;
using k8s;
using k8s.Models;
using Xunit;

namespace Akka.Dns.Tests.Deploy;

/// <summary>
/// deploy/kubernetes/*.yaml and hocon/kubernetes.conf agree with each other and with the code: every YAML loads as
/// typed Kubernetes objects; the ConfigMap's Corefile builds a server plan; the Deployment's ports are the Corefile's
/// and the HOCON's; RBAC grants what the kubernetes plugin and bootstrap's discovery ask for; the pods carry the
/// labels bootstrap selects; the HOCON parses to the settings its comments claim.
/// </summary>
public sealed class KubernetesDeploySpec
{
    private static readonly string Dir = Path.Combine(RepoRoot.Path, "deploy/kubernetes");

    // What the downward API gives a pod (deployment.yaml's env); the HOCON's ${?POD_IP} and ${?POD_NAME} read them.
    private const string PodIp = "10.244.1.7";
    private const string PodName = "akka-dns-5c9f7d8b6-x2k4q";

    private static List<object> Objects() =>
        Directory.GetFiles(Dir, "*.yaml").Order().SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f))).ToList();

    private static T One<T>() => Assert.Single(Objects().OfType<T>());

    private static V1Container Container() => Assert.Single(One<V1Deployment>().Spec.Template.Spec.Containers);

    /// <summary>hocon/kubernetes.conf as the daemon reads it (over reference.conf), in a pod with <see cref="PodIp"/> and <see cref="PodName"/>.</summary>
    private static Configuration.Config Hocon()
    {
        var text = HoconEnvironment.Expand(File.ReadAllText(Path.Combine(RepoRoot.Path, "hocon/kubernetes.conf")),
            name => name switch { "POD_IP" => PodIp, "POD_NAME" => PodName, _ => null });
        return ConfigurationFactory.ParseString(text).WithFallback(DnsSettings.DefaultConfig());
    }

    private static ServerPlan Plan()
    {
        var corefile = One<V1ConfigMap>().Data["Corefile"];
        var doc = CorefileParser.Parse(corefile, "configmap.yaml", Path.GetTempPath(), PluginCatalog.Default.KnownDirectives);
        return ServerPlan.Build(doc, PluginCatalog.Default, DnsSettings.Create(ConfigurationFactory.Empty), 53);
    }

    [Fact]
    public void Hocon_environment_should_fill_set_variables_and_drop_fields_whose_optional_variable_is_unset()
    {
        var env = (string n) => n switch { "IP" => "10.0.0.1", "Q" => "a \"quoted\" value", _ => null };
        var c = ConfigurationFactory.ParseString(HoconEnvironment.Expand("""
            a {
              h = "fallback"
              h = ${?IP}
              n = "kept"
              n = ${?UNSET}   # dropped
              # a comment may say ${?ANYTHING}
              q = ${Q}
              p = 4
            }
            path = ${a.p}
            """, env));
        Assert.Equal(("10.0.0.1", "kept", "a \"quoted\" value", 4, 4), (c.GetString("a.h"), c.GetString("a.n"), c.GetString("a.q"), c.GetInt("a.p"), c.GetInt("path")));
        var e = Assert.ThrowsAny<Exception>(() => ConfigurationFactory.ParseString(HoconEnvironment.Expand("a = ${UNSET}", env)));
        Assert.Contains("Unresolved substitution: UNSET", e.Message);
        var inline = Assert.Throws<ConfigurationException>(() => HoconEnvironment.Expand("x = 1\na { b = ${?UNSET}, c = 2 }", env));
        Assert.Equal("${?UNSET} on line 2: an optional substitution is only read as a whole line 'key = ${?NAME}' with NAME an environment variable", inline.Message);
        Assert.Throws<ConfigurationException>(() => HoconEnvironment.Expand("a = ${?a.b.c}", env));
    }

    private static int PortOf(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..]);

    [Fact]
    public void Every_yaml_should_load_as_typed_kubernetes_objects()
    {
        var kinds = Objects().Select(o => o.GetType().Name).Order().ToArray();
        Assert.Equal(["V1ClusterRole", "V1ClusterRoleBinding", "V1ConfigMap", "V1Deployment", "V1Service", "V1ServiceAccount"], kinds);
    }

    [Fact]
    public void The_configmap_corefile_should_build_a_server_plan_with_coredns_default_kubernetes_plugins()
    {
        var plan = Plan();
        var block = Assert.Single(plan.Blocks);
        Assert.Equal(
            ["errors", "health", "ready", "kubernetes", "prometheus", "forward", "cache", "loop", "reload", "loadbalance"],
            block.Block.Directives.Select(d => d.Name).ToArray());
        Assert.Contains(block.Plugins, p => p is KubernetesPlugin);
    }

    [Fact]
    public void Deployment_ports_should_be_the_corefile_and_hocon_ports()
    {
        var plan = Plan();
        var ports = Container().Ports.ToDictionary(p => p.Name, p => (p.ContainerPort, p.Protocol));
        var plugins = plan.Blocks.SelectMany(b => b.Plugins).ToList();

        var dns = plan.Listeners.Where(l => l.Transport == Transport.Dns).Select(l => l.Port).Distinct().Single();
        Assert.Equal((dns, "UDP"), ports["dns"]);
        Assert.Equal((dns, "TCP"), ports["dns-tcp"]);
        Assert.Equal((PortOf(plugins.OfType<PrometheusPlugin>().Single().Address), "TCP"), ports["metrics"]);

        var hocon = Hocon();
        Assert.Equal((hocon.GetInt("akka.remote.dot-netty.tcp.port"), "TCP"), ports["remoting"]);
        Assert.Equal((hocon.GetInt("akka.management.http.port"), "TCP"), ports["management"]);
        // Discovery reads the contact point's port from the container port bootstrap names.
        Assert.True(ports.ContainsKey(hocon.GetString("akka.management.cluster.bootstrap.contact-point-discovery.port-name")));

        var liveness = Container().LivenessProbe.HttpGet;
        Assert.Equal(("/health", PortOf(plugins.OfType<HealthPlugin>().Single().Address)), (liveness.Path, int.Parse(liveness.Port.Value)));
        var readiness = Container().ReadinessProbe.HttpGet;
        Assert.Equal(("/ready", PortOf(plugins.OfType<ReadyPlugin>().Single().Address)), (readiness.Path, int.Parse(readiness.Port.Value)));
    }

    [Fact]
    public void Deployment_should_run_three_non_root_replicas_with_net_bind_service_and_the_downward_api()
    {
        var d = One<V1Deployment>();
        Assert.Equal(3, d.Spec.Replicas);
        Assert.Equal(Hocon().GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"), d.Spec.Replicas);
        var c = Container();
        Assert.Contains("NET_BIND_SERVICE", c.SecurityContext.Capabilities.Add);
        Assert.True(c.SecurityContext.RunAsNonRoot);
        Assert.Equal("status.podIP", c.Env.Single(e => e.Name == "POD_IP").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.name", c.Env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal(["-conf", "/etc/akka-dns/Corefile", "-hocon", "/app/hocon/kubernetes.conf"], c.Args);
        Assert.Equal("/etc/akka-dns", c.VolumeMounts.Single(m => m.Name == "config").MountPath);
        Assert.Equal(One<V1ServiceAccount>().Metadata.Name, d.Spec.Template.Spec.ServiceAccountName);
    }

    // What the kubernetes plugin lists and watches (src/Akka.Dns/Kubernetes/Api/K8sWatcher.cs: services,
    // endpointslices, pods with `pods verified`, namespaces), and what bootstrap's pod discovery lists.
    public static TheoryData<string, string, string> Grants() => new()
    {
        { "", "services", "list" }, { "", "services", "watch" },
        { "discovery.k8s.io", "endpointslices", "list" }, { "discovery.k8s.io", "endpointslices", "watch" },
        { "", "pods", "list" }, { "", "pods", "watch" },
        { "", "namespaces", "list" }, { "", "namespaces", "watch" },
        { "", "pods", "get" },
    };

    [Theory, MemberData(nameof(Grants))]
    public void Rbac_should_grant_what_the_kubernetes_plugin_and_discovery_ask(string group, string resource, string verb)
    {
        var role = One<V1ClusterRole>();
        Assert.Contains(role.Rules, r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && r.Verbs.Contains(verb));

        var binding = One<V1ClusterRoleBinding>();
        Assert.Equal(("ClusterRole", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var sa = One<V1ServiceAccount>();
        Assert.Contains(binding.Subjects, s => s.Kind == "ServiceAccount" && s.Name == sa.Metadata.Name && s.NamespaceProperty == sa.Metadata.NamespaceProperty);
    }

    [Fact]
    public void Pod_labels_should_match_the_bootstrap_label_selector_and_the_service_selector()
    {
        var hocon = Hocon();
        var settings = KubernetesApiDiscoverySettings.Create(hocon.GetConfig("akka.discovery.kubernetes-api"));
        var selector = settings.LabelSelector(hocon.GetString("akka.management.cluster.bootstrap.contact-point-discovery.service-name"));
        Assert.Equal("app=akka-dns", selector);

        var d = One<V1Deployment>();
        var labels = d.Spec.Template.Metadata.Labels;
        foreach (var term in selector.Split(','))
        {
            var (k, v) = (term.Split('=')[0], term.Split('=')[1]);
            Assert.True(labels.TryGetValue(k, out var actual) && actual == v, $"the pod template lacks the label {term} bootstrap selects");
        }
        Assert.All(d.Spec.Selector.MatchLabels, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        Assert.All(One<V1Service>().Spec.Selector, kv => Assert.Equal(kv.Value, labels[kv.Key]));
        // The pods list their own namespace: everything is deployed into one.
        Assert.All(Objects().OfType<IMetadata<V1ObjectMeta>>().Where(o => o is not V1ClusterRole and not V1ClusterRoleBinding),
            o => Assert.Equal(d.Metadata.NamespaceProperty, o.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Service_should_serve_dns_on_53_over_udp_and_tcp_to_the_named_container_ports()
    {
        var s = One<V1Service>();
        Assert.Equal("ClusterIP", s.Spec.Type);
        var names = Container().Ports.Select(p => p.Name).ToHashSet();
        Assert.Contains(s.Spec.Ports, p => p.Port == 53 && p.Protocol == "UDP");
        Assert.Contains(s.Spec.Ports, p => p.Port == 53 && p.Protocol == "TCP");
        Assert.All(s.Spec.Ports, p => Assert.Contains(p.TargetPort.Value, names));
    }

    [Fact]
    public void Kubernetes_conf_should_parse_to_the_settings_it_claims()
    {
        var c = Hocon();
        Assert.Equal("cluster", c.GetString("akka.actor.provider"));
        Assert.Equal(PodIp, c.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Empty(c.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("keep-majority", c.GetString("akka.cluster.split-brain-resolver.active-strategy"));
        Assert.Equal("Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster", c.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal(PodIp, c.GetString("akka.management.http.hostname"));
        Assert.Equal("kubernetes-api", c.GetString("akka.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
        Assert.Equal("Akka.Dns.Cluster.Bootstrap.KubernetesApiDiscovery, Akka.Dns", c.GetString("akka.discovery.kubernetes-api.class"));
        Assert.True(DnsClusterBootstrap.IsEnabled(c));
        Assert.True(c.GetBoolean("akka.dns.kubernetes.cluster-watch"));
        var node = ClusterNodeSettings.Create(c);
        Assert.Equal(PodName, node.MemberName);
        // No POD_NAME (outside a pod): the member name falls back to the derived one, and the file still parses.
        var bare = ConfigurationFactory.ParseString(HoconEnvironment.Expand(File.ReadAllText(Path.Combine(RepoRoot.Path, "hocon/kubernetes.conf")), _ => null));
        Assert.Equal("", ClusterNodeSettings.Create(bare).MemberName);
        Assert.Equal(4053, bare.GetInt("akka.remote.dot-netty.tcp.port"));   // the fields after a dropped one are kept
    }

    [Fact]
    public void Bootstrap_should_refuse_seed_nodes_and_a_local_provider()
    {
        Assert.False(DnsClusterBootstrap.IsEnabled(ConfigurationFactory.Empty));
        var seeds = Assert.Throws<ConfigurationException>(() => DnsClusterBootstrap.IsEnabled(
            ConfigurationFactory.ParseString("akka.actor.provider = cluster\nakka.dns.cluster.bootstrap = on\nakka.cluster.seed-nodes = [\"akka.tcp://dns@10.0.0.1:4053\"]")));
        Assert.Equal("akka.dns.cluster.bootstrap = on finds the other members itself: remove akka.cluster.seed-nodes (akka.tcp://dns@10.0.0.1:4053)", seeds.Message);
        var local = Assert.Throws<ConfigurationException>(() => DnsClusterBootstrap.IsEnabled(ConfigurationFactory.ParseString("akka.dns.cluster.bootstrap = on")));
        Assert.Equal("akka.dns.cluster.bootstrap = on needs akka.actor.provider = cluster (it is \"local\")", local.Message);
    }
}
