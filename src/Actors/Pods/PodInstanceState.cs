using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Actors.Plans;
using ActorScheduler.Messages.Events;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Pods;

/// <summary>What a pod instance knows of one of its tasks.</summary>
/// <param name="SpecFingerprint">Fingerprint of the pod spec the task was launched with.</param>
/// <param name="Status">Last status recorded for <see cref="Info"/>'s task id, if any.</param>
/// <param name="EverFinished">Some launch of this task finished with exit 0 (ONCE tasks never rerun).</param>
/// <param name="Executor">The executor the task was launched into.</param>
/// <param name="LaunchedAt">When the launch was recorded.</param>
/// <param name="Healthy">The latest health Mesos reported for this launch (null: none yet, or no health check).</param>
/// <param name="Check">The latest check status reported for this launch (a status without one keeps it).</param>
/// <param name="Paused">This launch runs a sleep in place of the task's command (<c>pod pause</c>).</param>
/// <param name="Uuids">The agent's update UUIDs recorded for this launch (the latest few).</param>
public sealed record TaskRecord(
    TaskInfo Info,
    string ConfigId,
    string SpecFingerprint,
    TaskStatus? Status,
    bool EverFinished,
    ExecutorInfo? Executor = null,
    DateTime LaunchedAt = default,
    bool? Healthy = null,
    CheckStatusInfo? Check = null,
    bool Paused = false,
    RecordedUuids Uuids = default)
{
    public string TaskId => Info.TaskId.Value;

    /// <summary>This launch has ended for good (see <see cref="PodInstanceState.HasEnded"/>).</summary>
    public bool IsTerminal => Status is { } s && PodInstanceState.HasEnded(s.State);

    /// <summary>
    /// DC/OS <c>isReadinessCheckSucceeded</c>: a task without a readiness check is ready; one with a check only once a
    /// status reported the check's exit code 0 (no result yet is not ready).
    /// </summary>
    public bool ReadinessPassed => Info.Check is null || Check?.Command is { HasExitCode: true, ExitCode: 0 };
}

/// <summary>
/// The update UUIDs recorded for one launch, newest last, at most <see cref="Kept"/>: an update whose UUID is among them
/// was recorded and acknowledged already, whatever came after it (the master's TASK_UNREACHABLE, say), so a
/// redelivered copy must not undo what came after. Compared by content.
/// </summary>
public readonly record struct RecordedUuids(ImmutableArray<Google.Protobuf.ByteString> Items)
{
    /// <summary>UUIDs kept per launch: a launch reports a handful of states, and health changes beyond them.</summary>
    public const int Kept = 16;

    public bool Contains(Google.Protobuf.ByteString uuid) => !Items.IsDefault && Items.Contains(uuid);

    public RecordedUuids With(Google.Protobuf.ByteString uuid)
    {
        var items = Items.IsDefault ? ImmutableArray<Google.Protobuf.ByteString>.Empty : Items;
        if (items.Contains(uuid))
        {
            return this;
        }

        return new RecordedUuids((items.Length >= Kept ? items.RemoveAt(0) : items).Add(uuid));
    }

    public bool Equals(RecordedUuids other) =>
        Items.IsDefaultOrEmpty ? other.Items.IsDefaultOrEmpty : !other.Items.IsDefault && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.IsDefaultOrEmpty ? 0 : Items.Length;
}

/// <summary>How far decommission (DC/OS goal-state override DECOMMISSIONED) has taken a pod instance.</summary>
public enum DecommissionStage
{
    /// <summary>Not decommissioned (or cancelled by a raised count).</summary>
    None,

    /// <summary>Its tasks are being killed; nothing relaunches them.</summary>
    Killing,

    /// <summary>Its reservations were given up; the router collects them.</summary>
    Releasing,

    /// <summary>Its reservations were unreserved.</summary>
    Collected,

    /// <summary>Its state was erased.</summary>
    Erased,
}

/// <summary>What a status update means to the pod instance that receives it.</summary>
public enum StatusUpdateKind
{
    /// <summary>News about the current launch of one of the pod's tasks: record it and act on it.</summary>
    New,

