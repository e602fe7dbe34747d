using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>Scale-in of hello-world's world pod: decommission allowed and denied (DC/OS DecommissionTest).</summary>
public sealed class DecommissionScenarioTests
{
    private static ScenarioOptions Options(bool allowDecommission) => new()
    {
        Values = new Dictionary<string, string>
        {
            ["WORLD_COUNT"] = "2",
            ["WORLD_ALLOW_DECOMMISSION"] = allowDecommission ? "true" : "false",
        },
        ExpectTimeout = TimeSpan.FromSeconds(20),
    };

    private static ScenarioTick[] DeployTwoWorlds() =>
    [
        Send.Register(),
        Send.OffersFor("hello"),
        Expect.Launched("hello-0-server"),
        Send.OffersFor("world"),
        Expect.Launched("world-0-server"),
        Send.OffersFor("world"),
        Expect.Launched("world-1-server"),
        Expect.AllPlansComplete(),
    ];

    /// <summary>world-1 scaled in: killed, and its reservations released (the router waits to see them unreserved).</summary>
    private static ScenarioTick[] ScaleInUntilReleased() =>
    [
        Send.UpdateSpec(WorldCount(1)),
        Expect.UpdateAccepted(),
        Expect.Killed("world-1-server"),
        Expect.StepStatus("decommission", "world-1", "unreserve-resources", Status.Starting),
    ];

    /// <summary>world-1's agent is partitioned, then the pod is scaled in: the kill cannot reach it, so the kill step waits.</summary>
    private static ScenarioTick[] ScaleInWhileWorld1IsPartitioned() =>
    [
        Send.LoseAgentOf("world-1-server"),
        Expect.TaskShown("world-1", "world-1-server", "TASK_UNREACHABLE"),
        Send.UpdateSpec(WorldCount(1)),
        Expect.UpdateAccepted(),
        Expect.StepStatus("decommission", "world-1", "kill-tasks", Status.Starting),
    ];

    private static Dictionary<string, string> WorldCount(int count) => new() { ["WORLD_COUNT"] = count.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public async Task Scale_in_with_allow_decommission_kills_unreserves_and_erases_the_highest_instance()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
        [
            .. ScaleInUntilReleased(),
            Expect.StepStatus("decommission", "world-1", "kill-tasks", Status.Complete),
            // Offered again, the released reservations are destroyed and unreserved...
            Send.ReofferAgentOf("world-1-server"),
            Expect.UnreservedResources(),
            // ...and once the agent's next offer no longer shows them, the pod's state is erased.
            Send.ReofferAgentOf("world-1-server"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("world-1"),
            Expect.StepStatus("deploy", "world", "world-0:[server]", Status.Complete),
        ]);

        Assert.True(await scenario.Cluster!.IsRunningAsync("world-0-server"));
        Assert.False(await scenario.Cluster.IsRunningAsync("world-1-server"));
        var agent = scenario.Cluster.AgentOfLaunch("world-1-server");
        var unreserved = scenario.Cluster.History.Where(r => r.Operations(Offer.Types.Operation.Types.Type.Unreserve).Any()).ToList();
        Assert.NotEmpty(unreserved);
        Assert.Contains(scenario.Cluster.History, r => r.Operations(Offer.Types.Operation.Types.Type.Destroy).Any());

        // Erased for good: a restarted scheduler neither knows world-1 nor shows a decommission plan.
        await scenario.Run(
            Send.RestartScheduler(),
            Expect.PodGone("world-1"),
            Expect.PlanStatus("deploy", Status.Complete));
        Assert.NotNull(agent);
    }

