namespace ActorScheduler.Specs.Placement;

/// <summary>
/// Spreads pod instances evenly over the values of <see cref="Field"/> (DC/OS RoundRobinBy…Rule; Marathon GROUP_BY).
/// An agent passes when its value has no more instances than the least used value. With <see cref="Values"/> set,
/// values not seen yet count as used by nobody, so unused values are filled first. Agents without a value fail.
/// </summary>
/// <param name="Values">How many distinct values exist (e.g. 3 zones); null when unknown.</param>
/// <param name="PodType">Pod type whose instances are counted; null counts all of the service's.</param>
public sealed record RoundRobinRule(PlacementField Field, int? Values = null, string? PodType = null) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context)
    {
        var value = Field.ValueOf(context.Agent);
        if (value is null)
        {
            return PlacementDecision.Fail(this, Field.DescribeMissing(context.Agent));
        }

        var shown = Field.DescribeValue(value);
        var count = context.CountAt(Field, PodType, value);
        if (count == 0)
        {
            return PlacementDecision.Pass(this, $"{shown} has no instances yet");
        }

        var (used, least) = context.Spread(Field, PodType);
        var unusedValuesRemain = UnusedValuesRemain(used);
        if (!unusedValuesRemain && count <= least)
        {
            return PlacementDecision.Pass(this, $"{shown} has {count}, as few as any other value");
        }

        var here = string.Join(", ", context.InstancesAt(Field, PodType, value));
        if (unusedValuesRemain)
        {
            return PlacementDecision.Fail(this, $"{shown} already has {here} while only {used} of {Values} values are used");
        }

        // Named in the reason: the first value holding the fewest (a pass over the values, on refusal only).
        var leastUsed = context.Counts(Field, PodType).First(c => c.Count == least).Value;
        return PlacementDecision.Fail(this, $"{shown} already has {count} ({here}) while {Field.DescribeValue(leastUsed)} has {least}");
    }

    public override bool Admits(PlacementContext context)
    {
        if (Field.ValueOf(context.Agent) is not { } value)
        {
            return false;
        }

        var count = context.CountAt(Field, PodType, value);
        if (count == 0)
        {
            return true;
        }

        var (used, least) = context.Spread(Field, PodType);
        return !UnusedValuesRemain(used) && count <= least;
    }

    private bool UnusedValuesRemain(int used) => Values is { } expected && used < expected;

    public override bool References(PlacementField field) => Field == field;

    public override string Describe() => Values is null ? $"{Field}:GROUP_BY" : $"{Field}:GROUP_BY:{Values}";
}
