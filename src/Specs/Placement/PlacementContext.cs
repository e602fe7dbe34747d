using System.Collections.Immutable;

namespace ActorScheduler.Specs.Placement;

/// <summary>What a placement rule decides on: a candidate agent and where this service's pod instances already are.</summary>
/// <param name="Agent">The agent offering resources.</param>
/// <param name="Placed">The service's placed pod instances.</param>
/// <param name="Excluding">The pod instance being placed: where it is (or was) placed does not count against it.</param>
public sealed record PlacementContext(PlacementAgent Agent, PlacedTasks Placed, string? Excluding = null)
{
    /// <summary>A context over a list of placed tasks (without those of the pod instance being placed).</summary>
    public PlacementContext(PlacementAgent agent, ImmutableArray<PlacedTask> placedTasks)
        : this(agent, new PlacedTasks(placedTasks))
    {
    }

    /// <summary>Distinct pod instances in scope placed where <paramref name="field"/> is <paramref name="value"/>.</summary>
    internal int CountAt(PlacementField field, string? podType, string value) =>
        Placed.InstancesByValue(field, podType).TryGetValue(value, out var instances) ? CountWithoutExcluded(instances) : 0;

    /// <summary>Those instances, in name order.</summary>
    internal IEnumerable<string> InstancesAt(PlacementField field, string? podType, string value) =>
        Placed.InstancesByValue(field, podType).TryGetValue(value, out var instances)
            ? instances.Where(i => i != Excluding)
            : [];

    /// <summary>How many values of <paramref name="field"/> hold instances in scope, and the fewest any of them holds.</summary>
    internal (int Values, int Least) Spread(PlacementField field, string? podType) => Placed.Spread(field, podType, Excluding);

    /// <summary>Every value of <paramref name="field"/> that has instances in scope, with how many (a pass over them all).</summary>
    internal IEnumerable<(string Value, int Count)> Counts(PlacementField field, string? podType)
    {
        foreach (var (value, instances) in Placed.InstancesByValue(field, podType))
        {
            var count = CountWithoutExcluded(instances);
            if (count > 0)
            {
                yield return (value, count);
            }
        }
    }

    private int CountWithoutExcluded(SortedSet<string> instances) =>
        instances.Count - (Excluding is not null && instances.Contains(Excluding) ? 1 : 0);
}
