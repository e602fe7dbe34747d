using System.Collections.Immutable;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Pods;

/// <summary>How a pod instance recovers from failed tasks (DC/OS <c>RecoveryType</c>).</summary>
public enum RecoveryType
{
    /// <summary>Nothing to recover, or a pod with both transient and permanent failures (logged, left alone).</summary>
    None,

    /// <summary>Relaunch in place: same agent, same reservations and volumes.</summary>
    Transient,

    /// <summary>Replace: a new footprint wherever placement allows; the old reservations are collected.</summary>
    Permanent,
}

/// <summary>
/// Opt-in recovery behaviour (DC/OS <c>ENABLE_BACKOFF</c> and <c>permanent-failure-timeout-secs</c>).
/// </summary>
/// <param name="BackoffEnabled">Delay each relaunch of a task that failed (TASK_FAILED / TASK_ERROR), growing per failure.</param>
/// <param name="PermanentFailureTimeout">A task failed this long without running again is replaced on a new footprint; null: never.</param>
public sealed record RecoverySettings(bool BackoffEnabled = false, TimeSpan? PermanentFailureTimeout = null)
{
    /// <summary>DC/OS defaults: no backoff, no permanent-failure timeout.</summary>
    public static RecoverySettings Default { get; } = new();

    /// <summary>First delay (DC/OS <c>FRAMEWORK_INITIAL_BACKOFF</c>).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Growth per further failure (DC/OS <c>FRAMEWORK_BACKOFF_FACTOR</c>).</summary>
    public double BackoffFactor { get; init; } = 1.15;

    /// <summary>Largest delay (DC/OS <c>FRAMEWORK_MAX_LAUNCH_DELAY</c>).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long a pod waits for the config store's answer about the config a task ran (to relaunch it there) before it
    /// asks again: a request the store lost (it restarted, say) would otherwise hold the relaunch up for ever.
    /// </summary>
    public TimeSpan ConfigFetchRetryInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>A task's launch delay after a failure: it may not relaunch before <see cref="Until"/>.</summary>
public sealed record BackoffEntry(DateTime Until, TimeSpan Delay);

/// <summary>What recovery should do for a pod instance now.</summary>
/// <param name="Tasks">The tasks to relaunch (names within the pod), in spec order.</param>
/// <param name="Reason">Why, for the log and the recovery step's message.</param>
public sealed record RecoveryDecision(RecoveryType Type, ImmutableArray<string> Tasks, string Reason);

/// <summary>
/// The config a recovery phase relaunches its tasks on: <see cref="Target"/>; when null and <see cref="Fetch"/> is set,
/// that stored config must first be asked of the config store (the pod does not hold it, e.g. after a scheduler
/// restart); when both are null there is nothing to relaunch on yet.
/// </summary>
/// <param name="Note">Why the tasks' own config is not used (to log), when it is not.</param>
public sealed record RecoveryTarget(TargetConfig? Target, string? Fetch = null, string? Note = null);

/// <summary>
/// The pure recovery decisions of a pod instance (DC/OS <c>DefaultRecoveryPlanManager</c>, <c>TimedFailureMonitor</c>,
/// <c>ExponentialBackoff</c>): which tasks to relaunch, transient or permanent, and how long to wait.
/// </summary>
public static class RecoveryPlanner
{
    /// <summary>
    /// Which tasks of <paramref name="pod"/> need recovery: RUNNING-goal tasks (FINISH and ONCE tasks are never
    /// recovered) that were launched and are down (<see cref="IsDown"/>: ended, TASK_FINISHED included, or
    /// TASK_UNREACHABLE). An essential failed task relaunches every launched RUNNING-goal task of the pod; non-essential
    /// ones relaunch only themselves. Permanent when a failed task is TASK_GONE_BY_OPERATOR or has been failed for
    /// <paramref name="permanentFailureTimeout"/>; a pod with both kinds is not recovered (<see cref="RecoveryType.None"/>),
    /// as in DC/OS. A transient recovery relaunches in place, which for a TASK_UNREACHABLE task only its partitioned agent
    /// can offer, and that agent, once back, reports whether the task still runs: so an unreachable task is no reason for
    /// a transient recovery (it is waited for, while its clock runs), only for a permanent one.
    /// </summary>
    /// <returns>Null when nothing failed, or nothing but unreachable tasks whose failure is not permanent.</returns>
    public static RecoveryDecision? Decide(PodSpec pod, PodInstanceState state, TimeSpan? permanentFailureTimeout, DateTime now)
    {
        var down = pod.Tasks
            .Where(t => t.Goal == GoalState.Running && state.Tasks.TryGetValue(t.Name, out var r) && r.Status is { } s && IsDown(s.State))
            .ToList();
        if (down.Count == 0)
        {
            return null;
        }

        var permanent = down.Where(t => IsPermanent(t.Name, state, permanentFailureTimeout, now)).ToList();
        if (permanent.Count > 0 && permanent.Count < down.Count)
        {
            return new RecoveryDecision(
                RecoveryType.None,
                [],
                $"{string.Join(", ", permanent.Select(t => t.Name))} failed permanently but {string.Join(", ", down.Except(permanent).Select(t => t.Name))} transiently");
        }

        var type = permanent.Count > 0 ? RecoveryType.Permanent : RecoveryType.Transient;
        var failed = type == RecoveryType.Permanent ? down : down.Where(t => state.Tasks[t.Name].IsTerminal).ToList();
        if (failed.Count == 0)
        {
            return null;
        }

        var tasks = failed.Any(t => t.Essential)
            ? pod.Tasks.Where(t => t.Goal == GoalState.Running && state.Tasks.ContainsKey(t.Name)).Select(t => t.Name).ToImmutableArray()
            : failed.Select(t => t.Name).ToImmutableArray();
        var states = string.Join(", ", failed.Select(t => $"{t.Name} {TaskStates.WireName(state.Tasks[t.Name].Status!.State)}"));
        var reason = type == RecoveryType.Permanent && permanent.All(t => state.Tasks[t.Name].Status!.State != TaskState.TaskGoneByOperator)
            ? $"{states}; failed for over {permanentFailureTimeout!.Value.TotalSeconds:0} s"
            : states;
        return new RecoveryDecision(type, tasks, reason);
    }

