using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Plans;

/// <summary>Builds the default <c>deploy</c> plan and the DC/OS step names.</summary>
internal static class PlanGenerator
{
    public const string DeployPlanName = "deploy";

    /// <summary>
    /// Serial plan <c>deploy</c>: one serial phase per pod type (named after it, in declaration order), one step per
    /// pod instance launching all of the pod's tasks.
    /// </summary>
    public static PlanSpec DefaultDeployPlan(ImmutableArray<PodSpec> pods) =>
        new(DeployPlanName, StrategyKind.Serial, [.. pods.Select(DefaultPhase)]);

    public static PhaseSpec DefaultPhase(PodSpec pod)
    {
        var tasks = pod.Tasks.Select(t => t.Name).ToImmutableArray();
        var steps = Enumerable.Range(0, pod.Count)
            .Select(index => new StepSpec(StepName(pod.Type, index, tasks), index, tasks))
            .ToImmutableArray();
        return new PhaseSpec(pod.Type, pod.Type, StrategyKind.Serial, steps);
    }

    /// <summary>DC/OS <c>TaskUtils.getStepName</c>: <c>&lt;pod&gt;-&lt;index&gt;:[task1, task2]</c>.</summary>
    public static string StepName(string pod, int index, IEnumerable<string> tasks) =>
        $"{pod}-{index}:[{string.Join(", ", tasks)}]";
}
