using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Plans;

namespace ActorScheduler.Specs.Yaml;

/// <summary>
/// Maps <c>plans</c>: plan → <c>{strategy, phases}</c>, phase → <c>{pod, strategy, steps}</c>, where <c>steps</c> is a
/// list of single-entry maps <c>- &lt;index&gt;|default: [[taskA, taskB], [taskC]]</c>: each inner list is one step
/// launching those tasks together in that pod instance; an index entry overrides <c>default</c>.
/// </summary>
internal static class PlanMapper
{
    private static readonly ImmutableArray<(string, StrategyKind)> _planStrategies =
        [("serial", StrategyKind.Serial), ("parallel", StrategyKind.Parallel), ("dependency", StrategyKind.Dependency)];

    private static readonly ImmutableArray<(string, StrategyKind)> _phaseStrategies =
    [
        ("serial", StrategyKind.Serial), ("parallel", StrategyKind.Parallel), ("serial-canary", StrategyKind.SerialCanary),
        ("canary", StrategyKind.SerialCanary), ("parallel-canary", StrategyKind.ParallelCanary),
    ];

    public static ImmutableArray<PlanSpec> Read(SpecNode? node, string path, ImmutableArray<PodDraft> pods, MappingContext context)
    {
        if (node is null or ScalarNode { IsNull: true })
        {
            return [];
        }

        if (node is not MappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping of plan names to plans, found {node.Describe()}");
            return [];
        }

        var plans = ImmutableArray.CreateBuilder<PlanSpec>();
        foreach (var entry in mapping.Entries)
        {
            var plan = ReadPlan(entry.Key, entry.Value, KeyPath.Child(path, entry.Key.Value), pods, context);
            if (plan is not null)
            {
                plans.Add(plan);
            }
        }

        return plans.ToImmutable();
    }

    private static PlanSpec? ReadPlan(ScalarNode nameNode, SpecNode node, string path, ImmutableArray<PodDraft> pods, MappingContext context)
    {
        CheckName(nameNode, path, "plan", context);
        if (nameNode.Value == PlanGenerator.DecommissionPlanName)
        {
            context.Error(nameNode, path, $"'{PlanGenerator.DecommissionPlanName}' is the scheduler's own plan for removing the pods a scale-in drops; give this plan another name");
        }

        var plan = MappingReader.Open(node, path, context, "a plan", SpecKeys.Plan);
        if (plan is null)
        {
            return null;
        }

        var strategy = ReadStrategy(plan, _planStrategies, context);
        var phasesNode = plan.Required("phases", "a mapping of phase names to phases");
        if (phasesNode is null)
        {
            return null;
        }

        var phasesPath = plan.PathOf("phases");
        if (phasesNode is not MappingNode phasesMapping || phasesMapping.Entries.IsEmpty)
        {
            context.Error(phasesNode, phasesPath, $"expected a mapping of at least one phase, found {phasesNode.Describe()}");
            return null;
        }

        var phases = ImmutableArray.CreateBuilder<PhaseSpec>();
        var dependsOn = new List<(string Phase, string Path, SequenceNode Node)>();
        foreach (var entry in phasesMapping.Entries)
        {
            var phasePath = KeyPath.Child(phasesPath, entry.Key.Value);
            var phase = ReadPhase(entry.Key, entry.Value, phasePath, pods, context, out var dependency);
            if (phase is null)
            {
                continue;
            }

            if (dependency is var (key, value, dependencyPath))
            {
                if (strategy != StrategyKind.Dependency)
                {
                    context.Error(key, dependencyPath, "'depends-on' needs the plan's 'strategy: dependency'");
                }
                else if (value is not SequenceNode list)
                {
                    context.Error(value, dependencyPath, $"expected a list of phase names of this plan, found {value.Describe()}");
                }
                else
                {
                    dependsOn.Add((phase.Name, dependencyPath, list));
                }
            }

            phases.Add(phase);
        }

        var built = phases.ToImmutable();
        if (strategy == StrategyKind.Dependency)
        {
            built = PhaseDependencies.Resolve(built, dependsOn, context);
        }

        return new PlanSpec(nameNode.Value, strategy, built);
    }

