using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Specs.Model;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// The roles the framework subscribes with outlive an update and a restart while reservations of a removed pod type may
/// still be held under them, and are dropped once none is.
/// </summary>
public sealed class FrameworkRolesScenarioTests
{
    private const string Spec = """
        name: roles-svc
        pods:
          app:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        {{#WITH_EDGE}}
          edge:
            count: 1
            allow-decommission: true
            pre-reserved-role: slave_public
            tasks:
              proxy:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.2
                memory: 64
        {{/WITH_EDGE}}
        """;

    private static readonly string Role = ServiceSpec.RoleOf("roles-svc");

    private static readonly string Refined = $"slave_public/{Role}";

    [Fact]
    public async Task A_restarted_scheduler_keeps_the_role_of_a_removed_pod_type_until_its_reservations_are_collected()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["WITH_EDGE"] = "true" }, ExpectTimeout = TimeSpan.FromSeconds(20) };
        await using var scenario = new ServiceScenario(Spec, options);
        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("app"),
            Expect.Launched("app-0-server"),
            Send.TaskStatus("app-0-server", TaskState.TaskRunning),
            Send.OffersFor("edge", resources: AgentResources.Default with { Reserved = "cpus(slave_public):1;mem(slave_public):512;disk(slave_public):512" }),
            Expect.Launched("edge-0-proxy"),
            Send.TaskStatus("edge-0-proxy", TaskState.TaskRunning),
            Expect.AllPlansComplete(),
            Expect.FrameworkRoles(Role, Refined));

        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["WITH_EDGE"] = "false" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("decommission", "edge-0", "unreserve-resources", Status.Starting),
            // The edge pod's reservations are refined for slave_public/<role>: only a framework with that role is offered
            // them, so the restarted scheduler subscribes with it though its spec no longer names it.
            Send.RestartScheduler(),
            Expect.FrameworkRoles(Role, Refined),
            Expect.StepStatus("decommission", "edge-0", "unreserve-resources", Status.Starting),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.UnreservedResources(),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.PlanStatus("decommission", Status.Complete),
            Expect.PodGone("edge-0"),
            // Nothing of ours is held under it any more: the role is dropped, and stays dropped after a restart.
            Expect.FrameworkRoles(Role),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("app-0-server"),
            Expect.FrameworkRoles(Role));
    }

    private static ScenarioOptions WithEdge(TimeSpan? registryMaxAgentAge = null) => new()
    {
        RegistryMaxAgentAge = registryMaxAgentAge ?? Actors.Mesos.GatewaySettings.DefaultRegistryMaxAgentAge,
        Values = new Dictionary<string, string> { ["WITH_EDGE"] = "true" },
        ExpectTimeout = TimeSpan.FromSeconds(20),
        // The router stops waiting for the lost agent's reservations soon (an hour by default).
        GivenUpPatience = TimeSpan.FromSeconds(1),
    };

    private static ScenarioTick[] DeployAppAndEdge() =>
    [
        Send.Register(),
        Expect.ReconciledExplicitly(),
        Send.OffersFor("app"),
        Expect.Launched("app-0-server"),
        Send.TaskStatus("app-0-server", TaskState.TaskRunning),
        Send.OffersFor("edge", resources: AgentResources.Default with { Reserved = "cpus(slave_public):1;mem(slave_public):512;disk(slave_public):512" }),
        Expect.Launched("edge-0-proxy"),
        Send.TaskStatus("edge-0-proxy", TaskState.TaskRunning),
        Expect.AllPlansComplete(),
        Expect.FrameworkRoles(Role, Refined),
    ];

    /// <summary>
    /// The edge pod type is removed; its task is killed, then its agent is lost before it offers the released
    /// reservations again, and the router stops waiting for them: the pod is erased, but its reservations may still be on
    /// the agent.
    /// </summary>
    private static ScenarioTick[] RemoveEdgeAndLoseItsAgentUntilGivenUp() =>
    [
        Send.UpdateSpec(new Dictionary<string, string> { ["WITH_EDGE"] = "false" }),
        Expect.UpdateAccepted(),
        Expect.StepStatus("decommission", "edge-0", "unreserve-resources", Status.Starting),
        Send.LoseAgentOf("edge-0-proxy"),
        Expect.PlanStatus("decommission", Status.Complete),
        Expect.PodGone("edge-0"),
    ];

    /// <summary>The agent comes back: its reservations under the kept role are offered and collected, then the role is dropped.</summary>
    private static ScenarioTick[] ReturnTheAgentAndCollect() =>
    [
        Send.ReturnAgentOf("edge-0-proxy"),
        Send.ReofferAgentOf("edge-0-proxy"),
        Expect.UnreservedResources(),
        Expect.FrameworkRoles(Role, Refined),
        Send.ReofferAgentOf("edge-0-proxy"),
        Expect.FrameworkRoles(Role),
    ];

    [Fact]
    public async Task The_role_of_reservations_given_up_on_a_lost_agent_is_kept_until_the_agent_returns_and_they_are_collected()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
        [
            Expect.FrameworkRoles(Role, Refined),
            .. ReturnTheAgentAndCollect(),
            RoleHoldCounters(held: 1, collected: 1),
        ]);
    }

    /// <summary>The master got at least <paramref name="count"/> of the gateway's checks of its holds' agents.</summary>
    private static ScenarioTick RoleHoldChecks(int count) =>
        new ExpectationTick($"role hold checks: {count}", c =>
        {
            var checks = c.Cluster.History.Count(r => r.Call is { Type: Call.Types.Type.Reconcile } call
                && call.Reconcile.Tasks.Any(t => t.TaskId.Value.StartsWith(Actors.Mesos.RoleHolds.ProbeTaskIdPrefix, StringComparison.Ordinal)));
            return Task.FromResult(checks >= count ? null : $"the master got {checks} checks of the role holds' agents");
        });

    /// <summary>The role_holds.* counters: holds made, and how they ended.</summary>
    private static ScenarioTick RoleHoldCounters(long held, long collected = 0, long agentGone = 0, long expired = 0) =>
        new LambdaTick($"role_holds counters {held}/{collected}/{agentGone}/{expired}", c =>
        {
            var counters = c.Settings.Metrics.Counters();
            Assert.Equal(
                (held, collected, agentGone, expired),
                (counters.GetValueOrDefault(Actors.SchedulerMetrics.RoleHolds), counters.GetValueOrDefault(Actors.SchedulerMetrics.RoleHoldsCollected),
                    counters.GetValueOrDefault(Actors.SchedulerMetrics.RoleHoldsAgentGone), counters.GetValueOrDefault(Actors.SchedulerMetrics.RoleHoldsExpired)));
            return Task.CompletedTask;
        });

    [Fact]
    public async Task A_restarted_scheduler_keeps_the_role_of_reservations_given_up_on_a_lost_agent()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
        [
            Send.RestartScheduler(),
            Expect.FrameworkRoles(Role, Refined),
            .. ReturnTheAgentAndCollect(),
            // Nothing of ours is held under it any more: a restarted scheduler does not take it up again. (Restarted
            // once the journal has the hold's end: one that stops before has the hold again, and keeps the role.)
            NoRoleHoldJournaled(),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("app-0-server"),
            Expect.FrameworkRoles(Role),
        ]);
    }

    /// <summary>The framework actor journaled what offers (or our UNRESERVE) showed of every reservation a hold has left.</summary>
    private static ScenarioTick HeldReservationsJournaledAsSeen() =>
        new ExpectationTick("held reservations journaled as seen", async c =>
        {
            var holds = await c.GetJournaledRoleHoldsAsync();
            return holds.Length > 0 && holds.All(h => h.Seen.Length == h.ResourceIds.Length)
                ? null
                : $"the journaled holds are [{string.Join("; ", holds)}]";
        });

    /// <summary>The framework actor journaled the end of every role hold.</summary>
    private static ScenarioTick NoRoleHoldJournaled() =>
        new ExpectationTick("no role hold journaled", async c =>
        {
            var holds = await c.GetJournaledRoleHoldsAsync();
            return holds.IsEmpty ? null : $"the journaled holds are [{string.Join("; ", holds)}]";
        });

    [Fact]
    public async Task A_scheduler_restarted_after_unreserving_held_reservations_drops_the_role_once_the_agent_offers_without_them()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
            Send.ReturnAgentOf("edge-0-proxy"),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.UnreservedResources(),
            // The UNRESERVE went out; no offer has shown them gone yet when the scheduler restarts.
            HeldReservationsJournaledAsSeen(),
            Expect.FrameworkRoles(Role, Refined),
            Send.RestartScheduler(),
            Expect.FrameworkRoles(Role, Refined),
            // The restarted scheduler takes the agent's offer without them as showing them collected, as the one before
            // would have: it does not wait two weeks for the hold to expire.
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.FrameworkRoles(Role),
            NoRoleHoldJournaled(),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("app-0-server"),
            Expect.FrameworkRoles(Role));
    }

    [Fact]
    public async Task The_role_kept_for_reservations_on_a_lost_agent_is_dropped_once_the_agent_is_marked_gone()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
            Expect.FrameworkRoles(Role, Refined),
            // Gone, the agent never offers them again: the gateway's next check of its holds (every minute) learns it.
            Send.MarkAgentGoneOf("edge-0-proxy"),
            Send.AdvanceTime(TimeSpan.FromSeconds(61)),
            Expect.FrameworkRoles(Role),
            RoleHoldCounters(held: 1, agentGone: 1),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("app-0-server"),
            Expect.FrameworkRoles(Role));
    }

    [Fact]
    public async Task The_role_kept_for_reservations_on_a_lost_agent_is_dropped_once_the_master_no_longer_keeps_the_agent()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge(registryMaxAgentAge: TimeSpan.FromMinutes(10)));
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
            Send.AdvanceTime(TimeSpan.FromMinutes(5)),
            Expect.FrameworkRoles(Role, Refined),
            // Also across a restart: the hold's time is journaled.
            Send.RestartScheduler(),
            Expect.FrameworkRoles(Role, Refined),
            Send.AdvanceTime(TimeSpan.FromMinutes(6)),
            Expect.FrameworkRoles(Role));
    }

    [Fact]
    public async Task The_role_of_a_force_completed_pods_reservations_is_kept_until_its_agent_returns_and_they_are_collected()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(
            // The edge pod's agent is partitioned with its task running; the operator does not wait for it.
            Send.LoseAgentOf("edge-0-proxy"),
            Expect.TaskShown("edge-0", "edge-0-proxy", "TASK_UNREACHABLE"),
            Send.UpdateSpec(new Dictionary<string, string> { ["WITH_EDGE"] = "false" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("decommission", "edge-0", "kill-tasks", Status.Starting),
            Send.PlanCommand("decommission", PlanCommandKind.ForceComplete, "edge-0"),
            Expect.PodGone("edge-0"),
            Send.RestartScheduler(),
            Expect.FrameworkRoles(Role, Refined),
            // Back with the task still running on the reservations (offers leave them out meanwhile): the task is
            // nobody's and killed, then what it held is collected, and only then is the role dropped.
            Send.ReturnAgentOf("edge-0-proxy"),
            Expect.Killed("edge-0-proxy", times: 2),
            Expect.NotRunning("edge-0-proxy"),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.UnreservedResources(),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.FrameworkRoles(Role));
    }

    [Fact]
    public async Task An_idle_scheduler_asks_for_offers_as_soon_as_the_agent_of_reservations_it_keeps_a_role_for_is_back()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
            // Nothing to place, nothing waited for: offers are suppressed.
            Expect.LatestOfferFlowCall(Call.Types.Type.Suppress),
            // The gateway's check of its holds finds the agent unreachable, then, once it is back, registered: it has the
            // router revive offers at once instead of at its hourly sweep.
            Send.AdvanceTime(TimeSpan.FromSeconds(61)),
            // The master answered that check while the agent was unreachable (the answer follows on the event stream).
            RoleHoldChecks(1),
            Send.ReturnAgentOf("edge-0-proxy"),
            Send.AdvanceTime(TimeSpan.FromSeconds(61)),
            Expect.LatestOfferFlowCall(Call.Types.Type.Revive),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            Expect.Unreserved("edge-0-proxy"),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            Expect.FrameworkRoles(Role));
    }

    [Fact]
    public async Task An_agent_back_before_any_check_found_it_unreachable_is_followed_from_the_next_check_until_its_reservations_are_collected()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
            Expect.LatestOfferFlowCall(Call.Types.Type.Suppress),
            // Back within the minute between two checks of the holds' agents: no check ever found it unreachable.
            Send.ReturnAgentOf("edge-0-proxy"),
            // The next check finds it registered: the router is asked to follow its held reservations, revives offers,
            // collects them from the agent's offer and keeps offers coming until one shows them gone.
            Send.AdvanceTime(TimeSpan.FromSeconds(61)),
            Expect.LatestOfferFlowCall(Call.Types.Type.Revive),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            Expect.Unreserved("edge-0-proxy"),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            Expect.FrameworkRoles(Role),
            RoleHoldCounters(held: 1, collected: 1));
    }

    [Fact]
    public async Task The_first_offer_of_a_returning_agent_has_offers_kept_coming_until_one_shows_its_held_reservations_gone()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(RemoveEdgeAndLoseItsAgentUntilGivenUp());
        await scenario.Run(
            Send.ReturnAgentOf("edge-0-proxy"),
            // Its first offer shows the reservations: the router collects them, and, asked to follow them, does not
            // suppress offers until an offer of the agent shows them gone (not at its next hourly sweep).
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.UnreservedResources(),
            Expect.FrameworkRoles(Role, Refined),
            Send.AdvanceTime(TimeSpan.FromSeconds(6)),
            Expect.FrameworkRoles(Role),
            RoleHoldCounters(held: 1, collected: 1));
    }

    /// <summary><c>pod replace</c> of <paramref name="podInstance"/>; the tick fails unless the scheduler accepts it.</summary>
    private static ScenarioTick ReplacePod(string podInstance) =>
        new LambdaTick($"replace {podInstance}", async c =>
        {
            var answer = await Akka.Actor.Futures.Ask<object>(c.RequireRoot(), new Messages.Pods.PodProtocol.ReplacePod(podInstance), TimeSpan.FromSeconds(10));
            Assert.IsType<Messages.Pods.PodProtocol.PodCommandDone>(answer);
        });

    /// <summary>The framework actor journaled <paramref name="count"/> role holds.</summary>
    private static ScenarioTick RoleHoldsJournaled(int count) =>
        new ExpectationTick($"{count} role hold(s) journaled", async c =>
        {
            var holds = await c.GetJournaledRoleHoldsAsync();
            return holds.Length == count ? null : $"the journaled holds are [{string.Join("; ", holds)}]";
        });

    /// <summary>
    /// The edge pod's agent is partitioned with its task running; the operator replaces the pod (its footprint there is
    /// abandoned, and the role held for it), then removes the pod type before the pod found a new footprint, and does
    /// not wait for the unreachable task's kill: the pod is erased, but its reservations may still be on the agent.
    /// </summary>
    private static ScenarioTick[] ReplaceEdgeOnItsLostAgentAndRemoveIt() =>
    [
        Send.LoseAgentOf("edge-0-proxy"),
        Expect.TaskShown("edge-0", "edge-0-proxy", "TASK_UNREACHABLE"),
        ReplacePod("edge-0"),
        // The replaced footprint's reservations hold their role.
        RoleHoldsJournaled(1),
        Send.UpdateSpec(new Dictionary<string, string> { ["WITH_EDGE"] = "false" }),
        Expect.UpdateAccepted(),
        Expect.StepStatus("decommission", "edge-0", "kill-tasks", Status.Starting),
        Send.PlanCommand("decommission", PlanCommandKind.ForceComplete, "edge-0"),
        Expect.PodGone("edge-0"),
        RoleHoldsJournaled(1),
        Expect.FrameworkRoles(Role, Refined),
    ];

    [Fact]
    public async Task The_role_of_a_replaced_pods_footprint_on_a_lost_agent_is_kept_until_the_agent_returns_and_it_is_collected()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge());
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(ReplaceEdgeOnItsLostAgentAndRemoveIt());
        await scenario.Run(
            // Back with the task still running on the reservations: the task is nobody's and killed, then what it held
            // is unreserved from the agent's offer, and the role dropped once an offer shows them gone.
            Send.ReturnAgentOf("edge-0-proxy"),
            Expect.Killed("edge-0-proxy", times: 2),
            Expect.NotRunning("edge-0-proxy"),
            Send.ReofferAgentOf("edge-0-proxy"),
            Expect.UnreservedResources(),
            Expect.Unreserved("edge-0-proxy"),
            Send.AdvanceTime(TimeSpan.FromSeconds(6)),
            Expect.FrameworkRoles(Role),
            RoleHoldCounters(held: 1, collected: 1));
    }

    [Fact]
    public async Task The_role_of_a_replaced_pods_footprint_on_an_agent_that_never_returns_is_kept_until_the_master_no_longer_keeps_the_agent()
    {
        await using var scenario = new ServiceScenario(Spec, WithEdge(registryMaxAgentAge: TimeSpan.FromMinutes(10)));
        await scenario.Run(DeployAppAndEdge());
        await scenario.Run(ReplaceEdgeOnItsLostAgentAndRemoveIt());
        await scenario.Run(
            Send.AdvanceTime(TimeSpan.FromMinutes(9)),
            Expect.FrameworkRoles(Role, Refined),
            Send.AdvanceTime(TimeSpan.FromMinutes(2)),
            Expect.FrameworkRoles(Role),
            RoleHoldCounters(held: 1, expired: 1));
    }
}
