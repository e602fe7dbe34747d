using ActorScheduler.Actors.Offers;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Actors.Tests.Offers;

/// <summary>Reservations are made per resource set: tasks sharing one run, one after the other, on the same resources.</summary>
public sealed class ResourceSetEvaluationTests
{
    private static readonly PodSpec Pod = TestOffers.SharedSetPod(TestOffers.Port("http", envKey: "PORT_HTTP"));

    [Fact]
    public void A_shared_resource_set_is_reserved_once_for_the_new_footprint()
    {
        var init = OfferEvaluator.Evaluate(TestOffers.Launch(Pod, "init"), TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(init.Passed, string.Join("\n", init.Explanation));
        var reserve = init.Operations[0].Reserve.Resources;
        Assert.Equal(0.1 + 0.5, reserve.Where(r => r.Name == "cpus").Sum(Resources.Scalar), 6);
        Assert.Equal(32 + 256, reserve.Where(r => r.Name == "mem").Sum(Resources.Scalar), 6);
        Assert.Equal(256 + 25, reserve.Where(r => r.Name == "disk").Sum(Resources.Scalar), 6);
        Assert.Single(reserve, r => r.Name == "ports");
        Assert.Single(init.Operations[1].Create.Volumes);
        Assert.Equal(["db-0-db-resources", "executor"], init.Footprint.Select(Resources.Owner).Distinct().Order());
        Assert.Contains("PASS(ReservationEvaluationStage): reserving 7 resources for 1 resource set and creating 1 volume for db-0", init.Explanation);

        // The init task launches on the whole set.
        var task = Assert.Single(init.Tasks).Info;
        Assert.Equal("db-0-init", task.Name);
        Assert.True(task.Resources.Select(Resources.ResourceId).ToHashSet().SetEquals(SetIds(init.Footprint)));
    }

    [Fact]
    public void The_next_task_of_the_set_launches_on_the_same_reservations_volume_and_port()
    {
        var init = OfferEvaluator.Evaluate(TestOffers.Launch(Pod, "init"), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", init.Footprint);

        // init finished, so its executor ended: the whole footprint comes back.
        var server = OfferEvaluator.Evaluate(TestOffers.Launch(Pod, "server", footprint), TestOffers.WithReserved("agent-1", init.Footprint), TestOffers.Context);

        Assert.True(server.Passed, string.Join("\n", server.Explanation));
        var operation = Assert.Single(server.Operations);
        Assert.Equal(Offer.Types.Operation.Types.Type.LaunchGroup, operation.Type);
        var (initInfo, serverInfo) = (init.Tasks[0].Info, Assert.Single(server.Tasks).Info);
        Assert.Equal("db-0-server", serverInfo.Name);
        Assert.True(serverInfo.Resources.Select(Resources.ResourceId).ToHashSet().SetEquals(initInfo.Resources.Select(Resources.ResourceId)));
        Assert.Equal(
            initInfo.Resources.Single(r => Resources.PersistenceId(r) is not null).Disk.Persistence.Id,
            serverInfo.Resources.Single(r => Resources.PersistenceId(r) is not null).Disk.Persistence.Id);
        Assert.Equal(Env(initInfo)["PORT_HTTP"], Env(serverInfo)["PORT_HTTP"]);
        Assert.Equal(footprint.Resources, server.Footprint);
    }

    [Fact]
    public void The_next_task_of_the_set_is_refused_while_the_set_is_in_use()
    {
        var init = OfferEvaluator.Evaluate(TestOffers.Launch(Pod, "init"), TestOffers.Unreserved(), TestOffers.Context);
        var footprint = new Footprint("agent-1", "agent-1.local", init.Footprint);

        // init still runs: only the executor's reservations are free... and the executor runs, so nothing is offered.
        var offer = TestOffers.WithReserved("agent-1", []);
        var server = OfferEvaluator.Evaluate(TestOffers.Launch(Pod, "server", footprint) with { RunningExecutor = init.Executor }, offer, TestOffers.Context);

        Assert.False(server.Passed);
        Assert.Contains("FAIL(ReservationEvaluationStage): Offer lacks previously reserved", server.FailureReason);
        Assert.Contains("(db-0-db-resources)", server.FailureReason);
    }

    [Fact]
    public void Two_tasks_of_one_set_cannot_launch_together()
    {
        var both = TestOffers.Launch(Pod, "init") with { TasksToLaunch = ["init", "server"] };

        var evaluation = OfferEvaluator.Evaluate(both, TestOffers.Unreserved(), TestOffers.Context);

        Assert.False(evaluation.Passed);
        Assert.Equal("FAIL(ResourceSetEvaluationStage): init, server of db-0 share resource set 'db-resources' and cannot launch together", evaluation.FailureReason);
    }

    [Fact]
    public void Tasks_with_inline_resources_keep_a_set_each()
    {
        var pod = TestOffers.HelloPod();
        pod = pod with { Tasks = [pod.Tasks[0] with { Name = "init", Goal = GoalState.Finish, Volumes = [] }, pod.Tasks[0]] };

        var evaluation = OfferEvaluator.Evaluate(TestOffers.Requirement(pod) with { TasksToLaunch = ["init"] }, TestOffers.Unreserved(), TestOffers.Context);

        Assert.True(evaluation.Passed, string.Join("\n", evaluation.Explanation));
        Assert.Equal(0.1 + 0.5 + 0.5, evaluation.Operations[0].Reserve.Resources.Where(r => r.Name == "cpus").Sum(Resources.Scalar), 6);
        Assert.Equal(["executor", "hello-0-init-resource-set", "hello-0-server-resource-set"], evaluation.Footprint.Select(Resources.Owner).Distinct().Order());
    }

    [Fact]
    public void A_footprint_recorded_with_task_owners_still_relaunches_in_place()
    {
        // Before reservations were keyed by resource set, the owner label named the task.
        var pod = TestOffers.HelloPod();
        var first = OfferEvaluator.Evaluate(TestOffers.Requirement(pod), TestOffers.Unreserved(), TestOffers.Context);
        var legacy = first.Footprint.Select(r =>
        {
            var copy = r.Clone();
            var owner = copy.Reservations[^1].Labels.Labels_.Single(l => l.Key == Resources.OwnerLabel);
            owner.Value = owner.Value.Replace("-resource-set", string.Empty, StringComparison.Ordinal);
            return copy;
        }).ToList();
        Assert.Contains(legacy, r => Resources.Owner(r) == "hello-0-server");

        var relaunch = OfferEvaluator.Evaluate(
            TestOffers.Requirement(pod, new Footprint("agent-1", "agent-1.local", [.. legacy])), TestOffers.WithReserved("agent-1", legacy), TestOffers.Context);

        Assert.True(relaunch.Passed, string.Join("\n", relaunch.Explanation));
        Assert.Equal(3, relaunch.Tasks[0].Info.Resources.Count);
    }

    [Fact]
    public void Garbage_collection_spares_every_reservation_of_the_footprint_ports_included()
    {
        var init = OfferEvaluator.Evaluate(TestOffers.Launch(Pod, "init"), TestOffers.Unreserved(), TestOffers.Context);
        var owned = init.Footprint.Select(Resources.ResourceId).OfType<string>().ToHashSet();
        var offer = TestOffers.WithReserved("agent-1", init.Footprint);

        Assert.Empty(UnexpectedResources.Cleanup(offer, owned, TestOffers.Context.Reservation.Role));

        // Once nobody owns them, the port is unreserved with the rest.
        var cleanup = UnexpectedResources.Cleanup(offer, new HashSet<string>(), TestOffers.Context.Reservation.Role);
        Assert.Contains(cleanup[^1].Unreserve.Resources, r => r.Name == "ports" && Resources.PortName(r) == "http");
    }

    private static HashSet<string?> SetIds(IEnumerable<Resource> footprint) =>
        footprint.Where(r => Resources.Owner(r) == "db-0-db-resources").Select(Resources.ResourceId).ToHashSet();

    internal static Dictionary<string, string> Env(TaskInfo task) =>
        task.Command.Environment.Variables.ToDictionary(v => v.Name, v => v.Value);
}
