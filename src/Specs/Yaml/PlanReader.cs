using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using YamlDotNet.RepresentationModel;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Reads <c>plans</c> and generates the default deploy plan (DC/OS <c>DeployPlanFactory</c>: serial, one serial
/// phase per pod type, one step per pod instance with all the pod's tasks).
/// </summary>
internal sealed class PlanReader(NodeReader read)
{
    private static readonly Dictionary<string, StrategyKind> PlanStrategies = new()
    {
        ["serial"] = StrategyKind.Serial,
        ["parallel"] = StrategyKind.Parallel,
    };

    private static readonly Dictionary<string, StrategyKind> PhaseStrategies = new()
    {
        ["serial"] = StrategyKind.Serial,
        ["parallel"] = StrategyKind.Parallel,
        ["serial-canary"] = StrategyKind.SerialCanary,
        ["canary"] = StrategyKind.SerialCanary,
        ["parallel-canary"] = StrategyKind.ParallelCanary,
    };

    public static PlanSpec DefaultDeployPlan(ImmutableArray<PodSpec> pods) => new(
        "deploy",
        StrategyKind.Serial,
        pods.Select(pod => new PhaseSpec(
            pod.Type,
            pod.Type,
            StrategyKind.Serial,
            Enumerable.Range(0, pod.Count).Select(i => Step(pod, i, pod.Tasks.Select(t => t.Name).ToImmutableArray())).ToImmutableArray()))
            .ToImmutableArray());

    /// <summary>DC/OS step name: <c>&lt;pod&gt;-&lt;index&gt;:[a, b]</c>.</summary>
    public static StepSpec Step(PodSpec pod, int index, ImmutableArray<string> tasks) =>
        new($"{pod.Type}-{index}:[{string.Join(", ", tasks)}]", index, tasks);

    public ImmutableArray<PlanSpec> Read(YamlNode node, ImmutableArray<PodSpec> pods)
    {
        var plans = ImmutableArray.CreateBuilder<PlanSpec>();
        if (read.Mapping(node, "plans") is not { } map)
        {
            return plans.ToImmutable();
        }

        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? string.Empty;
            var path = $"plans.{name}";
            if (read.Mapping(value, path) is not { } planMap)
            {
                continue;
            }

            var entries = read.Entries(planMap, path, ["strategy", "phases"], ["phases"]);
            var strategy = entries.TryGetValue("strategy", out var s) ? read.Choice(s, $"{path}.strategy", PlanStrategies) : StrategyKind.Serial;
            var phases = ImmutableArray.CreateBuilder<PhaseSpec>();
            if (entries.TryGetValue("phases", out var phasesNode) && read.Mapping(phasesNode, $"{path}.phases") is { } phasesMap)
            {
                foreach (var (phaseKey, phaseValue) in phasesMap.Children)
                {
                    if (ReadPhase(((YamlScalarNode)phaseKey).Value ?? string.Empty, phaseValue, $"{path}.phases", pods) is { } phase)
                    {
                        phases.Add(phase);
                    }
                }
            }

            plans.Add(new PlanSpec(name, strategy ?? StrategyKind.Serial, phases.ToImmutable()));
        }

        return plans.ToImmutable();
    }

    private PhaseSpec? ReadPhase(string name, YamlNode node, string parent, ImmutableArray<PodSpec> pods)
    {
        var path = $"{parent}.{name}";
        if (read.Mapping(node, path) is not { } map)
        {
            return null;
        }

        var entries = read.Entries(map, path, ["pod", "strategy", "steps"], ["pod"]);
        var podName = read.NonEmptyString(entries.GetValueOrDefault("pod"), $"{path}.pod");
        var strategy = entries.TryGetValue("strategy", out var s) ? read.Choice(s, $"{path}.strategy", PhaseStrategies) : StrategyKind.Serial;
        if (podName is null)
        {
            return null;
        }

        var pod = pods.FirstOrDefault(p => p.Type == podName);
        if (pod is null)
        {
            read.Error(entries["pod"], $"{path}.pod", $"no pod named '{podName}'; pods are: {string.Join(", ", pods.Select(p => p.Type))}");
            return null;
        }

        var steps = entries.TryGetValue("steps", out var stepsNode)
            ? ReadSteps(stepsNode, $"{path}.steps", pod)
            : DefaultDeployPlan([pod]).Phases[0].Steps;
        return steps is null ? null : new PhaseSpec(name, pod.Type, strategy ?? StrategyKind.Serial, steps.Value);
    }

    /// <summary><c>- &lt;index&gt;|default: [[a, b], [c]]</c>: per instance, a sequence of steps of tasks launched together.</summary>
    private ImmutableArray<StepSpec>? ReadSteps(YamlNode node, string path, PodSpec pod)
    {
        if (node is not YamlSequenceNode list)
        {
            read.Error(node, path, $"expected a list of '- <index>|default: [[task, …], …]' entries, found {NodeReader.Describe(node)}");
            return null;
        }

        var byIndex = new Dictionary<string, (YamlNode Node, List<ImmutableArray<string>> Steps)>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode { Children.Count: 1 } entry)
            {
                read.Error(item, path, "expected exactly one '<index>|default: [[task, …], …]' per list entry");
                continue;
            }

            var (keyNode, value) = entry.Children.First();
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            if (key != "default" && !(int.TryParse(key, out var index) && index >= 0))
            {
                read.Error(keyNode, $"{path}.{key}", $"expected a pod index or 'default', found '{key}'");
                continue;
            }

            var steps = new List<ImmutableArray<string>>();
            if (value is not YamlSequenceNode outer)
            {
                read.Error(value, $"{path}.{key}", $"expected a list of task lists like [[a, b], [c]], found {NodeReader.Describe(value)}");
                continue;
            }

            foreach (var inner in outer.Children)
            {
                if (inner is not YamlSequenceNode taskList || taskList.Children.Count == 0)
                {
                    read.Error(inner, $"{path}.{key}", $"expected a non-empty list of task names, found {NodeReader.Describe(inner)}");
                    continue;
                }

                var tasks = ImmutableArray.CreateBuilder<string>();
                foreach (var taskNode in taskList.Children)
                {
                    var task = read.NonEmptyString(taskNode, $"{path}.{key}");
                    if (task is not null && pod.FindTask(task) is null)
                    {
                        read.Error(taskNode, $"{path}.{key}", $"pod '{pod.Type}' has no task '{task}'; tasks are: {string.Join(", ", pod.Tasks.Select(t => t.Name))}");
                    }
                    else if (task is not null)
                    {
                        tasks.Add(task);
                    }
                }

                steps.Add(tasks.ToImmutable());
            }

            if (!byIndex.TryAdd(key, (keyNode, steps)))
            {
                read.Error(keyNode, $"{path}.{key}", $"steps for '{key}' are given twice");
            }
        }

        foreach (var (key, (keyNode, _)) in byIndex.Where(e => e.Key != "default" && int.Parse(e.Key) >= pod.Count))
        {
            read.Error(keyNode, $"{path}.{key}", $"pod '{pod.Type}' has {pod.Count} instances; there is no index {key}");
        }

        var result = ImmutableArray.CreateBuilder<StepSpec>();
        for (var i = 0; i < pod.Count; i++)
        {
            if (!byIndex.TryGetValue(i.ToString(), out var entry) && !byIndex.TryGetValue("default", out entry))
            {
                read.Error(node, path, $"no steps for index {i} and no 'default' entry");
                continue;
            }

            result.AddRange(entry.Steps.Select(tasks => Step(pod, i, tasks)));
        }

        return result.ToImmutable();
    }
}