    /// <summary>The update already recorded (same uuid), sent again: acknowledge it, nothing else.</summary>
    Duplicate,

    /// <summary>
    /// Older than what is recorded: an agent update from earlier in the task's life (a late duplicate), or any update
    /// after the task ended. Acknowledge it, nothing else.
    /// </summary>
    Stale,

    /// <summary>A master update (reconciliation) saying what is already recorded: nothing to record.</summary>
    Unchanged,

    /// <summary>Not a current launch of this pod's tasks.</summary>
    UnknownTask,

    /// <summary>
    /// A task whose record says it ended reported alive (STAGING, STARTING, RUNNING): a launch abandoned as never made
    /// whose ACCEPT then reached the master, or an agent back with a task the master had reported lost. Nothing of the
    /// pod uses it any more: it is killed, as an unknown task is.
    /// </summary>
    AliveAfterEnd,
}

/// <summary>
/// A plan step's launch (by step identity and config) that starts a new executor, and the pod's other tasks launched
/// with it (<see cref="ExecutorRelaunchPlanned"/>).
/// </summary>
public sealed record ExecutorRelaunchPlan(string StepId, string ConfigId, ImmutableArray<string> Tasks);

/// <summary>
/// The persistent state of one pod instance, rebuilt from its events. Pure: <see cref="Apply"/> is the only way
/// it changes.
/// </summary>
public sealed record PodInstanceState(
    ImmutableDictionary<string, TaskRecord> Tasks,
    Footprint? Footprint,
    bool FootprintUnconfirmed,
    string? LastOfferId)
{
    public static PodInstanceState Empty { get; } = new(ImmutableDictionary<string, TaskRecord>.Empty, null, false, null);

    /// <summary>How far decommission (scale-in) has taken this pod instance.</summary>
    public DecommissionStage Decommission { get; init; }

    /// <summary>The reservations decommission gave up, until they are collected; and the agent they are on.</summary>
    public ImmutableArray<string> ReleasedResourceIds { get; init; } = [];

    public string? ReleasedAgentId { get; init; }

    /// <summary>The released footprint was never confirmed by its agent: its reservations may never have been made.</summary>
    public bool ReleasedNeverConfirmed { get; init; }

    /// <summary>
    /// An operator force-completed the pod's decommission: its reservations were given up while its tasks may still run.
    /// Those are killed until seen ended — also should the pod be wanted again — and the flag holds until its next launch.
    /// </summary>
    public bool DecommissionForced { get; init; }

    /// <summary>
    /// The tasks (by id) live when the decommission was force-completed. They run on reservations given up, maybe
    /// collected already: should the pod be wanted again, they are no progress towards its step (each is killed, and
    /// relaunched on new reservations once it ended), even when their agent comes back and reports them running.
    /// </summary>
    public ImmutableHashSet<string> ForcedTaskIds { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>A launch of the pod that has not been seen ended (running, starting, unreachable, or unheard of).</summary>
    public bool HasLiveTasks
    {
        get
        {
            // A loop over the entries, not LINQ over Values: every evaluation of the pod asks.
            foreach (var (_, task) in Tasks)
            {
                if (!task.IsTerminal)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A task of <see cref="ForcedTaskIds"/> has not been seen ended: it is to be killed.</summary>
    public bool HasForcedLiveTasks => !ForcedTaskIds.IsEmpty && Tasks.Values.Any(t => !t.IsTerminal && ForcedTaskIds.Contains(t.TaskId));

    /// <summary>Tasks (names within the pod) an operator paused: they run a sleep until resumed.</summary>
    public ImmutableHashSet<string> Paused { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Decommission started, and every launch of the pod has ended: its reservations can be released.</summary>
    public bool TasksKilled => Decommission != DecommissionStage.None && Tasks.Values.All(t => t.IsTerminal);

    /// <summary>
    /// When each RUNNING-goal task's current launch was first seen failed (the scheduler's clock), until it runs or is
    /// relaunched.
    /// </summary>
    public ImmutableDictionary<string, DateTime> FailedSince { get; init; } = ImmutableDictionary<string, DateTime>.Empty;

    /// <summary>Launch delays of failed tasks (backoff, opt-in), by task name.</summary>
    public ImmutableDictionary<string, BackoffEntry> Backoff { get; init; } = ImmutableDictionary<string, BackoffEntry>.Empty;

    /// <summary>The pod's latest recovery (its phase of the <c>recovery</c> plan), kept after it completes until the next one.</summary>
    public RecoveryPhase? Recovery { get; init; }

    /// <summary>
    /// Resource ids of footprints the pod gave up (a permanent replace, an abandoned launch) that may still be reserved,
    /// by agent, until the router settles them (collected, shown gone, or no longer waited for): a restarted scheduler
    /// still has them collected when their agent comes back.
    /// </summary>
    public ImmutableDictionary<string, ImmutableArray<string>> GivenUp { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;

    /// <summary>
    /// A plan step's launch that must start a new executor, and the pod's other tasks (killed with the step's own) to
    /// launch with it on its config, until that launch is recorded or the step no longer requires it.
    /// </summary>
    public ExecutorRelaunchPlan? ExecutorRelaunch { get; init; }

    /// <summary>
    /// A launch ends what a force-completed decommission left to kill only once no task from before it is still live (a
    /// pod's other tasks may not be part of the launch, and those launched since the force are not from before it).
    /// </summary>
    private PodInstanceState Launched(TaskLaunchRecorded launch) =>
        DecommissionForced && !Tasks.Any(t => !t.Value.IsTerminal && ForcedTaskIds.Contains(t.Value.TaskId) && !launch.Tasks.Any(l => l.TaskName == t.Key))
            ? this with { DecommissionForced = false, ForcedTaskIds = ForcedTaskIds.Clear() }
            : this;

    public PodInstanceState Apply(object @event) => @event switch
    {
        TaskLaunchRecorded e => Launched(e) with
        {
            Tasks = e.Tasks.Aggregate(Tasks, (tasks, t) => tasks.SetItem(t.TaskName, new TaskRecord(
                t.TaskInfo,
                t.ConfigId,
                t.SpecFingerprint,
                null,
                tasks.TryGetValue(t.TaskName, out var old) && old.EverFinished,
                e.Executor,
                e.At?.ToDateTime() ?? default,
                Paused: t.Paused))),
            Footprint = new Footprint(e.AgentId, e.Hostname, LaunchFootprint.Read(e), PlacementAgents.Of(e.Hostname, e.AgentAttributes, e.AgentDomain)),
            FootprintUnconfirmed = e.FootprintUnconfirmed,
            LastOfferId = e.OfferId,
            // Each launch has its own permanent-failure clock (DC/OS TimedFailureMonitor keys it by task id): a relaunch
            // stops the clock of the launch it replaces, and starts one only if it fails in turn.
            FailedSince = FailedSince.RemoveRange(e.Tasks.Select(t => t.TaskName)),
            ExecutorRelaunch = null,
        },
        ExecutorRelaunchPlanned e => this with { ExecutorRelaunch = new ExecutorRelaunchPlan(e.StepId, e.ConfigId, [.. e.Tasks]) },
        ExecutorRelaunchDropped => this with { ExecutorRelaunch = null },
        TaskStatusRecorded e => ApplyStatus(e.Status),
        TaskFailureSeen e => FailedSince.ContainsKey(e.TaskName) ? this : this with { FailedSince = FailedSince.SetItem(e.TaskName, e.At.ToDateTime()) },
        BackoffDelayed e => this with { Backoff = Backoff.SetItem(e.TaskName, new BackoffEntry(e.Until.ToDateTime(), TimeSpan.FromSeconds(e.DelaySeconds))) },
        BackoffCleared e => this with { Backoff = e.TaskNames.Count == 0 ? Backoff.Clear() : Backoff.RemoveRange(e.TaskNames) },
        RecoveryStarted e => (e.Permanent ? GiveUpFootprint() with { FailedSince = FailedSince.RemoveRange(e.Tasks) } : this) with
        {
            Recovery = new RecoveryPhase(e.Phase, e.Tasks.ToImmutableArray(), e.Permanent ? RecoveryType.Permanent : RecoveryType.Transient, e.At.ToDateTime(), e.Reason),
        },
        RecoveryPhaseChanged e when Recovery is { } phase => this with { Recovery = phase.Apply(e.Change, e.At.ToDateTime()) },
        FootprintConfirmed => this with { FootprintUnconfirmed = false },
        PodReplaced => GiveUpFootprint(),
        GivenUpFootprintSettled e => this with { GivenUp = Settle(GivenUp, e.AgentId, e.ResourceIds) },
        PodDecommissionStarted => Decommission == DecommissionStage.None
            ? this with
            {
                Decommission = DecommissionStage.Killing,
                DecommissionForced = HasForcedLiveTasks,
                ForcedTaskIds = HasForcedLiveTasks ? ForcedTaskIds : ForcedTaskIds.Clear(),
            }
            : this,
        PodDecommissionCancelled => this with { Decommission = DecommissionStage.None, ReleasedResourceIds = [], ReleasedAgentId = null },
        PodFootprintReleased e => this with
        {
            Decommission = DecommissionStage.Releasing,
            Footprint = null,
            FootprintUnconfirmed = false,
            ReleasedResourceIds = e.ResourceIds.ToImmutableArray(),
            ReleasedAgentId = e.AgentId,
            ReleasedNeverConfirmed = e.NeverConfirmed,
        },
        PodResourcesCollected e => this with
        {
            Decommission = DecommissionStage.Collected,
            ReleasedResourceIds = [],
            DecommissionForced = DecommissionForced || e.Forced,
            ForcedTaskIds = e.Forced ? ForcedTaskIds.Union(Tasks.Values.Where(t => !t.IsTerminal).Select(t => t.TaskId)) : ForcedTaskIds,
        },
        PodStateErased => Empty with { Decommission = DecommissionStage.Erased },
        TasksPaused e => this with { Paused = Paused.Union(e.Tasks) },
        TasksResumed e => this with { Paused = Paused.Except(e.Tasks) },
        LaunchAbandoned => FootprintUnconfirmed ? GiveUpFootprint() : this,
        _ => this,
    };

    private static ImmutableDictionary<string, ImmutableArray<string>> Settle(
        ImmutableDictionary<string, ImmutableArray<string>> givenUp, string agentId, IReadOnlyCollection<string> settled)
    {
        if (!givenUp.TryGetValue(agentId, out var ids))
        {
            return givenUp;
        }

        var left = ids.RemoveAll(settled.Contains);
        return left.IsEmpty ? givenUp.Remove(agentId) : givenUp.SetItem(agentId, left);
    }

    /// <summary>The footprint is no longer the pod's; its reservations wait in <see cref="GivenUp"/> to be collected.</summary>
    private PodInstanceState GiveUpFootprint()
    {
        if (Footprint is not { } given)
        {
            return this with { FootprintUnconfirmed = false };
        }

        var ids = given.ResourceIds.ToImmutableArray();
        var merged = GivenUp.TryGetValue(given.AgentId, out var earlier) ? earlier.AddRange(ids.Except(earlier)) : ids;
        return this with
        {
            Footprint = null,
            FootprintUnconfirmed = false,
            GivenUp = ids.IsEmpty ? GivenUp : GivenUp.SetItem(given.AgentId, merged),
        };
    }

    /// <summary>
    /// The role the reservations <paramref name="resourceIds"/> were made for (the last refinement's), as the recorded
    /// launches show them; null when none of them shows one.
    /// </summary>
    public string? RoleOfReservations(IReadOnlyCollection<string> resourceIds)
    {
        foreach (var task in Tasks.Values)
        {
            var resources = task.Info.Resources
                .Concat(task.Info.Executor?.Resources ?? Enumerable.Empty<Resource>())
                .Concat(task.Executor?.Resources ?? Enumerable.Empty<Resource>());
            foreach (var resource in resources)
            {
                if (Offers.Resources.ResourceId(resource) is { } id && resourceIds.Contains(id))
                {
                    return resource.Reservations.Count > 0 ? resource.Reservations[resource.Reservations.Count - 1].Role
                        : resource.HasRole ? resource.Role : null;
                }
            }
        }

        return null;
    }

    /// <summary>The executor some live task of the pod runs in: later steps launch into it.</summary>
    public ExecutorInfo? RunningExecutor()
    {
        // A loop over the entries, not LINQ over Values: this runs on every evaluation of the pod.
        foreach (var (_, task) in Tasks)
        {
            if (!task.IsTerminal && task.Executor is not null)
            {
                return task.Executor;
            }
        }

        return null;
    }

    /// <summary>Whether a task of the pod is paused.</summary>
    public bool AnyTaskPaused()
    {
        foreach (var (_, task) in Tasks)
        {
            if (task.Paused)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The master removed the agent under this id for good: a task of the pod there was reported TASK_GONE_BY_OPERATOR
    /// (the agent was marked gone) or TASK_GONE because the agent was removed (it came back under a new id) — not a
    /// TASK_GONE that answers a reconciliation (a registered agent that does not know the task). Its reservations are
    /// offered again, if ever, only under another id.
    /// </summary>
    public bool AgentRemoved(string agentId) => Tasks.Values.Any(t =>
        t.Info.AgentId?.Value == agentId && t.Status is { } status
        && (status.State == TaskState.TaskGoneByOperator || (status.State == TaskState.TaskGone && status.Reason == TaskStatus.Types.Reason.AgentRemoved)));

    /// <summary>
    /// A launch has ended for the scheduler: a terminal Mesos state, or TASK_UNKNOWN (the master knows neither the task
    /// nor its agent, so it cannot be running). TASK_UNREACHABLE has not: the task may still run on a partitioned agent.
    /// </summary>
    public static bool HasEnded(TaskState state) => TaskStates.IsTerminal(state) || state == TaskState.TaskUnknown;

    /// <summary>
    /// A launch left behind on a partitioned agent: TASK_UNREACHABLE while the pod holds no footprint (it gave the one the
    /// task runs on up: a permanent replace). It may still run there, but holds nothing the pod will use again: it counts
    /// as no launch (its tasks relaunch on a new footprint), and is killed — again when its agent returns — but not waited
    /// for, which could be for ever.
    /// </summary>
    public bool IsLeftBehind(TaskRecord record) => Footprint is null && record.Status?.State == TaskState.TaskUnreachable;

    /// <summary>
    /// Whether <paramref name="status"/> is news. Updates arrive twice (agent retries, reconciliation) and out of order
    /// (a late copy of STARTING after RUNNING): only news may change the recorded state.
    /// </summary>
    public StatusUpdateKind Classify(TaskStatus status)
    {
        var name = TaskNameOf(status.TaskId.Value);
        if (name is null)
        {
            return StatusUpdateKind.UnknownTask;
        }

        var task = Tasks[name];
        if (task.Status is not { } recorded)
        {
            return StatusUpdateKind.New;
        }

        // The latest status's own uuid counts too: a state restored from a snapshot written before uuids were kept has it.
        if (status.HasUuid && (task.Uuids.Contains(status.Uuid) || (recorded.HasUuid && status.Uuid == recorded.Uuid)))
        {
            return StatusUpdateKind.Duplicate;
        }

        if (HasEnded(recorded.State))
        {
            return status.State is TaskState.TaskStaging or TaskState.TaskStarting or TaskState.TaskRunning
                ? StatusUpdateKind.AliveAfterEnd
                : StatusUpdateKind.Stale;
        }

        if (status.HasUuid && LifecycleRank(status.State) < LifecycleRank(recorded.State))
        {
            return StatusUpdateKind.Stale;
        }

        return !status.HasUuid && status.State == recorded.State ? StatusUpdateKind.Unchanged : StatusUpdateKind.New;
    }

    /// <summary>
    /// The order in which an agent reports a task's states. What the master says of an unreachable or unknown task
    /// ranks below all of them: anything the agent says next is newer.
    /// </summary>
    private static int LifecycleRank(TaskState state) => state switch
    {
        TaskState.TaskUnreachable or TaskState.TaskUnknown => -1,
        TaskState.TaskStaging => 0,
        TaskState.TaskStarting => 1,
        TaskState.TaskRunning => 2,
        TaskState.TaskKilling => 3,
        _ => 4,
    };

    /// <summary>The task (by name within the pod) whose current launch has this task id.</summary>
    public string? TaskNameOf(string taskId)
    {
        foreach (var (name, record) in Tasks)
        {
            if (record.TaskId == taskId)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Progress of <paramref name="taskName"/> towards <paramref name="goal"/> on the given pod spec.</summary>
    /// <param name="relaunchBefore">An operator restarted the step: a launch before this does not count.</param>
    /// <param name="now">The scheduler's clock, to tell whether the task's backoff delay still runs; null ignores backoff.</param>
    public TaskProgress Progress(string taskName, GoalState goal, string targetFingerprint, DateTime? relaunchBefore = null, DateTime? now = null)
    {
        var delayed = now is { } at && RecoveryPlanner.IsDelayed(taskName, this, at);
        if (!Tasks.TryGetValue(taskName, out var record))
        {
            return new TaskProgress(goal, false, null, true, false, delayed);
        }

        return new TaskProgress(
            goal,
            record.SpecFingerprint == targetFingerprint && !(record.LaunchedAt < relaunchBefore) && record.Paused == Paused.Contains(taskName)
                && !ForcedTaskIds.Contains(record.TaskId) && !IsLeftBehind(record),
            record.Status?.State,
            record.ReadinessPassed,
            record.EverFinished,
            delayed);
    }

    /// <summary>
    /// An update an agent or executor sent (not the master) proves the last launch reached its agent, and so its
    /// reservations exist (journals of older versions record that as a <see cref="FootprintConfirmed"/> event).
    /// </summary>
    public static bool ConfirmsFootprint(TaskStatus status) => status.HasSource && status.Source != TaskStatus.Types.Source.Master;

    private PodInstanceState ApplyStatus(TaskStatus status)
    {
        var name = TaskNameOf(status.TaskId.Value);
        if (name is null)
        {
            return this;
        }

        var record = Tasks[name];
        var running = status.State == TaskState.TaskRunning;
        return this with
        {
            FootprintUnconfirmed = FootprintUnconfirmed && !ConfirmsFootprint(status),
            // RUNNING clears the task's backoff and stops its permanent-failure clock (DC/OS).
            FailedSince = running ? FailedSince.Remove(name) : FailedSince,
            Backoff = running ? Backoff.Remove(name) : Backoff,
            Tasks = Tasks.SetItem(name, record with
            {
                Status = status,
                EverFinished = record.EverFinished || status.State == TaskState.TaskFinished,
                Healthy = status.HasHealthy ? status.Healthy : record.Healthy,
                Check = status.CheckStatus ?? record.Check,
                Uuids = status.HasUuid ? record.Uuids.With(status.Uuid) : record.Uuids,
            }),
        };
    }
}

/// <summary>A pod instance's phase of the <c>recovery</c> plan.</summary>
/// <param name="Name">The phase (and its single step) name: the pod's step name, e.g. <c>hello-0:[server]</c>.</param>
/// <param name="StartedAt">Wall-clock start (or operator restart): launches before it do not count.</param>
/// <param name="Finished">Its tasks reached their goal (or an operator force-completed it); kept until the next recovery.</param>
public sealed record RecoveryPhase(
    string Name,
    ImmutableArray<string> Tasks,
    RecoveryType Type,
    DateTime StartedAt,
    string Reason,
    bool Interrupted = false,
    bool Finished = false,
    bool ForceCompleted = false)
{
    /// <summary>Wire names of <see cref="RecoveryPhaseChanged.Change"/>.</summary>
    public const string Completed = "completed";
    public const string ForceCompletedChange = "force-completed";
    public const string Restarted = "restarted";
    public const string InterruptedChange = "interrupted";
    public const string Continued = "continued";

    /// <summary>The phase after a recorded change.</summary>
    public RecoveryPhase Apply(string change, DateTime at) => change switch
    {
        Completed => this with { Finished = true },
        ForceCompletedChange => this with { Finished = true, ForceCompleted = true },
        Restarted => this with { Finished = false, ForceCompleted = false, StartedAt = at },
        InterruptedChange => this with { Interrupted = true },
        Continued => this with { Interrupted = false },
        _ => this,
    };
}
