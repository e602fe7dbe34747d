using System.Collections.Immutable;
using System.Globalization;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.MesosV1.Scheduler;
using ActorScheduler.Messages.Plans;
using Akka.Actor;

namespace ActorScheduler.Simulation;

/// <summary>Ticks that act on the scheduler or the cluster (the DC/OS SDK's <c>Send</c>).</summary>
public static class Send
{
    /// <summary>Starts the scheduler; completes once it subscribed and finished explicit reconciliation.</summary>
    public static ScenarioTick Register() => new LambdaTick("Send.Register()", c => c.StartSchedulerAsync());

    /// <summary>
    /// Stops the scheduler's actors and starts them again on the same journal (same ActorSystem, in-memory journal):
    /// they recover, re-subscribe with the stored framework id and reconcile.
    /// </summary>
    public static ScenarioTick RestartScheduler() => new LambdaTick("Send.RestartScheduler()", async c =>
    {
        await c.StopSchedulerAsync().ConfigureAwait(false);
        await c.StartSchedulerAsync().ConfigureAwait(false);
    });

    /// <summary>
    /// The offer router fails on a message (an offer without an id), as it would on a bug: its supervisor fails the
    /// whole scheduler, which restarts in place with every actor and recovers from the journal. For the kit's own tests.
    /// </summary>
    internal static ScenarioTick OfferRouterFailure() => new LambdaTick("Send.OfferRouterFailure()", c =>
    {
        c.System.ActorSelection(Actors.SchedulerSupervisorActor.SchedulerPath(c.RequireRoot().Path) / "offer-router").Tell(new Actors.OffersReceived([new Offer()]));
        return Task.CompletedTask;
    });

    /// <summary>
    /// Adds <paramref name="count"/> fresh agents (resources from <paramref name="resources"/> or the scenario's
    /// options) and offers them to the scheduler. <paramref name="podType"/> must be a pod of the spec. First waits until
    /// an instance of the pod waits for offers, or the plans show its steps and none is PENDING (then it should be declined).
    /// One instance is enough: when several should take these offers, wait for all of them first with
    /// <see cref="Expect.WaitingForOffers"/> (steps that start together register with the router one by one).
    /// With <paramref name="domain"/> the agents are in that zone and region.
    /// </summary>
    public static ScenarioTick OffersFor(string podType, int count = 1, AgentResources? resources = null, FaultDomain? domain = null) =>
        new LambdaTick($"Send.OffersFor({podType}, count: {count}{(resources is null ? "" : ", " + resources)}{(domain is null ? "" : ", " + domain)})", async c =>
        {
            c.RequirePod(podType);
            if (count <= 0)
            {
                throw new TickFailedException($"count must be positive, not {count}");
            }

            await c.AwaitReadyForOffersAsync(podType, instance: null).ConfigureAwait(false);
            var agents = await c.Cluster.AddAgentsAsync(count, resources ?? c.Options.AgentResources, domain).ConfigureAwait(false);
            await OfferAsync(c, agents).ConfigureAwait(false);
        });

    /// <summary>
    /// Offers <paramref name="count"/> new agents whether or not a pod waits for offers: to show that nothing takes them
    /// (follow with <see cref="Expect.DeclinedLastOffer"/>).
    /// </summary>
    public static ScenarioTick OffersOfNewAgents(int count = 1, AgentResources? resources = null) =>
        new LambdaTick($"Send.OffersOfNewAgents(count: {count}{(resources is null ? "" : ", " + resources)})", async c =>
        {
            if (count <= 0)
            {
                throw new TickFailedException($"count must be positive, not {count}");
            }

            var agents = await c.Cluster.AddAgentsAsync(count, resources ?? c.Options.AgentResources, domain: null).ConfigureAwait(false);
            await OfferAsync(c, agents).ConfigureAwait(false);
        });

    /// <summary>
    /// Offers again the agent that holds pod instance <paramref name="podType"/>-<paramref name="index"/>'s footprint
    /// (its reservations and volumes, plus what is free there), once that instance waits for offers (e.g. to relaunch).
    /// </summary>
    public static ScenarioTick ReofferPod(string podType, int index) =>
        new LambdaTick($"Send.ReofferPod({podType}, {index})", async c =>
        {
            var pod = c.RequirePod(podType);
            string? agent = null;
            foreach (var task in pod.Tasks)
            {
                agent ??= c.Cluster.AgentOfLaunch($"{podType}-{index.ToString(CultureInfo.InvariantCulture)}-{task.Name}");
            }

            if (agent is null)
            {
                throw new TickFailedException($"Pod instance {podType}-{index} has never been launched on any agent");
            }

            await c.AwaitReadyForOffersAsync(podType, index).ConfigureAwait(false);
            await OfferAsync(c, [agent]).ConfigureAwait(false);
        });

