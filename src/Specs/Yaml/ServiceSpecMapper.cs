using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Plans;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Maps the top level of a spec (<c>name</c>, <c>scheduler</c>, <c>pods</c>, <c>plans</c>) to a <see cref="ServiceSpec"/>,
/// reporting every problem. Pods and plans are mapped best-effort even after errors so that all errors surface; the
/// spec is only returned when there were none.
/// </summary>
internal static class ServiceSpecMapper
{
    public static ServiceSpec? Map(SpecNode? root, MappingContext context)
    {
        if (root is null)
        {
            context.Error(SourcePosition.Start, KeyPath.Root, "the spec is empty; expected a mapping with at least 'name' and 'pods'");
            return null;
        }

        var top = MappingReader.Open(root, KeyPath.Root, context, "a service spec", SpecKeys.Top);
        if (top is null)
        {
            return null;
        }

        var name = ReadServiceName(top, context);
        var webUrl = ReadWebUrl(top, context);
        var scheduler = ReadScheduler(top, context);
        var pods = ReadPods(top, context);
        CheckDiscoveryPrefixes(pods, top.PathOf("pods"), context);
        var plans = PlanMapper.Read(top.Optional("plans"), top.PathOf("plans"), pods, context);
        if (plans.All(p => p.Name != PlanGenerator.DeployPlanName))
        {
            foreach (var pod in pods)
            {
                DefaultStepRule.Check(pod, pod.Position, KeyPath.Child(top.PathOf("pods"), pod.Spec.Type), context);
            }
        }

        if (context.HasErrors || name is null)
        {
            return null;
        }

        var validPods = pods.Select(p => p.Spec).ToImmutableArray();
        if (plans.All(p => p.Name != PlanGenerator.DeployPlanName))
        {
            plans = plans.Insert(0, PlanGenerator.DefaultDeployPlan(validPods));
        }

        return new ServiceSpec(name, scheduler.User, validPods, plans)
        {
            WebUrl = webUrl,
            Principal = scheduler.Principal,
            Zookeeper = scheduler.Zookeeper,
        };
    }

    private static string? ReadWebUrl(MappingReader top, MappingContext context)
    {
        var node = top.Optional("web-url");
        if (node is null or ScalarNode { IsNull: true })
        {
            return null;
        }

        var url = ScalarReader.Token(node, top.PathOf("web-url"), context, "an http(s) URL");
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            context.Error(node, top.PathOf("web-url"), $"expected an http(s) URL such as http://example.com/ui, found {SourceQuote.Of(url)}");
            return null;
        }

        return url;
    }

    /// <summary>A discovery prefix names tasks across the whole service, so two pod types may not share one.</summary>
    private static void CheckDiscoveryPrefixes(ImmutableArray<PodDraft> pods, string podsPath, MappingContext context)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            foreach (var task in pod.Spec.Tasks.Where(t => t.Discovery?.Prefix is not null))
            {
                var prefix = task.Discovery!.Prefix!;
                var path = KeyPath.Child(KeyPath.Child(KeyPath.Child(KeyPath.Child(podsPath, pod.Spec.Type), "tasks"), task.Name), "discovery.prefix");
                if (owners.TryGetValue(prefix, out var owner) && owner != pod.Spec.Type)
                {
                    context.Error(pod.Position, path, $"discovery prefix '{prefix}' is already used by pod '{owner}'; prefixes name tasks service-wide");
                }
                else
                {
                    owners[prefix] = pod.Spec.Type;
                }
            }
        }
    }

    private static string? ReadServiceName(MappingReader top, MappingContext context)
    {
        var node = top.Required("name", "the service name");
        if (node is null)
        {
            return null;
        }

        var path = top.PathOf("name");
        var name = ScalarReader.String(node, path, context, "the service name");
        if (name is null)
        {
            return null;
        }

        if (name.Any(char.IsWhiteSpace) || name.Contains("__", StringComparison.Ordinal) ||
            name.Trim('/').Split('/').Any(segment => segment.Length == 0))
        {
            context.Error(node, path, $"expected a service name without spaces or '__', with non-empty '/' folders, found {SourceQuote.Of(name)}");
            return null;
        }

        return name;
    }

    private static (string? User, string? Principal, string? Zookeeper) ReadScheduler(MappingReader top, MappingContext context)
    {
        var node = top.Optional("scheduler");
        if (node is null or ScalarNode { IsNull: true })
        {
            return (null, null, null);
        }

        var scheduler = MappingReader.Open(node, top.PathOf("scheduler"), context, "scheduler settings", SpecKeys.Scheduler);
        if (scheduler is null)
        {
            return (null, null, null);
        }

        return (Read("user", "an OS user name"), Read("principal", "a Mesos principal"), Read("zookeeper", "a ZooKeeper address such as master.mesos:2181"));

        string? Read(string key, string expected)
        {
            var value = scheduler.Optional(key);
            return value is null or ScalarNode { IsNull: true } ? null : ScalarReader.Token(value, scheduler.PathOf(key), context, expected);
        }
    }

    private static ImmutableArray<PodDraft> ReadPods(MappingReader top, MappingContext context)
    {
        var node = top.Required("pods", "a mapping of pod types");
        if (node is null)
        {
            return [];
        }

        var path = top.PathOf("pods");
        if (node is not MappingNode mapping || mapping.Entries.IsEmpty)
        {
            context.Error(node, path, $"expected a mapping of at least one pod type, found {node.Describe()}");
            return [];
        }

        var pods = ImmutableArray.CreateBuilder<PodDraft>();
        foreach (var entry in mapping.Entries)
        {
            pods.Add(PodMapper.Read(entry.Key, entry.Value, KeyPath.Child(path, entry.Key.Value), context));
        }

        return pods.ToImmutable();
    }
}
