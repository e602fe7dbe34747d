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
        var (count, used, least) = Standing(context, value);
        if (count == 0)
        {
            return PlacementDecision.Pass(this, $"{shown} has no instances yet");
        }

        var unusedValuesRemain = Values is { } expected && used < expected;
        if (!unusedValuesRemain && count <= least.Count)
        {
            return PlacementDecision.Pass(this, $"{shown} has {count}, as few as any other value");
        }

        var here = string.Join(", ", context.InstancesAt(Field, PodType, value));
        return PlacementDecision.Fail(this, unusedValuesRemain
            ? $"{shown} already has {here} while only {used} of {Values} values are used"
            : $"{shown} already has {count} ({here}) while {Field.DescribeValue(least.Value)} has {least.Count}");
    }

    public override bool Admits(PlacementContext context)
    {
        if (Field.ValueOf(context.Agent) is not { } value)
        {
            return false;
        }

        var (count, used, least) = Standing(context, value);
        return count == 0 || (!(Values is { } expected && used < expected) && count <= least.Count);
    }

    /// <summary>
    /// Instances at <paramref name="value"/>, how many values are in use, and the first of the least used (the value
    /// itself when it is the only one).
    /// </summary>
    private (int Count, int Used, (string Value, int Count) Least) Standing(PlacementContext context, string value)
    {
        var count = context.CountAt(Field, PodType, value);
        var used = 0;
        var least = (Value: value, Count: count);
        foreach (var other in context.Counts(Field, PodType))
        {
            if (used++ == 0 || other.Count < least.Count)
            {
                least = other;
            }
        }

        return (count, used, least);
    }

    public override bool References(PlacementField field) => Field == field;

    public override string Describe() => Values is null ? $"{Field}:GROUP_BY" : $"{Field}:GROUP_BY:{Values}";
}
