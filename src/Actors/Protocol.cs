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

/// <summary>Root → pods guardian: a new target config; pod instances it adds (scale-out, new pod types) are created.</summary>
internal sealed record TargetChanged(TargetConfig Target);

/// <summary>
/// Pods guardian → root: no pod of a type <paramref name="Target"/> lacks is left (the root acts on it only while that is
/// still its target).
/// </summary>
internal sealed record RemovedPodTypesGone(TargetConfig Target);

/// <summary>Envelope routed by the pods guardian to one pod instance (sender preserved).</summary>
internal sealed record ForPod(string PodInstance, object Message);

/// <summary>Step → pod: report progress of these tasks on the target, launching nothing.</summary>
/// <param name="RelaunchBefore">An operator restarted the step: tasks launched before this count as not launched.</param>
/// <param name="PlanPriority">The step's plan's place in the plans' order (see <see cref="RequireTasks"/>).</param>
internal sealed record GetTaskProgress(StepSpec Step, TargetConfig Target, DateTime? RelaunchBefore = null, int PlanPriority = 0)
{
    /// <summary>
    /// The step's identity (its plan, phase and name: <see cref="Plans.StepActor"/>'s entity). Step names repeat across
    /// plans (a custom plan's <c>hello-0:[server]</c> beside the deploy plan's), so the pod tells its steps apart by this.
    /// Defaults to the step's name for drivers that are not plan steps.
    /// </summary>
    public string StepId { get; init; } = Step.Name;
}

/// <summary>Step → pod: bring these tasks to their goal on the target (launch or relaunch as needed).</summary>
/// <param name="RelaunchBefore">An operator restarted the step: tasks launched before this are relaunched.</param>
/// <param name="Parameters">The plan's start parameters: extra environment of the launched tasks.</param>
/// <param name="PlanPriority">
/// The step's plan's place in the plans' order (deploy 0, recovery 1, then the custom plans, as <c>/v1/plans</c> lists
/// them): the pod's requirement claims offers before those of later plans (<see cref="Offers.PodRequirement.PlanPriority"/>).
/// </param>
internal sealed record RequireTasks(
    StepSpec Step,
    TargetConfig Target,
    DateTime? RelaunchBefore = null,
    ImmutableDictionary<string, string>? Parameters = null,
    int PlanPriority = 0)
{
    /// <summary>The step's identity (see <see cref="GetTaskProgress.StepId"/>).</summary>
    public string StepId { get; init; } = Step.Name;

    /// <summary>What the step asks, as the pod keeps it once the step only watches.</summary>
    public GetTaskProgress AsQuery() => new(Step, Target, RelaunchBefore, PlanPriority) { StepId = StepId };
}

/// <summary>Step → pod: the step no longer needs its tasks launched (force-completed); withdraw from the router.</summary>
/// <param name="StepId">The step's identity (<see cref="GetTaskProgress.StepId"/>): another plan's step of the same name is left alone.</param>
internal sealed record ReleaseTasks(string StepId);

/// <summary>
/// Step → pod: the step is no candidate any more (its plan or phase was interrupted or stopped): the pod launches nothing
/// more for it — a requirement waiting at the offer router is withdrawn, and a claim the router makes on it from now on
/// is refused — but the step still drives the pod and hears its progress, so a launch the pod already accepted goes on
/// and reports. The step's next <see cref="RequireTasks"/> (its plan or phase resumed) registers it again.
/// </summary>
/// <param name="StepId">The step's identity (<see cref="GetTaskProgress.StepId"/>): another step driving the pod is left alone.</param>
/// <param name="PlanInterrupted">
/// The step's plan is interrupted, not only its phase. DC/OS counts no step of an interrupted plan as working on its pod
/// (dirty assets come from uninterrupted plans only): a step of another plan that the held one displaced drives the pod
/// again meanwhile. A step of a phase interrupted in an uninterrupted plan keeps the pod while it is under way.
/// </param>
internal sealed record HoldTasks(string StepId, bool PlanInterrupted = false);

/// <summary>
/// Root → every pod (through the pods guardian), once the plans of the old target have stopped and before those of the
/// new one start (an update, or a refused one whose errors the deploy plan shows): the steps that drove or watched the
/// pod are gone.
/// </summary>
internal sealed record PlansReplaced
{
    public static PlansReplaced Instance { get; } = new();
}

/// <summary>Anyone → pods guardian: deliver to every pod instance (sender preserved).</summary>
internal sealed record ForAllPods(object Message);

