using System.Collections.Concurrent;
using ActorScheduler.Specs.Model;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Offers;

/// <summary>
/// Region awareness (DC/OS <c>SchedulerBuilder</c>): a new footprint of a pod whose placement says nothing about
/// <c>@region</c> goes to the service's region — the one <c>SERVICE_REGION</c> pins it to, else the master's own
/// (<c>IsLocalRegionRule</c>) — so a cluster spanning regions does not scatter a service over links it was not built
/// for. A pod with an <c>@region</c> rule is placed by that rule alone. With no region to go by (neither set, or a master
/// without a fault domain) every agent is admitted; so is an agent without a region when the region is only the local
/// one (DC/OS assumes it local), but not when the service is pinned to a region.
/// </summary>
public static class RegionAwareness
{
    /// <summary>Null when a new footprint of <paramref name="pod"/> may go to <paramref name="agent"/>; otherwise why not.</summary>
    public static string? Refusal(PodSpec pod, PlacementAgent agent, EvaluationContext context)
    {
        if (Applies(pod, context) is not { } region)
        {
            return null;
        }

        var pinned = context.ServiceRegion is not null;
        if (agent.Region is null)
        {
            return pinned ? Reasons.GetOrAdd(("", region), static k => $"FAIL(PlacementRuleEvaluationStage): the agent has no region, the service's is '{k.Region}' (SERVICE_REGION)") : null;
        }

        return agent.Region == region
            ? null
            : Reasons.GetOrAdd((pinned ? "pinned" : "local", region), static k => k.Kind == "pinned"
                ? $"FAIL(PlacementRuleEvaluationStage): not in the service's region '{k.Region}' (SERVICE_REGION)"
                : $"FAIL(PlacementRuleEvaluationStage): not in the local region '{k.Region}' (the master's; the pod has no @region rule)");
    }

    /// <summary>
    /// The explanation line of an admitted agent (null when region awareness does not apply): <c>PASS(PlacementRuleEvaluationStage):
    /// agent-3 is in the local region 'us-east-1'</c>.
    /// </summary>
    public static string? Admitted(PodSpec pod, PlacementAgent agent, EvaluationContext context) =>
        Applies(pod, context) is not { } region
            ? null
            : agent.Region is null
                ? $"PASS(PlacementRuleEvaluationStage): {agent.Hostname} has no region, assumed to be the local region '{region}'"
                : $"PASS(PlacementRuleEvaluationStage): {agent.Hostname} is in the {(context.ServiceRegion is null ? "local" : "service's")} region '{region}'";

    // The region the pod's new footprints must go to, or null when region awareness does not apply.
    private static string? Applies(PodSpec pod, EvaluationContext context) =>
        (context.ServiceRegion ?? context.LocalRegion) is { } region && pod.Placement?.References(PlacementField.Region) != true ? region : null;

    // Reasons are counted by their text, thousands of times a cycle: built once per kind and region, with no ':' after the
    // stage, so the full evaluation's line groups under the same reason (OfferOutcomeTracker.ReasonOf).
    private static readonly ConcurrentDictionary<(string Kind, string Region), string> Reasons = new();
}
