using ActorScheduler.Actors.Pods;
using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary><c>pod pause</c> / <c>pod resume</c> (DC/OS goal-state override PAUSED), also across a restart.</summary>
public sealed class PauseScenarioTests
{
    [Fact]
    public async Task Pause_relaunches_with_a_sleep_in_place_and_resume_relaunches_the_real_command()
    {
        var options = new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" }, ExpectTimeout = TimeSpan.FromSeconds(20) };
        await using var scenario = new ServiceScenario(Examples.Spec("hello-world"), options);
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete());
        var agent = scenario.Cluster!.AgentOfLaunch("hello-0-server");

        await scenario.Run(
            Send.PausePod("hello-0"),
            Expect.Killed("hello-0-server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"),
            Expect.PlanStatus("deploy", Status.Complete),
            // Survives a restart: the paused launch stays as it is.
            Send.RestartScheduler(),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"));

        var paused = scenario.Cluster.History.Last(r => r.LaunchedTasks.Any()).LaunchedTasks.Single();
        Assert.Equal(PauseOverride.SleepCommand, paused.Command.Value);
        Assert.Equal(agent, scenario.Cluster.AgentOfLaunch("hello-0-server"));
        Assert.Empty(scenario.Cluster.History.Last(r => r.LaunchedTasks.Any()).Operations(Offer.Types.Operation.Types.Type.Reserve));

        await scenario.Run(
            Send.ResumePod("hello-0"),
            Expect.Killed("hello-0-server", times: 2),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"));

        var resumed = scenario.Cluster.History.Last(r => r.LaunchedTasks.Any()).LaunchedTasks.Single();
        Assert.Contains("hello from", resumed.Command.Value);
    }

    // A pod with an essential task and a non-essential sidecar (DC/OS nonessential_tasks.yml).
    private const string WithSidecar = """
        name: svc
        pods:
          hello:
            count: 1
            tasks:
              server:
                goal: RUNNING
                cmd: ./serve
                cpus: 0.1
                memory: 32
              agent:
                goal: RUNNING
                essential: false
                cmd: ./tail-logs
                cpus: 0.1
                memory: 32
        """;

    [Fact]
    public async Task Pause_and_resume_of_a_task_outside_the_recovery_driving_the_pod_act_once_that_recovery_is_done()
    {
        await using var scenario = new ServiceScenario(WithSidecar);
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-agent", "hello-0-server"),
            Expect.AllPlansComplete());
        var cluster = scenario.Cluster!;

        await scenario.Run(
            // The sidecar fails: its recovery (only itself: it is not essential) drives the pod, waiting for an offer.
            Send.TaskStatus("hello-0-agent", TaskState.TaskFailed),
            Expect.StepStatus("recovery", "hello-0:[agent]", "hello-0:[agent]", Status.Pending),
            // The operator pauses the server meanwhile: accepted, and its turn comes once the recovery is done.
            Send.PausePod("hello-0", "server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-agent"),
            Expect.StepStatus("recovery", "hello-0:[agent]", "hello-0:[agent]", Status.Complete),
            // Its step (both tasks) drives the relaunch: the live tasks are killed (the executor ends them together), and
            // both come back, the server paused.
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-agent", "hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "PAUSED"),
            Expect.TaskShown("hello-0", "hello-0-agent", "TASK_RUNNING"),
            Expect.AllPlansComplete());
        Assert.Equal(PauseOverride.SleepCommand, LastLaunch(cluster, "hello-0-server").Command.Value);

        // Resumed while the sidecar's recovery drives the pod again: the real command comes back after it.
        await scenario.Run(
            Send.TaskStatus("hello-0-agent", TaskState.TaskFailed),
            Expect.StepStatus("recovery", "hello-0:[agent]", "hello-0:[agent]", Status.Pending),
            Send.ResumePod("hello-0", "server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-agent"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-agent", "hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            Expect.AllPlansComplete());
        Assert.Equal("./serve", LastLaunch(cluster, "hello-0-server").Command.Value);
    }

    private static TaskInfo LastLaunch(SimulatedCluster cluster, string task) =>
        cluster.History.SelectMany(r => r.LaunchedTasks).Last(t => t.Name == task);
}