/// <summary>Recovery plan → every pod: report your recovery phase to <paramref name="Plan"/> from now on.</summary>
/// <param name="Interrupted">The recovery plan is interrupted: no pod starts a recovery launch.</param>
internal sealed record WatchRecovery(IActorRef Plan, bool Interrupted);

/// <summary>Pod → recovery plan: the pod's recovery phase as shown (null: it never needed recovery).</summary>
internal sealed record RecoveryPhaseReport(string PodInstance, PhaseInfo? Phase);

/// <summary>Recovery plan → pod: an operator command on its recovery phase; answers <see cref="OperationApplied"/>.</summary>
internal sealed record RecoveryCommand(PlanCommandKind Kind);

/// <summary>Step → pod: an operator restarted the step; clear these tasks' backoff.</summary>
internal sealed record ClearBackoff(ImmutableArray<string> Tasks);

/// <summary>Pod → step: where its tasks stand.</summary>
/// <param name="Prepared">Offers were evaluated for the launch: one was claimed, or none fitted (<see cref="OffersDoNotFit"/>).</param>
internal sealed record TaskProgressReport(string PodInstance, ImmutableArray<TaskProgress> Tasks, bool Prepared, string Message);

/// <summary>Gateway → pod (through the guardian): a status update to record before it is acknowledged.</summary>
internal sealed record TaskStatusUpdate(TaskStatus Status);

/// <summary>Pod → gateway: the update is durable; acknowledge it if it carries a uuid.</summary>
internal sealed record StatusRecorded(TaskStatus Status);

/// <summary>Pod or guardian → gateway: no such task of ours; kill it (and acknowledge).</summary>
internal sealed record UnknownTaskStatus(TaskStatus Status);

/// <summary>
/// Gateway → router: a task nobody owns ended (a stray killed, one a force-completed decommission gave up): whatever
/// reservations it held on <paramref name="AgentId"/> are free now, and nobody's.
/// </summary>
internal sealed record UnownedTaskEnded(string TaskId, string AgentId);

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

/// <summary>Guardian → pod: answer a <see cref="Messages.Pods.PodInstanceInfo"/>.</summary>
internal sealed record GetPodInstanceInfo
{
    public static GetPodInstanceInfo Instance { get; } = new();
}

/// <summary>
/// Decommission plan → pod (through the guardian): take this step of decommission (a <see cref="Plans.DecommissionPlan"/>
/// step name), or none to only report. The pod answers <see cref="DecommissionProgress"/> now and on every change.
/// </summary>
internal sealed record AdvanceDecommission(string? Step);

/// <summary>
/// Decommission plan → pod (through the guardian): an operator force-completed the pod's decommission phase (or a step
/// of it) — its agent is partitioned and will not come back soon, say. The pod goes on without waiting for the agent:
/// its tasks' kills are sent but not waited for, its reservations are given up to the router as abandoned (collected
/// should their agent offer them again), and its state is erased as usual. The pod answers <paramref name="ReplyTo"/>
/// (a <see cref="Messages.Plans.PlanProtocol.CommandResult"/> with <paramref name="Message"/>) once that is journaled.
/// </summary>
internal sealed record ForceDecommission(IActorRef ReplyTo, string Message);

/// <summary>Pod → decommission plan: how far decommission has taken it.</summary>
internal sealed record DecommissionProgress(string PodInstance, Pods.DecommissionStage Stage, bool TasksKilled, string Message);

/// <summary>Decommission plan → guardian: the pod's state is erased; forget the instance (journaled) and stop it.</summary>
internal sealed record ForgetPod(string PodInstance);

/// <summary>Decommission plan → guardian: the pod instances no target names any more, in decommission order.</summary>
internal sealed record GetLeftoverPods(TargetConfig Target);

/// <summary>Guardian → decommission plan.</summary>
internal sealed record LeftoverPods(ImmutableArray<Plans.PodInstanceRef> Pods);

/// <summary>
/// Decommission plan → coordinator: it knows the pods it is to decommission (<paramref name="HasPods"/> false: none, so
/// it reports no plan).
/// </summary>
internal sealed record DecommissionPodsKnown(bool HasPods);

// --- offers ---

/// <summary>
/// Pods guardian → router: the service has <paramref name="Count"/> pod instances (sent before it creates them), so the
/// router sizes what it keeps by pod instance once instead of growing it one pod's word at a time.
/// </summary>
internal sealed record PodInstancesExpected(int Count);

