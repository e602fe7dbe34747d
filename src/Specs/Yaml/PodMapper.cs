using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Specs.Yaml;

/// <summary>A pod as mapped so far; <see cref="CountKnown"/> is false when <c>count</c> was invalid, so plan checks skip it.</summary>
internal sealed record PodDraft(PodSpec Spec, bool CountKnown);

/// <summary>Maps one pod (and its tasks and volumes). Unknown keys are errors here too, unlike in the DC/OS SDK.</summary>
internal static class PodMapper
{
    private static readonly ImmutableArray<string> _podKeys = ["count", "allow-decommission", "placement", "tasks", "volume", "volumes"];

    private static readonly ImmutableArray<string> _podUnsupported =
    [
        "image", "uris", "networks", "rlimits", "share-pid-namespace", "resource-sets", "host-volumes",
        "external-volumes", "pre-reserved-role", "secrets", "seccomp-unconfined", "seccomp-profile-name", "ipc-mode",
        "shm-size", "user",
    ];

    private static readonly ImmutableArray<string> _taskKeys = ["goal", "cmd", "cpus", "memory", "env", "volume", "volumes", "essential", "labels", "kill-grace-period"];

    private static readonly ImmutableArray<string> _taskUnsupported =
    [
        "configs", "gpus", "resource-limits", "ports", "resource-set", "health-check", "readiness-check",
        "discovery", "transport-encryption", "ipc-mode", "shm-size", "uris",
    ];

    private static readonly ImmutableArray<(string, GoalState)> _goals =
        [("RUNNING", GoalState.Running), ("FINISH", GoalState.Finish), ("ONCE", GoalState.Once)];

    public static PodDraft Read(ScalarNode nameNode, SpecNode node, string path, MappingContext context)
    {
        var type = nameNode.Value;
        if (!Names.IsIdentifier(type))
        {
            context.Error(nameNode, path, $"expected a pod type of {Names.IdentifierRule}, found '{type}'");
        }

        var pod = MappingReader.Open(node, path, context, "a pod", _podKeys, _podUnsupported);
        if (pod is null)
        {
            return new PodDraft(new PodSpec(type, 0, false, [], []), false);
        }

        var countNode = pod.Required("count", "an integer >= 0");
        var count = countNode is null ? null : ScalarReader.Integer(countNode, pod.PathOf("count"), context, 0);
        var decommissionNode = pod.Optional("allow-decommission");
        var allowDecommission = decommissionNode is not null &&
                                ScalarReader.Boolean(decommissionNode, pod.PathOf("allow-decommission"), context) == true;

        var (placement, placementText) = ReadPlacement(pod, type, context);
        var volumes = new VolumeSet(context);
        var podVolumes = volumes.Read(pod, "a pod");
        var tasks = ReadTasks(pod, volumes, context);

        var spec = new PodSpec(type, count ?? 0, allowDecommission, tasks, podVolumes, placement, placementText);
        return new PodDraft(spec, count is not null);
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

    private static ImmutableArray<TaskSpec> ReadTasks(MappingReader pod, VolumeSet podVolumes, MappingContext context)
    {
        var node = pod.Required("tasks", "a mapping of task names to tasks");
        if (node is null)
        {
            return [];
        }

        var path = pod.PathOf("tasks");
        if (node is not MappingNode mapping || mapping.Entries.IsEmpty)
        {
            context.Error(node, path, $"expected a mapping of at least one task, found {node.Describe()}");
            return [];
        }

        var tasks = ImmutableArray.CreateBuilder<TaskSpec>();
        foreach (var entry in mapping.Entries)
        {
            tasks.Add(ReadTask(entry.Key, entry.Value, KeyPath.Child(path, entry.Key.Value), podVolumes.ForTask(), context));
        }

        return tasks.ToImmutable();
    }

    private static TaskSpec ReadTask(ScalarNode nameNode, SpecNode node, string path, VolumeSet volumes, MappingContext context)
    {
        var name = nameNode.Value;
        if (!Names.IsIdentifier(name))
        {
            context.Error(nameNode, path, $"expected a task name of {Names.IdentifierRule}, found '{name}'");
        }

        var task = MappingReader.Open(node, path, context, "a task", _taskKeys, _taskUnsupported);
        if (task is null)
        {
            return new TaskSpec(name, GoalState.Running, "", 0, 0, [], []);
        }

        var goalNode = task.Required("goal", "RUNNING, FINISH or ONCE");
        var goal = goalNode is null ? null : ScalarReader.Choice(goalNode, task.PathOf("goal"), context, _goals);
        var cmdNode = task.Required("cmd", "a shell command");
        var cmd = cmdNode is null ? null : ScalarReader.String(cmdNode, task.PathOf("cmd"), context, "a shell command");
        var cpusNode = task.Required("cpus", "a number > 0");
        var cpus = cpusNode is null ? null : ScalarReader.PositiveNumber(cpusNode, task.PathOf("cpus"), context);
        var memoryNode = task.Required("memory", "an integer number of MB >= 1");
        var memory = memoryNode is null ? null : ScalarReader.Integer(memoryNode, task.PathOf("memory"), context, 1);
        var essentialNode = task.Optional("essential");
        var essential = essentialNode is null || ScalarReader.Boolean(essentialNode, task.PathOf("essential"), context) != false;
        var env = ReadEnv(task, context);
        var taskVolumes = volumes.Read(task, "a task");
        var labelsNode = task.Optional("labels");
        var labels = labelsNode is null ? [] : TaskLabels.Read(labelsNode, task.PathOf("labels"), context);
        var graceNode = task.Optional("kill-grace-period");
        var grace = graceNode is null or ScalarNode { IsNull: true }
            ? null
            : ScalarReader.Integer(graceNode, task.PathOf("kill-grace-period"), context, 0);

        return new TaskSpec(name, goal ?? GoalState.Running, cmd ?? "", cpus ?? 0, memory ?? 0, env, taskVolumes, essential)
        {
            Labels = labels,
            KillGracePeriodSeconds = grace,
        };
    }

    private static ImmutableArray<KeyValuePair<string, string>> ReadEnv(MappingReader task, MappingContext context)
    {
        var node = task.Optional("env");
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        var path = task.PathOf("env");
        if (node is not MappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping of environment variables, found {node.Describe()}");
            return [];
        }

        var env = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var entry in mapping.Entries)
        {
            var name = entry.Key.Value;
            var entryPath = KeyPath.Child(path, name);
            if (!Names.IsEnvironmentName(name))
            {
                context.Error(entry.Key, entryPath,
                    $"expected an environment variable name of letters, digits and '_' not starting with a digit, found '{name}'");
            }

            if (entry.Value is not ScalarNode scalar)
            {
                context.Error(entry.Value, entryPath, $"expected a single value (a string or number), found {entry.Value.Describe()}");
                continue;
            }

            env.Add(new KeyValuePair<string, string>(name, scalar.IsNull ? "" : scalar.Value));
        }

        return env.ToImmutable();
    }
}
