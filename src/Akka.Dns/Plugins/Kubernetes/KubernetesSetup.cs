using System.Collections.Immutable;
using System.Globalization;
using Akka.Dns.Corefile;
using Akka.Dns.Kubernetes.Answers;
using Akka.Dns.Kubernetes.Api;

namespace Akka.Dns.Plugins.Kubernetes;

/// <summary>
/// <c>kubernetes [ZONES...] { endpoint URL; tls CERT KEY CACERT; kubeconfig KUBECONFIG [CONTEXT]; namespaces NAMESPACE...;
/// labels EXPRESSION; namespace_labels EXPRESSION; pods POD-MODE; endpoint_pod_names; ttl TTL; noendpoints;
/// fallthrough [ZONES...]; ignore empty_service; multicluster [ZONES...]; startup_timeout DURATION;
/// apiserver_qps/apiserver_burst/apiserver_max_inflight N }</c>, read as CoreDNS's ParseStanza with its error texts.
/// Nothing here connects: the API client is made in <see cref="KubernetesPlugin.StartAsync"/>. <c>zonal</c> is
/// refused (not built yet).
/// </summary>
[Plugin("kubernetes")]
public sealed class KubernetesSetup : IPluginSetup
{
    public Plugin Setup(SetupContext context)
    {
        var r = context.Readers().Single();
        r.Next();
        var zones = ZoneMatch.FromArgsOrBlock(r.RemainingArgs(), context, r);
        var hasForward = false;
        foreach (var z in zones)
            if (!K8sIndex.IsReverseZone(z)) hasForward = true;
        if (!hasForward) throw context.Error(r, "non-reverse zone name must be used");

        var answers = new K8sAnswerOptions { Zones = [.. zones] };
        var namespaces = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        string? labels = null, namespaceLabels = null;
        IReadOnlyList<string> multiclusterZones = [];
        var o = new KubernetesOptions();
        while (r.NextBlock())
        {
            switch (r.Val)
            {
                case "endpoint_pod_names":
                    NoArgs(context, r);
                    answers = answers with { EndpointPodNames = true };
                    break;
                case "pods":
                {
                    var a = r.RemainingArgs();
                    if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                    var mode = a[0] switch
                    {
                        "disabled" => PodMode.Disabled,
                        "insecure" => PodMode.Insecure,
                        "verified" => PodMode.Verified,
                        _ => throw context.Error(r, $"wrong value for pods: {a[0]},  must be one of: disabled, verified, insecure"),
                    };
                    answers = answers with { Pods = mode };
                    break;
                }
                case "namespaces":
                {
                    var a = r.RemainingArgs();
                    if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                    foreach (var n in a) namespaces.Add(n);
                    break;
                }
                case "endpoint":
                {
                    var a = r.RemainingArgs();
                    if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                    if (a.Length > 1)
                        LineLog.Warning($"plugin/kubernetes: Multiple endpoints have been deprecated, only the first specified endpoint '{a[0]}' is used");
                    o = o with { Endpoint = a[0] };
                    break;
                }
                case "tls":
                {
                    var a = r.RemainingArgs();
                    if (a.Length != 3) throw context.Error(r, r.ArgErr().Detail);
                    o = o with { TlsCert = a[0], TlsKey = a[1], TlsCa = a[2] };
                    break;
                }
                case "labels":
                {
                    var a = r.RemainingArgs();
                    if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                    labels = string.Join(' ', a);
                    answers = answers with { Labels = Selector(context, r, labels, "label selector") };
                    break;
                }
                case "namespace_labels":
                {
                    var a = r.RemainingArgs();
                    if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                    namespaceLabels = string.Join(' ', a);
                    answers = answers with { NamespaceLabels = Selector(context, r, namespaceLabels, "namespace_label selector") };
                    break;
                }
                case "fallthrough":
                    answers = answers with { Fallthrough = Fallthrough.FromArgs(r.RemainingArgs(), r) };
                    break;
                case "ttl":
                {
                    var a = r.RemainingArgs();
                    if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                    if (!GoStrconv.TryAtoi(a[0], out var t, out var why)) throw context.Error(r, why);
                    if (t is < 0 or > 3600) throw context.Error(r, $"ttl must be in range [0, 3600]: {t.ToString(CultureInfo.InvariantCulture)}");
                    answers = answers with { Ttl = (uint)t };
                    break;
                }
                case "noendpoints":
                    NoArgs(context, r);
                    answers = answers with { NoEndpoints = true };
                    break;
                case "ignore":
                {
                    // CoreDNS: "ignore" without a value is accepted and does nothing.
                    var a = r.RemainingArgs();
                    if (a.Length == 0) break;
                    if (a[0] != "empty_service") throw context.Error(r, $"unable to parse ignore value: '{a[0]}'");
                    answers = answers with { IgnoreEmptyService = true };
                    break;
                }
                case "kubeconfig":
                {
                    var a = r.RemainingArgs();
                    if (a.Length is not (1 or 2)) throw context.Error(r, r.ArgErr().Detail);
                    o = o with { Kubeconfig = a[0], KubeContext = a.Length == 2 ? a[1] : null };
                    break;
                }
                case "multicluster":
                    // CoreDNS: OriginsFromArgsOrServerBlock(args, []string{}): without arguments, no zone at all.
                    multiclusterZones = ZoneMatch.NormalizeExact(r.RemainingArgs(), r);
                    break;
                case "zonal":
                    throw context.Error(r, $"{r.Val} is not supported by Akka.Dns yet");
                case "startup_timeout":
                {
                    var a = r.RemainingArgs();
                    if (a.Length == 0) throw context.Error(r, r.ArgErr().Detail);
                    if (!GoDuration.TryParse(a[0], out var ns, out var why)) throw context.Error(r, $"failed to parse startup_timeout: {a[0]}, {why}");
                    o = o with { StartupTimeout = GoDuration.ToTimeSpan(Math.Max(0, ns)) };
                    break;
                }
                case "apiserver_qps":
                {
                    var a = r.RemainingArgs();
                    if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                    if (!double.TryParse(a[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var qps))
                        throw context.Error(r, $"invalid apiserver_qps {GoNet.Quote(a[0])}: strconv.ParseFloat: parsing {GoNet.Quote(a[0])}: invalid syntax");
                    if (qps < 0) throw context.Error(r, "apiserver_qps must be >= 0");
                    break;
                }
                case "apiserver_burst":
                case "apiserver_max_inflight":
                {
                    var name = r.Val;
                    var a = r.RemainingArgs();
                    if (a.Length != 1) throw context.Error(r, r.ArgErr().Detail);
                    if (!GoStrconv.TryAtoi(a[0], out var n, out var why)) throw context.Error(r, $"invalid {name} {GoNet.Quote(a[0])}: {why}");
                    if (n < 0) throw context.Error(r, $"{name} must be >= 0");
                    break;
                }
                default:
                    throw context.Error(r, $"unknown property '{r.Val}'");
            }
        }
        if (namespaces.Count != 0 && namespaceLabels is not null)
            throw context.Error(r, "namespaces and namespace_labels cannot both be set");
        foreach (var mc in multiclusterZones)
            if (!zones.Contains(mc))
                throw context.Error(r, $"is not authoritative for the multicluster zone {mc} (authoritative zones: [{string.Join(' ', zones)}])");

        answers = answers with
        {
            Namespaces = namespaces.ToImmutable().WithComparer(StringComparer.OrdinalIgnoreCase),
            MultiClusterZones = [.. multiclusterZones],
        };
        var watch = new K8sWatchOptions
        {
            WatchPods = answers.Pods == PodMode.Verified,
            WatchNamespaces = true,
            LabelSelector = labels,
            NamespaceLabelSelector = namespaceLabels,
            Namespaces = namespaces.ToImmutable(),
            WatchMultiCluster = multiclusterZones.Count > 0,
        };
        return new KubernetesPlugin(o with { Answers = answers, Watch = watch }, context.Options);
    }

    private static void NoArgs(SetupContext context, DirectiveReader r)
    {
        if (r.RemainingArgs().Length != 0) throw context.Error(r, r.ArgErr().Detail);
    }

    private static LabelSelector Selector(SetupContext context, DirectiveReader r, string text, string what)
    {
        try
        {
            return LabelSelector.Parse(text);
        }
        catch (FormatException e)
        {
            throw context.Error(r, $"unable to parse {what} value: '{text}': {e.Message}");
        }
    }
}

/// <summary>Everything one <c>kubernetes</c> directive configured.</summary>
public sealed record KubernetesOptions
{
    public string? Endpoint { get; init; }
    public string? TlsCert { get; init; }
    public string? TlsKey { get; init; }
    public string? TlsCa { get; init; }
    public string? Kubeconfig { get; init; }
    public string? KubeContext { get; init; }
    /// <summary>How long start-up waits for the first full list (CoreDNS's default 5 s).</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public K8sAnswerOptions Answers { get; init; } = new();
    public K8sWatchOptions Watch { get; init; } = new();
}
