namespace ActorScheduler.Specs.Placement;

/// <summary>
/// The agent's <see cref="Field"/> satisfies <see cref="Matcher"/> (DC/OS HostnameRule, AttributeRule, ZoneRule and
/// RegionRule). Marathon CLUSTER and IS are <see cref="ExactMatcher"/>, IS_NOT <see cref="InvertedExactMatcher"/>,
/// LIKE <see cref="RegexMatcher"/>.
/// </summary>
public sealed record FieldMatchRule(PlacementField Field, StringMatcher Matcher) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context)
    {
        var agent = context.Agent;
        var value = Field.ValueOf(agent);
        var seen = value is null ? Field.DescribeMissing(agent) : $"{agent.Hostname} has {Field.DescribeValue(value)}";
        return Matcher.Matches(value) ? PlacementDecision.Pass(this, seen) : PlacementDecision.Fail(this, seen);
    }

    public override bool Admits(PlacementContext context) => Matcher.Matches(Field.ValueOf(context.Agent));

    public override bool RefusalIsStable => true;

    public override bool References(PlacementField field) => Field == field;

    public override string Describe() => $"{Field}:{Matcher}";
}
