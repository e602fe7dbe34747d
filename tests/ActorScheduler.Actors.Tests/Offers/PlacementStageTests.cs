using System.Collections.Immutable;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Placement;
using Akka.Actor;
using Akka.TestKit.Xunit2;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class PlacementStageTests : ActorTestKit
{
    private static readonly ActorScheduler.Specs.Model.PodSpec UniquePod = TestOffers.HelloPod() with
    {
        Placement = PlacementRuleParser.Parse("hostname:UNIQUE", "hello").Rule,
        PlacementText = "hostname:UNIQUE",
    };

    [Fact]
    public void A_placement_rule_refuses_an_agent_and_says_why()
    {
        var placed = new[] { new PlacedTask("hello-0", PlacementAgent.OnHost("agent-1.local")) };
        var requirement = TestOffers.Requirement(UniquePod) with { Index = 1 };

        var refused = OfferEvaluator.Evaluate(requirement, TestOffers.Unreserved("agent-1"), TestOffers.Context, placed);
        var accepted = OfferEvaluator.Evaluate(requirement, TestOffers.Unreserved("agent-2"), TestOffers.Context, placed);

        Assert.False(refused.Passed);
        Assert.StartsWith("FAIL(PlacementRuleEvaluationStage): ", refused.FailureReason);
        Assert.Contains("hello-0", refused.FailureReason);
        Assert.True(accepted.Passed);
        Assert.StartsWith("PASS(PlacementRuleEvaluationStage)", accepted.Explanation[0]);
    }

    [Fact]
    public void A_pod_instance_never_conflicts_with_itself()
    {
        var placed = new[] { new PlacedTask("hello-0", PlacementAgent.OnHost("agent-1.local")) };

        Assert.True(OfferEvaluator.Evaluate(TestOffers.Requirement(UniquePod), TestOffers.Unreserved("agent-1"), TestOffers.Context, placed).Passed);
    }

    [Fact]
    public void Packing_one_offer_respects_a_unique_rule_within_the_same_cycle()
    {
        var (gateway, pod0, pod1) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod)), pod0);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod) with { Index = 1 }), pod1);

        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-1", cpus: 4))));
        pod0.ExpectMsg<LaunchClaim>();
        pod1.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-2", cpus: 4))));
        Assert.Equal("agent-2", pod1.ExpectMsg<LaunchClaim>().Offer.AgentId.Value);
    }

    [Fact]
    public void The_agent_view_has_text_attributes_zone_and_region()
    {
        var offer = TestOffers.Unreserved();
        offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute { Name = "rack", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = "r1" } });
        offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute { Name = "ssd", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 2 } });
        offer.Domain = new DomainInfo
        {
            FaultDomain = new DomainInfo.Types.FaultDomain
            {
                Region = new DomainInfo.Types.FaultDomain.Types.RegionInfo { Name = "eu" },
                Zone = new DomainInfo.Types.FaultDomain.Types.ZoneInfo { Name = "eu-1a" },
            },
        };

        var agent = PlacementAgents.Of(offer);

        Assert.Equal(("agent-1.local", "r1", "2", "eu-1a", "eu"), (agent.Hostname, agent.Attributes["rack"], agent.Attributes["ssd"], agent.Zone, agent.Region));
    }
}
