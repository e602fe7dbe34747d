using System.Collections.Immutable;
using ActorScheduler.Specs.Model;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Actors.Plans;

/// <summary>A child of a plan or phase as a strategy sees it.</summary>
/// <param name="Group">
/// Children of one group run in order even under a parallel strategy (the steps of one pod instance, DC/OS
/// <c>DependencyStrategy</c>); null puts the child in a group of its own.
/// </param>
/// <param name="Prerequisites">Under <see cref="StrategyKind.Dependency"/>: indexes of the children that must be complete first.</param>
public readonly record struct StrategyChild(string Name, Status Status, bool Interrupted, int? Group = null, ImmutableArray<int> Prerequisites = default);

/// <summary>
/// Which children of a plan or phase may make progress now (DC/OS <c>DependencyStrategyHelper</c>). A child is
/// eligible when it is not complete, not in error and not interrupted; a candidate is an eligible child whose
/// prerequisites are all complete.
/// </summary>
public static class Strategy
{
    public static string DisplayName(StrategyKind kind) => kind switch
    {
        StrategyKind.Serial => "serial",
        StrategyKind.Parallel => "parallel",
        StrategyKind.SerialCanary => "serial-canary",
        StrategyKind.ParallelCanary => "parallel-canary",
        StrategyKind.Dependency => "dependency",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Indexes of the children that are candidates now. An interrupted parent has none.</summary>
    /// <param name="blockedGroups">
    /// Scratch for the groups of a parallel strategy, cleared and reused here: a parent that evaluates thousands of
    /// children over and over (a phase of 10,000 steps, 20 times a second) passes its own, so the set grows once in the
    /// parent's life instead of per evaluation (at 10,000 groups its arrays are large objects, and large-object
    /// allocations trigger full collections). Null: a set of this call's own, made only when a child has a group.
    /// </param>
    public static IReadOnlyList<int> Candidates(StrategyKind kind, IReadOnlyList<StrategyChild> children, bool parentInterrupted, HashSet<int>? blockedGroups = null)
    {
        if (parentInterrupted)
        {
            return Array.Empty<int>();
        }

        var result = new List<int>();
        if (kind == StrategyKind.Dependency)
        {
            for (var i = 0; i < children.Count; i++)
            {
                var prerequisites = children[i].Prerequisites;
                if (IsEligible(children[i]) && (prerequisites.IsDefault || prerequisites.All(p => children[p].Status == Status.Complete)))
                {
                    result.Add(i);
                }
            }

            return result;
        }

        var serial = kind is StrategyKind.Serial or StrategyKind.SerialCanary;

        // Groups with an incomplete child so far: one pass, so a phase of 10,000 steps costs 10,000 checks, not 10,000².
        blockedGroups?.Clear();
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (child.Status == Status.Complete)
            {
                continue;
            }

            // Serial: every incomplete child depends on all earlier ones; only the first incomplete one may run.
            // Parallel: a child depends on the earlier children of its group.
            var blocked = child.Group is { } group && !(blockedGroups ??= new HashSet<int>()).Add(group);
            if (IsEligible(child) && !blocked)
            {
                result.Add(i);
            }

            if (serial)
            {
                break;
            }
        }

        return result;
    }

    private static bool IsEligible(StrategyChild child) =>
        child.Status is not (Status.Complete or Status.Error) && !child.Interrupted;
}
