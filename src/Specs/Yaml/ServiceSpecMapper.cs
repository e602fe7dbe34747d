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
    private static readonly ImmutableArray<string> _topKeys = ["name", "scheduler", "pods", "plans"];
    private static readonly ImmutableArray<string> _topUnsupported = ["web-url"];
    private static readonly ImmutableArray<string> _schedulerKeys = ["user"];
    private static readonly ImmutableArray<string> _schedulerUnsupported = ["principal", "zookeeper"];

    public static ServiceSpec? Map(SpecNode? root, MappingContext context)
    {
        if (root is null)
        {
            context.Error(SourcePosition.Start, KeyPath.Root, "the spec is empty; expected a mapping with at least 'name' and 'pods'");
            return null;
        }

        var top = MappingReader.Open(root, KeyPath.Root, context, "a service spec", _topKeys, _topUnsupported);
        if (top is null)
        {
            return null;
        }

        var name = ReadServiceName(top, context);
        var user = ReadUser(top, context);
        var pods = ReadPods(top, context);
        var plans = PlanMapper.Read(top.Optional("plans"), top.PathOf("plans"), pods, context);

        if (context.HasErrors || name is null)
        {
            return null;
        }

        var validPods = pods.Select(p => p.Spec).ToImmutableArray();
        if (plans.All(p => p.Name != PlanGenerator.DeployPlanName))
        {
            plans = plans.Insert(0, PlanGenerator.DefaultDeployPlan(validPods));
        }

        return new ServiceSpec(name, user, validPods, plans);
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
            context.Error(node, path, $"expected a service name without spaces or '__', with non-empty '/' folders, found '{name}'");
            return null;
        }

        return name;
    }

    private static string? ReadUser(MappingReader top, MappingContext context)
    {
        var node = top.Optional("scheduler");
        if (node is null)
        {
            return null;
        }

        var scheduler = MappingReader.Open(node, top.PathOf("scheduler"), context, "scheduler settings", _schedulerKeys, _schedulerUnsupported);
        var user = scheduler?.Optional("user");
        return user is null ? null : ScalarReader.String(user, scheduler!.PathOf("user"), context, "an OS user name");
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
