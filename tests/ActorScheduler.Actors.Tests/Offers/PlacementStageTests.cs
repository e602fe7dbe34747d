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

    private Akka.TestKit.TestProbe? _entityJournal;

    /// <summary>Stands in for the entity journal, which the router asks for a barrier when a claiming pod actor stops.</summary>
    private Akka.TestKit.TestProbe EntityJournal => _entityJournal ??= CreateTestProbe();

    [Fact]
    public void A_placement_rule_refuses_an_agent_and_says_why()
    {
        var placed = new PlacedTasks([new PlacedTask("hello-0", PlacementAgent.OnHost("agent-1.local"))]);
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
        var placed = new PlacedTasks([new PlacedTask("hello-0", PlacementAgent.OnHost("agent-1.local"))]);

        Assert.True(OfferEvaluator.Evaluate(TestOffers.Requirement(UniquePod), TestOffers.Unreserved("agent-1"), TestOffers.Context, placed).Passed);
    }

    [Fact]
    public void Packing_one_offer_respects_a_unique_rule_within_the_same_cycle()
    {
        var (gateway, pod0, pod1) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, gateway, EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod)), pod0);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod) with { Index = 1 }), pod1);

        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-1", cpus: 4))));
        pod0.ExpectMsg<LaunchClaim>();
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", pod1.ExpectMsg<OffersDoNotFit>().Why);
        pod1.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        router.Tell(new OffersReceived(ImmutableArray.Create(TestOffers.Unreserved("agent-2", cpus: 4))));
        Assert.Equal("agent-2", pod1.ExpectMsg<LaunchClaim>().Offer.AgentId.Value);
    }

    [Fact]
    public void The_router_counts_the_agents_a_placement_rule_refuses_and_claims_the_first_it_admits()
    {
        var pod1 = CreateTestProbe();
        // hello-0 runs on agent-1, hello-2 on agent-2 (hostnames agent-N.local); hello-1 waits.
        var router = ReconciledRouter(("hello-0", "agent-1.local"), ("hello-2", "agent-2.local"));
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod) with { Index = 1 }), pod1);

        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1"), TestOffers.Unreserved("agent-2"), TestOffers.Unreserved("agent-3")]));

        Assert.Equal("agent-3", pod1.ExpectMsg<LaunchClaim>().Offer.AgentId.Value);
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes("hello-1"));
        var summary = Assert.Single(ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>().Summaries);
        Assert.Equal("hello-1: 3 offers evaluated, 1 passed; 2 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", summary.Line);
    }

    [Fact]
    public void Pods_refused_everywhere_by_a_rule_do_not_stop_pods_of_the_same_need_without_it()
    {
        var (unique, free) = (CreateTestProbe(), CreateTestProbe());
        var router = ReconciledRouter(("hello-0", "agent-1.local"));
        // The same resources, one pod type with hostname:UNIQUE and one without: one offer, on the agent hello-0 runs on.
        var freePod = TestOffers.HelloPod() with { Type = "free" };
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod) with { Index = 1 }), unique);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(UniquePod) with { Index = 2 }), unique);
        router.Tell(new RegisterRequirement(TestOffers.Requirement(freePod)), free);

        router.Tell(new OffersReceived([TestOffers.Unreserved("agent-1", cpus: 4)]));

        Assert.Equal("agent-1", free.ExpectMsg<LaunchClaim>().Offer.AgentId.Value);
        unique.ExpectMsg<OffersDoNotFit>();
        unique.ExpectMsg<OffersDoNotFit>();
        unique.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        router.Tell(new ActorScheduler.Messages.Offers.OfferProtocol.GetOfferOutcomes(null));
        var lines = ExpectMsg<ActorScheduler.Messages.Offers.OfferOutcomes>().Summaries.ToDictionary(s => s.PodInstance, s => s.Line);
        // hello-2 was skipped for hello-1's reasons (nothing changed between them), with the same count.
        Assert.Equal("hello-1: 1 offer evaluated, 0 passed; 1 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", lines["hello-1"]);
        Assert.Equal("hello-2: 1 offer evaluated, 0 passed; 1 FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", lines["hello-2"]);
    }

    /// <summary>A reconciled router that knows where the given pod instances run (the gateway a throwaway probe).</summary>
    private IActorRef ReconciledRouter(params (string Pod, string Host)[] placed)
    {
        var router = Sys.ActorOf(OfferRouterActor.Props("hello-world", TestOffers.Context, CreateTestProbe(), EntityJournal));
        router.Tell(new ReconciliationComplete("fw-1"));
        foreach (var (pod, host) in placed)
        {
            router.Tell(new FootprintOwned(pod, [], PlacementAgent.OnHost(host)));
        }

        return router;
    }

    [Fact]
    public void The_agent_view_has_text_attributes_zone_and_region()
    {
        var offer = TestOffers.Unreserved();
        offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute { Name = "rack", Type = Value.Types.Type.Text, Text = new Value.Types.Text { Value = "r1" } });
        offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute { Name = "ssd", Type = Value.Types.Type.Scalar, Scalar = new Value.Types.Scalar { Value = 2 } });
        offer.Attributes.Add(new ActorScheduler.Messages.MesosV1.Attribute
        {
            Name = "slots",
            Type = Value.Types.Type.Ranges,
            Ranges = new Value.Types.Ranges { Range = { new Value.Types.Range { Begin = 1, End = 4 }, new Value.Types.Range { Begin = 8, End = 9 } } },
        });
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
        // Ranges as Mesos writes them (and an agent's --attributes takes them), so [["slots", "IS", "[1-4,8-9]"]] matches.
        Assert.Equal("[1-4,8-9]", agent.Attributes["slots"]);
    }
}
