using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Recovery scenarios mirroring the DC/OS SDK's service tests: the <c>recovery</c> plan, essential and non-essential
/// failures, failure during deploy, the permanent-failure timeout and backoff across a scheduler restart.
/// </summary>
public sealed class RecoveryScenarioTests
{
    private const string OneTask = """
        name: svc
        pods:
          hello:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        """;

    // DC/OS nonessential_tasks.yml: one essential task, one that is not.
    private const string WithSidecar = """
        name: svc
        pods:
          hello:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
              agent:
                goal: RUNNING
                essential: false
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        """;

    private static ScenarioTick[] Deploy(string task) =>
    [
        Send.Register(),
        Send.OffersFor("hello"),
        Expect.Launched(task.Split(',')),
        Expect.PlanStatus("deploy", Status.Complete),
        Expect.PlanStatus("recovery", Status.Complete),
    ];

    [Fact]
    public async Task Recovery_plan_should_show_a_transient_relaunch_until_complete()
    {
        await using var scenario = new ServiceScenario(OneTask);

        await scenario.Run(Deploy("hello-0-server"));
        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Pending),
            Expect.PlanStatus("recovery", Status.Pending),
            // The deploy plan stays complete: the failure is recovery's.
            Expect.PlanStatus("deploy", Status.Complete),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Complete),
            Expect.AllPlansComplete(),
            // Kept after completion, and across a scheduler restart.
            Send.RestartScheduler(),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Complete));
    }

    [Fact]
    public async Task Non_essential_failure_should_relaunch_only_that_task()
    {
        await using var scenario = new ServiceScenario(WithSidecar);
        await scenario.Run(Deploy("hello-0-agent,hello-0-server"));

        await scenario.Run(
            Send.TaskStatus("hello-0-agent", TaskState.TaskFailed),
            Expect.StepStatus("recovery", "hello-0:[agent]", "hello-0:[agent]", Status.Pending),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-agent"),
            Expect.StepStatus("recovery", "hello-0:[agent]", "hello-0:[agent]", Status.Complete));

        // The essential task was launched once: only the failed non-essential one relaunched.
        Assert.Equal(1, scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks).Count(t => t.Name == "hello-0-server"));
    }

    [Fact]
    public async Task Essential_failure_should_relaunch_every_task_of_the_pod()
    {
        await using var scenario = new ServiceScenario(WithSidecar);
        await scenario.Run(Deploy("hello-0-agent,hello-0-server"));

        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            // The live non-essential task is killed, then both relaunch together.
            Expect.Killed("hello-0-agent"),
            Expect.StepStatus("recovery", "hello-0:[server, agent]", "hello-0:[server, agent]", Status.Pending),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-agent", "hello-0-server"),
            Expect.StepStatus("recovery", "hello-0:[server, agent]", "hello-0:[server, agent]", Status.Complete),
            Expect.AllPlansComplete());
    }

    [Fact]
    public async Task Failure_during_deploy_should_be_relaunched_by_the_deploy_plan_not_recovery()
    {
        const string yaml = """
            name: svc
            pods:
              hello:
                count: 1
                tasks:
                  server:
                    goal: RUNNING
                    cmd: sleep 1000
                    cpus: 0.1
                    memory: 32
                    readiness-check:
                      cmd: test -f ready
                      interval: 5
                      delay: 0
                      timeout: 10
            """;
        await using var scenario = new ServiceScenario(yaml);

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.TaskStatus("hello-0-server", TaskState.TaskRunning, readinessExitCode: 1),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Started),
            // Fails while the deploy plan still works on it (not ready yet).
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Send.TaskStatus("hello-0-server", TaskState.TaskRunning, readinessExitCode: 0),
            Expect.AllPlansComplete());

        // The pod the deploy plan worked on was never recovered at the same time.
        var recovery = await PlanAsync(scenario, "recovery");
        Assert.Empty(recovery.Phases);
    }

    [Fact]
    public async Task Recovery_plan_interrupt_should_hold_the_relaunch_until_continue()
    {
        await using var scenario = new ServiceScenario(OneTask);
        await scenario.Run(Deploy("hello-0-server"));

        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Pending));
        await SendCommandAsync(scenario, new PlanProtocol.Command("recovery", PlanCommandKind.Interrupt));
        await scenario.Run(
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Waiting),
            Expect.PlanStatus("recovery", Status.Waiting));
        await SendCommandAsync(scenario, new PlanProtocol.Command("recovery", PlanCommandKind.Continue));
        await scenario.Run(
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("recovery", Status.Complete));
    }

    [Fact]
    public async Task Permanent_failure_timeout_should_replace_the_pod_with_a_clock_that_survives_a_restart()
    {
        var options = new ScenarioOptions { Recovery = new RecoverySettings(PermanentFailureTimeout: TimeSpan.FromMinutes(10)) };
        await using var scenario = new ServiceScenario(OneTask, options);
        await scenario.Run(Deploy("hello-0-server"));
        var first = scenario.Cluster!.AgentOfLaunch("hello-0-server");

        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            // Its agent is gone from the master's view: the transient relaunch in place cannot happen.
            Send.LoseAgentOf("hello-0-server"),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Pending),
            Send.AdvanceTime(TimeSpan.FromMinutes(6)),
            Send.RestartScheduler(),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Pending),
            // 6 + 5 minutes since the failure: over the timeout only if the clock kept its start across the restart.
            Send.AdvanceTime(TimeSpan.FromMinutes(5)),
            new ExpectationTick("Expect recovery of hello-0 PERMANENT", async c =>
                (await c.GetPlanAsync("recovery"))?.Phases.SingleOrDefault()?.Steps.Single().Message is { } m && m.StartsWith("PERMANENT", StringComparison.Ordinal)
                    ? null
                    : "the recovery of hello-0 is not PERMANENT yet"),
            // PERMANENT: a fresh agent is good enough now.
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Complete),
            Expect.AllPlansComplete());

        Assert.NotEqual(first, scenario.Cluster.AgentOfLaunch("hello-0-server"));
        var recovery = await PlanAsync(scenario, "recovery");
        Assert.StartsWith("PERMANENT recovery", recovery.Phases.Single().Steps.Single().Message);
    }

    [Fact]
    public async Task A_pod_on_an_unreachable_agent_should_be_replaced_once_the_permanent_failure_timeout_runs_out()
    {
        var options = new ScenarioOptions { Recovery = new RecoverySettings(PermanentFailureTimeout: TimeSpan.FromMinutes(10)) };
        await using var scenario = new ServiceScenario(OneTask, options);
        await scenario.Run(Deploy("hello-0-server"));
        var cluster = scenario.Cluster!;
        var first = cluster.AgentOfLaunch("hello-0-server")!;
        var oldTask = LatestTaskId(cluster, "hello-0-server");

        await scenario.Run(
            // Partitioned: the task may still run there, and nothing is offered from there. A relaunch in place waits
            // for the agent to come back (and say whether the task still runs); the failure clock runs meanwhile.
            Send.LoseAgentOf("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_UNREACHABLE"),
            Send.AdvanceTime(TimeSpan.FromMinutes(9)),
            NoRecovery(),
            Send.AdvanceTime(TimeSpan.FromMinutes(2)),
            RecoveryIs("PERMANENT"),
            // Not waiting for the unreachable task: a fresh agent takes the pod.
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Complete),
            Expect.AllPlansComplete());
        Assert.NotEqual(first, cluster.AgentOfLaunch("hello-0-server"));

        // The partitioned agent comes back with the old task still running: nobody's now, it is killed; and the
        // reservations it held, given up by the replace, are collected when the agent offers them.
        await scenario.Run(
            new LambdaTick("the first agent returns", c => c.Cluster.ReturnAgentAsync(first)),
            new ExpectationTick($"Expect {oldTask} killed", c => Task.FromResult(
                c.Cluster.History.Any(r => r.Event is { Type: Messages.MesosV1.Scheduler.Event.Types.Type.Update } e
                    && e.Update.Status.TaskId.Value == oldTask && e.Update.Status.State == TaskState.TaskKilled)
                    ? null
                    : $"{oldTask} was not reported TASK_KILLED")),
            Send.AdvanceTime(TimeSpan.FromSeconds(2)),
            new ExpectationTick($"Expect the reservations of {oldTask} unreserved", c =>
            {
                var launch = c.Cluster.History.SelectMany(r => r.LaunchedTasks).Single(t => t.TaskId.Value == oldTask);
                var ids = launch.Resources.Select(ResourceId).OfType<string>().ToHashSet(StringComparer.Ordinal);
                var unreserved = c.Cluster.History.SelectMany(r => r.Operations(Offer.Types.Operation.Types.Type.Unreserve))
                    .SelectMany(o => o.Unreserve.Resources).Select(ResourceId).OfType<string>().ToHashSet(StringComparer.Ordinal);
                return Task.FromResult(ids.Count > 0 && ids.IsSubsetOf(unreserved) ? null : $"{ids.Except(unreserved).Count()} of {ids.Count} not unreserved");
            }));

        Assert.True(await cluster.IsRunningAsync("hello-0-server"));
        Assert.NotEqual(oldTask, LatestTaskId(cluster, "hello-0-server"));
    }

    [Fact]
    public async Task A_task_back_from_an_unreachable_agent_should_stop_its_clock_and_be_kept_as_it_is()
    {
        var options = new ScenarioOptions { Recovery = new RecoverySettings(PermanentFailureTimeout: TimeSpan.FromMinutes(10)) };
        await using var scenario = new ServiceScenario(OneTask, options);
        await scenario.Run(Deploy("hello-0-server"));
        var cluster = scenario.Cluster!;
        var first = cluster.AgentOfLaunch("hello-0-server");
        var task = LatestTaskId(cluster, "hello-0-server");

        await scenario.Run(
            Send.LoseAgentOf("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_UNREACHABLE"),
            Send.AdvanceTime(TimeSpan.FromMinutes(6)),
            // Back and running (REASON_AGENT_REREGISTERED): its clock stops, and nothing needs recovery.
            Send.ReturnAgentOf("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            Send.AdvanceTime(TimeSpan.FromMinutes(5)),
            NoRecovery(),
            Expect.AllPlansComplete());

        // Adopted as it was: not killed, not relaunched.
        Assert.Equal(task, LatestTaskId(cluster, "hello-0-server"));
        Assert.Single(cluster.History.SelectMany(r => r.LaunchedTasks), t => t.Name == "hello-0-server");
        Assert.DoesNotContain(cluster.History, r => r.Call is { Type: Messages.MesosV1.Scheduler.Call.Types.Type.Kill });

        // 6 + 5 minutes after it went unreachable it fails: a first failure (TRANSIENT, in place), not one that has
        // lasted over the timeout, as it would be had the clock kept running after the task came back.
        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            RecoveryIs("TRANSIENT"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Complete));
        Assert.Equal(first, cluster.AgentOfLaunch("hello-0-server"));
    }

    [Fact]
    public async Task A_task_on_an_agent_that_reconnects_within_its_pings_should_be_kept_as_it_is()
    {
        await using var scenario = new ServiceScenario(OneTask);
        await scenario.Run(Deploy("hello-0-server"));
        var cluster = scenario.Cluster!;
        var task = LatestTaskId(cluster, "hello-0-server");
        var deployed = cluster.History.Count;

        await scenario.Run(
            // The scheduler checkpoints: its task goes on while the agent is disconnected, and the master says nothing.
            Send.DisconnectAgentOf("hello-0-server"),
            Send.AdvanceTime(TimeSpan.FromSeconds(60)),
            Send.ReconnectAgentOf("hello-0-server"),
            Send.AdvanceTime(TimeSpan.FromSeconds(60)),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            NoRecovery(),
            Expect.AllPlansComplete());

        Assert.Equal(task, LatestTaskId(cluster, "hello-0-server"));
        Assert.Single(cluster.History.SelectMany(r => r.LaunchedTasks), t => t.Name == "hello-0-server");
        Assert.DoesNotContain(cluster.History.Skip(deployed), r => r.Event is { Type: Messages.MesosV1.Scheduler.Event.Types.Type.Update } e
            && e.Update.Status.TaskId.Value == task);
    }

    [Fact]
    public async Task A_task_on_an_agent_disconnected_past_its_pings_should_be_shown_unreachable()
    {
        await using var scenario = new ServiceScenario(OneTask);
        await scenario.Run(Deploy("hello-0-server"));

        await scenario.Run(
            Send.DisconnectAgentOf("hello-0-server"),
            Send.AdvanceTime(TimeSpan.FromSeconds(70)),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            // 5 pings of 15 s went unanswered.
            Send.AdvanceTime(TimeSpan.FromSeconds(10)),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_UNREACHABLE"));
    }

    // Before the restart the deploy step, COMPLETE, ignores what its task does later (recovery's business); the restarted
    // step derives its status from the task's last state, as DC/OS's regenerated deploy step does: a task last seen
    // TASK_UNREACHABLE is not running as far as anyone knows, so the step is STARTING and says why, until the agent returns.
    [Fact]
    public async Task A_deploy_step_whose_task_is_unreachable_after_a_restart_shows_STARTING_and_says_why_until_the_agent_returns()
    {
        await using var scenario = new ServiceScenario(OneTask);
        await scenario.Run(Deploy("hello-0-server"));
        await scenario.Run(
            Send.LoseAgentOf("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_UNREACHABLE"),
            Expect.PlanStatus("deploy", Status.Complete),
            Send.RestartScheduler(),
            Expect.ReconciledExplicitly("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Starting));

        var step = (await PlanAsync(scenario, "deploy")).Phases.Single().Steps.Single();
        Assert.Equal(
            "on 10.0.0.1: hello-0-server is TASK_UNREACHABLE: it may still run on its partitioned agent, so it is neither relaunched nor counted as "
            + "running; waiting for the agent to return or be marked gone (no permanent-failure timeout replaces it)",
            step.Message);

        // Nothing is relaunched meanwhile; back and running, the task completes the step.
        await scenario.Run(
            Send.ReturnAgentOf("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            Expect.AllPlansComplete());
        Assert.Single(scenario.Cluster!.History.SelectMany(r => r.LaunchedTasks), t => t.Name == "hello-0-server");
    }

    private static ScenarioTick NoRecovery() =>
        new ExpectationTick("Expect no recovery of hello-0", async c =>
            (await c.GetPlanAsync("recovery"))?.Phases is { IsEmpty: true } ? null : "the recovery plan has a phase");

    private static ScenarioTick RecoveryIs(string type) =>
        new ExpectationTick($"Expect recovery of hello-0 {type}", async c =>
            (await c.GetPlanAsync("recovery"))?.Phases.SingleOrDefault()?.Steps.Single().Message is { } m && m.StartsWith(type, StringComparison.Ordinal)
                ? null
                : $"the recovery of hello-0 is not {type}");

    private static string LatestTaskId(SimulatedCluster cluster, string task) =>
        cluster.History.SelectMany(r => r.LaunchedTasks).Last(t => t.Name == task).TaskId.Value;

    private static string? ResourceId(Resource resource) =>
        resource.Reservations.SelectMany(r => r.Labels?.Labels_ ?? []).FirstOrDefault(l => l.Key == Actors.Offers.Resources.ResourceIdLabel)?.Value;

    [Fact]
    public async Task Backoff_should_show_delayed_and_survive_a_restart()
    {
        var options = new ScenarioOptions { Recovery = new RecoverySettings(BackoffEnabled: true) };
        await using var scenario = new ServiceScenario(OneTask, options);
        await scenario.Run(Deploy("hello-0-server"));

        await scenario.Run(
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Delayed),
            Send.AdvanceTime(TimeSpan.FromSeconds(30)),
            Send.RestartScheduler(),
            // Still delayed after the restart: 30 s of the initial 60 s are left.
            Expect.StepStatus("recovery", "hello-0:[server]", "hello-0:[server]", Status.Delayed),
            Send.AdvanceTime(TimeSpan.FromSeconds(31)),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.AllPlansComplete());
    }

    private static async Task<PlanInfo> PlanAsync(ServiceScenario scenario, string plan)
    {
        PlanInfo? info = null;
        await scenario.Run(new LambdaTick("probe plan", async c => info = await c.GetPlanAsync(plan)));
        return info ?? throw new InvalidOperationException($"no plan {plan}");
    }

    private static Task SendCommandAsync(ServiceScenario scenario, PlanProtocol.Command command) =>
        scenario.Run(new LambdaTick($"command {command.Kind}", async c =>
        {
            var result = await Akka.Actor.Futures.Ask<PlanProtocol.CommandResult>(c.RequireRoot(), command, TimeSpan.FromSeconds(10));
            Assert.Equal(PlanCommandOutcome.Accepted, result.Outcome);
        }));
}
