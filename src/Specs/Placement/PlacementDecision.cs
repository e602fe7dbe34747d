namespace ActorScheduler.Specs.Placement;

/// <summary>Whether an agent passes a rule, and why; prints as <c>FAIL: hostname:UNIQUE — agent-1 already runs hello-0</c>.</summary>
/// <param name="Passed">True when the agent may host the pod instance.</param>
/// <param name="Rule">The rule that decided, in its printed form.</param>
/// <param name="Reason">Why, in terms of the agent and the placed tasks.</param>
public sealed record PlacementDecision(bool Passed, string Rule, string Reason)
{
    internal static PlacementDecision Pass(PlacementRule rule, string reason) => new(true, rule.ToString(), reason);

    internal static PlacementDecision Fail(PlacementRule rule, string reason) => new(false, rule.ToString(), reason);

    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")}: {Rule} — {Reason}";
}