    /// <summary>
    /// The agent reports <paramref name="state"/> for the task: TASK_RUNNING with <paramref name="readinessExitCode"/>
    /// reports its readiness check's result (without one it only checks that the task runs: simulated tasks run once
    /// launched); TASK_FINISHED / TASK_FAILED end it with exit code 0 / 1; TASK_KILLED kills it. Completes once the
    /// scheduler acknowledged the updates.
    /// </summary>
    public static ScenarioTick TaskStatus(string taskName, TaskState state, int? readinessExitCode = null) =>
        new LambdaTick(
            $"Send.TaskStatus({taskName}, {state}{(readinessExitCode is { } code ? $", readiness exit code {code}" : "")})",
            async c =>
            {
                try
                {
                    switch (state)
                    {
                        case TaskState.TaskRunning when readinessExitCode is { } exit:
                            await c.Cluster.ReportCheckAsync(taskName, exit).ConfigureAwait(false);
                            break;
                        case TaskState.TaskRunning:
                            if (!await c.Cluster.IsRunningAsync(taskName).ConfigureAwait(false))
                            {
                                throw new TickFailedException($"No running task named {taskName}");
                            }

                            break;
                        case TaskState.TaskFinished:
                            await c.Cluster.EndTaskAsync(taskName, 0).ConfigureAwait(false);
                            break;
                        case TaskState.TaskFailed:
                            await c.Cluster.EndTaskAsync(taskName, 1).ConfigureAwait(false);
                            break;
                        case TaskState.TaskKilled:
                            await c.Cluster.KillTaskAsync(taskName).ConfigureAwait(false);
                            break;
                        default:
                            throw new TickFailedException(
                                $"{state} cannot be sent; use TASK_RUNNING (readiness), TASK_FINISHED, TASK_FAILED or TASK_KILLED");
                    }
                }
                catch (InvalidOperationException e)
                {
                    throw new TickFailedException(e.Message);
                }

                await c.SettleUpdatesAsync().ConfigureAwait(false);
            });

    /// <summary>
    /// A task the scheduler never launched, named <paramref name="taskName"/>, starts running next to the running task
    /// <paramref name="nextTo"/> and reports TASK_STARTING / TASK_RUNNING (see <see cref="SimulatedCluster.StartStrayTaskAsync"/>).
    /// Completes once the scheduler has answered its updates.
    /// </summary>
    public static ScenarioTick StrayTask(string taskName, string nextTo) =>
        new LambdaTick($"Send.StrayTask({taskName}, next to {nextTo})", async c =>
        {
            try
            {
                await c.Cluster.StartStrayTaskAsync(taskName, nextTo).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                throw new TickFailedException(e.Message);
            }

            await c.SettleUpdatesAsync().ConfigureAwait(false);
        });

