namespace ActorScheduler.Specs.Placement;

/// <summary>
/// At most <see cref="Max"/> pod instances per value of <see cref="Field"/> (DC/OS MaxPerHostnameRule,
/// MaxPerAttributeRule, MaxPerZoneRule, MaxPerRegionRule; Marathon MAX_PER n, and UNIQUE when <see cref="Max"/> is 1).
/// Counts distinct pod instances of <see cref="PodType"/> (all of the service's when null). An agent without a value
/// for the field passes: no limit applies to it.
/// </summary>
public sealed record MaxPerRule(PlacementField Field, int Max, string? PodType = null) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context)
    {
        var value = Field.ValueOf(context.Agent);
        if (value is null)
        {
            return PlacementDecision.Pass(this, $"{Field.DescribeMissing(context.Agent)}; no limit applies");
        }

        var shown = Field.DescribeValue(value);
        var count = context.CountAt(Field, PodType, value);
        if (count < Max)
        {
            return PlacementDecision.Pass(this, $"{shown} runs {count} of at most {Max}");
        }

        var list = string.Join(", ", context.InstancesAt(Field, PodType, value));
        return PlacementDecision.Fail(this, Max == 1 ? $"{shown} already runs {list}" : $"{shown} already runs {count} of at most {Max}: {list}");
    }

    public override bool Admits(PlacementContext context) =>
        Field.ValueOf(context.Agent) is not { } value || context.CountAt(Field, PodType, value) < Max;

    public override bool RefusalIsStable => true;

    public override bool References(PlacementField field) => Field == field;

    public override string Describe() => Max == 1 ? $"{Field}:UNIQUE" : $"{Field}:MAX_PER:{Max}";
}
