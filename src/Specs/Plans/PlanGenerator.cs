using System.Collections.Immutable;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Specs.Plans;

/// <summary>Builds the default <c>deploy</c> plan and the DC/OS step names.</summary>
public static class PlanGenerator
{
    public const string DeployPlanName = "deploy";

    public const string UpdatePlanName = "update";

    /// <summary>The plan the scheduler builds itself to remove the pods a scale-in drops; no spec plan may take its name.</summary>
    public const string DecommissionPlanName = "decommission";

    /// <summary>
    /// Serial plan <c>deploy</c>: one serial phase per pod type (named after it, in declaration order), one step per
    /// pod instance launching all of the pod's tasks.
    /// </summary>
    internal static PlanSpec DefaultDeployPlan(ImmutableArray<PodSpec> pods) =>
        new(DeployPlanName, StrategyKind.Serial, [.. pods.Select(DefaultPhase)]);

    /// <summary>
    /// The plans a scheduler runs (DC/OS <c>SchedulerBuilder.selectDeployPlan</c>): once a deployment has completed, a
    /// spec's <c>update</c> plan runs under the name <c>deploy</c> in its place; the <c>update</c> plan is never listed
    /// on its own. Every other plan is a custom plan.
    /// </summary>
    public static ImmutableArray<PlanSpec> PlansToRun(ServiceSpec spec, bool deploymentCompleted)
    {
        var update = spec.FindPlan(UpdatePlanName);
        return [.. spec.Plans
            .Where(plan => plan.Name != UpdatePlanName)
            .Select(plan => plan.Name == DeployPlanName && deploymentCompleted && update is not null ? update with { Name = DeployPlanName } : plan)];
    }

    internal static PhaseSpec DefaultPhase(PodSpec pod)
    {
        var tasks = pod.Tasks.Select(t => t.Name).ToImmutableArray();
        var steps = Enumerable.Range(0, pod.Count)
            .Select(index => new StepSpec(StepName(pod.Type, index, tasks), index, tasks))
            .ToImmutableArray();
        return new PhaseSpec(pod.Type, pod.Type, StrategyKind.Serial, steps);
    }

    /// <summary>DC/OS <c>TaskUtils.getStepName</c>: <c>&lt;pod&gt;-&lt;index&gt;:[task1, task2]</c>.</summary>
    internal static string StepName(string pod, int index, IEnumerable<string> tasks) =>
        $"{pod}-{index}:[{string.Join(", ", tasks)}]";
}
