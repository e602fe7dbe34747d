namespace ActorScheduler.Specs.Placement;

/// <summary>Passes when <see cref="Rule"/> fails.</summary>
public sealed record NotRule(PlacementRule Rule) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context)
    {
        var decision = Rule.Evaluate(context);
        return decision.Passed
            ? PlacementDecision.Fail(this, $"{decision.Rule} passes: {decision.Reason}")
            : PlacementDecision.Pass(this, $"{decision.Rule} fails: {decision.Reason}");
    }

    public override bool Admits(PlacementContext context) => !Rule.Admits(context);

    /// <summary>Only over a field match (UNLIKE, IS_NOT), which never changes: NOT of a count may come to admit.</summary>
    public override bool RefusalIsStable => Rule is FieldMatchRule;

    public override bool References(PlacementField field) => Rule.References(field);

    public override string Describe() => $"NOT({Rule})";
}