    /// <param name="dependsOn">The phase's <c>depends-on</c> entry (key, value, path), checked against the plan by the caller.</param>
    private static PhaseSpec? ReadPhase(
        ScalarNode nameNode, SpecNode node, string path, ImmutableArray<PodDraft> pods, MappingContext context, out (ScalarNode Key, SpecNode Value, string Path)? dependsOn)
    {
        dependsOn = null;
        CheckName(nameNode, path, "phase", context);
        var phase = MappingReader.Open(node, path, context, "a phase", SpecKeys.Phase);
        if (phase is null)
        {
            return null;
        }

        if (phase.Optional("depends-on") is { } dependsOnNode)
        {
            dependsOn = (phase.KeyNode("depends-on")!, dependsOnNode, phase.PathOf("depends-on"));
        }

        var strategy = ReadStrategy(phase, _phaseStrategies, context);
        var podNode = phase.Required("pod", "the pod type this phase deploys");
        var podType = podNode is null ? null : ScalarReader.String(podNode, phase.PathOf("pod"), context, "a pod type");
        if (podNode is null || podType is null)
        {
            return null;
        }

        var pod = pods.FirstOrDefault(p => p.Spec.Type == podType);
        if (pod is null)
        {
            var known = string.Join(", ", pods.Select(p => p.Spec.Type));
            context.Error(podNode, phase.PathOf("pod"), $"unknown pod '{podType}'; expected one of: {known}");
            return null;
        }

        var stepsNode = phase.Optional("steps");
        if (stepsNode is null)
        {
            DefaultStepRule.Check(pod, phase.KeyNode("pod")!.Position, phase.PathOf("steps"), context);
            return PlanGenerator.DefaultPhase(pod.Spec) with { Name = nameNode.Value, Strategy = strategy };
        }

        var steps = StepListReader.Read(stepsNode, phase.PathOf("steps"), pod, context);
        return new PhaseSpec(nameNode.Value, podType, strategy, steps);
    }

    private static StrategyKind ReadStrategy(MappingReader owner, ImmutableArray<(string, StrategyKind)> allowed, MappingContext context)
    {
        var node = owner.Optional("strategy");
        return node is null ? StrategyKind.Serial : ScalarReader.Choice(node, owner.PathOf("strategy"), context, allowed) ?? StrategyKind.Serial;
    }

    private static void CheckName(ScalarNode nameNode, string path, string what, MappingContext context)
    {
        if (!Names.IsIdentifier(nameNode.Value))
        {
            context.Error(nameNode, path, $"expected a {what} name of {Names.IdentifierRule}, found {SourceQuote.Of(nameNode.Value)}");
        }
    }

