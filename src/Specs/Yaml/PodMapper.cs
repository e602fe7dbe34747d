using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Yaml;

/// <summary>A pod as mapped so far; <see cref="CountKnown"/> is false when <c>count</c> was invalid, so plan checks skip it.</summary>
/// <param name="Position">Where the pod's name is, for errors about the pod as a whole.</param>
internal sealed record PodDraft(PodSpec Spec, bool CountKnown, SourcePosition Position);

/// <summary>Maps one pod (and its tasks and volumes). Unknown keys are errors here too, unlike in the DC/OS SDK.</summary>
internal static class PodMapper
{
    public static PodDraft Read(ScalarNode nameNode, SpecNode node, string path, MappingContext context)
    {
        var type = nameNode.Value;
        if (!Names.IsIdentifier(type))
        {
            context.Error(nameNode, path, $"expected a pod type of {Names.IdentifierRule}, found {SourceQuote.Of(type)}");
        }

        var pod = MappingReader.Open(node, path, context, "a pod", SpecKeys.Pod);
        if (pod is null)
        {
            return new PodDraft(new PodSpec(type, 0, false, [], []), false, nameNode.Position);
        }

        var countNode = pod.Required("count", $"an integer from 0 to {PodSpec.MaxCount}");
        var count = countNode is null ? null : ScalarReader.Integer(countNode, pod.PathOf("count"), context, 0, PodSpec.MaxCount);
        var decommissionNode = pod.Optional("allow-decommission");
        var allowDecommission = decommissionNode is not null &&
                                ScalarReader.Boolean(decommissionNode, pod.PathOf("allow-decommission"), context) == true;

        var (placement, placementText) = ReadPlacement(pod, type, context);
        var volumes = new VolumeSet(context);
        var podVolumes = volumes.Read(pod, "a pod");
        var ports = new PortMapper(context);
        var resourceSets = ResourceMapper.ReadSets(pod, volumes, ports, context);
        var tasks = ReadTasks(pod, new TaskMapper(context, volumes, ports, resourceSets));

        var spec = new PodSpec(type, count ?? 0, allowDecommission, tasks, podVolumes, placement, placementText) { ResourceSets = resourceSets };
        spec = PodFeatureMapper.Apply(spec, pod, context);
        return new PodDraft(spec, count is not null, nameNode.Position);
    }

    /// <summary>A Marathon-style constraint string; blank or <c>[]</c> means no rule (as an empty X_PLACEMENT renders).</summary>
    private static (PlacementRule? Rule, string? Text) ReadPlacement(MappingReader pod, string type, MappingContext context)
    {
        var node = pod.Optional("placement");
        if (node is null or ScalarNode { IsNull: true })
        {
            return (null, null);
        }

        var path = pod.PathOf("placement");
        if (node is not ScalarNode scalar)
        {
            context.Error(node, path,
                $"expected a constraint string such as '[[\"hostname\", \"UNIQUE\"]]' or 'hostname:UNIQUE' (quote it), found {node.Describe()}");
            return (null, null);
        }

        var parsed = PlacementRuleParser.Parse(scalar.Value, type);
        foreach (var error in parsed.Errors)
        {
            context.Error(node, path, $"invalid placement constraint '{scalar.Value}': {error}");
        }

        return parsed.Rule is null ? (null, null) : (parsed.Rule, scalar.Value);
    }

    private static ImmutableArray<TaskSpec> ReadTasks(MappingReader pod, TaskMapper mapper)
    {
        var node = pod.Required("tasks", "a mapping of task names to tasks");
        if (node is null)
        {
            return [];
        }

        var path = pod.PathOf("tasks");
        if (node is not MappingNode mapping || mapping.Entries.IsEmpty)
        {
            mapper.Context.Error(node, path, $"expected a mapping of at least one task, found {node.Describe()}");
            return [];
        }

        var tasks = ImmutableArray.CreateBuilder<TaskSpec>();
        foreach (var entry in mapping.Entries)
        {
            tasks.Add(mapper.Read(entry.Key, entry.Value, KeyPath.Child(path, entry.Key.Value)));
        }

        return tasks.ToImmutable();
    }
}
