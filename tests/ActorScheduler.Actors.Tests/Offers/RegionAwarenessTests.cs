using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Specs.Placement;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class RegionAwarenessTests
{
    private static readonly PlacementAgent East = new("agent-1", ImmutableDictionary<string, string>.Empty, "east-a", "east");
    private static readonly PlacementAgent West = new("agent-2", ImmutableDictionary<string, string>.Empty, "west-a", "west");
    private static readonly PlacementAgent Nowhere = PlacementAgent.OnHost("agent-3");

    private static EvaluationContext Context(string? local, string? pinned = null) =>
        TestOffers.Context with { LocalRegion = local, ServiceRegion = pinned };

    [Fact]
    public void Without_a_region_to_go_by_every_agent_is_admitted()
    {
        var pod = TestOffers.HelloPod();

        Assert.All(new[] { East, West, Nowhere }, agent => Assert.Null(RegionAwareness.Refusal(pod, agent, Context(local: null))));
        Assert.Null(RegionAwareness.Admitted(pod, East, Context(local: null)));
    }

    [Fact]
    public void A_new_footprint_goes_to_the_local_region_and_an_agent_without_one_is_assumed_local()
    {
        var pod = TestOffers.HelloPod();
        var context = Context(local: "east");

        Assert.Null(RegionAwareness.Refusal(pod, East, context));
        Assert.Null(RegionAwareness.Refusal(pod, Nowhere, context));
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): not in the local region 'east' (the master's; the pod has no @region rule)", RegionAwareness.Refusal(pod, West, context));
        Assert.Equal("PASS(PlacementRuleEvaluationStage): agent-1 is in the local region 'east'", RegionAwareness.Admitted(pod, East, context));
        Assert.Equal("PASS(PlacementRuleEvaluationStage): agent-3 has no region, assumed to be the local region 'east'", RegionAwareness.Admitted(pod, Nowhere, context));
    }

    [Fact]
    public void A_service_pinned_to_a_region_goes_only_there()
    {
        var pod = TestOffers.HelloPod();
        var context = Context(local: "east", pinned: "west");

        Assert.Null(RegionAwareness.Refusal(pod, West, context));
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): not in the service's region 'west' (SERVICE_REGION)", RegionAwareness.Refusal(pod, East, context));
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): the agent has no region, the service's is 'west' (SERVICE_REGION)", RegionAwareness.Refusal(pod, Nowhere, context));
        Assert.Equal("PASS(PlacementRuleEvaluationStage): agent-2 is in the service's region 'west'", RegionAwareness.Admitted(pod, West, context));
    }

    [Fact]
    public void A_pod_with_an_at_region_rule_is_placed_by_its_rule_alone()
    {
        var rule = PlacementRuleParser.Parse("[[\"@region\", \"IS\", \"west\"]]", "hello").Rule;
        var pod = TestOffers.HelloPod() with { Placement = rule };
        var context = Context(local: "east");

        Assert.Null(RegionAwareness.Refusal(pod, West, context));
        Assert.Null(RegionAwareness.Admitted(pod, West, context));
        var requirement = TestOffers.Requirement(pod);
        Assert.Null(OfferEvaluator.PlacementRefusal(requirement, West, new PlacedTasks(), context));
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): @region:IS:west", OfferEvaluator.PlacementRefusal(requirement, East, new PlacedTasks(), context));
    }

    [Fact]
    public void The_full_evaluation_fails_an_offer_from_another_region_for_the_reason_the_pre_check_counts()
    {
        var requirement = TestOffers.Requirement(TestOffers.HelloPod());
        var context = Context(local: "east");
        var west = TestOffers.Unreserved("agent-2");
        west.Domain = new Messages.MesosV1.DomainInfo { FaultDomain = new() { Region = new() { Name = "west" }, Zone = new() { Name = "west-a" } } };

        var evaluation = OfferEvaluator.Evaluate(requirement, west, context);

        Assert.False(evaluation.Passed);
        var refusal = OfferEvaluator.PlacementRefusal(requirement, PlacementAgents.Of(west), new PlacedTasks(), context);
        Assert.NotNull(refusal);
        Assert.Equal(refusal, OfferOutcomeTracker.ReasonOf(evaluation.Explanation));

        // A relaunch in place stays where its reservations are.
        var existing = new Footprint("agent-2", "agent-2.local", [], PlacementAgents.Of(west));
        Assert.Null(OfferEvaluator.PlacementRefusal(TestOffers.Requirement(TestOffers.HelloPod(), existing), PlacementAgents.Of(west), new PlacedTasks(), context));
    }
}