/// <summary>Pod → router: evaluate offers for this requirement.</summary>
/// <param name="ClaimsSeen">The last <see cref="LaunchClaim.Seq"/> the pod had answered when it registered (see <see cref="FootprintOwned"/>).</param>
/// <param name="Registration">
/// The pod's number for this registration, unique in the process: what the router tells it of the registration
/// (<see cref="OffersDoNotFit"/>) carries it, so the pod knows a word about an earlier one.
/// </param>
internal sealed record RegisterRequirement(PodRequirement Requirement, long ClaimsSeen = 0, long Registration = 0);

/// <summary>Pod → router: the reserved resource ids it owns (garbage collection spares them).</summary>
/// <param name="Agent">Where the footprint is, for placement rules; null when the pod holds nothing.</param>
/// <param name="ClaimsSeen">
/// The last <see cref="LaunchClaim.Seq"/> the pod had answered when it told: a claim the router made after it, still
/// unanswered, was made on what the router believed then, so this word is what the pod owns before that claim.
/// </param>
internal sealed record FootprintOwned(string PodInstance, ImmutableArray<string> ResourceIds, Specs.Placement.PlacementAgent? Agent = null, long ClaimsSeen = 0);

/// <summary>
/// Pod → router: it gave up these reservations (decommission); answer <see cref="ResourcesCollected"/> once they are
/// unreserved, or once an offer from <paramref name="AgentId"/> no longer carries them.
/// </summary>
/// <param name="Made">
/// The footprint's tasks ran (their agent confirmed it): the reservations exist, and an offer made while a task still used
/// them leaves them out, so only an offer that showed them free, then one without them, settles them. False: they may
/// never have been made, so the agent's next offer without them settles them.
/// </param>
/// <param name="Role">
/// The role they are reserved for, as the pod's recorded launches show it (null: none does). One other than the service
/// role (a pre-reserved role's refined role) is kept by the framework while they may be on the agent
/// (<see cref="Mesos.RoleHolds"/>): they would never be offered, so never collected, once it dropped the role.
/// </param>
internal sealed record AwaitCollection(string PodInstance, ImmutableArray<string> ResourceIds, string AgentId, bool Made = true, string? Role = null);

/// <summary>
/// Pod → router: it gave up a footprint that may still be reserved on <paramref name="AgentId"/>: a launch it recorded
/// never happened (the master answered TASK_LOST/DROPPED for it; the master may still have made the reservations), or it
/// was replaced (a permanent failure or an operator's replace; the agent may come back with them). Offers from the agent
/// must come until one shows them gone or collected, even when there is no other work (within the router's patience).
/// </summary>
/// <param name="Made">
/// The reservations were made (the footprint's tasks ran; one being killed may still use them, and offers leave out what
/// is in use): only an offer that showed them free, then one without them, settles them. False for a launch the master
/// never saw: they may never have been made, so the agent's next offer without them settles them.
/// </param>
/// <param name="Role">The role they are reserved for (see <see cref="AwaitCollection.Role"/>).</param>
internal sealed record FootprintAbandoned(string PodInstance, ImmutableArray<string> ResourceIds, string AgentId, bool Made = true, string? Role = null);

/// <summary>
/// Router → pod: the footprint it gave up on this agent (<see cref="FootprintAbandoned"/>) is settled: collected, shown
/// gone by an offer from the agent, or no longer waited for (the router's patience ran out).
/// </summary>
/// <param name="ResourceIds">The ids this pod gave up there that are settled (not any it gave up there since).</param>
internal sealed record FootprintSettled(string AgentId, ImmutableArray<string> ResourceIds);

/// <summary>Router → pod: the reservations it gave up are gone.</summary>
/// <param name="WaitedInVain">Not seen unreserved: their agent did not offer them within the router's patience.</param>
internal sealed record ResourcesCollected(string PodInstance, bool WaitedInVain = false);

/// <summary>
/// Pod → router: the agent of the reservations the decommissioned pod released (<see cref="AwaitCollection"/>) was marked
/// gone, so they are not waited for any more.
/// </summary>
internal sealed record ReleaseAgentGone(string PodInstance);

/// <summary>Router → pod: this offer passed; record the launch (the journal tells the router once it is durable) or refuse.</summary>
/// <param name="Requirement">What it was evaluated for (null from tests that build claims by hand: taken as current).</param>
/// <param name="Seq">The router's number for the claim, rising: the pod echoes the last it answered in what it tells the router.</param>
internal sealed record LaunchClaim(Offer Offer, OfferEvaluation Evaluation, PodRequirement? Requirement = null, long Seq = 0);