    /// <summary>
    /// Which config a recovery phase of <paramref name="tasks"/> relaunches them on (DC/OS: a recovered task's own
    /// <c>target_configuration</c>; the deploy plan, not recovery, moves a pod to a new target). That is the config the
    /// failed tasks ran (<see cref="TaskRecord.ConfigId"/>; once none is failed any more, the config the phase's tasks run):
    /// <paramref name="current"/> when it is that config, else the one the pod holds in <paramref name="held"/>, else one
    /// to fetch. It falls back to <paramref name="current"/> (with a note why) when the tasks ran on several configs, none
    /// is recorded, or the config is <paramref name="unavailable"/> (by id: why).
    /// </summary>
    public static RecoveryTarget ChooseTarget(
        string podType,
        PodInstanceState state,
        IEnumerable<string> tasks,
        TargetConfig? current,
        IReadOnlyDictionary<string, TargetConfig> held,
        IReadOnlyDictionary<string, string> unavailable)
    {
        var records = tasks.Select(t => state.Tasks.GetValueOrDefault(t)).OfType<TaskRecord>().ToList();
        var failed = records.Where(r => r.IsTerminal).ToList();
        var ids = (failed.Count > 0 ? failed : records).Select(r => r.ConfigId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return new RecoveryTarget(current);
        }

        if (ids.Count > 1)
        {
            return new RecoveryTarget(current, Note: $"its tasks ran on several configs ({string.Join(", ", ids)})");
        }

        var id = ids[0];
        if (string.IsNullOrEmpty(id))
        {
            return new RecoveryTarget(current, Note: "no config is recorded for its tasks");
        }

        if (current?.ConfigId == id)
        {
            return new RecoveryTarget(current);
        }

        if (held.TryGetValue(id, out var own))
        {
            return own.Spec.FindPod(podType) is null
                ? new RecoveryTarget(current, Note: $"config {id} its tasks ran has no pod {podType}")
                : new RecoveryTarget(own);
        }

        return unavailable.TryGetValue(id, out var why)
            ? new RecoveryTarget(current, Note: $"config {id} its tasks ran is not available ({why})")
            : new RecoveryTarget(null, Fetch: id);
    }

