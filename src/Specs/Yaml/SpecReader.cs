using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace ActorScheduler.Specs.Yaml;

/// <summary>Maps a parsed YAML document to a <see cref="ServiceSpec"/>, reporting every problem with its location.</summary>
internal sealed class SpecReader
{
    private static readonly string[] TopKeys = ["name", "scheduler", "pods", "plans"];
    private static readonly string[] SchedulerKeys = ["user"];
    private static readonly string[] PodKeys = ["count", "allow-decommission", "tasks", "volume", "volumes"];
    private static readonly string[] TaskKeys = ["goal", "cmd", "cpus", "memory", "env", "volume", "volumes", "essential"];
    private static readonly string[] VolumeKeys = ["path", "type", "size"];

    private static readonly Dictionary<string, GoalState> Goals = new()
    {
        ["RUNNING"] = GoalState.Running,
        ["FINISH"] = GoalState.Finish,
        ["ONCE"] = GoalState.Once,
    };

    private static readonly Dictionary<string, VolumeType> VolumeTypes = new()
    {
        ["ROOT"] = VolumeType.Root,
        ["MOUNT"] = VolumeType.Mount,
    };

    private readonly NodeReader _read;

    public SpecReader(string file) => _read = new NodeReader(file);

    public IReadOnlyList<SpecError> Errors => _read.Errors;

    public ServiceSpec? Read(YamlNode root)
    {
        var top = _read.Mapping(root, string.Empty);
        if (top is null)
        {
            return null;
        }

        var entries = _read.Entries(top, string.Empty, TopKeys, ["name", "pods"]);
        var name = _read.NonEmptyString(entries.GetValueOrDefault("name"), "name");
        string? user = null;
        if (entries.TryGetValue("scheduler", out var schedulerNode) && _read.Mapping(schedulerNode, "scheduler") is { } scheduler)
        {
            user = _read.NonEmptyString(_read.Entries(scheduler, "scheduler", SchedulerKeys, []).GetValueOrDefault("user"), "scheduler.user");
        }

        var pods = ImmutableArray.CreateBuilder<PodSpec>();
        if (entries.TryGetValue("pods", out var podsNode) && _read.Mapping(podsNode, "pods") is { } podsMap)
        {
            if (podsMap.Children.Count == 0)
            {
                _read.Error(podsMap, "pods", "expected at least one pod");
            }

            foreach (var (key, value) in podsMap.Children)
            {
                if (ReadPod(((YamlScalarNode)key).Value ?? string.Empty, value) is { } pod)
                {
                    pods.Add(pod);
                }
            }
        }

        var podList = pods.ToImmutable();
        var plans = entries.TryGetValue("plans", out var plansNode)
            ? new PlanReader(_read).Read(plansNode, podList)
            : ImmutableArray<PlanSpec>.Empty;
        if (!plans.Any(p => p.Name == "deploy"))
        {
            plans = plans.Insert(0, PlanReader.DefaultDeployPlan(podList));
        }

        return name is null || _read.Errors.Count > 0 ? null : new ServiceSpec(name, user, podList, plans);
    }

    private PodSpec? ReadPod(string type, YamlNode node)
    {
        var path = $"pods.{type}";
        var map = _read.Mapping(node, path);
        if (map is null)
        {
            return null;
        }

        var entries = _read.Entries(map, path, PodKeys, ["count", "tasks"]);
        var count = _read.Int(entries.GetValueOrDefault("count"), $"{path}.count", 0);
        var allowDecommission = _read.Bool(entries.GetValueOrDefault("allow-decommission"), $"{path}.allow-decommission") ?? false;
        var volumes = ReadVolumes(entries, map, path);
        var tasks = ImmutableArray.CreateBuilder<TaskSpec>();
        if (entries.TryGetValue("tasks", out var tasksNode) && _read.Mapping(tasksNode, $"{path}.tasks") is { } tasksMap)
        {
            if (tasksMap.Children.Count == 0)
            {
                _read.Error(tasksMap, $"{path}.tasks", "expected at least one task");
            }

            foreach (var (key, value) in tasksMap.Children)
            {
                if (ReadTask(((YamlScalarNode)key).Value ?? string.Empty, value, $"{path}.tasks") is { } task)
                {
                    tasks.Add(task);
                }
            }
        }

        return count is null ? null : new PodSpec(type, count.Value, allowDecommission, tasks.ToImmutable(), volumes);
    }

