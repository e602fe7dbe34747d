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
        bool interrupted) =>
        Aggregate(StatusMix.Of(children), StatusMix.Of(candidates), hasErrors, interrupted);

    /// <summary>
    /// The same rules on which statuses occur (all they ask): a parent of 10,000 children gathers them in one pass, without
    /// a list of their statuses per evaluation.
    /// </summary>
    public static Status Aggregate(StatusMix children, StatusMix candidates, bool hasErrors, bool interrupted)
    {
        if (hasErrors || children.Has(Status.Error))
        {
            return Status.Error;
        }

        if (children.OnlyOf(Status.Complete))
        {
            return Status.Complete;
        }

        if (interrupted)
        {
            return Status.Waiting;
        }

        if (!candidates.IsEmpty && candidates.OnlyOf(Status.Delayed) && children.OnlyOf(Status.Delayed, Status.Complete))
        {
            return Status.Delayed;
        }

        if (children.Has(Status.Prepared))
        {
            return Status.InProgress;
        }

        if (candidates.Has(Status.Waiting))
        {
            return Status.Waiting;
        }

        if (candidates.Has(Status.InProgress))
        {
            return Status.InProgress;
        }

        if (children.Has(Status.Complete) && (candidates.Has(Status.Pending) || candidates.Has(Status.Starting) || candidates.Has(Status.Started)))
        {
            return Status.InProgress;
        }

        if (candidates.Has(Status.Pending))
        {
            return Status.Pending;
        }

        if (children.Has(Status.Waiting))
        {
            return Status.Waiting;
        }

        if (candidates.Has(Status.Starting))
        {
            return Status.Starting;
        }

        if (candidates.Has(Status.Started))
        {
            return Status.Started;
        }

        return Status.Error;
    }
}

/// <summary>Which statuses occur among some children: a set of <see cref="Status"/> values in one word.</summary>
public readonly record struct StatusMix(int Mask)
{
    public static StatusMix Of(IEnumerable<Status> statuses)
    {
        var mix = default(StatusMix);
        foreach (var status in statuses)
        {
            mix = mix.With(status);
        }

        return mix;
    }

    public StatusMix With(Status status) => new(Mask | Bit(status));

    public bool IsEmpty => Mask == 0;

    public bool Has(Status status) => (Mask & Bit(status)) != 0;

    /// <summary>No status occurs but <paramref name="status"/> (true of none at all, as <c>All</c> is of an empty list).</summary>
    public bool OnlyOf(Status status) => (Mask & ~Bit(status)) == 0;

    /// <summary>No status occurs but these two.</summary>
    public bool OnlyOf(Status status, Status other) => (Mask & ~(Bit(status) | Bit(other))) == 0;

    private static int Bit(Status status) => 1 << (int)status;
}
