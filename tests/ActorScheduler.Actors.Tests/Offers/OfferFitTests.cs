using ActorScheduler.Actors.Offers;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class OfferFitTests
{
    [Theory]
    [InlineData(0.5, 256, 4, 4096, 10000, null)]
    [InlineData(0.5, 256, 0.55, 4096, 10000, "cpus")]
    [InlineData(0.5, 256, 4, 200, 10000, "mem")]
    [InlineData(0.5, 256, 4, 4096, 100, "disk")]
    public void A_new_footprint_is_skipped_exactly_when_the_full_evaluation_lacks_a_scalar(
        double podCpus, int podMem, double offerCpus, double offerMem, double offerDisk, string? lacking)
    {
        var requirement = TestOffers.Requirement(TestOffers.HelloPod(podCpus, podMem));
        var offer = TestOffers.Unreserved(cpus: offerCpus, mem: offerMem, disk: offerDisk);
        var need = OfferFit.NewFootprintNeed(requirement.Pod, TestOffers.Context.Executor);

        var skip = OfferFit.Skip(requirement, need, offer, OfferFit.Unreserved(offer));

        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);
        if (lacking is null)
        {
            Assert.Null(skip);
            Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        }
        else
        {
            Assert.Equal($"FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved '{lacking}' for new reservation", skip);
            Assert.False(evaluation.Passed);
            Assert.Equal(skip, OfferOutcomeTracker.ReasonOf(evaluation.Explanation));
        }
    }

    [Fact]
    public void An_offer_from_another_region_that_also_lacks_cpus_is_skipped_for_the_region_as_the_full_evaluation_fails_it()
    {
        var requirement = TestOffers.Requirement(TestOffers.HelloPod());
        var context = TestOffers.Context with { LocalRegion = "east" };
        var west = TestOffers.Unreserved("agent-2", cpus: 0.1);
        west.Domain = new ActorScheduler.Messages.MesosV1.DomainInfo { FaultDomain = new() { Region = new() { Name = "west" }, Zone = new() { Name = "west-a" } } };
        var need = OfferFit.NewFootprintNeed(requirement.Pod, context.Executor);

        var skip = OfferFit.Refusal(requirement, need, west, OfferFit.Unreserved(west), ActorScheduler.Actors.Offers.PlacementAgents.Of(west), new ActorScheduler.Specs.Placement.PlacedTasks(), context);

        Assert.Equal("FAIL(PlacementRuleEvaluationStage): not in the local region 'east' (the master's; the pod has no @region rule)", skip);
        Assert.Equal(skip, OfferOutcomeTracker.ReasonOf(OfferEvaluator.Evaluate(requirement, west, context).Explanation));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0.1)]
    public void A_unique_pod_whose_sibling_runs_on_the_host_is_skipped_for_the_rule_as_the_full_evaluation_groups_it(double offerCpus)
    {
        var unique = TestOffers.HelloPod() with
        {
            Placement = ActorScheduler.Specs.Placement.PlacementRuleParser.Parse("hostname:UNIQUE", "hello").Rule,
            PlacementText = "hostname:UNIQUE",
        };
        var requirement = TestOffers.Requirement(unique) with { Index = 1 };
        var offer = TestOffers.Unreserved("agent-1", cpus: offerCpus);
        var agent = ActorScheduler.Actors.Offers.PlacementAgents.Of(offer);
        var placed = new ActorScheduler.Specs.Placement.PlacedTasks([new ActorScheduler.Specs.Placement.PlacedTask("hello-0", agent)]);
        var need = OfferFit.NewFootprintNeed(unique, TestOffers.Context.Executor);

        var skip = OfferFit.Refusal(requirement, need, offer, OfferFit.Unreserved(offer), agent, placed, TestOffers.Context);

        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context, placed);
        Assert.Contains(evaluation.Explanation, l => l.StartsWith("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE — ", StringComparison.Ordinal));
        Assert.Equal("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", skip);
        Assert.Equal(skip, OfferOutcomeTracker.ReasonOf(evaluation.Explanation));
    }

    [Fact]
    public void A_pod_under_several_rules_is_skipped_for_the_rule_that_refuses_as_the_full_evaluation_names_it()
    {
        var rules = ActorScheduler.Specs.Placement.PlacementRuleParser.Parse("[[\"hostname\", \"LIKE\", \"agent-.*\"], [\"hostname\", \"UNIQUE\"]]", "hello").Rule;
        Assert.IsType<ActorScheduler.Specs.Placement.AndRule>(rules);
        var requirement = TestOffers.Requirement(TestOffers.HelloPod() with { Placement = rules }) with { Index = 1 };
        var offer = TestOffers.Unreserved("agent-1");
        var agent = ActorScheduler.Actors.Offers.PlacementAgents.Of(offer);
        var placed = new ActorScheduler.Specs.Placement.PlacedTasks([new ActorScheduler.Specs.Placement.PlacedTask("hello-0", agent)]);

        var skip = OfferFit.Refusal(requirement, OfferFit.NewFootprintNeed(requirement.Pod, TestOffers.Context.Executor), offer, OfferFit.Unreserved(offer), agent, placed, TestOffers.Context);

        Assert.Equal("FAIL(PlacementRuleEvaluationStage): hostname:UNIQUE", skip);
        Assert.Equal(skip, OfferOutcomeTracker.ReasonOf(OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context, placed).Explanation));
    }

    [Fact]
    public void The_need_counts_the_executor_once_with_the_pods_resource_sets()
    {
        var pod = TestOffers.HelloPod(cpus: 1.5, mem: 512);
        var need = OfferFit.NewFootprintNeed(pod, new ExecutorResources(Cpus: 0.1, MemoryMb: 32, DiskMb: 256));
        Assert.Equal(1.6, need.Cpus, 6);
        Assert.Equal(544, need.Mem, 6);
    }

    [Fact]
    public void The_need_is_what_a_new_footprint_reserves_with_a_shared_resource_set_counted_once()
    {
        foreach (var (pod, task) in new[] { (TestOffers.HelloPod(), "server"), (TestOffers.SharedSetPod(), "init") })
        {
            var evaluation = OfferEvaluator.Evaluate(TestOffers.Launch(pod, task), TestOffers.Unreserved(), TestOffers.Context);
            Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
            var reserved = evaluation.Operations.Single(o => o.Reserve is not null).Reserve.Resources
                .GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.Sum(Resources.Scalar));

            var need = OfferFit.NewFootprintNeed(pod, TestOffers.Context.Executor);

            Assert.Equal(reserved["cpus"], need.Cpus, 6);
            Assert.Equal(reserved["mem"], need.Mem, 6);
            Assert.Equal(reserved["disk"], need.Disk, 6);
        }
    }

    [Fact]
    public void A_pod_with_a_footprint_skips_offers_from_other_agents_only()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.example", first.Footprint);
        var relaunch = TestOffers.Requirement(TestOffers.HelloPod(), footprint);

        var other = TestOffers.Unreserved("agent-2");
        var same = TestOffers.Unreserved("agent-1");
        Assert.NotNull(OfferFit.Skip(relaunch, default, other, OfferFit.Unreserved(other)));
        Assert.Null(OfferFit.Skip(relaunch, default, same, OfferFit.Unreserved(same)));
    }

    [Fact]
    public void Unreserved_sums_only_unreserved_non_volume_scalars()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);

        var available = OfferFit.Unreserved(offer);
        Assert.Contains(offer.Resources, Resources.IsReserved);
        Assert.Equal(new OfferFit.Scalars(1, 512, 1000), available);
    }
}
