using ActorScheduler.Messages.MesosV1;
using ActorScheduler.Messages.Plans;
using ActorScheduler.Simulation;
using Xunit;

namespace SimulationTests;

/// <summary>The README's simulation-kit example, as a user's own test referencing the ActorScheduler.Simulation package.</summary>
public sealed class HelloWorldScenarioTests
{
    private static readonly string Spec = Path.Combine(AppContext.BaseDirectory, "hello-world", "svc.yml");

    [Fact]
    public async Task Hello_world_deploys_and_relaunches_in_place()
    {
        await using var scenario = new ServiceScenario(Spec,
            new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" } });

        await scenario.Run(
            Send.Register(),                                   // start, subscribe, reconcile
            Send.OffersFor("hello", count: 1),                 // a fresh agent, offered at once
            Expect.Launched("hello-0-server"),
            Expect.StepStatus("deploy", "hello", "hello-0:[server]", Status.Complete),
            Send.OffersFor("world"),
            Expect.Launched("world-0-server"),
            Expect.AllPlansComplete(),
            Send.TaskStatus("hello-0-server", TaskState.TaskFailed),
            Send.ReofferPod("hello", 0),                       // the agent holding hello-0's reservations
            Expect.Launched("hello-0-server"),
            Send.RestartScheduler(),                           // same journal: recover, re-subscribe, reconcile
            Expect.ReconciledExplicitly("hello-0-server", "world-0-server"),
            Expect.AllPlansComplete());
    }

    [Fact]
    public async Task A_scenario_that_expects_the_wrong_launch_fails_and_names_the_tick()
    {
        await using var scenario = new ServiceScenario(Spec,
            new ScenarioOptions { Values = new Dictionary<string, string> { ["WORLD_COUNT"] = "1" }, ExpectTimeout = TimeSpan.FromSeconds(2) });

        var failure = await Assert.ThrowsAsync<ScenarioFailedException>(() => scenario.Run(
            Send.Register(),
            Send.OffersFor("hello", count: 1),
            Expect.Launched("world-0-server")));

        Assert.Contains("Scenario failed at tick 3 of 3", failure.Message);
    }
}
