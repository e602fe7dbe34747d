using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;
using Akka.Actor;

namespace ActorScheduler.Actors;

/// <summary>The deploy target: a stored config id and its spec.</summary>
public sealed record TargetConfig(string ConfigId, ServiceSpec Spec);

// --- pods ---

/// <summary>Envelope routed by the pods guardian to one pod instance (sender preserved).</summary>
internal sealed record ForPod(string PodInstance, object Message);

/// <summary>Step → pod: report progress of these tasks on the target, launching nothing.</summary>
internal sealed record GetTaskProgress(StepSpec Step, TargetConfig Target);

/// <summary>Step → pod: bring these tasks to their goal on the target (launch or relaunch as needed).</summary>
internal sealed record RequireTasks(StepSpec Step, TargetConfig Target);

/// <summary>Pod → step: where its tasks stand.</summary>
internal sealed record TaskProgressReport(string PodInstance, ImmutableArray<TaskProgress> Tasks, bool OfferClaimed, string Message);

/// <summary>Gateway → pod (through the guardian): a status update to record before it is acknowledged.</summary>
internal sealed record TaskStatusUpdate(TaskStatus Status);

/// <summary>Pod → gateway: the update is durable; acknowledge it if it carries a uuid.</summary>
internal sealed record StatusRecorded(TaskStatus Status);

/// <summary>Pod or guardian → gateway: no such task of ours; kill it (and acknowledge).</summary>
internal sealed record UnknownTaskStatus(TaskStatus Status);

internal sealed record GetTasksToReconcile
{
    public static GetTasksToReconcile Instance { get; } = new();
}

internal sealed record TaskToReconcile(string TaskId, string AgentId);

internal sealed record TasksToReconcile(ImmutableArray<TaskToReconcile> Tasks);

internal sealed record GetPodInstanceStatus
{
    public static GetPodInstanceStatus Instance { get; } = new();
}

// --- offers ---

/// <summary>Pod → router: evaluate offers for this requirement.</summary>
internal sealed record RegisterRequirement(PodRequirement Requirement);

/// <summary>Pod → router: the reserved resource ids it owns (garbage collection spares them).</summary>
/// <param name="Agent">Where the footprint is, for placement rules; null when the pod holds nothing.</param>
internal sealed record FootprintOwned(string PodInstance, ImmutableArray<string> ResourceIds, Specs.Placement.PlacementAgent? Agent = null);

/// <summary>Router → pod: this offer passed; record the launch, then answer.</summary>
internal sealed record LaunchClaim(Offer Offer, OfferEvaluation Evaluation);

/// <summary>Pod → router: the task infos are durable; send the ACCEPT.</summary>
internal sealed record LaunchRecorded(string OfferId);

/// <summary>Pod → router: the claim was refused; decline the offer.</summary>
internal sealed record LaunchNotRecorded(string OfferId, string Reason);

internal sealed record OffersReceived(ImmutableArray<Offer> Offers);

internal sealed record OfferRescinded(string OfferId);

/// <summary>Gateway → router: every known task has reported since (re)subscription; offers may be used.</summary>
internal sealed record ReconciliationComplete(string FrameworkId);

/// <summary>Gateway → router: the subscription is gone; outstanding offers are void.</summary>
internal sealed record SubscriptionLost
{
    public static SubscriptionLost Instance { get; } = new();
}

// --- mesos gateway commands ---

internal sealed record AcceptOffers(ImmutableArray<string> OfferIds, ImmutableArray<Offer.Types.Operation> Operations, double RefuseSeconds);

internal sealed record DeclineOffers(ImmutableArray<string> OfferIds, double RefuseSeconds);

internal sealed record KillTask(string TaskId, string? AgentId);

internal sealed record ReviveOffers
{
    public static ReviveOffers Instance { get; } = new();
}

internal sealed record SuppressOffers
{
    public static SuppressOffers Instance { get; } = new();
}

// --- plans ---

/// <summary>Parent → child: you are a candidate of your parent's strategy; make progress.</summary>
internal sealed record Proceed
{
    public static Proceed Instance { get; } = new();
}

internal sealed record StepReport(int Index, StepInfo Info, bool Interrupted);

internal sealed record PhaseReport(int Index, PhaseInfo Info, bool Interrupted);

internal sealed record PlanReport(PlanInfo Info);

/// <summary>Stable ids for plan elements: derived from their persistence id, so they survive restarts.</summary>
internal static class ElementIds
{
    public static string For(string persistenceId)
    {
        var hash = System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(persistenceId));
        return new Guid(hash).ToString();
    }
}
