using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// Two plans whose steps share a name (deploy's <c>hello-0:[init]</c> and the operator's <c>reinit</c> plan's) drive
/// the same pod in turn: the one that takes the pod over while the other waits for offers hands it back once it is done
/// (completed or force-completed), and neither disturbs the other's status.
/// </summary>
public sealed class SharedStepNameScenarioTests
{
    private const string Spec = """
        name: hello-world
        pods:
          hello:
            count: 1
            tasks:
              init:
                goal: FINISH
                cmd: echo {{MSG}}
                cpus: 0.1
                memory: 32
              server:
                goal: RUNNING
                cmd: sleep 1000
                cpus: 0.1
                memory: 32
        plans:
          deploy:
            strategy: serial
            phases:
              hello:
                pod: hello
                steps:
                  - default: [[init], [server]]
          reinit:
            phases:
              reinit:
                pod: hello
                steps:
                  - default: [[init]]
        """;

    [Fact]
    public async Task A_step_of_another_plan_of_the_same_name_takes_the_pod_in_turn_and_hands_it_back_when_done()
    {
        await using var scenario = new ServiceScenario(Spec, new ScenarioOptions { Values = new Dictionary<string, string> { ["MSG"] = "a" }, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-init"),
            Send.TaskStatus("hello-0-init", TaskState.TaskFinished),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("deploy", Status.Complete));

        // The operator's reinit plan (complete at once: init finished on this config) runs init again when started again,
        // while deploy is complete: deploy stays so.
        await scenario.Run(
            Send.PlanCommand("reinit", PlanCommandKind.Start),
            Expect.PlanStatus("reinit", Status.Complete),
            Send.PlanCommand("reinit", PlanCommandKind.Start),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-init"),
            Send.TaskStatus("hello-0-init", TaskState.TaskFinished),
            Expect.PlanStatus("reinit", Status.Complete),
            Expect.PlanStatus("deploy", Status.Complete));

        // An update's deploy waits for offers for init when the operator starts reinit again: reinit's step takes the pod
        // over; force-completed, it hands the pod back to deploy's step, which launches init on the new config (and then
        // the server, which a new config relaunches).
        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["MSG"] = "b" }),
            Expect.UpdateAccepted(),
            Expect.WaitingForOffers("hello-0"),
            Send.PlanCommand("reinit", PlanCommandKind.Start),
            Expect.StepStatus("deploy", "hello", "hello-0:[init]", Status.Pending),
            Send.PlanCommand("reinit", PlanCommandKind.ForceComplete, "reinit", "hello-0:[init]"),
            Expect.PlanStatus("reinit", Status.Complete),
            Expect.WaitingForOffers("hello-0"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-init"),
            Send.TaskStatus("hello-0-init", TaskState.TaskFinished),
            Expect.StepStatus("deploy", "hello", "hello-0:[init]", Status.Complete),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("deploy", Status.Complete),
            Expect.PlanStatus("reinit", Status.Complete));
        Assert.Contains("echo b", LastLaunch(scenario.Cluster!, "hello-0-init").Command.Value);

        // And the other way round: reinit's step completes its launch while deploy's (another update) waits; deploy then
        // drives the pod again, finds init done on its config, and goes on (the new config relaunches the server).
        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["MSG"] = "c" }),
            Expect.UpdateAccepted(),
            Expect.WaitingForOffers("hello-0"),
            Send.PlanCommand("reinit", PlanCommandKind.Start),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-init"),
            Send.TaskStatus("hello-0-init", TaskState.TaskFinished),
            Expect.PlanStatus("reinit", Status.Complete),
            Expect.StepStatus("deploy", "hello", "hello-0:[init]", Status.Complete),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("deploy", Status.Complete));
        Assert.Contains("echo c", LastLaunch(scenario.Cluster!, "hello-0-init").Command.Value);
    }

    [Fact]
    public async Task A_step_that_waits_for_another_plan_s_step_says_so_and_drives_the_pod_again_while_that_plan_is_paused()
    {
        await using var scenario = new ServiceScenario(Spec, new ScenarioOptions { Values = new Dictionary<string, string> { ["MSG"] = "a" }, ExpectTimeout = TimeSpan.FromSeconds(20) });
        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-init"),
            Send.TaskStatus("hello-0-init", TaskState.TaskFinished),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("deploy", Status.Complete));

        // An update's deploy waits for offers for init when the operator starts reinit: reinit's step takes the pod over,
        // and deploy's says what it waits for. Reinit is paused: deploy's step drives the pod again (DC/OS counts no step
        // of an interrupted plan as working on a pod) and deploys; reinit's, continued, finds init done on its config.
        await scenario.Run(
            Send.UpdateSpec(new Dictionary<string, string> { ["MSG"] = "b" }),
            Expect.UpdateAccepted(),
            Expect.WaitingForOffers("hello-0"),
            Send.PlanCommand("reinit", PlanCommandKind.Start),
            Expect.StepMessage("deploy", "hello", "hello-0:[init]", "waiting for step hello-0:[init] of plan reinit (phase reinit), which took hello-0 over"),
            Send.PlanCommand("reinit", PlanCommandKind.Interrupt),
            Expect.StepMessage("reinit", "reinit", "hello-0:[init]", "its plan is interrupted: step hello-0:[init] of plan deploy (phase hello) works on hello-0 meanwhile"),
            Expect.WaitingForOffers("hello-0"),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-init"),
            Send.TaskStatus("hello-0-init", TaskState.TaskFinished),
            Expect.StepStatus("deploy", "hello", "hello-0:[init]", Status.Complete),
            Send.ReofferPod("hello", 0),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("deploy", Status.Complete),
            Send.PlanCommand("reinit", PlanCommandKind.Continue),
            Expect.PlanStatus("reinit", Status.Complete));
        Assert.Contains("echo b", LastLaunch(scenario.Cluster!, "hello-0-init").Command.Value);
    }

    private static TaskInfo LastLaunch(SimulatedCluster cluster, string task) =>
        cluster.History.SelectMany(r => r.LaunchedTasks).Last(t => t.Name == task);
}
