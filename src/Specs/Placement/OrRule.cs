using System.Collections.Immutable;

namespace ActorScheduler.Specs.Placement;

/// <summary>Passes when at least one rule passes.</summary>
public sealed record OrRule(ImmutableArray<PlacementRule> Rules) : PlacementRule
{
    public override PlacementDecision Evaluate(PlacementContext context)
    {
        var failures = new List<string>();
        foreach (var rule in Rules)
        {
            var decision = rule.Evaluate(context);
            if (decision.Passed)
            {
                return PlacementDecision.Pass(this, $"{decision.Rule} passes: {decision.Reason}");
            }

            failures.Add($"{decision.Rule}: {decision.Reason}");
        }

        return PlacementDecision.Fail(this, failures.Count == 0 ? "no rules to pass" : $"no rule passes ({string.Join("; ", failures)})");
    }

    public override bool Admits(PlacementContext context)
    {
        foreach (var rule in Rules)
        {
            if (rule.Admits(context))
            {
                return true;
            }
        }

        return false;
    }

    public override bool RefusalIsStable => Rules.All(rule => rule.RefusalIsStable);

    public override bool References(PlacementField field) => Rules.Any(rule => rule.References(field));

    public override string Describe() => $"OR({string.Join(", ", Rules)})";

    public bool Equals(OrRule? other) => other is not null && Rules.SequenceEqual(other.Rules);

    public override int GetHashCode() => Rules.Aggregate(19, (hash, rule) => (hash * 31) + rule.GetHashCode());
}