    /// <summary>
    /// A task in this state needs recovery if its goal is RUNNING (DC/OS: a terminal state, or LOST / UNREACHABLE): it
    /// ended (<see cref="PodInstanceState.HasEnded"/>), or its agent is partitioned (TASK_UNREACHABLE — it may still run
    /// there, but the service cannot count on it; see <see cref="Decide"/> for what recovers it).
    /// </summary>
    public static bool IsDown(TaskState state) => PodInstanceState.HasEnded(state) || state == TaskState.TaskUnreachable;

    /// <summary>
    /// A status of a RUNNING-goal task that starts its permanent-failure clock (DC/OS <c>TimedFailureMonitor</c>: when the
    /// scheduler first sees the failure): an end the scheduler did not ask for (<paramref name="killedByScheduler"/>: a
    /// kill of ours ended it), or TASK_UNREACHABLE, whoever asked for a kill — one of ours did not reach the partitioned
    /// agent, and the task's fate is unknown until it returns.
    /// </summary>
    public static bool StartsFailureClock(TaskState state, bool killedByScheduler) =>
        state == TaskState.TaskUnreachable || (PodInstanceState.HasEnded(state) && !killedByScheduler);

    /// <summary>
    /// A terminal status the in-memory crash-loop guard counts (when the caller has not killed the task itself and it
    /// did not finish as its goal wants). TASK_KILLED counts only when Mesos killed the task for its failed health check
    /// (healthy false): any other kill nobody asked for is the executor ending the task's group because another task of
    /// it ended, which counted already if it failed — or was a kill of ours, for a relaunch, a pause or a resume.
    /// </summary>
    public static bool CountsAsCrash(TaskStatus status) =>
        status.State != TaskState.TaskKilled || (status.HasHealthy && !status.Healthy);

    /// <summary>The task's failure is permanent: its agent was marked gone, or it has been failed for the timeout.</summary>
    public static bool IsPermanent(string task, PodInstanceState state, TimeSpan? permanentFailureTimeout, DateTime now) =>
        (state.Tasks.TryGetValue(task, out var record) && record.Status?.State == TaskState.TaskGoneByOperator)
        || (PermanentFailureDeadline(task, state, permanentFailureTimeout) is { } deadline && deadline <= now);

    /// <summary>
    /// What a step shows while <paramref name="task"/>, launched on its target, is TASK_UNREACHABLE: its status is
    /// STARTING (the task may still run), which after a scheduler restart keeps the deploy plan IN_PROGRESS though it was
    /// COMPLETE before — as in DC/OS, whose regenerated deploy step is complete only for a task last seen TASK_RUNNING —
    /// until the agent returns, is marked gone, or the permanent-failure timeout replaces the pod.
    /// </summary>
    public static string UnreachableNote(string task, PodInstanceState state, TimeSpan? permanentFailureTimeout)
    {
        var name = state.Tasks.TryGetValue(task, out var record) ? record.Info.Name : task;
        var until = PermanentFailureDeadline(task, state, permanentFailureTimeout) is { } deadline
            ? $"to return or be marked gone; replaced on a new footprint at {deadline:yyyy-MM-ddTHH:mm:ssZ} (permanent-failure timeout) otherwise"
            : "to return or be marked gone (no permanent-failure timeout replaces it)";
        return $"{name} is TASK_UNREACHABLE: it may still run on its partitioned agent, so it is neither relaunched nor counted as running; waiting for the agent {until}";
    }

