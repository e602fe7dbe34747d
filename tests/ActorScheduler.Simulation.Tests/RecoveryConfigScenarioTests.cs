using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Recovery relaunches a failed task on the config it was running (DC/OS: the failed task's own
/// <c>target_configuration</c>), not on a new target a paused or canary-held rollout has not reached yet; so do
/// <c>pod pause</c> and <c>pod resume</c>.
/// </summary>
public sealed class RecoveryConfigScenarioTests
{
    [Fact]
    public async Task A_task_failing_while_the_rollout_is_paused_comes_back_on_the_config_it_was_running()
    {
        var values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions { Values = values, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete));
        var cluster = scenario.Cluster!;
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);

        // The operator pauses the rollout (world still to do), then updates hello's cpus: the paused plan leaves
        // hello-0 on 0.1 until it is continued.
        await scenario.Run(
            Send.PlanCommand("deploy", PlanCommandKind.Interrupt),
            Send.UpdateSpec(new Dictionary<string, string>(values) { ["HELLO_CPUS"] = "0.3" }),
            Expect.UpdateAccepted(),
            Expect.PlanStatus("deploy", Status.Waiting),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Send.ReofferPod("hello", 0),
            // world-0's step was under way (waiting for offers) before the pause, but it went with the old plans: the
            // paused rollout of the new config starts nothing, as after a restart.
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("recovery", Status.Complete));

        // Recovered on the config it ran (0.1 cpus); the paused rollout still has hello-0 to do.
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);
        await scenario.Run(Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending), Expect.PlanStatus("deploy", Status.Waiting));

        // Continued, the rollout brings hello-0 to the new config: killed and relaunched with 0.3 cpus.
        await scenario.Run(
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Expect.Killed("hello-0-server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        Assert.Equal(0.3, CpusOfLastLaunch(cluster, "hello-0-server"), 6);
    }

    [Fact]
    public async Task After_a_restart_a_task_failing_while_the_rollout_is_paused_comes_back_on_the_config_it_was_running()
    {
        var values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions { Values = values, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            // Paused while world-0 still waits for offers (a complete plan cannot be paused).
            Send.PlanCommand("deploy", PlanCommandKind.Interrupt),
            Send.UpdateSpec(new Dictionary<string, string>(values) { ["HELLO_CPUS"] = "0.3" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            // The restarted pod holds no config but the new target its step brings: the one hello-0-server ran (0.1 cpus)
            // comes from the config store.
            Send.RestartScheduler(),
            Expect.PlanStatus("deploy", Status.Waiting),
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("recovery", Status.Complete),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending));
        Assert.Equal(0.1, CpusOfLastLaunch(scenario.Cluster!, "hello-0-server"), 6);

        await scenario.Run(
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Expect.Killed("hello-0-server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        Assert.Equal(0.3, CpusOfLastLaunch(scenario.Cluster!, "hello-0-server"), 6);
    }

    [Fact]
    public async Task Pause_and_resume_while_the_rollout_is_paused_relaunch_on_the_config_the_task_was_running()
    {
        var values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions { Values = values, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.PlanCommand("deploy", PlanCommandKind.Interrupt),
            Send.UpdateSpec(new Dictionary<string, string>(values) { ["HELLO_CPUS"] = "0.3" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending));
        var cluster = scenario.Cluster!;

        // Paused and resumed while the rollout has not reached hello-0: both relaunches stay on the config it ran (0.1
        // cpus), and its step of the new config stays to do.
        await scenario.Run(
            Send.PausePod("hello-0"),
            Expect.Killed("hello-0-server"),
            Send.ReofferPod("hello", 0),
            // world-0's step, under way before the pause, went with the old plans (see above).
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"));
        Assert.Equal(PauseOverride.SleepCommand, LastLaunch(cluster, "hello-0-server").Command.Value);
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);
        await scenario.Run(
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            Send.ResumePod("hello-0"),
            Expect.Killed("hello-0-server", times: 2),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending));
        Assert.Contains("hello from", LastLaunch(cluster, "hello-0-server").Command.Value);
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);

        // Continued, the rollout brings hello-0 to the new config.
        await scenario.Run(
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Expect.Killed("hello-0-server", times: 3),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        Assert.Equal(0.3, CpusOfLastLaunch(cluster, "hello-0-server"), 6);
    }

    [Fact]
    public async Task After_a_restart_pause_and_resume_while_the_rollout_is_paused_relaunch_on_the_config_the_task_was_running()
    {
        var values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), new ScenarioOptions { Values = values, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.PlanCommand("deploy", PlanCommandKind.Interrupt),
            Send.UpdateSpec(new Dictionary<string, string>(values) { ["HELLO_CPUS"] = "0.3" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending),
            // The restarted pod holds only the new target its step brings: the config hello-0-server ran (0.1 cpus) comes
            // from the config store.
            Send.RestartScheduler(),
            Expect.PlanStatus("deploy", Status.Waiting),
            Send.PausePod("hello-0"),
            Expect.Killed("hello-0-server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending));
        var cluster = scenario.Cluster!;
        Assert.Equal(PauseOverride.SleepCommand, LastLaunch(cluster, "hello-0-server").Command.Value);
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);

        // Restarted again while paused, then resumed: still the config it ran.
        await scenario.Run(
            Send.RestartScheduler(),
            Expect.PlanStatus("deploy", Status.Waiting),
            Send.ResumePod("hello-0"),
            Expect.Killed("hello-0-server", times: 2),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending));
        Assert.Contains("hello from", LastLaunch(cluster, "hello-0-server").Command.Value);
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);

        await scenario.Run(
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Expect.Killed("hello-0-server", times: 3),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        Assert.Equal(0.3, CpusOfLastLaunch(cluster, "hello-0-server"), 6);
    }

    // Two instances of a serial-canary phase: an update holds both steps until an operator continues.
    private const string Canary = """
        name: svc
        pods:
          api:
            count: 2
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: {{API_CPUS}}
                memory: 32
        plans:
          deploy:
            phases:
              api:
                pod: api
                strategy: serial-canary
        """;

    [Fact]
    public async Task A_task_failing_while_a_canary_waits_for_approval_comes_back_on_the_config_it_was_running()
    {
        var values = new Dictionary<string, string> { ["API_CPUS"] = "0.1" };
        await using var scenario = new ServiceScenario(Canary, new ScenarioOptions { Values = values, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Send.OffersFor("api"),
            Expect.Launched("api-0-server"),
            Expect.StepStatus("deploy", "api", "api-0:[server]", Status.Complete),
            Send.PlanCommand("deploy", PlanCommandKind.Continue),
            Send.OffersFor("api"),
            Expect.Launched("api-1-server"),
            Expect.AllPlansComplete());

        // The update's canary waits for its first approval: api-1 fails meanwhile and comes back on 0.1 cpus.
        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["API_CPUS"] = "0.3" }),
            Expect.UpdateAccepted(),
            Expect.StepStatus("deploy", "api", "api-1:[server]", Status.Waiting),
            Send.TaskStatus("api-1-server", TaskState.TaskFailed),
            Send.ReofferPod("api", 1),
            Expect.Launched("api-1-server"),
            Expect.PlanStatus("recovery", Status.Complete),
            Expect.StepStatus("deploy", "api", "api-1:[server]", Status.Waiting));
        Assert.Equal(0.1, CpusOfLastLaunch(scenario.Cluster!, "api-1-server"), 6);
    }

    private static TaskInfo LastLaunch(SimulatedCluster cluster, string task) =>
        cluster.History.SelectMany(r => r.LaunchedTasks).Last(t => t.Name == task);

    private static double CpusOfLastLaunch(SimulatedCluster cluster, string task) =>
        cluster.History.SelectMany(r => r.LaunchedTasks).Last(t => t.Name == task).Resources.Single(r => r.Name == "cpus").Scalar.Value;
}
