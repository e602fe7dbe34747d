using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Plans;

/// <summary>A pod instance by type and index.</summary>
public sealed record PodInstanceRef(string PodType, int Index)
{
    /// <summary>Its name, <c>world-1</c>.</summary>
    public string Name => PodNames.Instance(PodType, Index);
}

/// <summary>Where decommission stands for one pod instance, as its pod reports it (null stage: not reported yet).</summary>
public sealed record PodDecommissionView(string Pod, DecommissionStage? Stage, bool TasksKilled, string Message);

/// <summary>
/// The decisions of the <c>decommission</c> plan (DC/OS <c>DecommissionPlanFactory</c>): which pod instances a target no
/// longer names, in which order they go, and what each of their steps' status is. Pure.
/// </summary>
public static class DecommissionPlan
{
    /// <summary>The plan's name in <c>/v1/plans</c>.</summary>
    public const string Name = "decommission";

    /// <summary>Step that kills the pod's tasks (override DECOMMISSIONED).</summary>
    public const string KillStep = "kill-tasks";

    /// <summary>Step that gives up the pod's reservations and waits for the router to destroy and unreserve them.</summary>
    public const string UnreserveStep = "unreserve-resources";

    /// <summary>Step that erases the pod's state.</summary>
    public const string EraseStep = "erase-state";

    /// <summary>The steps of every phase, in order.</summary>
    public static ImmutableArray<string> Steps { get; } = [KillStep, UnreserveStep, EraseStep];

    /// <summary>
    /// Pod instances of <paramref name="known"/> (in creation order) that <paramref name="target"/> no longer names (their
    /// type was removed, or their index is at or above the count), in decommission order: pod types in reverse of the
    /// order they were created in (the spec's declaration order), highest index first.
    /// </summary>
    public static ImmutableArray<PodInstanceRef> Leftovers(IReadOnlyList<PodInstanceRef> known, ServiceSpec target)
    {
        var typeOrder = known.Select(p => p.PodType).Distinct(StringComparer.Ordinal).ToList();
        return known
            .Where(p => target.FindPod(p.PodType) is not { } pod || p.Index >= pod.Count)
            .OrderByDescending(p => typeOrder.IndexOf(p.PodType))
            .ThenByDescending(p => p.Index)
            .ToImmutableArray();
    }

    /// <summary>The status of each step (<see cref="Steps"/> order) of a pod instance's phase, from the pod's state.</summary>
    public static ImmutableArray<Status> StepStatuses(DecommissionStage stage, bool tasksKilled) =>
    [
        stage == DecommissionStage.None ? Status.Pending
            : tasksKilled || stage > DecommissionStage.Killing ? Status.Complete
            : Status.Starting,
        stage switch
        {
            DecommissionStage.Releasing => Status.Starting,
            DecommissionStage.Collected or DecommissionStage.Erased => Status.Complete,
            _ => Status.Pending,
        },
        stage == DecommissionStage.Erased ? Status.Complete : Status.Pending,
    ];

    /// <summary>What the plan should ask of the pod next, or null when its phase is complete or waiting.</summary>
    public static string? NextStep(DecommissionStage stage, bool tasksKilled) => stage switch
    {
        DecommissionStage.None => KillStep,
        DecommissionStage.Killing => tasksKilled ? UnreserveStep : KillStep,
        DecommissionStage.Collected => EraseStep,
        _ => null,
    };

    /// <summary>
    /// The plan tree (serial plan, one serial phase per pod in <paramref name="pods"/> order) and the pod instance whose
    /// next step should run now (the first phase not complete, unless the plan is interrupted or waits for its pod).
    /// </summary>
    /// <param name="service">For stable element ids (<c>&lt;service&gt;/plan/decommission/phase/…</c>).</param>
    public static (PlanInfo Info, PodDecommissionView? Active) Evaluate(string service, IReadOnlyList<PodDecommissionView> pods, bool interrupted)
    {
        var planId = $"{service}/plan/{Name}";
        var phases = pods.Select(pod =>
        {
            var phaseId = $"{planId}/phase/{pod.Pod}";
            var statuses = pod.Stage is { } stage ? StepStatuses(stage, pod.TasksKilled) : [Status.Pending, Status.Pending, Status.Pending];
            var steps = Steps.Select((step, i) => new StepInfo(
                    ElementIds.For($"{phaseId}/step/{step}"),
                    step,
                    statuses[i],
                    statuses[i] == Status.Starting ? pod.Message : string.Empty))
                .ToImmutableArray();
            var (_, status) = ParentElement.Evaluate(StrategyKind.Serial, steps.Select(s => new StrategyChild(s.Name, s.Status, false)).ToList(), false, hasErrors: false);
            return new PhaseInfo(ElementIds.For(phaseId), pod.Pod, status, Strategy.DisplayName(StrategyKind.Serial), steps);
        }).ToImmutableArray();
        var (_, planStatus) = ParentElement.Evaluate(
            StrategyKind.Serial,
            phases.Select(p => new StrategyChild(p.Name, p.Status, false)).ToList(),
            interrupted,
            hasErrors: false);
        var next = phases.Select(p => p.Status).ToList().FindIndex(status => status != Status.Complete);
        var active = interrupted || next < 0 ? null : pods[next];
        var info = new PlanInfo(Name, planStatus, Strategy.DisplayName(StrategyKind.Serial), phases, ImmutableArray<string>.Empty, interrupted);
        return (info, active);
    }
}
