namespace ActorScheduler.Specs.Placement;

/// <summary>Stands for a constraint that did not parse: always fails, and the spec validator rejects it.</summary>
/// <param name="Constraint">The constraint text as written.</param>
/// <param name="Error">Why it did not parse.</param>
public sealed record InvalidPlacementRule(string Constraint, string Error) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context) =>
        PlacementDecision.Fail(this, $"the placement constraint is invalid: {Error}");

    /// <summary>True: it refuses every agent, always.</summary>
    public override bool RefusalIsStable => true;

    /// <summary>False: what the unparsed constraint meant is unknown (PlacementRuleIsValid rejects it anyway).</summary>
    public override bool References(PlacementField field) => false;

    public override string Describe() => $"INVALID('{Constraint}')";
}