    /// <summary>
    /// The <c>depends-on</c> lists of a plan of <c>strategy: dependency</c>: each must name other phases of the plan, once
    /// each, and the graph must have no cycle (a cycle would leave its phases pending for ever).
    /// </summary>
    private static class PhaseDependencies
    {
        public static ImmutableArray<PhaseSpec> Resolve(
            ImmutableArray<PhaseSpec> phases, List<(string Phase, string Path, SequenceNode Node)> lists, MappingContext context)
        {
            var names = phases.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var graph = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
            foreach (var (phase, path, list) in lists)
            {
                var found = ImmutableArray.CreateBuilder<string>();
                for (var i = 0; i < list.Items.Length; i++)
                {
                    var itemPath = KeyPath.Item(path, i);
                    var name = ScalarReader.String(list.Items[i], itemPath, context, "a phase name");
                    if (name is null)
                    {
                        continue;
                    }

                    if (name == phase)
                    {
                        context.Error(list.Items[i], itemPath, $"phase '{phase}' cannot depend on itself");
                    }
                    else if (!names.Contains(name))
                    {
                        context.Error(list.Items[i], itemPath, $"unknown phase '{name}'; expected one of: {string.Join(", ", names.Where(n => n != phase))}");
                    }
                    else if (found.Contains(name))
                    {
                        context.Error(list.Items[i], itemPath, $"phase '{name}' is listed twice");
                    }
                    else
                    {
                        found.Add(name);
                    }
                }

                graph[phase] = found.ToImmutable();
            }

            foreach (var (phase, path, list) in lists)
            {
                if (CycleThrough(phase, graph) is { } cycle)
                {
                    context.Error(list, path, $"phases depend on each other in a cycle: {string.Join(" → ", cycle)}");
                    break;
                }
            }

            return phases.Select(p => graph.TryGetValue(p.Name, out var deps) ? p with { DependsOn = deps } : p).ToImmutableArray();
        }

        /// <summary>A path from <paramref name="start"/> back to itself, if there is one.</summary>
        private static List<string>? CycleThrough(string start, Dictionary<string, ImmutableArray<string>> graph)
        {
            var path = new List<string> { start };
            var visited = new HashSet<string>(StringComparer.Ordinal);
            return Walk(start) ? path : null;

            bool Walk(string node)
            {
                foreach (var next in graph.GetValueOrDefault(node, ImmutableArray<string>.Empty))
                {
                    path.Add(next);
                    if (next == start || (visited.Add(next) && Walk(next)))
                    {
                        return true;
                    }

                    path.RemoveAt(path.Count - 1);
                }

                return false;
            }
        }
    }