    private TaskSpec? ReadTask(string name, YamlNode node, string parent)
    {
        var path = $"{parent}.{name}";
        var map = _read.Mapping(node, path);
        if (map is null)
        {
            return null;
        }

        var entries = _read.Entries(map, path, TaskKeys, ["goal", "cmd", "cpus", "memory"]);
        var goal = _read.Choice(entries.GetValueOrDefault("goal"), $"{path}.goal", Goals);
        var cmd = _read.NonEmptyString(entries.GetValueOrDefault("cmd"), $"{path}.cmd");
        var cpus = _read.PositiveDouble(entries.GetValueOrDefault("cpus"), $"{path}.cpus");
        var memory = _read.Int(entries.GetValueOrDefault("memory"), $"{path}.memory", 1);
        var essential = _read.Bool(entries.GetValueOrDefault("essential"), $"{path}.essential") ?? true;
        var env = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        if (entries.TryGetValue("env", out var envNode) && _read.Mapping(envNode, $"{path}.env") is { } envMap)
        {
            foreach (var (key, value) in envMap.Children)
            {
                var envName = ((YamlScalarNode)key).Value ?? string.Empty;
                if (_read.String(value, $"{path}.env.{envName}") is { } envValue)
                {
                    env.Add(new(envName, envValue));
                }
            }
        }

        var volumes = ReadVolumes(entries, map, path);
        if (goal is null || cmd is null || cpus is null || memory is null)
        {
            return null;
        }

        return new TaskSpec(name, goal.Value, cmd, cpus.Value, memory.Value, env.ToImmutable(), volumes, essential);
    }

    private ImmutableArray<VolumeSpec> ReadVolumes(Dictionary<string, YamlNode> entries, YamlMappingNode owner, string path)
    {
        var result = ImmutableArray.CreateBuilder<VolumeSpec>();
        if (entries.ContainsKey("volume") && entries.ContainsKey("volumes"))
        {
            _read.Error(owner, path, "'volume' and 'volumes' cannot be used together; use one");
            return result.ToImmutable();
        }

        if (entries.TryGetValue("volume", out var single) && ReadVolume(single, $"{path}.volume") is { } volume)
        {
            result.Add(volume);
        }

        if (entries.TryGetValue("volumes", out var many) && _read.Mapping(many, $"{path}.volumes") is { } map)
        {
            foreach (var (key, value) in map.Children)
            {
                if (ReadVolume(value, $"{path}.volumes.{((YamlScalarNode)key).Value}") is { } v)
                {
                    result.Add(v);
                }
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in result.Where(v => !seen.Add(v.Path)))
        {
            _read.Error(owner, path, $"two volumes share the path '{v.Path}'");
        }

        return result.ToImmutable();
    }

    private VolumeSpec? ReadVolume(YamlNode node, string path)
    {
        var map = _read.Mapping(node, path);
        if (map is null)
        {
            return null;
        }

        var entries = _read.Entries(map, path, VolumeKeys, VolumeKeys);
        var volumePath = _read.NonEmptyString(entries.GetValueOrDefault("path"), $"{path}.path");
        if (volumePath is not null && (volumePath.StartsWith('/') || volumePath.Split('/').Contains("..")))
        {
            _read.Error(entries["path"], $"{path}.path", $"expected a path relative to the task sandbox without '..', found '{volumePath}'");
            volumePath = null;
        }

        var type = _read.Choice(entries.GetValueOrDefault("type"), $"{path}.type", VolumeTypes);
        var size = _read.Int(entries.GetValueOrDefault("size"), $"{path}.size", 1);
        return volumePath is null || type is null || size is null ? null : new VolumeSpec(volumePath, type.Value, size.Value);
    }
}
