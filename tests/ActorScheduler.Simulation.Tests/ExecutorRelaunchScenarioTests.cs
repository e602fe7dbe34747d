using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// A step bringing the pod new executor-level settings (here rlimits) kills every live task of the pod and launches
/// them together in a new executor, on the step's config — also when the scheduler restarts between the kills and the
/// launch.
/// </summary>
public sealed class ExecutorRelaunchScenarioTests
{
    // The sidecar's step comes in a later phase: an update's server step brings the server to the new config, and the
    // sidecar with it, as the running executor cannot take the new settings.
    private const string Spec = """
        name: hello-world
        pods:
          hello:
            count: 1
            rlimits:
              RLIMIT_NOFILE: {soft: {{SOFT}}, hard: 4096}
            tasks:
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
              sidecar:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: serial
            phases:
              server:
                pod: hello
                steps:
                  - default: [[server]]
              sidecar:
                pod: hello
                steps:
                  - default: [[sidecar]]
        """;

    [Fact]
    public async Task A_restart_between_the_kills_and_the_launch_still_relaunches_the_other_tasks_with_the_step_on_its_config()
    {
        await using var scenario = new ServiceScenario(Spec, new ScenarioOptions { Values = new Dictionary<string, string> { ["SOFT"] = "1024" }, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-sidecar"),
            Expect.PlanStatus("deploy", Status.Complete));

        // The update's deploy brings the server to the new config: its executor settings changed, so the sidecar is
        // killed with it; the scheduler restarts once both ended, before the relaunch.
        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["SOFT"] = "2048" }),
            Expect.UpdateAccepted(),
            Expect.Killed("hello-0-server"),
            Expect.Killed("hello-0-sidecar"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_KILLED"),
            Expect.TaskShown("hello-0", "hello-0-sidecar", "TASK_KILLED"),
            Send.RestartScheduler(),
            Send.ReofferPod("hello", 0),
            Expect.StepStatus("deploy", "server", "hello-0:[server]", Status.Complete),
            Expect.TaskShown("hello-0", "hello-0-sidecar", "TASK_RUNNING"),
            Expect.PlanStatus("deploy", Status.Complete));

        // One launch after the kills, of both, in a new executor with the new rlimits.
        var cluster = scenario.Cluster!;
        var relaunch = cluster.History.Last(r => r.LaunchedTasks.Any());
        Assert.Equal(["hello-0-server", "hello-0-sidecar"], relaunch.LaunchedTasks.Select(t => t.Name).Order(StringComparer.Ordinal));
        var group = relaunch.Operations(Offer.Types.Operation.Types.Type.LaunchGroup).Single().LaunchGroup;
        Assert.Equal(2048UL, group.Executor.Container.RlimitInfo.Rlimits.Single().Soft);
        // The sidecar was not launched on its old config meanwhile (by recovery), nor again by its own step.
        Assert.Equal(3, cluster.History.Count(r => r.LaunchedTasks.Any()));
    }
}