    /// <summary>Reads a phase's <c>steps</c> list and expands it to one step per inner task list per pod instance.</summary>
    private static class StepListReader
    {
        public static ImmutableArray<StepSpec> Read(SpecNode node, string path, PodDraft pod, MappingContext context)
        {
            if (node is not SequenceNode list)
            {
                context.Error(node, path, $"expected a list of entries such as '- default: [[task]]', found {node.Describe()}");
                return [];
            }

            ImmutableArray<ImmutableArray<string>>? defaultSteps = null;
            var byIndex = new Dictionary<int, ImmutableArray<ImmutableArray<string>>>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < list.Items.Length; i++)
            {
                var itemPath = KeyPath.Item(path, i);
                if (list.Items[i] is not MappingNode { Entries.Length: 1 } item)
                {
                    var found = list.Items[i] is MappingNode m ? $"a mapping with {m.Entries.Length} entries" : list.Items[i].Describe();
                    context.Error(list.Items[i], itemPath, $"expected one entry '<index>|default: [[task, …], …]', found {found}");
                    continue;
                }

                var key = item.Entries[0].Key;
                var entryPath = KeyPath.Child(itemPath, key.Value);
                var taskLists = ReadTaskLists(item.Entries[0].Value, entryPath, pod.Spec, context);
                // 1 and 01 name the same instance.
                var seenKey = int.TryParse(key.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                    ? parsed.ToString(CultureInfo.InvariantCulture)
                    : key.Value;
                if (seen.TryGetValue(seenKey, out var firstItem))
                {
                    context.Error(key, entryPath, $"steps for '{key.Value}' are already given in {KeyPath.Item(path, firstItem)}");
                    continue;
                }

                seen[seenKey] = i;
                if (key.Value == "default")
                {
                    defaultSteps = taskLists;
                }
                else if (int.TryParse(key.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    if (pod.CountKnown && index >= pod.Spec.Count)
                    {
                        context.Error(key, entryPath,
                            $"pod instance index {index} is out of range; pod '{pod.Spec.Type}' has count {pod.Spec.Count}");
                    }

                    byIndex[index] = taskLists;
                }
                else
                {
                    context.Error(key, entryPath, $"expected a pod instance index (an integer >= 0) or 'default', found {SourceQuote.Of(key.Value)}");
                }
            }

            return pod.CountKnown ? Expand(list, path, pod.Spec, defaultSteps, byIndex, context) : [];
        }

        private static ImmutableArray<StepSpec> Expand(
            SequenceNode list,
            string path,
            PodSpec pod,
            ImmutableArray<ImmutableArray<string>>? defaultSteps,
            Dictionary<int, ImmutableArray<ImmutableArray<string>>> byIndex,
            MappingContext context)
        {
            var steps = ImmutableArray.CreateBuilder<StepSpec>();
            for (var index = 0; index < pod.Count; index++)
            {
                if (!byIndex.TryGetValue(index, out var taskLists))
                {
                    if (defaultSteps is null)
                    {
                        context.Error(list, path, $"no steps for pod instance {index} of '{pod.Type}'; " +
                                                  $"add a '- {index}: [[…]]' or a '- default: [[…]]' entry");
                        continue;
                    }

                    taskLists = defaultSteps.Value;
                }

                foreach (var tasks in taskLists)
                {
                    steps.Add(new StepSpec(PlanGenerator.StepName(pod.Type, index, tasks), index, tasks));
                }
            }

            return steps.ToImmutable();
        }

        /// <summary>Reads <c>[[a, b], [c]]</c>; each inner list must name distinct tasks of the pod.</summary>
        private static ImmutableArray<ImmutableArray<string>> ReadTaskLists(SpecNode node, string path, PodSpec pod, MappingContext context)
        {
            const string Shape = "a list of task lists such as [[first-task], [second-task, third-task]]";
            if (node is not SequenceNode { Items.IsEmpty: false } outer)
            {
                context.Error(node, path, $"expected {Shape}, found {node.Describe()}");
                return [];
            }

            var result = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
            var stepNames = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < outer.Items.Length; i++)
            {
                var stepPath = KeyPath.Item(path, i);
                if (outer.Items[i] is not SequenceNode { Items.IsEmpty: false } inner)
                {
                    context.Error(outer.Items[i], stepPath, $"expected a non-empty list of task names, found {outer.Items[i].Describe()}");
                    continue;
                }

                var tasks = ReadTaskNames(inner, stepPath, pod, context);
                if (tasks.Length != inner.Items.Length)
                {
                    continue;
                }

                if (!stepNames.Add(string.Join(",", tasks)))
                {
                    context.Error(inner, stepPath, $"step [{string.Join(", ", tasks)}] is listed twice for the same pod instance");
                    continue;
                }

                if (StepConflicts.Find(pod, tasks) is { } conflict)
                {
                    context.Error(inner, stepPath, $"these tasks cannot launch in one step: {conflict}; put them in separate steps");
                    continue;
                }

                result.Add(tasks);
            }

            return result.ToImmutable();
        }

        private static ImmutableArray<string> ReadTaskNames(SequenceNode inner, string path, PodSpec pod, MappingContext context)
        {
            var tasks = ImmutableArray.CreateBuilder<string>();
            for (var j = 0; j < inner.Items.Length; j++)
            {
                var taskPath = KeyPath.Item(path, j);
                var name = ScalarReader.String(inner.Items[j], taskPath, context, "a task name");
                if (name is null)
                {
                    continue;
                }

                if (pod.FindTask(name) is null)
                {
                    var known = string.Join(", ", pod.Tasks.Select(t => t.Name));
                    context.Error(inner.Items[j], taskPath, $"unknown task '{name}' in pod '{pod.Type}'; expected one of: {known}");
                }
                else if (tasks.Contains(name))
                {
                    context.Error(inner.Items[j], taskPath, $"task '{name}' appears twice in one step");
                }
                else
                {
                    tasks.Add(name);
                }
            }

            return tasks.ToImmutable();
        }
    }
}