/// <summary>
/// Router → pod: a cycle evaluated offers for the pod's requirement and none fitted it, mostly for <paramref name="Why"/>
/// (told again only when that changes): its step shows PREPARED, as DC/OS's does after an evaluation that recommends
/// nothing, with the reason.
/// </summary>
/// <param name="Registration">
/// The <see cref="RegisterRequirement.Registration"/> the reason was counted for: a pod that registered again since (a
/// config update, a relaunch) drops it, as its new registration's offers are counted from zero.
/// </param>
internal sealed record OffersDoNotFit(string Why, long Registration = 0);

/// <summary>
/// The task infos <paramref name="Pod"/> recorded for a claim are durable; send the ACCEPT. The entity journal sends it
/// to the router (in a <see cref="Persistence.EntityJournalProtocol.Durable"/>) as the pod's write commits.
/// </summary>
internal sealed record LaunchRecorded(string OfferId, IActorRef Pod);

/// <summary>Pod → router: the claim was refused; decline the offer.</summary>
internal sealed record LaunchNotRecorded(string OfferId, string Reason);

internal sealed record OffersReceived(ImmutableArray<Offer> Offers);

internal sealed record OfferRescinded(string OfferId);

/// <summary>Gateway → router: every known task has reported since (re)subscription; offers may be used.</summary>
/// <param name="LocalRegion">The master's region, when it has a fault domain (region awareness: <see cref="Offers.RegionAwareness"/>).</param>
internal sealed record ReconciliationComplete(string FrameworkId, string? LocalRegion = null);

/// <summary>
/// Anyone → router (through the root): are offers used yet, i.e. did explicit reconciliation finish on the current
/// subscription? Answered with a <see cref="bool"/>. The simulation kit waits on it before sending offers.
/// </summary>
internal sealed record IsReconciled
{
    public static IsReconciled Instance { get; } = new();
}

/// <summary>Anyone → router: are offers suppressed now (SUPPRESS sent, no REVIVE since)? Answered with a <see cref="bool"/>.</summary>
internal sealed record IsSuppressed
{
    public static IsSuppressed Instance { get; } = new();
}

/// <summary>Anyone → router: the offers in its hand now, unanswered → <see cref="OffersInHand"/>.</summary>
internal sealed record GetOffersInHand
{
    public static GetOffersInHand Instance { get; } = new();
}

/// <summary>
/// The offers the router holds unanswered: <paramref name="Kept"/> for a next cycle (a capped cycle's, or the first
/// cycle's while the task states are reconciled) and <paramref name="Claimed"/> by pods whose launches are being recorded.
/// </summary>
internal sealed record OffersInHand(int Kept, int Claimed);

/// <summary>
/// Anyone → router (through the root): which pod instances wait for offers now? Answered with an
/// <c>ImmutableArray&lt;string&gt;</c> of pod instance names. The simulation kit waits on it before scripted offers.
/// </summary>
internal sealed record GetPendingRequirements
{
    public static GetPendingRequirements Instance { get; } = new();
}

/// <summary>Gateway → router: the subscription is gone; outstanding offers are void.</summary>
internal sealed record SubscriptionLost
{
    public static SubscriptionLost Instance { get; } = new();
}

/// <summary>Anyone → root: what the actor system runs (<c>/v1/debug/threads</c>) → <see cref="SchedulerRuntime"/>.</summary>
internal sealed record GetSchedulerRuntime
{
    public static GetSchedulerRuntime Instance { get; } = new();
}

/// <summary>A dispatcher from the actor system's configuration.</summary>
internal sealed record DispatcherInfo(string Name, string Executor, int Throughput);

/// <param name="RootChildren">The root's child actors (config store, framework, gateway, router, pods, plans, …).</param>
/// <param name="PodInstances">Pod instance actors: one per pod instance.</param>
internal sealed record SchedulerRuntime(string System, TimeSpan Uptime, ImmutableArray<DispatcherInfo> Dispatchers, ImmutableArray<string> RootChildren, int PodInstances);

/// <summary>Anyone → root: the scheduler's metrics → <see cref="MetricsSnapshot"/>.</summary>
public sealed record GetMetrics
{
    /// <summary>The one instance.</summary>
    public static GetMetrics Instance { get; } = new();
}

// --- mesos gateway commands ---

internal sealed record AcceptOffers(ImmutableArray<string> OfferIds, ImmutableArray<Offer.Types.Operation> Operations, double RefuseSeconds);

internal sealed record DeclineOffers(ImmutableArray<string> OfferIds, double RefuseSeconds);

internal sealed record KillTask(string TaskId, string? AgentId);

/// <summary>
/// Pod → router: is the ACCEPT of this offer still waiting for the claims on it (not sent yet)? Asked before a kill that
/// waited for a launch's first update goes out anyway: while the ACCEPT has not gone, a KILL would reach the master first.
/// </summary>
internal sealed record IsAcceptPending(string OfferId);

