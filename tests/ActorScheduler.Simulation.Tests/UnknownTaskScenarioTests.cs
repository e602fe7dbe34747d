using ActorScheduler.Messages.Plans;

namespace ActorScheduler.Simulation.Tests;

/// <summary>
/// DC/OS SDK's unknown-task test: a task the scheduler did not launch (or no longer knows) runs under its framework;
/// the scheduler kills it and leaves its own tasks alone.
/// </summary>
public sealed class UnknownTaskScenarioTests
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

    [Fact]
    public async Task A_stray_task_of_a_known_pod_is_killed_and_the_pod_keeps_its_own()
    {
        await using var scenario = new ServiceScenario(OneTask);

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Expect.PlanStatus("deploy", Status.Complete),
            Send.StrayTask("hello-0-server", nextTo: "hello-0-server"),
            Expect.StrayKilled("hello-0-server"),
            Expect.TaskShown("hello-0", "hello-0-server", "TASK_RUNNING"),
            Expect.PlanStatus("deploy", Status.Complete));
    }

    [Fact]
    public async Task A_stray_task_of_no_pod_the_spec_has_is_killed()
    {
        await using var scenario = new ServiceScenario(OneTask);

        await scenario.Run(
            Send.Register(),
            Send.OffersFor("hello"),
            Expect.Launched("hello-0-server"),
            Send.StrayTask("ghost-0-server", nextTo: "hello-0-server"),
            Expect.StrayKilled("ghost-0-server"),
            Expect.PlanStatus("deploy", Status.Complete),
            Expect.PlanStatus("recovery", Status.Complete));
    }

    [Fact]
    public async Task A_stray_task_next_to_no_running_task_fails_the_tick_with_the_reason()
    {
        await using var scenario = new ServiceScenario(OneTask);

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(
            Send.Register(),
            Send.StrayTask("ghost-0-server", nextTo: "nobody-0-server")));

        Assert.Contains("No running task named nobody-0-server", failure.Message, StringComparison.Ordinal);
    }
}
