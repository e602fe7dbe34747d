using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Plans;
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
    public const string Name = PlanGenerator.DecommissionPlanName;

    /// <summary>Pods decommissioned at once unless the scheduler is told otherwise: one, as the DC/OS SDK.</summary>
    public const int DefaultParallelism = 1;

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
            .Where(p => IsLeftover(p, target))
            .OrderByDescending(p => typeOrder.IndexOf(p.PodType))
            .ThenByDescending(p => p.Index)
            .ToImmutableArray();
    }

    /// <summary>Whether <paramref name="target"/> no longer names the pod instance: its type was removed, or its index is at or above the count.</summary>
    public static bool IsLeftover(PodInstanceRef pod, ServiceSpec target) => target.FindPod(pod.PodType) is not { } spec || pod.Index >= spec.Count;

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
    /// The plan tree (one serial phase per pod in <paramref name="pods"/> order) and the pod instances whose next step
    /// should run now: the first <paramref name="parallelism"/> phases not complete, unless the plan is interrupted. One
    /// at a time (the default, as the DC/OS SDK and a StatefulSet's ordered scale-down) the plan is serial, and an
    /// interrupt leaves every pod after the one under way untouched; more make it parallel: each phase waits for offers
    /// of its pod's agent, so one at a time a scale-in of hundreds of pods takes minutes.
    /// </summary>
    /// <param name="service">For stable element ids (<c>&lt;service&gt;/plan/decommission/phase/…</c>).</param>
    /// <param name="parallelism">Pods decommissioned at once (≥ 1).</param>
    public static (PlanInfo Info, ImmutableArray<PodDecommissionView> Active) Evaluate(
        string service, IReadOnlyList<PodDecommissionView> pods, bool interrupted, int parallelism = DefaultParallelism)
    {
        var (info, active) = Evaluate(pods.Select(pod => Phase(service, pod)).ToList(), interrupted, parallelism);
        return (info, active.Select(i => pods[i]).ToImmutableArray());
    }

    /// <summary>
    /// The same from the pods' phases (<see cref="Phase"/>, which a caller keeps and remakes only for the pod that
    /// changed): the plan, and the indexes of the phases to run now.
    /// </summary>
    public static (PlanInfo Info, ImmutableArray<int> Active) Evaluate(IReadOnlyList<PhaseInfo> phases, bool interrupted, int parallelism = DefaultParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var kind = parallelism == 1 ? StrategyKind.Serial : StrategyKind.Parallel;
        var active = ImmutableArray.CreateBuilder<int>();
        for (var i = 0; i < phases.Count && active.Count < parallelism && !interrupted; i++)
        {
            if (phases[i].Status != Status.Complete)
            {
                active.Add(i);
            }
        }

        // The status from the phases that run, not from every phase the parallel strategy would start: 10 of 100 pods
        // being killed is STARTING, not PENDING because of the 90 waiting their turn.
        var planStatus = StatusAggregator.Aggregate(
            phases.Select(p => p.Status).ToList(),
            active.Select(i => phases[i].Status).ToList(),
            hasErrors: false,
            interrupted);
        var info = new PlanInfo(Name, planStatus, Strategy.DisplayName(kind), [.. phases], ImmutableArray<string>.Empty, interrupted);
        return (info, active.ToImmutable());
    }

    /// <summary>A pod's phase: its three steps (<see cref="Steps"/>) in order, serial.</summary>
    /// <param name="service">For stable element ids (<c>&lt;service&gt;/plan/decommission/phase/…</c>).</param>
    public static PhaseInfo Phase(string service, PodDecommissionView pod)
    {
        var phaseId = $"{service}/plan/{Name}/phase/{pod.Pod}";
        var statuses = pod.Stage is { } stage ? StepStatuses(stage, pod.TasksKilled) : [Status.Pending, Status.Pending, Status.Pending];
        var steps = Steps.Select((step, i) => new StepInfo(
                ElementIds.For($"{phaseId}/step/{step}"),
                step,
                statuses[i],
                statuses[i] == Status.Starting ? pod.Message : string.Empty))
            .ToImmutableArray();
        var (_, status) = ParentElement.Evaluate(StrategyKind.Serial, steps.Select(s => new StrategyChild(s.Name, s.Status, false)).ToList(), false, hasErrors: false);
        return new PhaseInfo(ElementIds.For(phaseId), pod.Pod, status, Strategy.DisplayName(StrategyKind.Serial), steps);
    }
}
