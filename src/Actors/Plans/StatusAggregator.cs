using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// The DC/OS SDK's parent-status rules (<c>PlanUtils.getAggregateStatus</c>): a phase's status from its steps, a
/// plan's from its phases. First matching rule wins.
/// </summary>
public static class StatusAggregator
{
    /// <param name="children">Status of every child, in order.</param>
    /// <param name="candidates">Status of the children the strategy would run now.</param>
    /// <param name="hasErrors">The parent carries errors of its own (e.g. a rejected config on the deploy plan).</param>
    /// <param name="interrupted">The parent itself is interrupted (paused).</param>
    public static Status Aggregate(
        IReadOnlyCollection<Status> children,
        IReadOnlyCollection<Status> candidates,
        bool hasErrors,
        bool interrupted)
    {
        if (hasErrors || children.Contains(Status.Error))
        {
            return Status.Error;
        }

        if (children.All(s => s == Status.Complete))
        {
            return Status.Complete;
        }

        if (interrupted)
        {
            return Status.Waiting;
        }

        if (candidates.Count > 0 && candidates.All(s => s == Status.Delayed) && children.All(s => s is Status.Delayed or Status.Complete))
        {
            return Status.Delayed;
        }

        if (children.Contains(Status.Prepared))
        {
            return Status.InProgress;
        }

        if (candidates.Contains(Status.Waiting))
        {
            return Status.Waiting;
        }

        if (candidates.Contains(Status.InProgress))
        {
            return Status.InProgress;
        }

        if (children.Contains(Status.Complete) && candidates.Any(s => s is Status.Pending or Status.Starting or Status.Started))
        {
            return Status.InProgress;
        }

        if (candidates.Contains(Status.Pending))
        {
            return Status.Pending;
        }

        if (children.Contains(Status.Waiting))
        {
            return Status.Waiting;
        }

        if (candidates.Contains(Status.Starting))
        {
            return Status.Starting;
        }

        if (candidates.Contains(Status.Started))
        {
            return Status.Started;
        }

        return Status.Error;
    }
}
