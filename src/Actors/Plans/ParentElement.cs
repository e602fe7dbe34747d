using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// One step of a plan or phase (DC/OS <c>ParentElement</c>): which children may run now under the strategy, and
/// the parent's status from its children. A parent with errors of its own runs nothing; a canary phase runs only the
/// canary steps its gate released.
/// </summary>
/// <remarks><c>blockedGroups</c>: the parent's own scratch set for the strategy (<see cref="Strategy.Candidates"/>).</remarks>
public static class ParentElement
{
    public static (IReadOnlyList<int> Candidates, Status Status) Evaluate(
        StrategyKind strategy,
        IReadOnlyList<StrategyChild> children,
        bool interrupted,
        bool hasErrors,
        CanaryGate? canary = null,
        HashSet<int>? blockedGroups = null)
    {
        if (canary is not null)
        {
            children = canary.Apply(children);
        }

        var candidates = hasErrors ? Array.Empty<int>() : Strategy.Candidates(strategy, children, interrupted, blockedGroups);
        if (canary is not null)
        {
            candidates = canary.Filter(candidates);
        }

        // What the status rules ask gathered in one pass: a phase of 10,000 steps evaluates 20 times a second.
        var childStatuses = default(StatusMix);
        for (var i = 0; i < children.Count; i++)
        {
            childStatuses = childStatuses.With(children[i].Status);
        }

        var candidateStatuses = default(StatusMix);
        for (var i = 0; i < candidates.Count; i++)
        {
            candidateStatuses = candidateStatuses.With(children[candidates[i]].Status);
        }

        var status = StatusAggregator.Aggregate(childStatuses, candidateStatuses, hasErrors, interrupted);
        return (candidates, status);
    }
}
