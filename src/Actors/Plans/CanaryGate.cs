using System.Collections.Immutable;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Actors.Plans;

/// <summary>
/// The canary part of a <c>serial-canary</c> / <c>parallel-canary</c> phase (DC/OS <c>CanaryStrategy</c>): the first
/// two incomplete steps are held; each operator <c>continue</c> lets one more go; until both went, nothing else runs.
/// After the second continue the phase runs its underlying strategy.
/// </summary>
/// <param name="Steps">Indexes of the canary steps, in order (at most two).</param>
/// <param name="Proceeds">How many continues were received.</param>
public sealed record CanaryGate(ImmutableArray<int> Steps, int Proceeds)
{
    /// <summary>How many steps a canary phase holds.</summary>
    public const int CanarySteps = 2;

    /// <summary>A new gate on the first <see cref="CanarySteps"/> incomplete children.</summary>
    public static CanaryGate Start(IReadOnlyList<StrategyChild> children) => new(
        Enumerable.Range(0, children.Count).Where(i => children[i].Status != Status.Complete).Take(CanarySteps).ToImmutableArray(),
        0);

    /// <summary>Still canarying: some canary step waits for its continue.</summary>
    public bool InCanary => Proceeds < Steps.Length;

    /// <summary>The child is a canary step that has not been let go yet.</summary>
    public bool Holds(int index)
    {
        var position = Steps.IndexOf(index);
        return position >= 0 && position >= Proceeds;
    }

    public CanaryGate Proceed() => InCanary ? this with { Proceeds = Proceeds + 1 } : this;

    /// <summary>The strategy's candidates, restricted to released canary steps while canarying.</summary>
    public IReadOnlyList<int> Filter(IReadOnlyList<int> candidates) =>
        InCanary ? candidates.Where(i => Steps.Contains(i) && !Holds(i)).ToList() : candidates;

    /// <summary>Children as the strategy sees them: held canary steps are interrupted (displayed WAITING).</summary>
    public IReadOnlyList<StrategyChild> Apply(IReadOnlyList<StrategyChild> children) =>
        children.Select((c, i) => Holds(i) ? c with { Interrupted = true, Status = DisplayHeld(c.Status) } : c).ToList();

    private static Status DisplayHeld(Status status) => status is Status.Pending or Status.Prepared ? Status.Waiting : status;
}
