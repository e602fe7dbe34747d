using System.Collections.Immutable;

namespace ActorScheduler.Specs.Placement;

/// <summary>Passes when every rule passes; a failure is reported as the first failing rule's decision.</summary>
public sealed record AndRule(ImmutableArray<PlacementRule> Rules) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context)
    {
        foreach (var rule in Rules)
        {
            var decision = rule.Evaluate(context);
            if (!decision.Passed)
            {
                return decision;
            }
        }

        return PlacementDecision.Pass(this, $"all {Rules.Length} rules pass");
    }

    public override bool Admits(PlacementContext context)
    {
        foreach (var rule in Rules)
        {
            if (!rule.Admits(context))
            {
                return false;
            }
        }

        return true;
    }

    public override PlacementRule? Refuser(PlacementContext context)
    {
        foreach (var rule in Rules)
        {
            if (rule.Refuser(context) is { } refuser)
            {
                return refuser;
            }
        }

        return null;
    }

    public override bool RefusalIsStable => Rules.All(rule => rule.RefusalIsStable);

    public override bool References(PlacementField field) => Rules.Any(rule => rule.References(field));

    public override string Describe() => $"AND({string.Join(", ", Rules)})";

    public bool Equals(AndRule? other) => other is not null && Rules.SequenceEqual(other.Rules);

    public override int GetHashCode() => Rules.Aggregate(17, (hash, rule) => (hash * 31) + rule.GetHashCode());
}