/// <summary>Router → pod: the answer to <see cref="IsAcceptPending"/>.</summary>
internal sealed record AcceptPending(string OfferId, bool Pending);

/// <summary>
/// Pod → gateway: ask the master once, explicitly, where these tasks stand (answers come as master updates). Sent by a
/// decommissioned pod about its ended tasks on the agent it released reservations on, to learn whether the operator
/// marked that agent gone (TASK_GONE_BY_OPERATOR). Dropped while not subscribed: the pod asks again.
/// </summary>
internal sealed record ProbeTasks(ImmutableArray<TaskToReconcile> Tasks);

internal sealed record ReviveOffers
{
    public static ReviveOffers Instance { get; } = new();
}

internal sealed record SuppressOffers
{
    public static SuppressOffers Instance { get; } = new();
}

/// <summary>
/// Gateway → router: a REVIVE the router asked for did not reach the master — dropped while not subscribed, or the call
/// failed (an HTTP error or timeout while the stream stays up). The master's filters and suppression may stand.
/// </summary>
internal sealed record ReviveNotDelivered
{
    public static ReviveNotDelivered Instance { get; } = new();
}

/// <summary>
/// Gateway → router: a SUPPRESS the router asked for did not reach the master (dropped while not subscribed, or the call
/// failed), or may not have: the master may still offer.
/// </summary>
internal sealed record SuppressNotDelivered
{
    public static SuppressNotDelivered Instance { get; } = new();
}

// --- plans ---

/// <summary>Parent → child: you are a candidate of your parent's strategy; make progress.</summary>
internal sealed record Proceed
{
    public static Proceed Instance { get; } = new();
}

/// <summary>
/// Parent → child: you are no longer a candidate of your parent's strategy (the parent was interrupted, stopped or
/// restarted, or the strategy moved on); start nothing new until the next <see cref="Proceed"/>. What already runs
/// finishes.
/// </summary>
/// <param name="PlanInterrupted">
/// The plan itself is interrupted (or stopped), not only a phase: its steps keep no pod from another plan's steps
/// (DC/OS gathers dirty assets from uninterrupted plans only; see <see cref="HoldTasks"/>).
/// </param>
internal sealed record Hold(bool PlanInterrupted)
{
    public static Hold Instance { get; } = new(false);

    public static Hold OfInterruptedPlan { get; } = new(true);
}

internal sealed record StepReport(int Index, StepInfo Info, bool Interrupted);

internal sealed record PhaseReport(int Index, PhaseInfo Info, bool Interrupted);

internal sealed record PlanReport(PlanInfo Info);

/// <summary>Plan coordinator → root, once: the deploy plan reported (its steps and their pods have recovered).</summary>
internal sealed record PlansReported
{
    public static PlansReported Instance { get; } = new();
}

/// <summary>Coordinator → plan: apply an operator command the coordinator accepted; answers a <see cref="PlanProtocol.CommandResult"/>.</summary>
/// <param name="Phases">Phases acted on (empty: the whole plan).</param>
/// <param name="Step">The step within the phase, if the command names one.</param>
internal sealed record PlanOperation(
    PlanCommandKind Kind,
    ImmutableArray<int> Phases,
    int? Step,
    ImmutableDictionary<string, string>? Parameters,
    string Message);

/// <summary>Plan → phase: apply an operator command to the phase, or to one of its steps; answers <see cref="OperationApplied"/>.</summary>
/// <param name="PlanWide">The command names the whole plan, not this phase: a plan restart leaves a paused phase paused.</param>
internal sealed record PhaseOperation(PlanCommandKind Kind, int? Step, bool PlanWide = false);

/// <summary>Phase → step: force-complete or restart; answers <see cref="OperationApplied"/>.</summary>
internal sealed record StepOperation(PlanCommandKind Kind);

/// <summary>The operation is durable.</summary>
internal sealed record OperationApplied
{
    public static OperationApplied Instance { get; } = new();
}

/// <summary>Plan → phases → steps: the plan's start parameters (environment of the tasks it launches).</summary>
internal sealed record PlanParameters(ImmutableDictionary<string, string> Values);

/// <summary>Pod → router: forget this pod's requirement (its step no longer needs a launch).</summary>
internal sealed record WithdrawRequirement(string PodInstance);

/// <summary>Stable ids for plan elements: derived from their persistence id, so they survive restarts.</summary>
internal static class ElementIds
{
    public static string For(string persistenceId)
    {
        var hash = System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(persistenceId));
        return new Guid(hash).ToString();
    }
}
