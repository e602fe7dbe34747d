namespace ActorScheduler.Simulation.Tests;

/// <summary>A pod of count 0 gives its deploy phase no steps: the plan still reports, so the scheduler subscribes at once.</summary>
public sealed class EmptyPhaseScenarioTests
{
    [Fact]
    public async Task A_pod_of_count_0_does_not_hold_back_the_subscription_and_the_deploy_completes()
    {
        var options = new ScenarioOptions
        {
            Values = new Dictionary<string, string> { ["EDGE_COUNT"] = "0", ["TRAINER_COUNT"] = "1" },
            // Well below the root's 60 s deadline for a deploy plan that never reports.
            StartTimeout = TimeSpan.FromSeconds(20),
        };
        await using var scenario = new ServiceScenario(Examples.Spec("pre-reserved"), options);

        await scenario.Run(
            Send.Register(),
            Expect.ReconciledExplicitly(),
            Send.OffersFor("trainer", resources: AgentResources.Default with { Gpus = 1 }),
            Expect.Launched("trainer-0-train"),
            Expect.AllPlansComplete());
    }
}
