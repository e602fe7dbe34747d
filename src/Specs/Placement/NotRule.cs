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

    public override bool References(PlacementField field) => Rule.References(field);

    public override string Describe() => $"NOT({Rule})";
}
