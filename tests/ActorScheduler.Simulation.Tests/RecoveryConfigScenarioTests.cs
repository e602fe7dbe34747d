using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Recovery relaunches a failed task on the config it was running (DC/OS: the failed task's own
/// <c>target_configuration</c>), not on a new target a paused or canary-held rollout has not reached yet.
/// </summary>
public sealed class RecoveryConfigScenarioTests
{
    // Fails today (the relaunch takes 0.3 cpus): PodInstanceActor recovers on CurrentTarget(), the watching steps' new
    // target. Not fixed yet; see the skip reason.
    [Fact(Skip = "Known bug: recovery relaunches on the new target while the rollout is paused or canary-held. Fix: recover on the failed task's TaskRecord.ConfigId config (kept by the pod per config id, fetched from the config store after a restart/failover) unless a proceeding step drives the pod")]
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
            // world-0's step was under way (waiting for offers) before the pause, and running steps finish.
            Expect.Launched("hello-0-server", "world-0-server"),
            Expect.PlanStatus("recovery", Status.Complete));

        // Recovered on the config it ran (0.1 cpus); the paused rollout still has hello-0 to do.
        Assert.Equal(0.1, CpusOfLastLaunch(cluster, "hello-0-server"), 6);
        await scenario.Run(Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Pending), Expect.PlanStatus("deploy", Status.Waiting));
    }

    private static double CpusOfLastLaunch(SimulatedCluster cluster, string task) =>
        cluster.History.SelectMany(r => r.LaunchedTasks).Last(t => t.Name == task).Resources.Single(r => r.Name == "cpus").Scalar.Value;
}
