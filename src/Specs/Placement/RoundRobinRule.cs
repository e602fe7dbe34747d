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

        var byValue = PodScope.InstancesByValue(context, Field, PodType);
        var shown = Field.DescribeValue(value);
        var count = byValue.GetValueOrDefault(value)?.Count ?? 0;
        if (count == 0)
        {
            return PlacementDecision.Pass(this, $"{shown} has no instances yet");
        }

        var unusedValuesRemain = Values is { } expected && byValue.Count < expected;
        var least = byValue.MinBy(pair => pair.Value.Count);
        if (!unusedValuesRemain && count <= least.Value.Count)
        {
            return PlacementDecision.Pass(this, $"{shown} has {count}, as few as any other value");
        }

        var here = string.Join(", ", byValue[value]);
        return PlacementDecision.Fail(this, unusedValuesRemain
            ? $"{shown} already has {here} while only {byValue.Count} of {Values} values are used"
            : $"{shown} already has {count} ({here}) while {Field.DescribeValue(least.Key)} has {least.Value.Count}");
    }

    public override bool References(PlacementField field) => Field == field;

    public override string Describe() => Values is null ? $"{Field}:GROUP_BY" : $"{Field}:GROUP_BY:{Values}";
}
