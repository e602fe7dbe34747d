using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Plans;

/// <summary>What a step knows of one of its tasks.</summary>
/// <param name="Goal">The task's goal state.</param>
/// <param name="LaunchedOnTarget">A task info carrying the step's target config was recorded for this task.</param>
/// <param name="State">Last Mesos state of that launch, or null when none was reported yet.</param>
/// <param name="ReadinessPassed">The readiness check passed (true when the task has none).</param>
/// <param name="FinishedOnAnyConfig">The task finished successfully on some config (ONCE tasks never run again).</param>
/// <param name="Delayed">The task failed and its backoff delay has not ended: it may not relaunch yet.</param>
public readonly record struct TaskProgress(
    GoalState Goal,
    bool LaunchedOnTarget,
    TaskState? State,
    bool ReadinessPassed,
    bool FinishedOnAnyConfig,
    bool Delayed = false);

/// <summary>
/// A deployment step's status from its tasks (DC/OS <c>DeploymentStep</c>): worst task wins, in the order
/// ERROR &gt; DELAYED &gt; PENDING &gt; PREPARED &gt; STARTING &gt; STARTED &gt; COMPLETE.
/// </summary>
public static class StepStatusCalculator
{
    private static readonly Status[] Precedence =
    [
        Status.Error, Status.Delayed, Status.Pending, Status.Prepared, Status.Starting, Status.Started, Status.Complete,
    ];

    /// <param name="prepared">
    /// Offers were evaluated for the step's launch (DC/OS: <c>updateOfferStatus</c>): one was claimed and the launch is being
    /// recorded, or none fitted and the pod waits for the next.
    /// </param>
    public static Status Compute(IReadOnlyCollection<TaskProgress> tasks, bool prepared)
    {
        if (tasks.Count == 0)
        {
            return prepared ? Status.Prepared : Status.Pending;
        }

        // The worst task's status: the lowest index in Precedence (a loop: every status update of every pod computes it).
        var worst = int.MaxValue;
        foreach (var task in tasks)
        {
            var index = Array.IndexOf(Precedence, ForTask(task, prepared));
            if (index >= 0 && index < worst)
            {
                worst = index;
            }
        }

        return worst == int.MaxValue
            ? throw new InvalidOperationException("No task status has a precedence")
            : Precedence[worst];
    }

    public static Status ForTask(TaskProgress task, bool prepared)
    {
        if (task.Goal == GoalState.Once && task.FinishedOnAnyConfig)
        {
            return Status.Complete;
        }

        if (!task.LaunchedOnTarget)
        {
            return prepared ? Status.Prepared : task.Delayed ? Status.Delayed : Status.Pending;
        }

        var status = task.State switch
        {
            null or TaskState.TaskStaging or TaskState.TaskStarting => Status.Starting,
            TaskState.TaskRunning when task.Goal == GoalState.Running && task.ReadinessPassed => Status.Complete,
            TaskState.TaskRunning => Status.Started,
            TaskState.TaskFinished => task.Goal == GoalState.Running ? Status.Pending : Status.Complete,
            // The task may still run on a partitioned agent: neither relaunch it nor count it as running until its agent
            // returns (its current state follows), or it is replaced on a new footprint: the agent is marked gone
            // (TASK_GONE_BY_OPERATOR) or the permanent-failure timeout ran out (PodInstanceState.IsLeftBehind).
            TaskState.TaskUnreachable => Status.Starting,
            // FAILED/ERROR, LOST, GONE, GONE_BY_OPERATOR, DROPPED and UNKNOWN (neither the task nor its agent is known)
            // relaunch: at once, or DELAYED while a backoff delay (opt-in) runs.
            _ => Status.Pending,
        };
        return status == Status.Pending && task.Delayed ? Status.Delayed : status;
    }
}