    /// <summary>When the task's failure turns permanent under the timeout; null without a timeout or a recorded failure.</summary>
    public static DateTime? PermanentFailureDeadline(string task, PodInstanceState state, TimeSpan? permanentFailureTimeout) =>
        permanentFailureTimeout is { } timeout && state.FailedSince.TryGetValue(task, out var since) ? since + timeout : null;

    /// <summary>
    /// Failed RUNNING-goal tasks without a failure clock, not ended by a kill of ours (<paramref name="killed"/>, by task
    /// id): a failure after a relaunch that a version keeping one clock per task name across relaunches journaled
    /// without its own <c>TaskFailureSeen</c>. Their clock starts when the scheduler sees them (as DC/OS's does).
    /// </summary>
    public static IReadOnlyList<string> UnclockedFailures(PodSpec pod, PodInstanceState state, IReadOnlySet<string> killed) => pod.Tasks
        .Where(t => t.Goal == GoalState.Running && !state.FailedSince.ContainsKey(t.Name)
            && state.Tasks.TryGetValue(t.Name, out var r) && r.IsTerminal && !killed.Contains(r.TaskId))
        .Select(t => t.Name)
        .ToList();

    /// <summary>
    /// TASK_UNREACHABLE RUNNING-goal tasks without a failure clock: journaled by a version that started none for it, or
    /// seen before the pod knew its spec (a reconciliation answer after a restart, before any step asked about the pod).
    /// Their clock starts when the scheduler sees them with the spec. Kept apart from <see cref="UnclockedFailures"/>:
    /// an unreachable task alone is no reason for a recovery, and its clock must start all the same.
    /// </summary>
    public static IReadOnlyList<string> UnclockedUnreachable(PodSpec pod, PodInstanceState state) => pod.Tasks
        .Where(t => t.Goal == GoalState.Running && !state.FailedSince.ContainsKey(t.Name)
            && state.Tasks.TryGetValue(t.Name, out var r) && r.Status?.State == TaskState.TaskUnreachable)
        .Select(t => t.Name)
        .ToList();

    /// <summary>
    /// The next delay after a failure: <see cref="RecoverySettings.InitialBackoff"/> the first time, then the previous
    /// delay times <see cref="RecoverySettings.BackoffFactor"/>, capped at <see cref="RecoverySettings.MaxBackoff"/>.
    /// </summary>
    public static TimeSpan NextBackoff(TimeSpan? previous, RecoverySettings settings)
    {
        var next = previous is { } p ? TimeSpan.FromTicks((long)(p.Ticks * settings.BackoffFactor)) : settings.InitialBackoff;
        return next > settings.MaxBackoff ? settings.MaxBackoff : next;
    }

    /// <summary>A status that earns a backoff delay (DC/OS: TASK_FAILED and TASK_ERROR only).</summary>
    public static bool EarnsBackoff(TaskState state) => state is TaskState.TaskFailed or TaskState.TaskError;

    /// <summary>The task may not relaunch yet.</summary>
    public static bool IsDelayed(string task, PodInstanceState state, DateTime now) =>
        state.Backoff.TryGetValue(task, out var entry) && entry.Until > now;

    /// <summary>The earliest future moment a delay ends or a failure turns permanent: when to look again.</summary>
    public static DateTime? NextWakeUp(PodInstanceState state, TimeSpan? permanentFailureTimeout, DateTime now)
    {
        // Loops, not LINQ: every status update of every pod asks, and almost always nothing waits.
        DateTime? next = null;
        foreach (var (_, backoff) in state.Backoff)
        {
            next = Earlier(next, backoff.Until, now);
        }

        foreach (var (task, _) in state.FailedSince)
        {
            if (PermanentFailureDeadline(task, state, permanentFailureTimeout) is { } deadline)
            {
                next = Earlier(next, deadline, now);
            }
        }

        return next;
    }

    private static DateTime? Earlier(DateTime? next, DateTime moment, DateTime now) =>
        moment > now && (next is null || moment < next) ? moment : next;
}