    // Right after an update the plans are rebuilt and report one by one; the decommission plan shows only once it knows
    // its pods. AllPlansComplete must not take the plans not reported yet for complete ones. It is judged at once, not
    // waited for: nothing but the test's re-offer of world-1's agent can complete the decommission, so no wait on the
    // clock is needed to tell "not yet" from "never", and the scenario keeps the budget a loaded machine needs.
    [Fact]
    public async Task All_plans_complete_right_after_a_scale_in_waits_for_the_decommission()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        // world-1's reservations are released only when its agent is offered again: until then decommission is under way.
        await scenario.Run(
            Send.UpdateSpec(WorldCount(1)),
            Expect.UpdateAccepted(),
            NotYet(Expect.AllPlansComplete(), because: string.Empty),
            Expect.StepStatus("decommission", "world-1", "unreserve-resources", Status.Starting),
            NotYet(Expect.AllPlansComplete(), because: "decommission is"));

        await scenario.Run(
            Send.ReofferAgentOf("world-1-server"),
            Expect.UnreservedResources(),
            Send.ReofferAgentOf("world-1-server"),
            Expect.AllPlansComplete(),
            new LambdaTick("the decommission plan is listed and complete", async c =>
            {
                var decommission = (await c.GetPlansAsync()).Reported.SingleOrDefault(p => p.Name == "decommission");
                Assert.Equal(Status.Complete, decommission?.Status);
            }));
    }

    /// <summary>
    /// <paramref name="expectation"/> judged once, now: it must not hold, and why not must contain
    /// <paramref name="because"/>. For states only a later tick can change.
    /// </summary>
    private static ScenarioTick NotYet(ScenarioTick expectation, string because) =>
        new LambdaTick($"not yet: {expectation}", async c =>
        {
            var reason = await ((ExpectationTick)expectation).CheckOnceAsync(c);
            if (reason is null || !reason.Contains(because, StringComparison.Ordinal))
            {
                throw new TickFailedException($"{expectation} was expected not to hold{(because.Length > 0 ? $" because \"{because}…\"" : string.Empty)}, but: {reason ?? "it held"}");
            }
        });

    [Fact]
    public async Task Decommission_carries_on_after_a_scheduler_restart()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
            Send.UpdateSpec(WorldCount(1)),
            Expect.UpdateAccepted(),
            Expect.StepStatus("decommission", "world-1", "unreserve-resources", Status.Starting),
            Send.RestartScheduler(),
            // The pod instance the new count no longer names comes back from the journal, with its decommission.
            Expect.StepStatus("decommission", "world-1", "kill-tasks", Status.Complete),
            Expect.StepStatus("decommission", "world-1", "unreserve-resources", Status.Starting),
            Send.ReofferAgentOf("world-1-server"),
            Expect.UnreservedResources(),
            Send.ReofferAgentOf("world-1-server"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("world-1"));
    }

    [Fact]
    public async Task Raising_the_count_again_cancels_the_decommission()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
            Send.UpdateSpec(WorldCount(1)),
            Expect.UpdateAccepted(),
            Expect.StepStatus("decommission", "world-1", "unreserve-resources", Status.Starting),
            Send.UpdateSpec(WorldCount(2)),
            Expect.UpdateAccepted(),
            // world-1 is wanted again: no decommission plan, and it relaunches (on a fresh footprint: it gave its up).
            Send.OffersFor("world"),
            Expect.Launched("world-1-server"),
            Expect.StepStatus("deploy", "world", "world-1:[server]", Status.Complete));

        var plans = scenario.Cluster!.History.Count;
        Assert.True(plans > 0);
        Assert.True(await scenario.Cluster.IsRunningAsync("world-1-server"));
    }

    [Fact]
    public async Task Scale_in_does_not_wait_for_an_agent_marked_gone_and_collects_its_reservations_if_it_comes_back_under_a_new_id()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
        [
            .. ScaleInWhileWorld1IsPartitioned(),
            // ...then the operator marks it gone: it will never offer world-1's reservations under its id, so
            // decommission does not wait for them.
            Send.MarkAgentGoneOf("world-1-server"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("world-1"),
            // The agent restarts on its work dir under a new id, with the reservations: they are collected.
            Send.RestartAgentOf("world-1-server"),
            Expect.UnreservedResources(),
        ]);

        Assert.True(await scenario.Cluster!.IsRunningAsync("world-0-server"));
    }

    [Fact]
    public async Task Scale_in_held_up_by_a_partitioned_agent_goes_on_when_the_operator_force_completes_the_pods_phase()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
        [
            // The serial plan waits for the partitioned agent...
            .. ScaleInWhileWorld1IsPartitioned(),
            // ...until the operator force-completes the pod's phase: its reservations are given up, its state erased.
            Send.PlanCommand("decommission", PlanCommandKind.ForceComplete, "world-1"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("world-1"),
            // The agent comes back with the task still running: an unknown task now, it is killed, and the
            // reservations nobody owns are collected when the agent offers them.
            Send.ReturnAgentOf("world-1-server"),
            Expect.Killed("world-1-server"),
            Expect.NotRunning("world-1-server"),
            Send.ReofferAgentOf("world-1-server"),
            Expect.UnreservedResources(),
        ]);

        Assert.True(await scenario.Cluster!.IsRunningAsync("world-0-server"));
    }

    [Fact]
    public async Task A_force_completed_pods_reservations_are_collected_when_its_agent_returns_after_a_scheduler_restart()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
        [
            .. ScaleInWhileWorld1IsPartitioned(),
            Send.PlanCommand("decommission", PlanCommandKind.ForceComplete, "world-1"),
            Expect.PodGone("world-1"),
            // The new scheduler knows nothing of world-1's reservations: the pod that gave them up is erased, and the
            // router that watched for them starts empty. With nothing to place it declines what it is offered and
            // suppresses offers.
            Send.RestartScheduler(),
            Expect.AllPlansComplete(),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            Expect.LatestOfferFlowCall(Call.Types.Type.Suppress),
            // The agent comes back: its task is nobody's, so it is killed. What the task held is nobody's either, and the
            // idle scheduler revives offers for it at once, instead of at its hourly sweep: the master's next
            // allocation offers the agent, and the reservations are collected.
            Send.ReturnAgentOf("world-1-server"),
            Expect.Killed("world-1-server", times: 2),
            Expect.NotRunning("world-1-server"),
            Expect.LatestOfferFlowCall(Call.Types.Type.Revive),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            Expect.Unreserved("world-1-server"),
        ]);

        Assert.True(await scenario.Cluster!.IsRunningAsync("world-0-server"));
    }

    [Fact]
    public async Task Scale_in_stops_waiting_for_released_reservations_once_their_agent_is_marked_gone()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: true));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
        [
            .. ScaleInUntilReleased(),
            // The pod's tasks ended and it released its reservations; then their agent is partitioned and the operator
            // marks it gone. No task update says so (the tasks had ended), so the pod asks the master about them...
            Send.LoseAgentOf("world-1-server"),
            Send.MarkAgentGoneOf("world-1-server"),
            Expect.StepStatus("decommission", "world-1", "unreserve-resources", Status.Starting),
            Send.AdvanceTime(TimeSpan.FromSeconds(31)),
            // ...learns the agent is gone for good, and decommission goes on instead of waiting an hour.
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("world-1"),
            // The agent restarts on its work dir under a new id, with the reservations: they are collected.
            Send.RestartAgentOf("world-1-server"),
            Expect.UnreservedResources(),
        ]);

        var probes = scenario.Cluster!.History.Count(r => r.Call?.Type == Call.Types.Type.Reconcile && r.Call.Reconcile.Tasks.Any(t => t.TaskId.Value.StartsWith("world-1-server", StringComparison.Ordinal)));
        Assert.True(probes >= 1, "the pod asked the master about its ended task");
    }

    [Fact]
    public async Task Scale_in_without_allow_decommission_is_refused_and_changes_nothing()
    {
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), Options(allowDecommission: false));
        await scenario.Run(DeployTwoWorlds());

        await scenario.Run(
            Send.UpdateSpec(WorldCount(1)),
            Expect.UpdateRefused("world"),
            Expect.PlanStatus("deploy", Status.Error));

        Assert.True(await scenario.Cluster!.IsRunningAsync("world-1-server"));
        Assert.DoesNotContain(scenario.Cluster.History, r => r.Operations(Offer.Types.Operation.Types.Type.Unreserve).Any());
    }
}
