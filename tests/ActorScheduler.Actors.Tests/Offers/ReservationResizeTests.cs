using ActorScheduler.Specs.Model;
using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using OperationType = ActorScheduler.Messages.MesosV1.Offer.Types.Operation.Types.Type;

namespace ActorScheduler.Actors.Tests.Offers;

public sealed class ReservationResizeTests
{
    [Fact]
    public void A_relaunch_with_more_cpus_and_less_mem_resizes_its_reservations_in_place()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod(cpus: 0.5, mem: 256)), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        var footprint = new Footprint(offer.AgentId.Value, offer.Hostname, first.Footprint);
        var requirement = TestOffers.Requirement(TestOffers.HelloPod(cpus: 0.8, mem: 200), footprint);

        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Equal([OperationType.Reserve, OperationType.Unreserve, OperationType.LaunchGroup], evaluation.Operations.Select(o => o.Type));
        var grown = Assert.Single(evaluation.Operations[0].Reserve.Resources);
        var shrunk = Assert.Single(evaluation.Operations[1].Unreserve.Resources);
        Assert.Equal(("cpus", 0.3), (grown.Name, Math.Round(grown.Scalar.Value, 3)));
        Assert.Equal(("mem", 56.0), (shrunk.Name, shrunk.Scalar.Value));

        // Same resource ids, new amounts: in the footprint and in the task's resources.
        var oldCpus = first.Footprint.Single(r => r.Name == "cpus" && Resources.Owner(r) != Resources.ExecutorOwner);
        Assert.Equal(Resources.ResourceId(oldCpus), Resources.ResourceId(grown));
        var newCpus = evaluation.Footprint.Single(r => Resources.ResourceId(r) == Resources.ResourceId(oldCpus));
        Assert.Equal(0.8, newCpus.Scalar.Value, 6);
        Assert.Equal(first.Footprint.Select(Resources.ResourceId).Order(), evaluation.Footprint.Select(Resources.ResourceId).Order());
        var taskCpus = evaluation.Tasks.Single().Info.Resources.Single(r => r.Name == "cpus");
        Assert.Equal(0.8, taskCpus.Scalar.Value, 6);
        Assert.Contains(evaluation.Explanation, l => l.Contains("resized in place from 0.5 to 0.8", StringComparison.Ordinal));
    }

    [Fact]
    public void A_task_a_config_update_added_gets_its_own_reservations_and_volume_beside_the_footprint()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        var sidecar = new TaskSpec("sidecar", GoalState.Running, "sleep 1000", 0.1, 32, [], [new VolumeSpec("side", VolumeType.Root, 10)])
        {
            Ports = [TestOffers.Port("admin")],
        };
        var pod = TestOffers.HelloPod() with { Tasks = [.. TestOffers.HelloPod().Tasks, sidecar] };
        var requirement = new PodRequirement("hello-world", null, pod, 0, ["server", "sidecar"], "config-2", new Footprint("agent-1", offer.Hostname, first.Footprint));

        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Equal([OperationType.Reserve, OperationType.Create, OperationType.LaunchGroup], evaluation.Operations.Select(o => o.Type));
        var reserved = evaluation.Operations[0].Reserve.Resources;
        Assert.Equal(["cpus", "disk", "mem", "ports"], reserved.Select(r => r.Name).Order());
        Assert.All(reserved, r => Assert.Equal("hello-0-sidecar-resource-set", Resources.Owner(r)));
        Assert.Equal("side", Assert.Single(evaluation.Operations[1].Create.Volumes).Disk.Volume.ContainerPath);
        // The server relaunches on its own reservations; the footprint keeps them and gains the sidecar's.
        var server = evaluation.Tasks.Single(t => t.TaskName == "server").Info;
        Assert.All(server.Resources, r => Assert.Contains(Resources.ResourceId(r), first.Footprint.Select(Resources.ResourceId)));
        Assert.Equal(first.Footprint.Length + 4, evaluation.Footprint.Length);
        Assert.Subset(evaluation.Footprint.Select(Resources.ResourceId).ToHashSet(), first.Footprint.Select(Resources.ResourceId).ToHashSet());
        var side = evaluation.Tasks.Single(t => t.TaskName == "sidecar").Info;
        Assert.Equal(4, side.Resources.Count);
        Assert.Contains(side.Resources, r => Resources.PersistenceId(r) is not null);

        // Relaunched later, both sets are in the footprint: nothing new is reserved.
        var again = OfferEvaluator.Evaluate(requirement with { Existing = new Footprint("agent-1", offer.Hostname, evaluation.Footprint) },
            TestOffers.WithReserved("agent-1", evaluation.Footprint), TestOffers.Context);
        Assert.True(again.Passed, string.Join("\n", again.Explanation));
        Assert.Equal([OperationType.LaunchGroup], again.Operations.Select(o => o.Type));
    }

    [Fact]
    public void A_task_a_config_update_added_fails_on_an_agent_without_room_for_it_and_says_what_is_missing()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod()), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);
        var sidecar = new TaskSpec("sidecar", GoalState.Running, "sleep 1000", 2, 32, [], []);
        var pod = TestOffers.HelloPod() with { Tasks = [.. TestOffers.HelloPod().Tasks, sidecar] };
        var requirement = new PodRequirement("hello-world", null, pod, 0, ["server", "sidecar"], "config-2", new Footprint("agent-1", offer.Hostname, first.Footprint));

        var evaluation = OfferEvaluator.Evaluate(requirement, offer, TestOffers.Context);

        Assert.False(evaluation.Passed);
        Assert.Contains("FAIL(ResourceEvaluationStage): Offer lacks sufficient unreserved 'cpus' for hello-0-sidecar, new to the footprint: 2 needed, 1 available", evaluation.Explanation);
    }

    [Fact]
    public void Growing_beyond_what_the_agent_has_unreserved_fails_and_says_how_much_is_missing()
    {
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod(cpus: 0.5, mem: 256)), TestOffers.Unreserved("agent-1"), TestOffers.Context);
        var offer = TestOffers.WithReserved("agent-1", first.Footprint);   // 1 cpu unreserved left
        var footprint = new Footprint(offer.AgentId.Value, offer.Hostname, first.Footprint);

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(TestOffers.HelloPod(cpus: 2, mem: 256), footprint), offer, TestOffers.Context);

        Assert.False(evaluation.Passed);
        Assert.Contains(evaluation.Explanation, l => l.StartsWith("FAIL(ResourceEvaluationStage): growing", StringComparison.Ordinal)
            && l.EndsWith("from 0.5 to 2 needs more unreserved on this agent: 1.5 needed, 1 available", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unchanged_size_needs_no_operation()
    {
        var held = Resources.Scalar("cpus", 0.5);
        var outcome = ReservationResize.Plan("set", "cpus", [held], 0.5, unreservedAvailable: 0);
        Assert.True(outcome.Passed);
        Assert.Null(outcome.Operation);
    }

    [Fact]
    public void Two_reservations_of_one_name_are_not_resized()
    {
        var outcome = ReservationResize.Plan("set", "mem", [Resources.Scalar("mem", 100), Resources.Scalar("mem", 100)], 300, unreservedAvailable: 1000);
        Assert.False(outcome.Passed);
        Assert.Contains("in 2 reservations", outcome.Explanation, StringComparison.Ordinal);
    }
}
