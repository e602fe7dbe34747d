using System.Collections.Immutable;

namespace ActorScheduler.Specs.Placement;

/// <summary>A parsed placement constraint: the rule (null when the constraint is empty) or why it does not parse.</summary>
public sealed record PlacementParseResult(PlacementRule? Rule, ImmutableArray<string> Errors)
{
    public bool IsValid => Errors.IsEmpty;

    /// <summary>The rule, or an <see cref="InvalidPlacementRule"/> holding the errors (as DC/OS stores bad constraints).</summary>
    public PlacementRule? RuleOrInvalid(string constraint) =>
        IsValid ? Rule : new InvalidPlacementRule(constraint, string.Join("; ", Errors));
}
