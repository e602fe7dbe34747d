using ActorScheduler.Actors.Plans;
using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.Events;
using ActorScheduler.Specs;
using Status = ActorScheduler.Messages.Plans.Status;

namespace ActorScheduler.Actors.Tests.Plans;

public sealed class DecommissionPlanTests
{
    private static Specs.Model.ServiceSpec Spec(int apiCount, bool withCache) => ServiceSpecLoader.LoadRendered($$"""
        name: svc
        pods:
          api:
            count: {{apiCount}}
            allow-decommission: true
            tasks:
              server: { goal: RUNNING, cmd: sleep 100, cpus: 0.1, memory: 32 }
        {{(withCache ? "  cache:\n    count: 2\n    allow-decommission: true\n    tasks:\n      run: { goal: RUNNING, cmd: sleep 100, cpus: 0.1, memory: 32 }\n" : "")}}
        """, "svc.yml").Spec!;

    private static readonly PodInstanceRef[] Known =
    [
        new("api", 0), new("api", 1), new("api", 2), new("cache", 0), new("cache", 1),
    ];

    [Fact]
    public void Leftovers_are_the_instances_above_the_count_and_of_removed_types_in_reverse_type_order_highest_index_first()
    {
        var leftovers = DecommissionPlan.Leftovers(Known, Spec(apiCount: 1, withCache: false));

        Assert.Equal(["cache-1", "cache-0", "api-2", "api-1"], leftovers.Select(p => p.Name));
    }

    [Fact]
    public void Nothing_is_left_over_when_the_target_names_every_instance()
    {
        Assert.Empty(DecommissionPlan.Leftovers(Known, Spec(apiCount: 3, withCache: true)));
    }

    [Theory]
    [InlineData(DecommissionStage.None, false, Status.Pending, Status.Pending, Status.Pending, "kill-tasks")]
    [InlineData(DecommissionStage.Killing, false, Status.Starting, Status.Pending, Status.Pending, "kill-tasks")]
    [InlineData(DecommissionStage.Killing, true, Status.Complete, Status.Pending, Status.Pending, "unreserve-resources")]
    [InlineData(DecommissionStage.Releasing, true, Status.Complete, Status.Starting, Status.Pending, null)]
    [InlineData(DecommissionStage.Collected, true, Status.Complete, Status.Complete, Status.Pending, "erase-state")]
    [InlineData(DecommissionStage.Erased, true, Status.Complete, Status.Complete, Status.Complete, null)]
    public void Steps_follow_the_pods_decommission_stage(DecommissionStage stage, bool killed, Status kill, Status unreserve, Status erase, string? next)
    {
        Assert.Equal([kill, unreserve, erase], DecommissionPlan.StepStatuses(stage, killed).ToArray());
        Assert.Equal(next, DecommissionPlan.NextStep(stage, killed));
    }

    // Decommissioned, releasing, and not started yet.
    private static readonly PodDecommissionView[] ThreePods =
    [
        new("api-3", DecommissionStage.Erased, true, "state erased"),
        new("api-2", DecommissionStage.Releasing, true, "waiting for 3 reservation(s) to be unreserved"),
        new("api-1", DecommissionStage.None, false, string.Empty),
    ];

    [Fact]
    public void The_plan_is_serial_by_default_one_serial_phase_per_pod_and_runs_the_first_incomplete_phase()
    {
        var views = ThreePods;

        var (info, active) = DecommissionPlan.Evaluate("svc", views, interrupted: false);

        Assert.Equal("serial", info.Strategy);
        Assert.Equal(Status.InProgress, info.Status);
        Assert.Equal(["api-2"], active.Select(v => v.Pod));
        Assert.Empty(DecommissionPlan.Evaluate("svc", views, interrupted: true).Active);
    }

    [Fact]
    public void With_more_at_once_the_plan_is_parallel_and_runs_that_many_incomplete_phases_in_order()
    {
        var views = ThreePods;

        var (info, active) = DecommissionPlan.Evaluate("svc", views, interrupted: false, parallelism: 8);

        Assert.Equal("decommission", info.Name);
        Assert.Equal("parallel", info.Strategy);
        Assert.Equal(["api-3", "api-2", "api-1"], info.Phases.Select(p => p.Name));
        Assert.All(info.Phases, p => Assert.Equal("serial", p.Strategy));
        Assert.Equal([Status.Complete, Status.InProgress, Status.Pending], info.Phases.Select(p => p.Status));
        Assert.Equal(["kill-tasks", "unreserve-resources", "erase-state"], info.Phases[1].Steps.Select(s => s.Name));
        Assert.Equal("waiting for 3 reservation(s) to be unreserved", info.Phases[1].Steps[1].Message);
        Assert.Equal(Status.InProgress, info.Status);
        Assert.Equal(["api-2", "api-1"], active.Select(v => v.Pod));
        Assert.Equal(["api-2", "api-1"], DecommissionPlan.Evaluate("svc", [.. views, views[1] with { Pod = "api-0" }], false, parallelism: 2).Active.Select(v => v.Pod));
        Assert.Empty(DecommissionPlan.Evaluate("svc", views, interrupted: true, parallelism: 8).Active);
    }

    [Fact]
    public void A_parallel_plan_takes_its_status_from_the_pods_it_runs_not_from_those_waiting_their_turn()
    {
        var views = new[]
        {
            new PodDecommissionView("api-3", DecommissionStage.Killing, false, "killing 1 task(s)"),
            new PodDecommissionView("api-2", DecommissionStage.Killing, false, "killing 1 task(s)"),
            new PodDecommissionView("api-1", DecommissionStage.None, false, string.Empty),
        };

        var (info, active) = DecommissionPlan.Evaluate("svc", views, interrupted: false, parallelism: 2);

        Assert.Equal(["api-3", "api-2"], active.Select(v => v.Pod));
        Assert.Equal(Status.Starting, info.Status);
    }

    [Fact]
    public void The_plan_is_complete_once_every_pod_is_erased()
    {
        var views = new[]
        {
            new PodDecommissionView("api-2", DecommissionStage.Erased, true, "state erased"),
            new PodDecommissionView("api-1", DecommissionStage.Erased, true, "state erased"),
        };

        var (info, active) = DecommissionPlan.Evaluate("svc", views, interrupted: false);

        Assert.Equal(Status.Complete, info.Status);
        Assert.Empty(active);
    }

    [Fact]
    public void Pod_state_moves_through_decommission_and_a_cancel_makes_it_wanted_again()
    {
        var state = PodInstanceState.Empty.Apply(new PodDecommissionStarted());
        Assert.Equal(DecommissionStage.Killing, state.Decommission);
        Assert.True(state.TasksKilled);

        state = state.Apply(new PodFootprintReleased { AgentId = "agent-1", ResourceIds = { "r1", "r2" } });
        Assert.Equal(DecommissionStage.Releasing, state.Decommission);
        Assert.Null(state.Footprint);
        Assert.Equal(["r1", "r2"], state.ReleasedResourceIds.ToArray());

        Assert.Equal(DecommissionStage.Collected, state.Apply(new PodResourcesCollected()).Decommission);
        var erased = state.Apply(new PodResourcesCollected()).Apply(new PodStateErased());
        Assert.Equal(DecommissionStage.Erased, erased.Decommission);
        Assert.Empty(erased.Tasks);

        Assert.Equal(DecommissionStage.None, erased.Apply(new PodDecommissionCancelled()).Decommission);
    }
}