    /// <summary>
    /// The master loses the agent that ran the latest launch of <paramref name="taskName"/>: nothing there is offered
    /// again, so a pod pinned to it cannot relaunch in place.
    /// </summary>
    public static ScenarioTick LoseAgentOf(string taskName) =>
        new LambdaTick($"Send.LoseAgentOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            await c.Cluster.LoseAgentAsync(agent).ConfigureAwait(false);
        });

    /// <summary>
    /// The partitioned agent that ran the latest launch of <paramref name="taskName"/> re-registers with its tasks as they
    /// are (<see cref="LoseAgentOf"/>): the master sends each live task's current state.
    /// </summary>
    public static ScenarioTick ReturnAgentOf(string taskName) =>
        new LambdaTick($"Send.ReturnAgentOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            await c.Cluster.ReturnAgentAsync(agent).ConfigureAwait(false);
        });

    /// <summary>
    /// The agent that ran the latest launch of <paramref name="taskName"/> loses its connection to the master: nothing
    /// there is offered, its tasks go on (the scheduler checkpoints) with their updates held, and it is unreachable once
    /// the clock passed 75 s (5 missed pings of 15 s) without <see cref="ReconnectAgentOf"/>.
    /// </summary>
    public static ScenarioTick DisconnectAgentOf(string taskName) =>
        new LambdaTick($"Send.DisconnectAgentOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            await c.Cluster.DisconnectAgentAsync(agent).ConfigureAwait(false);
        });

    /// <summary>
    /// The disconnected agent that ran the latest launch of <paramref name="taskName"/> reconnects
    /// (<see cref="DisconnectAgentOf"/>): it is offered again and resends the updates it held.
    /// </summary>
    public static ScenarioTick ReconnectAgentOf(string taskName) =>
        new LambdaTick($"Send.ReconnectAgentOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            await c.Cluster.ReconnectAgentAsync(agent).ConfigureAwait(false);
            await c.SettleUpdatesAsync().ConfigureAwait(false);
        });

    /// <summary>
    /// The operator marks the agent that ran the latest launch of <paramref name="taskName"/> gone: its tasks become
    /// TASK_GONE_BY_OPERATOR, and it is never offered again under its id.
    /// </summary>
    public static ScenarioTick MarkAgentGoneOf(string taskName) =>
        new LambdaTick($"Send.MarkAgentGoneOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            await c.Cluster.MarkAgentGoneAsync(agent).ConfigureAwait(false);
            await c.SettleUpdatesAsync().ConfigureAwait(false);
        });

    /// <summary>
    /// The agent that ran the latest launch of <paramref name="taskName"/> (registered, unreachable or gone) restarts on
    /// its work dir under a new id, with its reservations and volumes, and is offered.
    /// </summary>
    public static ScenarioTick RestartAgentOf(string taskName) =>
        new LambdaTick($"Send.RestartAgentOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            var restarted = await c.Cluster.RestartAgentAsync(agent).ConfigureAwait(false);
            await c.SettleUpdatesAsync().ConfigureAwait(false);
            await OfferAsync(c, [restarted]).ConfigureAwait(false);
        });

    /// <summary>
    /// <c>update start</c>: the scenario's spec rendered with <paramref name="values"/> over the scenario's own values is
    /// submitted as the new target; the answer (accepted or refused) is kept for <see cref="Expect.UpdateRefused"/>.
    /// </summary>
    public static ScenarioTick UpdateSpec(IReadOnlyDictionary<string, string> values) =>
        new LambdaTick($"Send.UpdateSpec({string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"))})", async c =>
        {
            var loaded = c.RenderUpdate(values);
            if (loaded.RenderedText is null)
            {
                throw new TickFailedException($"the updated spec does not render: {string.Join("; ", loaded.Errors)}");
            }

            // What `update start` sends: the scheduler environment and the config templates go with the text.
            var submit = new Messages.Configs.ConfigProtocol.SubmitConfiguration(
                loaded.RenderedText, "(scenario update)", loaded.SchedulerEnvironment.ToImmutableDictionary())
            {
                ConfigTemplates = loaded.ConfigTemplates.ToImmutableDictionary(),
            };
            c.LastUpdate = await c.RequireRoot().Ask<Messages.Configs.ConfigProtocol.UpdateResult>(submit, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        });

    /// <summary>
    /// Offers again the agent <paramref name="taskName"/> was last launched on, whether or not a pod waits for offers
    /// (e.g. so that reservations nobody owns any more are collected).
    /// </summary>
    public static ScenarioTick ReofferAgentOf(string taskName) =>
        new LambdaTick($"Send.ReofferAgentOf({taskName})", async c =>
        {
            var agent = AgentOfLaunch(c, taskName);
            await OfferAsync(c, [agent]).ConfigureAwait(false);
        });

    /// <summary>
    /// An operator's plan command (<c>plan force-complete decommission world-1</c>, …) on the plan, a phase of it or a
    /// step of that phase; the tick fails unless the scheduler accepts it.
    /// </summary>
    public static ScenarioTick PlanCommand(string plan, PlanCommandKind kind, string? phase = null, string? step = null) =>
        new LambdaTick($"Send.PlanCommand({string.Join(", ", new[] { plan, kind.ToString(), phase, step }.OfType<string>())})", async c =>
        {
            var answer = await c.RequireRoot().Ask<PlanProtocol.CommandResult>(new PlanProtocol.Command(plan, kind, phase, step), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (answer.Outcome != PlanCommandOutcome.Accepted)
            {
                throw new TickFailedException($"the scheduler refused ({answer.Outcome}): {answer.Message}");
            }

            await c.SettleUpdatesAsync().ConfigureAwait(false);
        });

    /// <summary><c>pod pause</c> of <paramref name="podInstance"/> (all its tasks, or those named).</summary>
    public static ScenarioTick PausePod(string podInstance, params string[] tasks) => PodOverride(podInstance, tasks, pause: true);

    /// <summary><c>pod resume</c> of <paramref name="podInstance"/> (all its tasks, or those named).</summary>
    public static ScenarioTick ResumePod(string podInstance, params string[] tasks) => PodOverride(podInstance, tasks, pause: false);

    private static ScenarioTick PodOverride(string podInstance, string[] tasks, bool pause) =>
        new LambdaTick($"Send.{(pause ? "Pause" : "Resume")}Pod({string.Join(", ", tasks.Prepend(podInstance))})", async c =>
        {
            object command = pause
                ? new Messages.Pods.PodProtocol.PausePod(podInstance, [.. tasks])
                : new Messages.Pods.PodProtocol.ResumePod(podInstance, [.. tasks]);
            var answer = await c.RequireRoot().Ask<object>(command, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            if (answer is not Messages.Pods.PodProtocol.PodCommandDone)
            {
                throw new TickFailedException($"the scheduler refused: {answer}");
            }

            await c.SettleUpdatesAsync().ConfigureAwait(false);
        });

    /// <summary>
    /// Advances the cluster's virtual time by <paramref name="delta"/>: heartbeats, retries and the master's own allocation
    /// cycles happen, and the scheduler's timers on the virtual clock (backoff, permanent-failure timeouts) run.
    /// </summary>
    public static ScenarioTick AdvanceTime(TimeSpan delta) =>
        new LambdaTick($"Send.AdvanceTime({delta})", c => c.Cluster.AdvanceAsync(delta));

    private static async Task OfferAsync(ScenarioContext c, IReadOnlyList<string> agents)
    {
        c.RequireRoot();
        await c.SettleUpdatesAsync().ConfigureAwait(false);
        var offered = await c.Cluster.OfferAsync(agents).ConfigureAwait(false);
        var offers = offered.Made;
        if (offers.IsEmpty)
        {
            await c.WaitUntilAsync(async () =>
            {
                // The agents' resources sit in offers made before (by the master's own allocation cycle: a revive, a
                // filter that expired in Send.AdvanceTime), so there was nothing new to offer. The scheduler may have
                // taken one before the pod was ready, so wait for its answer: an ACCEPT is the scheduler acting on it
                // (those are the tick's offers); a DECLINE may predate the pod's readiness, so offer afresh.
                var outstanding = (await c.Cluster.OutstandingOffersAsync().ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
                var unanswered = offered.Held.Where(outstanding.Contains).ToList();
                if (unanswered.Count > 0)
                {
                    return $"offers {string.Join(", ", unanswered)} of {string.Join(", ", agents)}, made before, are not answered yet";
                }

                var held = offered.Held.ToHashSet(StringComparer.Ordinal);
                offers = c.Cluster.HistorySince(offered.Mark)
                    .Where(r => r.Call?.Type == Call.Types.Type.Accept)
                    .SelectMany(r => r.AnsweredOffers)
                    .Where(held.Contains)
                    .ToImmutableArray();
                if (!offers.IsEmpty)
                {
                    return null;
                }

                // Nothing offered, or the earlier offers were declined: offer again (the resources may have been freed since).
                offered = await c.Cluster.OfferAsync(agents).ConfigureAwait(false);
                offers = offered.Made;
                return offers.IsEmpty ? $"the master sent no offer for {string.Join(", ", agents)} (nothing free?)" : null;
            }).ConfigureAwait(false);
        }

        c.LastOffers = offers;
    }

    /// <summary>The agent that ran the latest launch of <paramref name="taskName"/>; the tick fails if it never launched.</summary>
    private static string AgentOfLaunch(ScenarioContext c, string taskName) =>
        c.Cluster.AgentOfLaunch(taskName) ?? throw new TickFailedException($"{taskName} has never been launched on any agent");
}
